"""The workbench (工作台): every role lands on what waits for it, counted, oldest first, flagged late."""
from datetime import timedelta

import pytest

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


@pytest.fixture
def people(make_org, make_user, make_resource):
    company = make_org(name="无锡感知科技有限公司", kind="enterprise", city="无锡", sme=True)
    lab = make_org(name="南京大学现代分析中心", kind="university", city="南京")
    make_resource("instrument", lab, title="场发射扫描电子显微镜")
    return {
        "company": make_user(org=company, email="company@test.cn"),
        "lab": make_user(org=lab, email="lab@test.cn", org_admin=True),
        "finance": make_user(email="finance@test.cn", roles=("finance",)),
        "reviewer": make_user(email="reviewer@test.cn", roles=("reviewer",)),
        "lab_org": lab,
    }


def _workbench(client, login, user):
    client.post("/logout")
    resp = login(client, user)
    assert resp.headers["Location"].endswith("/workbench")  # login lands on the workbench
    return client.get("/workbench").get_data(as_text=True)


def test_a_reviewer_sees_listings_waiting_oldest_first_and_flagged(client, login, people, make_resource):
    old = make_resource("instrument", people["lab_org"], status="pending_review", title="激光粒度仪")
    new = make_resource("instrument", people["lab_org"], status="pending_review", title="液相色谱质谱联用仪")
    old.updated_at = old.created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    html = _workbench(client, login, people["reviewer"])
    section = html.split('id="queue-listing"')[1].split("</section>")[0]
    assert '<span class="badge">2</span>' in section
    assert section.index("激光粒度仪") < section.index("液相色谱质谱联用仪")
    assert "等待 40 天" in section and "已超期" in section
    assert new.title in section
    # the count is on the menu link to the review queue too
    menu = html.split('id="site-nav"')[1].split("</nav>")[0]
    assert "资源审核" in menu.split("</a>")[[i for i, p in enumerate(menu.split("</a>")) if "资源审核" in p][0]]


def test_a_company_with_nothing_waiting_gets_a_clear_empty_state(client, login, people):
    html = _workbench(client, login, people["company"])
    assert "目前没有待办事项" in html
    assert "资源审核" not in html.split("<main")[1]


def _badge_counts(client, path) -> tuple[int, str]:
    """How many of the queues' COUNT queries opening `path` ran (the bell's unread count aside), and
    the menu's HTML."""
    import sqlalchemy as sa
    seen = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement.lower())
    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        resp = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    assert resp.status_code == 200
    menu = resp.get_data(as_text=True).split('id="site-nav"')[1].split("</nav>")[0]
    return sum("count(" in s and "notifications" not in s for s in seen), menu


def test_the_menu_badges_are_counted_once_for_a_few_seconds_and_again_when_a_queue_moves(
        client, login, people, make_resource):
    """A reviewer's second page reads the badges' counts this process kept (no COUNT); a listing sent
    for review through the app moves the queue, and the next page shows the new count at once."""
    make_resource("instrument", people["lab_org"], status="pending_review", title="激光粒度仪")
    db.session.commit()
    _workbench(client, login, people["reviewer"])
    counted, menu = _badge_counts(client, "/account/tokens")
    assert counted == 0 and 'data-count="1"' in menu
    make_resource("instrument", people["lab_org"], status="pending_review", title="液相色谱质谱联用仪")
    db.session.commit()  # a write committed by this process: the kept counts are dropped
    counted, menu = _badge_counts(client, "/account/tokens")
    assert counted > 0 and 'data-count="2"' in menu
    assert _badge_counts(client, "/account/tokens")[0] == 0
