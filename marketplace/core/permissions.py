"""Permission checks shared by services. Each raises a domain error; none reads the request."""
from .errors import Forbidden, Unauthorized


def require_login(actor):
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthorized("请先登录 / please log in")
    return actor


def require_role(actor, role: str):
    require_login(actor)
    if not actor.has_role(role):
        raise Forbidden("没有权限执行此操作 / you are not allowed to do this")
    return actor


def require_member(actor, org_id: int | None):
    """The actor acts for organisation `org_id` (platform admins may act for any)."""
    require_login(actor)
    if not (actor.is_member_of(org_id) or actor.has_role("admin")):
        raise Forbidden("只有本单位成员可以操作 / only members of the organisation may do this")
    return actor


def require_org_admin(actor, org_id: int | None):
    require_login(actor)
    if not (actor.is_admin_of(org_id) or actor.has_role("admin")):
        raise Forbidden("只有单位管理员可以操作 / only the organisation's admin may do this")
    return actor
