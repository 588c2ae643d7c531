"""Glue between the web layer and domain errors, shared by every blueprint."""
from flask import flash, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from .errors import DomainError


def wants_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str = "", errors: dict | None = None, extra: dict | None = None):
    """An application/problem+json response (`extra`: members beside the standard ones)."""
    body = {**(extra or {}), "status": status, "title": title, "detail": detail or title, "errors": errors or {}}
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = "application/problem+json"
    return resp


def retry_after(resp):
    """Tell the client when to try again (a 503: something the request needs is away for now)."""
    from flask import current_app
    resp.headers["Retry-After"] = str(current_app.config.get("RETRY_AFTER_SECONDS", 10))
    return resp


def handle_domain_error(err: DomainError):
    if wants_json():
        resp = problem(err.status, err.title, err.detail, err.errors, err.extra)
    else:
        from flask import make_response
        resp = make_response(render_template("errors/error.html", status=err.status, title=err.title,
                                             detail=err.detail), err.status)
    return retry_after(resp) if err.status == 503 else resp


def flash_error(err: DomainError, form=None):
    """Show a domain error on a form: next to its fields when it names them, else as a message."""
    placed = False
    if form is not None:
        for name, messages in err.errors.items():
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + list(messages)
                placed = True
    if not placed:
        flash(err.detail, "error")
    else:  # the fields may be far down a long form: say at the top that nothing was done, and why
        flash(_("未能保存或提交：请按页面中标出的提示修改"), "error")


def locale() -> str:
    return str(get_locale() or "zh")


_UNSAFE_IN_URL = frozenset("\\\r\n\t") | frozenset(chr(c) for c in range(32)) | {"\x7f"}


def safe_next(target, fallback: str) -> str:
    """`target` when it is a page of this site, else `fallback`: the one check before any redirect to a
    place the request names (a `next` parameter, the referrer, a stored link).

    Accepted: a path ("/my/resources?page=2"), or an absolute http(s) URL of this very host (the
    referrer). Refused: other hosts, scheme-relative "//host", backslashes and any
    control character (browsers drop TAB/CR/LF, so "/\\t/evil.example/" would become "//evil.example/").
    """
    from urllib.parse import urlsplit

    if not isinstance(target, str) or not target or any(c in _UNSAFE_IN_URL for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        same_site = parts.scheme in ("http", "https") and parts.netloc == request.host
        return target if same_site else fallback
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
