"""Accounts: users, organizations, memberships, personal access tokens, sessions and sign-in."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from mailrenew.accounts.access import Actor
from mailrenew.accounts.models import (
    AccessToken,
    Language,
    LoginAttempt,
    Membership,
    Organization,
    Role,
    User,
    UserSession,
)
from mailrenew.accounts.passwords import hash_password, needs_rehash, verify_password
from mailrenew.config import utcnow
from mailrenew.errors import DomainError, InvalidInput, NotFound

TOKEN_PREFIX = "mr_"
MIN_PASSWORD_LENGTH = 8


class InvalidCredentials(DomainError):
    code = "INVALID_CREDENTIALS"


class RateLimited(DomainError):
    code = "RATE_LIMITED"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


# --- users and organizations -------------------------------------------------------------------


async def create_user(
    email: str, password: str, *, display_name: str | None = None, language: Language = Language.EN
) -> User:
    email = normalize_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidInput(field="email", detail=f"{email!r} is not an e-mail address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            field="password", detail=f"the password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    try:
        return await User.create(
            email=email,
            password_hash=hash_password(password),
            display_name=display_name or email.split("@", 1)[0],
            language=language,
        )
    except IntegrityError:
        raise InvalidInput(
            "EMAIL_TAKEN", field="email", detail=f"a user with e-mail {email} exists"
        ) from None


async def create_organization(name: str) -> Organization:
    if not name.strip():
        raise InvalidInput(field="name", detail="an organization needs a name")
    return await Organization.create(name=name.strip())


async def add_member(user: User, organization: Organization, role: Role) -> Membership:
    membership, created = await Membership.get_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        await membership.save(update_fields=["role"])
    return membership


async def load_actor(user: User) -> Actor:
    rows = await Membership.filter(user_id=user.id).values_list("organization_id", "role")
    return Actor(
        user_id=user.id,
        email=user.email,
        language=str(user.language),
        roles={org_id: Role(role) for org_id, role in rows},
    )


async def set_language(actor: Actor, language: Language) -> None:
    await User.filter(id=actor.user_id).update(language=language)


# --- sign-in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginLimits:
    max_failures_per_account: int
    max_failures_per_ip: int
    window: dt.timedelta


async def authenticate(email: str, password: str, *, ip: str, limits: LoginLimits) -> User:
    """Check a password; refuse before checking when the account or the IP failed too often lately."""
    email = normalize_email(email)
    since = utcnow() - limits.window
    recent = LoginAttempt.filter(created_at__gte=since, succeeded=False)
    if (
        await recent.filter(email=email).count() >= limits.max_failures_per_account
        or await recent.filter(ip=ip).count() >= limits.max_failures_per_ip
    ):
        await LoginAttempt.create(email=email, ip=ip, succeeded=False)
        raise RateLimited()
    user = await User.get_or_none(email=email, is_active=True)
    ok = verify_password(user.password_hash if user else None, password)
    await LoginAttempt.create(email=email, ip=ip, succeeded=ok)
    if not ok or user is None:
        raise InvalidCredentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        await user.save(update_fields=["password_hash"])
    return user


async def start_session(user: User, *, max_age: dt.timedelta) -> str:
    """Open a console session; returns the random key the cookie carries (only its digest is stored)."""
    key = secrets.token_urlsafe(32)
    await UserSession.create(user=user, key_hash=digest(key), expires_at=utcnow() + max_age)
    return key


async def user_for_session(key: str) -> User | None:
    session = await UserSession.get_or_none(
        key_hash=digest(key), revoked_at=None, expires_at__gt=utcnow()
    ).select_related("user")
    if session is None or not session.user.is_active:
        return None
    return session.user


async def end_session(key: str) -> None:
    await UserSession.filter(key_hash=digest(key), revoked_at=None).update(revoked_at=utcnow())


def csrf_token(secret_key: str, session_key: str) -> str:
    """The CSRF token of a session: an HMAC of its key, so it needs no storage and dies with the session."""
    return hmac.new(secret_key.encode(), b"csrf:" + session_key.encode(), hashlib.sha256).hexdigest()


# --- personal access tokens ---------------------------------------------------------------------


async def create_token(email: str, name: str = "cli") -> tuple[AccessToken, str]:
    """Create a token for a user; returns the row and the token itself, which is never stored."""
    user = await User.get_or_none(email=normalize_email(email))
    if user is None:
        raise NotFound(detail=f"no user with e-mail {normalize_email(email)}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await AccessToken.create(user=user, name=name, token_hash=digest(secret), prefix=secret[:10])
    return token, secret


async def user_for_token(secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = await AccessToken.get_or_none(token_hash=digest(secret), revoked_at=None).select_related("user")
    if token is None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        await AccessToken.filter(id=token.id).update(last_used_at=now)
    return token.user


async def revoke_token(*, token_id: int | None = None, secret: str | None = None) -> AccessToken:
    query = (
        AccessToken.filter(id=token_id)
        if token_id is not None
        else AccessToken.filter(token_hash=digest(secret or ""))
    )
    token = await query.first()
    if token is None:
        raise NotFound(detail="no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        await token.save(update_fields=["revoked_at"])
    return token


async def list_tokens(email: str) -> list[AccessToken]:
    """A user's tokens; ``NotFound`` for an unknown user (an empty list would hide a typo)."""
    user = await User.get_or_none(email=normalize_email(email))
    if user is None:
        raise NotFound(detail=f"no user with e-mail {normalize_email(email)}")
    return await AccessToken.filter(user_id=user.id).order_by("id")
