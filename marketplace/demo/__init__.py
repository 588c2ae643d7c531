"""Demo data: realistic Jiangsu organisations and resources (also the benchmark search corpus).

`generator` is pure and deterministic for a seed; `seed` writes it into the database in bulk.
"""
