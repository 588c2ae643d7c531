"""The list page's cost does not grow with its cards: each instrument card shows its price, and the
prices of a page's instruments come in one query, not one per card."""
import sqlalchemy as sa

from marketplace.extensions import db


def _statements(client, path):
    db.session.expunge_all()  # as in production, the request starts with nothing loaded
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split())[:110])

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        resp = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    assert resp.status_code == 200
    return resp.get_data(as_text=True), [s for s in seen if s not in ("BEGIN", "BEGIN IMMEDIATE")]


def test_a_page_of_instruments_costs_the_same_statements_as_a_few(client, make_resource, make_org):
    lab = make_org(name="测试仪器中心")
    for i in range(2):
        make_resource("instrument", lab, title=f"显微镜{i}", external_price=10_000 + i * 100)
    client.get("/resources")  # warm caches (first request)
    html, few = _statements(client, "/resources")
    assert "¥100.00" in html and "¥101.00" in html
    for i in range(2, 9):
        make_resource("instrument", lab, title=f"显微镜{i}", external_price=10_000 + i * 100)
    html, many = _statements(client, "/resources")
    assert "¥108.00" in html
    assert len(many) == len(few), "\n".join(many)
