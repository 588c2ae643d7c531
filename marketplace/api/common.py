"""Authentication and CSRF shared by the API modules (input is parsed by the schemas, see api.spec)."""
from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from ..accounts.services import user_for_token
from ..booking import services as booking_services
from ..core.errors import Unauthorized
from . import bp


@bp.before_request
def authenticate():
    """Bearer token or session cookie; cookie-authenticated writes must carry X-CSRFToken."""
    g.api_user = None
    g.api_instrument_id = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(_("Authorization 头格式应为 Bearer TOKEN"))
        if booking_services.is_instrument_token(token.strip()):
            # an instrument PC's token: it acts for no user and serves its instrument's sessions only
            g.api_instrument_id = booking_services.instrument_for_token(token.strip())
            if g.api_instrument_id is None:
                raise Unauthorized(_("令牌无效或已撤销"))
            return None
        user = user_for_token(token.strip())
        if user is None:
            raise Unauthorized(_("令牌无效或已撤销"))
        g.api_user = user
        return None
    if current_user.is_authenticated:
        writes = request.method in ("POST", "PUT", "PATCH", "DELETE")
        if writes and current_app.config.get("WTF_CSRF_ENABLED", True):
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except (ValidationError, CSRFError):
                raise Unauthorized(_("缺少或无效的 X-CSRFToken")) from None
        g.api_user = current_user._get_current_object()
    return None


def api_actor():
    """The authenticated user or None."""
    return g.get("api_user")


def api_instrument_id():
    """The instrument whose token authenticated the call, or None."""
    return g.get("api_instrument_id")
