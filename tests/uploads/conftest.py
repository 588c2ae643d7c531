import io

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def upload_file(client):
    """POST a file to /api/v1/uploads as `client`; returns the response."""
    def _upload(cl, data: bytes, name="doc.pdf", mimetype="application/pdf", **form):
        payload = {"file": (io.BytesIO(data), name, mimetype), **form}
        return cl.post("/api/v1/uploads", data=payload, content_type="multipart/form-data")
    return _upload
