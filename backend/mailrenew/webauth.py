"""Sign-in over HTTP: the session cookie, personal access tokens, CSRF, and the /auth routes.

Cookie-authenticated POSTs must carry ``X-CSRF-Token`` (an HMAC of the session key) and, when the browser
sends one, an ``Origin`` of this site. Bearer-token requests carry no ambient credential and need neither.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mailrenew.accounts import service as accounts
from mailrenew.accounts.models import User
from mailrenew.config import Settings
from mailrenew.i18n import message, normalize_language

SESSION_COOKIE = "mailrenew_session"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Authenticated:
    user: User
    via: Literal["session", "token"]
    session_key: str | None = None


class AuthError(Exception):
    def __init__(self, status: int, code: str, text: str) -> None:
        self.status, self.code, self.text = status, code, text
        super().__init__(text)

    def response(self) -> JSONResponse:
        return JSONResponse({"error": {"code": self.code, "message": self.text}}, status_code=self.status)


def _signer(settings: Settings) -> TimestampSigner:
    return TimestampSigner(settings.secret_key, salt="mailrenew.session")


def session_key_from_cookie(request: Request, settings: Settings) -> str | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        return _signer(settings).unsign(raw, max_age=settings.session_max_age_seconds).decode()
    except (BadSignature, SignatureExpired):
        return None


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def origin_allowed(request: Request, settings: Settings) -> bool:
    origin = request.headers.get("origin")
    if origin is None:  # not a browser, or a same-origin GET: the CSRF token still has to match
        return True
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin == own or origin in settings.allowed_origins


async def authenticate(request: Request, settings: Settings, *, write: bool) -> Authenticated | None:
    """Who sends this request; ``write`` requests authenticated by cookie must pass the CSRF checks."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AuthError(401, "UNAUTHENTICATED", "Authorization must be 'Bearer <token>'.")
        user = await accounts.user_for_token(secret.strip())
        if user is None:
            raise AuthError(401, "UNAUTHENTICATED", "This token is unknown or revoked.")
        return Authenticated(user=user, via="token")
    key = session_key_from_cookie(request, settings)
    if key is None:
        return None
    if write:
        expected = accounts.csrf_token(settings.secret_key, key)
        if not origin_allowed(request, settings) or not hmac.compare_digest(
            request.headers.get(CSRF_HEADER, ""), expected
        ):
            raise AuthError(403, "CSRF", "Missing or wrong X-CSRF-Token header, or a foreign Origin.")
    user = await accounts.user_for_session(key)
    if user is None:
        return None
    return Authenticated(user=user, via="session", session_key=key)


def _user_json(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "email": user.email,
        "displayName": user.display_name,
        "language": str(user.language).upper(),
    }


def _language(request: Request) -> str:
    return normalize_language(request.headers.get("accept-language"))


async def login(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    language = _language(request)
    if not request.headers.get("content-type", "").startswith("application/json"):
        return AuthError(
            415, "UNSUPPORTED_MEDIA_TYPE", 'Send JSON: {"email": ..., "password": ...}.'
        ).response()
    if not origin_allowed(request, settings):
        return AuthError(403, "CSRF", "Foreign Origin.").response()
    try:
        body = await request.json()
        email, password = str(body["email"]), str(body["password"])
    except (ValueError, KeyError, TypeError):
        return AuthError(400, "BAD_REQUEST", 'Send JSON: {"email": ..., "password": ...}.').response()
    limits = accounts.LoginLimits(
        max_failures_per_account=settings.login_max_failures_per_account,
        max_failures_per_ip=settings.login_max_failures_per_ip,
        window=dt.timedelta(seconds=settings.login_window_seconds),
    )
    try:
        user = await accounts.authenticate(email, password, ip=client_ip(request), limits=limits)
    except accounts.RateLimited:
        return AuthError(429, "RATE_LIMITED", message("RATE_LIMITED", language)).response()
    except accounts.InvalidCredentials:
        return AuthError(401, "INVALID_CREDENTIALS", message("INVALID_CREDENTIALS", language)).response()
    key = await accounts.start_session(user, max_age=dt.timedelta(seconds=settings.session_max_age_seconds))
    response = JSONResponse(
        {"user": _user_json(user), "csrfToken": accounts.csrf_token(settings.secret_key, key)}
    )
    response.set_cookie(
        SESSION_COOKIE,
        _signer(settings).sign(key).decode(),
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


async def logout(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    try:
        auth = await authenticate(request, settings, write=True)
    except AuthError as exc:
        return exc.response()
    if auth is not None and auth.session_key is not None:
        await accounts.end_session(auth.session_key)
    response = JSONResponse({"ok": True})
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


async def session(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    try:
        auth = await authenticate(request, settings, write=False)
    except AuthError as exc:
        return exc.response()
    if auth is None:
        return JSONResponse({"user": None, "csrfToken": None})
    token = accounts.csrf_token(settings.secret_key, auth.session_key) if auth.session_key else None
    return JSONResponse({"user": _user_json(auth.user), "csrfToken": token})


routes = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/session", session, methods=["GET"]),
]
