"""notify(): an in-app notification now, an e-mail copy as a job after the transaction commits."""
import logging
import os
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _

from ..core.errors import NotFound
from ..core.i18n import Message
from ..core.jobs import enqueue, sends_only
from ..core.permissions import require_login
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Notification

log = logging.getLogger("marketplace.mail")


def notify(user, subject: Message, body: Message, link: str | None = None) -> int:
    """Store an in-app notification for `user` and queue its e-mail (a job) for after the commit.

    `subject` and `body` are messages (`core.i18n.Message`, written `_l("…%(x)s", x=…)`), not rendered
    text: the page shows them in the reader's language, the mail is rendered in `user.language`."""
    return notify_many([user], subject, body, link)


def notify_many(users, subject: Message, body: Message, link: str | None = None) -> int:
    """notify() for several people: their notifications in one INSERT and their e-mails in one job
    (a booking tells every member of the managing unit; one statement and one job, not one each).
    `users`: anything with `id`, `email` and `language` (a User, or a row of those columns).
    Returns how many were notified."""
    message = {"subject": Message.load(subject), "body": Message.load(body)}
    rendered: dict[str, tuple[str, str]] = {}  # the stored text, rendered once per language
    rows, recipients = [], []
    now = utcnow()
    for user in users:
        language = getattr(user, "language", None) or "zh"
        if language not in rendered:
            with force_locale(language):
                rendered[language] = (str(message["subject"])[:200], str(message["body"]))
        text_subject, text_body = rendered[language]
        rows.append(dict(user_id=user.id, subject=text_subject, body=text_body, link=link, message=message,
                         created_at=now))
        if getattr(user, "email", None):
            recipients.append([user.email, language])
    if rows:
        db.session.execute(sa.insert(Notification.__table__), rows)
    if recipients and has_app_context():
        enqueue(deliver_mails, recipients, message["subject"], message["body"], link)
    return len(rows)


@sends_only
def deliver_mails(recipients: list, subject: dict, body: dict, link: str | None = None) -> None:
    """The mail job of one notification to several people ([to, language] pairs): each mail rendered in
    its recipient's language (once per language). A mail that fails becomes a job of its own (retried
    by the queue), so a retry never sends the others twice."""
    rendered: dict[str, tuple[str, str]] = {}
    for to, language in recipients:
        try:
            if language not in rendered:
                rendered[language] = _render_mail(language, subject, body, link)
            send_mail(to, *rendered[language])
        except Exception:  # noqa: BLE001  (retried alone, as its own job, after this one commits)
            log.warning("mail to %s failed; queued on its own for retry", to, exc_info=True)
            enqueue(deliver_mail, to, language, subject, body, link)


@sends_only
def deliver_mail(to: str, language: str, subject: dict, body: dict, link: str | None = None) -> None:
    """The mail job: the message rendered in the recipient's language. A failure raises, so the queue
    retries it (in-process mode logs it)."""
    send_mail(to, *_render_mail(language, subject, body, link))


def _render_mail(language: str, subject: dict, body: dict, link: str | None) -> tuple[str, str]:
    """A mail's subject and text in `language`."""
    with force_locale(language):
        text = Message.load(body).render()
        return Message.load(subject).render(), text + (f"\n\n{link}" if link else "")


def send_mail(to: str, subject: str, body: str) -> None:
    """Send through the configured backend: 'log' (the app log), 'file' (appended to MAIL_FILE: `make run`'s
    quiet default, the demo's hundreds of mails kept out of the console), 'smtp', or 'null'."""
    cfg = current_app.config
    backend = cfg.get("MAIL_BACKEND", "log")
    if backend == "null":
        return
    if backend == "file":
        path = cfg.get("MAIL_FILE") or os.path.join(current_app.instance_path, "mail.log")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"To: {to}\nSubject: {subject}\nDate: {utcnow().isoformat()}Z\n\n{body}\n\n{'-' * 72}\n")
        return
    if backend == "log":
        log.info("mail to=%s subject=%s\n%s", to, subject, body)
        outbox = current_app.extensions.get("mail_outbox")
        if outbox is not None:  # tests may install a list here to inspect sent mail
            outbox.append({"to": to, "subject": subject, "body": body})
        return
    if backend != "smtp":
        raise ValueError(f"unknown MAIL_BACKEND {backend!r}")
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)


def unread_count(user) -> int:
    return db.session.scalar(
        db.select(db.func.count(Notification.id))
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def list_for(user, page: int, per_page: int, unread_only: bool = False):
    q = db.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        q = q.where(Notification.read_at.is_(None))
    return db.paginate(q.order_by(Notification.created_at.desc(), Notification.id.desc()),
                       page=page, per_page=per_page, error_out=False)


def mark_read(note_id: int, *, actor) -> Notification:
    require_login(actor)
    note = db.session.get(Notification, note_id)
    if note is None or note.user_id != actor.id:
        raise NotFound(_("通知不存在"))
    if note.read_at is None:
        note.read_at = utcnow()
    db.session.flush()
    return note


def mark_all_read(*, actor) -> int:
    require_login(actor)
    result = db.session.execute(
        db.update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()))
    return result.rowcount or 0
