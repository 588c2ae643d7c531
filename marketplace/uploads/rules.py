"""Pure rules of uploads: what a file is (by its first bytes) and what it may be called."""
import re
import unicodedata

# content type -> (magic prefix, extension). Only these are accepted, whatever the name or declared type.
CONTENT_TYPES = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
}
SNIFF_BYTES = 16
MAX_NAME_CHARS = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]")


def sniff(head: bytes) -> str | None:
    """The content type recognised from a file's first bytes, or None."""
    for content_type, (magic, _ext) in CONTENT_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def clean_name(name: str | None, content_type: str) -> str:
    """A display and download name: no directories, control or reserved characters, the right extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cs", "Cc", "Cf"))
    name = _UNSAFE.sub("_", name).strip(" .")
    ext = CONTENT_TYPES[content_type][1]
    accepted = (".jpg", ".jpeg") if ext == ".jpg" else (ext,)
    if not name.lower().endswith(accepted):
        name = (name or "file") + ext
    if len(name) > MAX_NAME_CHARS:
        name = name[:MAX_NAME_CHARS - len(ext)] + ext
    return name
