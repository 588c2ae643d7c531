"""Portable SQL pieces the census queries are built from (SQLite and PostgreSQL)."""
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class epoch_seconds(FunctionElement):
    """Whole seconds since 1970 of a naive-UTC timestamp column (fractions dropped on both databases)."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff'; SQLite would round .999999 up to the next second,
    # so the fraction is cut off before conversion (PostgreSQL floors: the same whole seconds).
    return "CAST(strftime('%s', substr(" + compiler.process(element.clauses, **kw) + ", 1, 19)) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_pg(element, compiler, **kw):
    # date_part gives a double (EXTRACT a slower numeric); until 2100 its resolution (< 0.5 µs) keeps
    # the floor exact for timestamps stored to the microsecond.
    return "CAST(FLOOR(date_part('epoch', " + compiler.process(element.clauses, **kw) + ")) AS BIGINT)"


def seconds_between(start, end):
    return epoch_seconds(end) - epoch_seconds(start)


def month_case(column, bounds):
    """1..12: the month (by the 13 boundaries) the column falls in; NULL outside."""
    return sa.case(*[(sa.and_(column >= bounds[m], column < bounds[m + 1]), m + 1) for m in range(12)],
                   else_=None)
