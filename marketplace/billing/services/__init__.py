"""Billing services, split by what they do:

    bills    closing monthly bills, reading them, settling them (transfer or card), voiding
    purpose  the bill purpose of the one payment engine (card payments up to the ceiling)
    bank     importing bank statements, matching transfers, the finance queue
    sweeps   the daily job: close last month, mark overdue, remind
"""
