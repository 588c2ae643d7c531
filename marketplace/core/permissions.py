"""Permission checks shared by services. Each raises a domain error; none reads the request."""
from flask_babel import gettext as _

from .errors import Forbidden, Unauthorized


def require_login(actor):
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthorized(_("请先登录"))
    return actor


def require_role(actor, role: str):
    require_login(actor)
    if not actor.has_role(role):
        raise Forbidden(_("没有权限执行此操作"))
    return actor


def require_member(actor, org_id: int | None):
    """The actor acts for organisation `org_id` (platform admins may act for any)."""
    require_login(actor)
    if not (actor.is_member_of(org_id) or actor.has_role("admin")):
        raise Forbidden(_("只有本单位成员可以操作"))
    return actor


def require_org_admin(actor, org_id: int | None):
    require_login(actor)
    if not (actor.is_admin_of(org_id) or actor.has_role("admin")):
        raise Forbidden(_("只有单位管理员可以操作"))
    return actor
