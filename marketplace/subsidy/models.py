"""Subsidy programmes, provider grades, per-booking reservations, settlements and the ledger.

Money is int fen; rates and factors are basis points (1 bp = 0.01 %).
The programme row carries the running `reserved` and `committed` totals; the database refuses
any state where they exceed the budget (CHECK), and services change them only with conditional
UPDATE statements, so concurrent approvals can never overdraw it.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db

GRADES = {"A": ("优秀", "Excellent"), "B": ("良好", "Good"), "C": ("合格", "Pass"), "D": ("不合格", "Fail")}
PERIODS = {"quarter": ("按季度", "Quarterly"), "half": ("按半年", "Half-yearly"), "year": ("按年度", "Yearly")}
RESERVATION_STATUSES = ("reserved", "released", "committed", "refunded")

# The chart of accounts. Balances are debit − credit; credit-normal accounts show negative.
ACCOUNTS = {
    "programme_fund": ("财政拨款（补贴资金）", "Programme fund (appropriation)"),
    "budget": ("可用预算", "Budget available"),
    "subsidy_reserved": ("已预留补贴", "Subsidy reserved"),
    "user_subsidy_payable": ("应付用户补贴", "User subsidy payable"),
    "provider_subsidy_payable": ("应付管理单位补贴", "Provider subsidy payable"),
    "subsidy_receivable": ("应收补贴资金", "Subsidy receivable"),
    "user_receivable": ("应收用户款", "User receivable"),
    "provider_payable": ("应付管理单位服务费", "Provider payable"),
    "gateway_clearing": ("支付网关清算", "Gateway clearing"),
    "bank": ("银行存款（对外付款）", "Bank (payments out)"),
}
ENTRY_KINDS = {
    "funding": ("预算拨付", "Budget funding"),
    "reservation": ("补贴预留", "Subsidy reservation"),
    "release": ("补贴释放", "Subsidy release"),
    "subsidy_commitment": ("补贴确认", "Subsidy commitment"),
    "provider_income": ("服务收入", "Provider income"),
    "payment": ("用户付款", "Payment"),
    "refund": ("退款", "Refund"),
    "settlement": ("期间结算", "Period settlement"),
    "payout": ("支付给管理单位", "Payout"),
    "reversal": ("冲销", "Reversal"),
}


class Programme(db.Model):
    """A two-sided subsidy programme (e.g. 2026 年度大型科学仪器共享双向补贴)."""

    __tablename__ = "subsidy_programmes"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    year: Mapped[int] = mapped_column(sa.Integer, unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    budget: Mapped[int] = mapped_column(sa.BigInteger)
    reserved: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    committed: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # user side
    rate_default_bp: Mapped[int] = mapped_column(sa.Integer)
    rate_sme_bp: Mapped[int] = mapped_column(sa.Integer)
    rate_sme_high_tech_bp: Mapped[int] = mapped_column(sa.Integer)
    booking_cap: Mapped[int] = mapped_column(sa.BigInteger)
    org_year_cap: Mapped[int] = mapped_column(sa.BigInteger)
    min_original_value: Mapped[int] = mapped_column(sa.BigInteger)
    # provider side
    provider_rate_bp: Mapped[int] = mapped_column(sa.Integer)
    grade_a_bp: Mapped[int] = mapped_column(sa.Integer)
    grade_b_bp: Mapped[int] = mapped_column(sa.Integer)
    grade_c_bp: Mapped[int] = mapped_column(sa.Integer)
    grade_d_bp: Mapped[int] = mapped_column(sa.Integer)
    ungraded: Mapped[str] = mapped_column(sa.String(1))  # grade assumed for unrated providers
    provider_unit_cap: Mapped[int] = mapped_column(sa.BigInteger)
    # exclusions and period
    exclude_internal: Mapped[bool] = mapped_column(default=True)
    exclude_related: Mapped[bool] = mapped_column(default=True)
    settlement_period: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("budget >= 0 AND reserved >= 0 AND committed >= 0", name="nonneg"),
        sa.CheckConstraint("reserved + committed <= budget", name="within_budget"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        sa.CheckConstraint(
            "rate_default_bp BETWEEN 0 AND 10000 AND rate_sme_bp BETWEEN 0 AND 10000 "
            "AND rate_sme_high_tech_bp BETWEEN 0 AND 10000 AND provider_rate_bp BETWEEN 0 AND 10000 "
            "AND grade_a_bp BETWEEN 0 AND 10000 AND grade_b_bp BETWEEN 0 AND 10000 "
            "AND grade_c_bp BETWEEN 0 AND 10000 AND grade_d_bp BETWEEN 0 AND 10000", name="rates"),
        sa.CheckConstraint("booking_cap >= 0 AND org_year_cap >= 0 AND min_original_value >= 0 "
                           "AND provider_unit_cap >= 0", name="caps"),
        sa.CheckConstraint(f"ungraded IN {sql_in(GRADES)}", name="ungraded"),
        sa.CheckConstraint(f"settlement_period IN {sql_in(PERIODS)}", name="period"),
    )

    @property
    def remaining(self) -> int:
        return self.budget - self.reserved - self.committed

    def grade_factor_bp(self, grade: str | None) -> int:
        return {"A": self.grade_a_bp, "B": self.grade_b_bp, "C": self.grade_c_bp,
                "D": self.grade_d_bp}[grade or self.ungraded]

    def __repr__(self):
        return f"<Programme {self.id} {self.year} {self.budget}>"


class ProviderGrade(db.Model):
    """The evaluation grade of a managing unit (provider organisation) in a programme."""

    __tablename__ = "subsidy_provider_grades"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("subsidy_programmes.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    grade: Mapped[str] = mapped_column(sa.String(1))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    org = relationship(Organisation)

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "org_id", name="uq_subsidy_provider_grades_prog_org"),
        sa.CheckConstraint(f"grade IN {sql_in(GRADES)}", name="grade"),
    )


class Reservation(db.Model):
    """The subsidy record of one booking: counted once (unique booking), traceable to the fen.

    `reserved` is what the budget holds for it now; `committed` what was committed at payment.
    Also carries the provider-side facts (fee, external flag) that period settlement sums.
    """

    __tablename__ = "subsidy_reservations"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id", ondelete="RESTRICT"), unique=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("subsidy_programmes.id", ondelete="RESTRICT"))
    user_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    provider_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    fee: Mapped[int] = mapped_column(sa.BigInteger, default=0)         # fee the amount was computed from
    rate_bp: Mapped[int] = mapped_column(sa.Integer, default=0)
    rule_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # before budget/org caps
    reserved: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    committed: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    user_eligible: Mapped[bool] = mapped_column(default=False)
    provider_eligible: Mapped[bool] = mapped_column(default=False)  # external, unrelated use
    status: Mapped[str] = mapped_column(sa.String(12), default="reserved")
    reason_code: Mapped[str | None] = mapped_column(sa.String(30))
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    committed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    programme = relationship(Programme)

    __table_args__ = (
        sa.CheckConstraint("fee >= 0 AND rule_amount >= 0 AND reserved >= 0 AND committed >= 0", name="nonneg"),
        sa.CheckConstraint(f"status IN {sql_in(RESERVATION_STATUSES)}", name="status"),
        sa.Index("ix_subsidy_reservations_org", "programme_id", "user_org_id"),
        sa.Index("ix_subsidy_reservations_settle", "programme_id", "status", "committed_at"),
    )


class Settlement(db.Model):
    """Provider-side settlement of one period; unique per (programme, period): idempotent."""

    __tablename__ = "subsidy_settlements"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("subsidy_programmes.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(sa.String(8))          # 2026Q4, 2026H1, 2026
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    income: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    computed: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    awarded: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    prorated: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme = relationship(Programme)
    lines = relationship("SettlementLine", order_by="SettlementLine.org_id", lazy="selectin")

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "period", name="uq_subsidy_settlements_prog_period"),
        sa.CheckConstraint("income >= 0 AND computed >= 0 AND awarded >= 0 AND awarded <= computed",
                           name="amounts"),
    )


class SettlementLine(db.Model):
    __tablename__ = "subsidy_settlement_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(sa.ForeignKey("subsidy_settlements.id", ondelete="RESTRICT"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    bookings: Mapped[int] = mapped_column(sa.Integer, default=0)
    income: Mapped[int] = mapped_column(sa.BigInteger)
    grade: Mapped[str] = mapped_column(sa.String(1))
    computed: Mapped[int] = mapped_column(sa.BigInteger)   # rate × grade, after the yearly unit cap
    awarded: Mapped[int] = mapped_column(sa.BigInteger)    # after pro-rating

    org = relationship(Organisation, lazy="selectin")  # settlement pages list every line's unit

    __table_args__ = (
        sa.UniqueConstraint("settlement_id", "org_id", name="uq_subsidy_settlement_lines_s_org"),
        sa.CheckConstraint("income >= 0 AND computed >= 0 AND awarded >= 0 AND awarded <= computed",
                           name="amounts"),
    )


# -- the ledger ------------------------------------------------------------------------------------

class JournalEntry(db.Model):
    """One money movement. Append-only: corrections are reversing entries."""

    __tablename__ = "journal_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    memo: Mapped[str] = mapped_column(sa.String(300), default="")
    programme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("subsidy_programmes.id", ondelete="RESTRICT"), index=True)
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id", ondelete="RESTRICT"), index=True)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    settlement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subsidy_settlements.id", ondelete="RESTRICT"))
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("journal_entries.id", ondelete="RESTRICT"))
    # RESTRICT, not SET NULL: the journal is never updated; deactivate users instead of deleting them.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    lines = relationship("JournalLine", order_by="JournalLine.id", lazy="selectin")
    actor = relationship(User)

    __table_args__ = (sa.CheckConstraint(f"kind IN {sql_in(ENTRY_KINDS)}", name="kind"),)


class JournalLine(db.Model):
    __tablename__ = "journal_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entries.id", ondelete="RESTRICT"), index=True)
    account: Mapped[str] = mapped_column(sa.String(30))
    debit: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    credit: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Whose line this is (user org on receivables, provider org on payables) and which programme.
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subsidy_programmes.id", ondelete="RESTRICT"))

    __table_args__ = (
        sa.CheckConstraint(f"account IN {sql_in(ACCOUNTS)}", name="account"),
        sa.CheckConstraint("(debit > 0 AND credit = 0) OR (debit = 0 AND credit > 0)", name="one_side"),
        sa.Index("ix_journal_lines_org_account", "org_id", "account"),
        sa.Index("ix_journal_lines_prog_account", "programme_id", "account"),
    )


# Append-only, enforced by the database on both dialects.
for _model in (JournalEntry, JournalLine):
    for _op in ("UPDATE", "DELETE"):
        _t = _model.__tablename__
        sa.event.listen(_model.__table__, "after_create", sa.DDL(
            f"CREATE TRIGGER trg_{_t}_no_{_op.lower()} BEFORE {_op} ON {_t} "
            f"BEGIN SELECT RAISE(ABORT, '{_t} is append-only'); END").execute_if(dialect="sqlite"))

PG_APPEND_ONLY_FN = """
CREATE OR REPLACE FUNCTION journal_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql
"""
# A deferred constraint trigger: at commit, every entry touched must balance and have lines.
PG_BALANCE_FN = """
CREATE OR REPLACE FUNCTION journal_entry_balanced() RETURNS trigger AS $$
DECLARE d bigint; c bigint;
BEGIN
  SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) INTO d, c
    FROM journal_lines WHERE entry_id = NEW.id;
  IF d <> c OR d = 0 THEN
    RAISE EXCEPTION 'journal entry %% does not balance (debits %%, credits %%)', NEW.id, d, c;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""
PG_DDL = {
    "journal_entries": [
        PG_APPEND_ONLY_FN,
        "CREATE TRIGGER trg_journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries "
        "FOR EACH ROW EXECUTE FUNCTION journal_append_only()",
        PG_BALANCE_FN,
        "CREATE CONSTRAINT TRIGGER trg_journal_entries_balanced AFTER INSERT ON journal_entries "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced()",
    ],
    "journal_lines": [
        "CREATE TRIGGER trg_journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines "
        "FOR EACH ROW EXECUTE FUNCTION journal_append_only()",
    ],
}
for _model in (JournalEntry, JournalLine):
    for _ddl in PG_DDL[_model.__tablename__]:
        sa.event.listen(_model.__table__, "after_create", sa.DDL(_ddl).execute_if(dialect="postgresql"))


from ..payments import models as _payment_models  # noqa: E402,F401  (journal_entries.payment_id)
