"""Filing numbers 苏技经备〔YYYY〕NNNN号: one counter row per year, incremented inside the approving
transaction. PostgreSQL: the UPDATE's row lock queues concurrent approvals, each sees the previous
one's value; SQLite: writers are serialised by BEGIN IMMEDIATE. The unique constraint on
(number_year, number_seq) refuses a duplicate whatever happens."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ...core.errors import Conflict
from ...extensions import db
from ..models import FilingCounter
from ..rules import format_number


def next_serial(year: int) -> int:
    table = FilingCounter.__table__
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(table).values(year=year, last=0).on_conflict_do_nothing(index_elements=["year"]))
    serial = db.session.execute(
        sa.update(table).where(table.c.year == year).values(last=table.c.last + 1).returning(table.c.last)
    ).scalar_one()
    if serial > 9999:
        from flask_babel import gettext as _
        raise Conflict(_("本年度备案编号已用完"))
    return serial


def issue_number(firm, year: int) -> str:
    serial = next_serial(year)
    firm.number_year, firm.number_seq, firm.number = year, serial, format_number(year, serial)
    return firm.number
