"""Notifications: stored at once, mailed only after commit, listed with an unread count."""
import pytest

from marketplace.extensions import db
from marketplace.notifications import services
from marketplace.notifications.models import Notification


@pytest.fixture
def outbox(app):
    app.extensions["mail_outbox"] = box = []
    yield box
    app.extensions.pop("mail_outbox", None)


def test_mail_is_sent_after_commit_only(app, make_user, outbox):
    user = make_user()
    services.notify(user, "预约已批准", "正文", "/booking/1")
    assert outbox == []                      # not before the commit
    db.session.commit()
    assert outbox == [{"to": user.email, "subject": "预约已批准", "body": "正文\n\n/booking/1"}]
    services.notify(user, "不会发送", "rolled back")
    db.session.rollback()
    db.session.commit()
    assert len(outbox) == 1                  # dropped with the rollback
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 1


def test_mail_failure_does_not_break_the_request(app, make_user, monkeypatch):
    user = make_user()

    def boom(*a, **k):
        raise OSError("smtp down")

    monkeypatch.setattr(services, "send_mail", boom)
    services.notify(user, "s", "b")
    db.session.commit()  # no exception escapes
    assert services.unread_count(user) == 1


def test_smtp_backend(app, make_user, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append((host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, msg):
            sent.append(msg["To"])

    monkeypatch.setattr(services.smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="mail.example.cn", MAIL_PORT=2525, MAIL_USERNAME=None)
    services.send_mail("a@b.cn", "主题", "正文")
    assert sent == [("mail.example.cn", 2525), "a@b.cn"]


def test_page_unread_count_and_mark_read(client, login, make_user):
    user, other = make_user(), make_user()
    services.notify(user, "预约已批准：电镜", "您的预约已批准", "/booking/1")
    services.notify(user, "第二条", "b")
    services.notify(other, "别人的", "c")
    db.session.commit()
    login(client, user)
    html = client.get("/notifications/").get_data(as_text=True)
    assert "预约已批准：电镜" in html and "别人的" not in html and 'id="unread-count">2<' in html
    mine = db.session.scalars(db.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()
    resp = client.post(f"/notifications/{mine[0].id}/read")
    assert resp.status_code == 302 and resp.location.endswith("/booking/1")
    assert services.unread_count(user) == 1
    theirs = db.session.scalar(db.select(Notification.id).where(Notification.user_id == other.id))
    assert client.post(f"/notifications/{theirs}/read").status_code == 404
    client.post("/notifications/read-all")
    assert services.unread_count(user) == 0 and services.unread_count(other) == 1
    assert client.get("/notifications/?unread=1&page=abc").status_code == 200  # page 1


def test_login_required(client):
    assert client.get("/notifications/").status_code in (302, 401)


def test_the_file_backend_appends_mails_to_mail_file(app, make_user, tmp_path):
    path = tmp_path / "mail.log"
    app.config.update(MAIL_BACKEND="file", MAIL_FILE=str(path))
    try:
        services.send_mail("a@b.cn", "主题一", "正文一")
        services.send_mail("c@d.cn", "主题二", "正文二")
    finally:
        app.config.update(MAIL_BACKEND="log", MAIL_FILE=None)
    text = path.read_text(encoding="utf-8")
    assert text.index("To: a@b.cn\nSubject: 主题一") < text.index("正文一") < text.index("To: c@d.cn\nSubject: 主题二")
