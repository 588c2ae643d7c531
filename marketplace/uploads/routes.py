"""GET /uploads/<id>: the file, to those allowed to read it, from whichever store holds it.

Always an attachment, never sniffed, in a sandbox: a file uploaded to the hub is never a page of the
hub's own origin (an <img> still shows a photo; a PDF opens in the reader's own viewer, not on our domain).
"""
from flask import Blueprint, send_file
from flask_login import current_user

from . import services

bp = Blueprint("uploads", __name__, url_prefix="/uploads")


@bp.route("/<int:upload_id>")
def download(upload_id):
    user = current_user if current_user.is_authenticated else None
    upload = services.get_upload(upload_id, actor=user)
    # send_file writes Content-Disposition with an ASCII fallback and an RFC 5987 filename* (UTF-8).
    path, stream = services.open_upload(upload)  # a local path, or the bytes read from object storage
    resp = send_file(path or stream, mimetype=upload.content_type, download_name=upload.original_name,
                     as_attachment=True, conditional=True, etag=upload.sha256)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "public, max-age=3600" if upload.public else "private, no-store"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp
