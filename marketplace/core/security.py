"""What every answer and every request goes through: security headers, the secret key, bounded ids,
and a guard that turns hostile request bodies into a clear 400 before any view sees them."""
import secrets
from pathlib import Path

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import Invalid

DEFAULT_SECRET_KEY = "dev-only-change-me"
MIN_SECRET_KEY_BYTES = 32  # a shorter key can be guessed offline from one signed cookie or reset link
MAX_ID = 2**31 - 1
MAX_JSON_DEPTH = 32
# The longest request target (path and query, in bytes as sent) the app reads: longer ones answer 414, a
# declared answer of every API operation. gunicorn's own request-line limit (deploy/gunicorn.conf.py) is
# set above it, so the app's problem+json answers, not the server's bare 414.
MAX_URL_BYTES = 8000

# No inline script anywhere: page scripts are static files (static/js), behaviour hangs on data-* attributes.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # Staff scan check-in codes with the camera; nothing else is used.
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
}


def refuse_oversized_ids(endpoint, values):
    """`<int:…>` ids are 31-bit keys: a larger number names nothing (404) and must never reach the
    database (SQLite overflows, PostgreSQL errors). Checked after routing, so the route still matches
    and a wrong method stays a 405, not a confusing one."""
    if values and any(type(v) is int and v > MAX_ID for v in values.values()):
        abort(404)


def secret_key_file(instance_path: str) -> Path:
    return Path(instance_path) / "secret_key"


def ensure_secret_key_file(instance_path: str) -> Path:
    """Write a random secret key into instance/ once (what `make run` does in the Makefile)."""
    path = secret_key_file(instance_path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path


def resolve_secret_key(app):
    """SECRET_KEY from the environment/config, else instance/secret_key; refuse the default in production."""
    if app.config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        path = secret_key_file(app.instance_path)
        if path.exists():
            app.config["SECRET_KEY"] = path.read_text().strip()
    if app.debug or app.testing:
        return
    key = app.config["SECRET_KEY"]
    if key in (None, "", DEFAULT_SECRET_KEY):
        raise RuntimeError(
            "SECRET_KEY is the development default: set SECRET_KEY, or write a random one into "
            f"{secret_key_file(app.instance_path)} (`make run` does that once)")
    if len(key if isinstance(key, bytes) else str(key).encode()) < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(
            f"SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_BYTES} random bytes "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')")


def _json_problem(value, path="body") -> tuple[str, str] | None:
    """(field path, why) when a decoded JSON body holds text that cannot be stored (NUL, lone surrogate)."""
    if isinstance(value, str):
        problem = _text_problem(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _text_problem(key)
            if problem:
                return path, problem
            found = _json_problem(item, key if path == "body" else f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _json_problem(item, f"{path}.{index}")
            if found:
                return found
    return None


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return _("文字中不能包含 NUL 字符")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _("文字中包含无效的 Unicode 字符")
    return None


def _raw_depth(data: bytes) -> int:
    """Nesting depth of a JSON document, counted without parsing it (a parser may recurse too deep)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def guard_request_body():
    """400 for a body no view should see: JSON nested too deep, NUL or lone surrogates in any text; 404
    for a path and 422 for a query holding such text (PostgreSQL cannot store or compare it: a 500); 414
    for a path and query longer than MAX_URL_BYTES."""
    environ = request.environ
    if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) > MAX_URL_BYTES:
        abort(414, description=_("网址过长（最多 %(n)s 字节）", n=MAX_URL_BYTES))
    if _text_problem(request.path):
        abort(404)
    for key, value in request.args.items(multi=True):
        problem = _text_problem(key) or _text_problem(value)
        if problem:
            raise Invalid.field(key if not _text_problem(key) else "query", problem)
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    if request.is_json:
        raw = request.get_data(cache=True)
        if _raw_depth(raw) > MAX_JSON_DEPTH:
            abort(400, description=_("JSON 嵌套层级过深（最多 %(n)s 层）", n=MAX_JSON_DEPTH))
        body = request.get_json(silent=True)
        found = _json_problem(body) if body is not None else None
        if found:  # like any other invalid field: 422 with the field's path
            raise Invalid.field(*found)
        values = request.args.values()
    else:
        try:
            values = list(request.args.values()) + list(request.form.values())
        except RequestEntityTooLarge:
            return  # the view answers an oversized body in its own terms (an upload: a field error)
    for value in values:
        problem = _text_problem(value)
        if problem:
            abort(400, description=problem)


def add_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.scheme == "https" or _https_configured():
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _https_configured() -> bool:
    from flask import current_app
    return current_app.config.get("PREFERRED_URL_SCHEME") == "https"


def init_security(app):
    resolve_secret_key(app)
    if app.config.get("PREFERRED_URL_SCHEME") == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.url_value_preprocessor(refuse_oversized_ids)
    app.before_request(guard_request_body)
    app.after_request(add_security_headers)
