"""Listing photos: public uploads (JPEG or PNG) in the owner's order, at most LISTING_MAX_PHOTOS.

Photos are not material: adding, removing or reordering them applies at once, also on a published
listing (they show the instrument; prices and claims are what review guards).
"""
from flask import current_app, has_request_context, request
from flask_babel import gettext as _

from ...core import audit
from ...core.db import row_ids
from ...core.errors import Forbidden, Invalid, NotFound
from ...core.permissions import require_login
from ...extensions import db
from ...uploads.models import Upload
from ...uploads.services import store_upload
from ..models import Resource, ResourcePhoto
from .listings import can_edit

IMAGE_TYPES = ("image/jpeg", "image/png")


def max_photos() -> int:
    return int(current_app.config.get("LISTING_MAX_PHOTOS", 8))


def photos(resource: Resource) -> list[Upload]:
    """The listing's photos, in order."""
    return list(db.session.scalars(
        db.select(Upload).join(ResourcePhoto, ResourcePhoto.upload_id == Upload.id)
        .where(ResourcePhoto.resource_id == resource.id)
        .order_by(ResourcePhoto.position, ResourcePhoto.upload_id)))


def _rows(resource: Resource) -> list[ResourcePhoto]:
    return list(db.session.scalars(db.select(ResourcePhoto).where(ResourcePhoto.resource_id == resource.id)
                                   .order_by(ResourcePhoto.position, ResourcePhoto.upload_id)))


def _require_editor(resource: Resource, *, actor):
    require_login(actor)
    if not can_edit(resource, actor=actor):
        raise Forbidden(_("只有资源所属单位的成员可以编辑"))


def add_photos(resource: Resource, files, *, actor, field: str = "photos") -> list[Upload]:
    """Store the chosen image files as public uploads and append them to the listing's photos."""
    _require_editor(resource, actor=actor)
    files = [f for f in files or [] if getattr(f, "filename", None)]
    if not files:
        raise Invalid.field(field, _("请选择照片"))
    rows = _rows(resource)
    if len(rows) + len(files) > max_photos():
        raise Invalid.field(field, _("每个资源最多 %(n)s 张照片", n=max_photos()))
    added = []
    position = max((r.position for r in rows), default=-1)
    for f in files:
        upload = store_upload(f.stream, f.filename, actor=actor, public=True, field=field)
        if upload.content_type not in IMAGE_TYPES:
            raise Invalid.field(field, _("照片只接受 JPEG 或 PNG 图片"))
        position += 1
        db.session.add(ResourcePhoto(resource_id=resource.id, upload_id=upload.id, position=position))
        added.append(upload)
    db.session.flush()
    audit.record("resource", resource.id, "photos_added", actor=actor, comment=",".join(str(u.id) for u in added))
    return added


def _row(resource: Resource, upload_id: int) -> ResourcePhoto:
    row = db.session.get(ResourcePhoto, (resource.id, upload_id)) if 0 < upload_id <= 2**31 - 1 else None
    if row is None:
        raise NotFound(_("照片不存在"))
    return row


def remove_photo(resource: Resource, upload_id: int, *, actor) -> None:
    """Take a photo off the listing (its file stays an upload of the organisation, no longer public)."""
    _require_editor(resource, actor=actor)
    row = _row(resource, upload_id)
    upload = db.session.get(Upload, upload_id)
    db.session.delete(row)
    if upload is not None:
        upload.public = False
    db.session.flush()
    audit.record("resource", resource.id, "photo_removed", actor=actor, comment=str(upload_id))


def move_photo(resource: Resource, upload_id: int, direction: str, *, actor) -> None:
    """Move a photo one place up (earlier) or down; the first photo is the listing's thumbnail."""
    _require_editor(resource, actor=actor)
    if direction not in ("up", "down"):
        raise Invalid.field("direction", _("未知操作"))
    rows = _rows(resource)
    _row(resource, upload_id)
    i = next(i for i, r in enumerate(rows) if r.upload_id == upload_id)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(rows):
        rows[i], rows[j] = rows[j], rows[i]
    for position, r in enumerate(rows):
        r.position = position
    db.session.flush()


def _cache() -> dict:
    return request.environ.setdefault("catalog.thumbnails", {}) if has_request_context() else {}


def thumbnail_id(resource_id: int) -> int | None:
    """The first photo of a listing (an upload id), cached for the request (cards ask once each)."""
    cache = _cache()
    if resource_id not in cache:
        cache[resource_id] = db.session.scalar(
            db.select(ResourcePhoto.upload_id).where(ResourcePhoto.resource_id == resource_id)
            .order_by(ResourcePhoto.position, ResourcePhoto.upload_id).limit(1))
    return cache[resource_id]


def thumbnail_ids(resource_ids) -> dict[int, int]:
    """First photos of many listings at once (a list page), also filling the request's cache."""
    ids = row_ids(resource_ids)
    found: dict[int, int] = {}
    if ids:
        for rid, uid, _pos in db.session.execute(
                db.select(ResourcePhoto.resource_id, ResourcePhoto.upload_id, ResourcePhoto.position)
                .where(ResourcePhoto.resource_id.in_(ids))
                .order_by(ResourcePhoto.resource_id, ResourcePhoto.position, ResourcePhoto.upload_id)):
            found.setdefault(rid, uid)
    cache = _cache()
    for i in ids:
        cache[i] = found.get(i)
    return found
