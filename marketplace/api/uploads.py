"""POST /uploads: store a PDF, JPEG or PNG (multipart field `file`), recognised by content."""
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ..core.errors import Invalid
from ..core.permissions import require_login
from ..uploads import services
from ..uploads.schemas import UploadOut
from .common import api_actor
from .spec import endpoint

MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file


@endpoint("/uploads", "POST", answer=UploadOut, status=201, errors=(401, 422), tags=["uploads"])
def create_upload():
    """Upload one file as multipart/form-data field `file` (optional field `public=1` for listing photos).

    PDF, JPEG and PNG are recognised by their content, not by name or declared type; at most
    UPLOAD_MAX_BYTES (10 MB by default), else 422 with an error on `file`."""
    actor = require_login(api_actor())
    # The body is refused while it is read once it passes the limit (no 20 MB is buffered).
    request.max_content_length = services.max_bytes() + MULTIPART_OVERHEAD
    try:
        file = request.files.get("file")
        public = request.form.get("public") in ("1", "true", "on")
    except RequestEntityTooLarge:
        raise services.too_large("file") from None
    if file is None:
        raise Invalid.field("file", _("请选择要上传的文件（字段 file）"))
    upload = services.store_upload(file.stream, file.filename, actor=actor, public=public)
    return UploadOut.model_validate(upload), 201, {"Location": f"/uploads/{upload.id}"}
