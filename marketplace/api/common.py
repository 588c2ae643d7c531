"""Authentication, CSRF and input helpers shared by the API modules."""
from flask import current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from ..accounts.services import user_for_token
from ..core.errors import Invalid, Unauthorized
from . import bp

MAX_JSON_BYTES = 256 * 1024


@bp.before_request
def authenticate():
    """Bearer token or session cookie; cookie-authenticated writes must carry X-CSRFToken."""
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Authorization 头格式应为 Bearer TOKEN / expected 'Bearer TOKEN'")
        user = user_for_token(token.strip())
        if user is None:
            raise Unauthorized("令牌无效或已撤销 / invalid or revoked token")
        g.api_user = user
        return None
    if current_user.is_authenticated:
        writes = request.method in ("POST", "PUT", "PATCH", "DELETE")
        if writes and current_app.config.get("WTF_CSRF_ENABLED", True):
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except (ValidationError, CSRFError):
                raise Unauthorized("缺少或无效的 X-CSRFToken / missing or invalid X-CSRFToken header") from None
        g.api_user = current_user._get_current_object()
    return None


def api_actor():
    """The authenticated user or None."""
    return g.get("api_user")


def json_body() -> dict:
    """The request's JSON object, or Invalid with a clear message."""
    if request.content_length and request.content_length > MAX_JSON_BYTES:
        raise Invalid("请求体过大 / request body too large")
    data = request.get_json(silent=True)
    if data is None:
        raise Invalid("请求体必须是 JSON 对象 / the body must be a JSON object")
    if not isinstance(data, dict):
        raise Invalid("请求体必须是 JSON 对象 / the body must be a JSON object")
    return data


def int_arg(name: str, value, minimum: int = 1) -> int:
    """An integer id or count from the query string or JSON; Invalid otherwise."""
    if isinstance(value, bool):
        raise Invalid.field(name, f"{name} 必须是整数 / must be an integer")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid.field(name, f"{name} 必须是整数 / must be an integer") from None
    if number < minimum or number > 2**31 - 1:  # ids are 32-bit integer keys
        raise Invalid.field(name, f"{name} 超出范围 / out of range")
    return number
