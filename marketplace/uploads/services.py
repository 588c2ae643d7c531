"""Storing, reading and checking uploads. Services take the actor explicitly and only flush."""
import hashlib
import os
import secrets
from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.db import is_id, row_ids
from ..core.errors import Forbidden, Invalid, NotFound
from ..core.permissions import require_login
from ..extensions import db
from . import rules
from .models import Upload

CHUNK = 64 * 1024

# Extra read permissions other domains add: fn(upload, user) -> bool (user may be None).
ACCESS_RULES: list[Callable] = []


def register_access_rule(fn: Callable) -> Callable:
    """Let `fn(upload, user)` grant read access (e.g. reviewers of the filing the upload belongs to)."""
    if fn not in ACCESS_RULES:
        ACCESS_RULES.append(fn)
    return fn


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def too_large(field: str = "file") -> Invalid:
    return Invalid.field(field, _("文件不能超过 %(mb)s MB", mb=round(max_bytes() / 1024 / 1024, 1)))


def upload_dir() -> str:
    return current_app.config["UPLOAD_DIR"]


def path_of(upload: Upload) -> str:
    return os.path.join(upload_dir(), upload.stored_name[:2], upload.stored_name)


def store_upload(stream, filename: str | None, *, actor, public: bool = False, field: str = "file") -> Upload:
    """Save a file read from `stream` (PDF, JPEG or PNG by content, at most UPLOAD_MAX_BYTES).

    The size is enforced while reading: reading stops one byte past the limit. Refusals are
    Invalid on `field`; nothing is kept on disk or in the database.
    """
    require_login(actor)
    limit = max_bytes()
    stored = secrets.token_hex(16)
    directory = os.path.join(upload_dir(), stored[:2])
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, stored)
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with open(path, "xb") as out:
            while True:
                chunk = stream.read(min(CHUNK, limit + 1 - size))
                if not chunk:
                    break
                if len(head) < rules.SNIFF_BYTES:
                    head += chunk[:rules.SNIFF_BYTES - len(head)]
                    if len(head) >= rules.SNIFF_BYTES and rules.sniff(head) is None:
                        raise Invalid.field(field, _("只接受 PDF、JPEG 或 PNG 文件（按文件内容识别）"))
                size += len(chunk)
                if size > limit:
                    raise too_large(field)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Invalid.field(field, _("文件是空的"))
        content_type = rules.sniff(head)
        if content_type is None:
            raise Invalid.field(field, _("只接受 PDF、JPEG 或 PNG 文件（按文件内容识别）"))
    except BaseException:
        _remove(path)
        raise
    upload = Upload(stored_name=stored, original_name=rules.clean_name(filename, content_type), size=size,
                    content_type=content_type, sha256=digest.hexdigest(), owner_id=actor.id,
                    org_id=actor.organisation_id, public=bool(public))
    db.session.add(upload)
    db.session.flush()
    db.session().info.setdefault("new_upload_files", []).append(path)
    return upload


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


@event.listens_for(Session, "after_commit")
def _keep_files(session):
    session.info.pop("new_upload_files", None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_files(session, previous_transaction):
    # A rolled-back upload leaves no file behind.
    for path in session.info.pop("new_upload_files", []):
        _remove(path)


def is_owner(upload: Upload, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return upload.owner_id == user.id or (upload.org_id is not None and user.is_member_of(upload.org_id))


def can_read(upload: Upload, user) -> bool:
    """The public for public uploads; the owner, the owning organisation's members, reviewers and
    admins; and whoever a registered access rule admits."""
    if upload.public or is_owner(upload, user):
        return True
    if user is not None and getattr(user, "is_authenticated", False) and user.has_role("reviewer"):
        return True
    return any(rule(upload, user) for rule in ACCESS_RULES)


def get_upload(upload_id: int, *, actor) -> Upload:
    """An upload the actor may read; 404 when it does not exist, 403 (401 if anonymous) otherwise."""
    upload = db.session.get(Upload, upload_id) if 1 <= upload_id <= 2**31 - 1 else None
    if upload is None:
        raise NotFound(_("文件不存在"))
    if not can_read(upload, actor):
        require_login(actor)
        raise Forbidden(_("您无权查看此文件"))
    return upload


def require_uploads(ids, *, actor, field: str = "document_ids") -> list[Upload]:
    """The uploads with these ids, in order, each belonging to the actor (or the actor's organisation).

    Other domains call this before attaching ids to their records. Unknown or others' ids are
    Invalid on `field`, without saying which of the two (others' files are not disclosed).
    """
    require_login(actor)
    wanted: list[int] = []
    for raw in ids or []:
        if not is_id(raw):
            raise Invalid.field(field, _("附件编号无效"))
        if raw not in wanted:
            wanted.append(raw)
    if not wanted:
        return []
    found = {u.id: u for u in db.session.scalars(db.select(Upload).where(Upload.id.in_(wanted)))}
    for upload_id in wanted:
        upload = found.get(upload_id)
        if upload is None or not is_owner(upload, actor):
            raise Invalid.field(field, _("附件 %(id)s 不存在或不属于您", id=upload_id))
    return [found[i] for i in wanted]


def set_public(upload: Upload, public: bool, *, actor) -> Upload:
    """Make an upload readable by anyone (a listing photo) or private again; its owner only."""
    require_login(actor)
    if not is_owner(upload, actor):
        raise Forbidden(_("您无权修改此文件"))
    upload.public = bool(public)
    db.session.flush()
    return upload


def store_form_uploads(field, *, actor) -> list[int]:
    """Save the new files of a `forms.UploadField` and check its kept ids: the field's upload ids."""
    kept = require_uploads(field.data or [], actor=actor, field=field.name)
    new = [store_upload(f.stream, f.filename, actor=actor, field=field.name) for f in field.new_files]
    ids = [u.id for u in kept] + [u.id for u in new]
    field.data = ids
    field.new_files = []
    return ids


def uploads_by_id(ids) -> list[Upload]:
    """The uploads among ids, in that order (for showing attachments)."""
    ids = row_ids(ids)
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(db.select(Upload).where(Upload.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
