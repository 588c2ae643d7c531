"""Accounts services: users and organisations (core), login sessions and passwords (sessions),
signed links for e-mail verification and password reset (links), self-service registration and
invitations (registration).

Services check permission first, raise core.errors and only flush; the caller's unit of work commits.
"""
from .core import (
    EMAIL_RE,
    INVITATION_DAYS,
    _sha256,
    create_api_token,
    create_organisation,
    create_user,
    get_user_by_email,
    grant_role,
    hash_password,
    invitation_for_secret,
    invite,
    list_tokens,
    remember_language,
    remove_member,
    revoke_api_token,
    set_member_admin,
    sha256,
    user_for_token,
)
from .links import (
    confirm_email,
    request_password_reset,
    reset_password,
    reset_token,
    send_verification,
    user_for_reset,
    user_for_verification,
    verification_token,
)
from .registration import accept_invitation, register, resend_verification
from .sessions import (
    authenticate,
    change_password,
    end_all_sessions,
    end_session,
    set_password,
    start_session,
    user_for_session,
)

__all__ = [
    "EMAIL_RE", "INVITATION_DAYS", "accept_invitation", "authenticate", "change_password", "confirm_email",
    "create_api_token", "create_organisation", "create_user", "end_all_sessions", "end_session",
    "get_user_by_email", "grant_role", "hash_password", "invitation_for_secret", "invite", "list_tokens", "remember_language",
    "register", "remove_member", "request_password_reset", "resend_verification", "reset_password",
    "reset_token", "revoke_api_token", "send_verification", "set_member_admin", "set_password", "sha256",
    "start_session", "user_for_reset", "user_for_session", "user_for_token", "user_for_verification",
    "verification_token", "_sha256",
]
