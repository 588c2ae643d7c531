"""A dataset's file, stored through the uploads package: the owner attaches it; an open dataset simply
downloads (the upload is made public), an on-request one downloads for requesters whose data access
request was completed (an uploads access rule)."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.errors import Invalid
from ...core.permissions import require_member
from ...core.timeutil import utcnow
from ...extensions import db
from ...uploads import services as uploads
from ..models import DatasetFile, ServiceRequest


def file_of(dataset) -> DatasetFile | None:
    return db.session.get(DatasetFile, dataset.id)


def attach_file(dataset, upload_ids: list[int], *, actor) -> DatasetFile:
    """The owner attaches the dataset's file (the last of `upload_ids`); an open dataset's is public."""
    require_member(actor, dataset.owner_org_id)
    if dataset.type != "dataset":
        raise Invalid.field("file", _("只有科学数据可以上传数据文件"))
    found = uploads.require_uploads(upload_ids, actor=actor, field="file")
    if not found:
        raise Invalid.field("file", _("请选择数据文件"))
    upload = found[-1]
    uploads.set_public(upload, dataset.access_level == "open", actor=actor)
    row = file_of(dataset)
    if row is None:
        row = DatasetFile(resource_id=dataset.id, upload_id=upload.id, attached_by_id=actor.id)
        db.session.add(row)
    else:
        row.upload_id, row.attached_by_id, row.attached_at = upload.id, actor.id, utcnow()
    db.session.flush()
    return row


def may_download(dataset, user) -> bool:
    """Open data: anyone. On request: the dataset's organisation, and requesters whose request is completed."""
    if dataset.access_level == "open":
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_member_of(dataset.owner_org_id):
        return True
    cond = [ServiceRequest.requester_id == user.id]
    if user.organisation_id is not None:
        cond.append(ServiceRequest.requester_org_id == user.organisation_id)
    return bool(db.session.scalar(sa.select(sa.func.count(ServiceRequest.id)).where(
        ServiceRequest.kind == "data_access", ServiceRequest.resource_id == dataset.id,
        ServiceRequest.status == "completed", sa.or_(*cond))))


def _granted(upload, user) -> bool:
    """uploads access rule: a dataset's file is readable by whoever may download the dataset."""
    row = db.session.scalar(sa.select(DatasetFile).where(DatasetFile.upload_id == upload.id))
    return row is not None and may_download(row.resource, user)


def register():
    uploads.register_access_rule(_granted)
