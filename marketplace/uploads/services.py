"""Storing, reading and checking uploads. Services take the actor explicitly and only flush.

An organisation keeps at most UPLOAD_QUOTA_BYTES of files (an account without one, the same on its
own); only members of a verified organisation (see register_publisher_rule) make files public.
"""
import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.db import is_id, row_ids
from ..core.errors import Forbidden, Invalid, NotFound
from ..core.permissions import require_login
from ..core.storage import StorageMissing, storage
from ..extensions import db
from . import rules
from .models import Upload

CHUNK = 64 * 1024

# Extra read permissions other domains add: fn(upload, user) -> bool (user may be None).
ACCESS_RULES: list[Callable] = []
# Who may make a file readable by everyone: fn(org_id) -> bool, registered by the domain that verifies
# organisations (verification: a reviewer verified its business licence). None registered: nobody.
PUBLISHER_RULES: list[Callable] = []


def register_access_rule(fn: Callable) -> Callable:
    """Let `fn(upload, user)` grant read access (e.g. reviewers of the filing the upload belongs to)."""
    if fn not in ACCESS_RULES:
        ACCESS_RULES.append(fn)
    return fn


def register_publisher_rule(fn: Callable) -> Callable:
    """Let `fn(org_id)` say that an organisation is verified, so its members may publish files."""
    if fn not in PUBLISHER_RULES:
        PUBLISHER_RULES.append(fn)
    return fn


def may_publish(*, actor) -> bool:
    """Whether the actor's organisation is verified: only those host files anyone may read."""
    org_id = getattr(actor, "organisation_id", None)
    return org_id is not None and any(rule(org_id) for rule in PUBLISHER_RULES)


def require_publisher(field: str = "file", *, actor):
    if not may_publish(actor=actor):
        raise Invalid.field(field, _("只有通过认证（营业执照已核验）的单位才能公开文件"))


def quota_bytes() -> int:
    return int(current_app.config.get("UPLOAD_QUOTA_BYTES", 500 * 1024 * 1024))


def used_bytes(*, actor) -> int:
    """What the actor's organisation (or, without one, the actor) keeps in uploads, in bytes. The
    organisation's row is locked first (PostgreSQL), so two uploads at once cannot both pass the quota."""
    if actor.organisation_id is not None:
        db.session.execute(sa.select(_ORGS.c.id).where(_ORGS.c.id == actor.organisation_id).with_for_update())
        owned = Upload.org_id == actor.organisation_id
    else:
        owned = (Upload.owner_id == actor.id) & Upload.org_id.is_(None)
    return int(db.session.scalar(db.select(db.func.coalesce(db.func.sum(Upload.size), 0)).where(owned)) or 0)


# accounts sits above this package: its table is named here only to lock an organisation's row.
_ORGS = sa.table("organisations", sa.column("id"))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def too_large(field: str = "file") -> Invalid:
    return Invalid.field(field, _("文件不能超过 %(mb)s MB", mb=round(max_bytes() / 1024 / 1024, 1)))


def key_of(upload: Upload) -> str:
    """Where the upload's bytes are in the file store (core.storage)."""
    return f"{upload.stored_name[:2]}/{upload.stored_name}"


def open_upload(upload: Upload):
    """(path on this host or None, a binary file or None): what send_file needs to serve the bytes."""
    store = storage()
    path = store.local_path(key_of(upload))
    if path is not None:
        if not os.path.isfile(path):
            raise NotFound(_("文件不存在"))
        return path, None
    try:
        return None, store.open(key_of(upload))
    except StorageMissing:
        raise NotFound(_("文件不存在")) from None


def store_upload(stream, filename: str | None, *, actor, public: bool = False, field: str = "file") -> Upload:
    """Save a file read from `stream` (PDF, JPEG or PNG by content, at most UPLOAD_MAX_BYTES).

    The size is enforced while reading: reading stops one byte past the limit. The bytes are checked
    in a temporary file first, then handed to the file store (local disk or S3). Refusals are
    Invalid on `field`; nothing is kept in the store or in the database.
    """
    require_login(actor)
    if public:
        require_publisher(field, actor=actor)
    limit = max_bytes()
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as buffer:
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
            buffer.write(chunk)
        if size == 0:
            raise Invalid.field(field, _("文件是空的"))
        content_type = rules.sniff(head)
        if content_type is None:
            raise Invalid.field(field, _("只接受 PDF、JPEG 或 PNG 文件（按文件内容识别）"))
        used, quota = used_bytes(actor=actor), quota_bytes()
        if used + size > quota:
            raise Invalid.field(field, _("上传空间已满：本单位最多保存 %(quota)s MB 文件，已用 %(used)s MB",
                                         quota=_mb(quota), used=_mb(used)))
        upload = Upload(stored_name=secrets.token_hex(16), original_name=rules.clean_name(filename, content_type),
                        size=size, content_type=content_type, sha256=digest.hexdigest(), owner_id=actor.id,
                        org_id=actor.organisation_id, public=bool(public))
        store = storage()
        buffer.seek(0)
        store.put(key_of(upload), buffer, content_type=content_type)
    db.session().info.setdefault("new_upload_files", []).append((store, key_of(upload)))
    db.session.add(upload)
    db.session.flush()
    return upload


@event.listens_for(Session, "after_commit")
def _keep_files(session):
    session.info.pop("new_upload_files", None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_files(session, previous_transaction):
    # A rolled-back upload leaves no file behind (best effort: a store that went away keeps an orphan,
    # which `backup` lists and nothing serves).
    for store, key in session.info.pop("new_upload_files", []):
        try:
            store.delete(key)
        except Exception:  # noqa: BLE001 - never turn a rollback into a second error
            pass


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
    if public:
        require_publisher("public", actor=actor)
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
