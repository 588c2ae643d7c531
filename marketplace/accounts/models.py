"""Users, organisations, memberships, invitations, API tokens and login sessions."""
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.reference import CITIES, ORG_KINDS, PLATFORM_ROLES, sql_in
from ..core.timeutil import utcnow
from ..extensions import db


class Organisation(db.Model):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    city: Mapped[str] = mapped_column(sa.String(10), index=True)
    credit_code: Mapped[str | None] = mapped_column(sa.String(18))
    # Enterprise flags that drive subsidy rates.
    sme: Mapped[bool] = mapped_column(default=False)
    high_tech: Mapped[bool] = mapped_column(default=False)
    in_province: Mapped[bool] = mapped_column(default=True)
    # Organisations under one parent (a lab under its university, a company group) are related
    # parties: their use of each other's instruments is not subsidised.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members = relationship("User", back_populates="organisation", lazy="dynamic")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {sql_in(ORG_KINDS)}", name="kind"),
        sa.CheckConstraint(f"city IN {sql_in(CITIES)}", name="city"),
    )

    @property
    def is_enterprise(self) -> bool:
        return self.kind == "enterprise"

    def group_id(self) -> int:
        return self.parent_id or self.id

    def __repr__(self):
        return f"<Organisation {self.id} {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    active: Mapped[bool] = mapped_column(default=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    org_admin: Mapped[bool] = mapped_column(default=False)
    # The interface language last chosen while signed in (or at sign-up): notifications and mails to the
    # person are rendered in it (notifications.services).
    language: Mapped[str] = mapped_column(sa.String(5), default="zh", server_default="zh")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person proved the address is theirs. Accounts made by an operator (`users create`), the
    # demo and the seed count as verified (the default); self-service registration and invitations
    # start unverified (services.register / accept_invitation set None) until the mailed link is used.
    email_verified_at: Mapped[datetime | None]
    # Bumped by a password change or reset: every login session and every reset link made before dies.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    organisation = relationship(Organisation, back_populates="members")
    role_rows = relationship("UserRole", cascade="all, delete-orphan", lazy="selectin")

    def __init__(self, **kwargs):
        kwargs.setdefault("email_verified_at", utcnow())  # see email_verified_at: verified unless told
        super().__init__(**kwargs)

    # The login session this object was loaded for (see UserSession); Flask-Login stores it as the id.
    _session_token = None  # type: str | None

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        """Flask-Login's id is the login session's secret, never the bare user id: a copied session or
        remember-me cookie dies with its server-side session (logout, password change)."""
        return self._session_token

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, role: str) -> bool:
        """Platform roles; an admin holds every role."""
        roles = self.roles
        return role in roles or "admin" in roles

    def is_member_of(self, org_id: int | None) -> bool:
        return org_id is not None and self.organisation_id == org_id

    def is_admin_of(self, org_id: int | None) -> bool:
        return self.is_member_of(org_id) and self.org_admin

    def __repr__(self):
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    __table_args__ = (sa.CheckConstraint(f"role IN {sql_in(PLATFORM_ROLES)}", name="role"),)


class Invitation(db.Model):
    """An org admin invites a person by e-mail; the link carries a secret shown once."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]

    organisation = relationship(Organisation)


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    prefix: Mapped[str] = mapped_column(sa.String(12))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship(User)


class UserSession(db.Model):
    """One login (a browser): Flask-Login's session and remember-me cookies carry its secret, only the
    SHA-256 is stored. Logout deletes the row; a password change deletes all of the user's rows."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship(User)
