"""The HTTP edge: health, readiness, metrics, request ids, and the /auth routes (cookie, CSRF, tokens)."""

from __future__ import annotations

import re

import httpx
import pytest

from mailrenew import db
from mailrenew.accounts import service as accounts
from mailrenew.accounts.models import LoginAttempt, UserSession
from mailrenew.config import Settings
from mailrenew.webauth import SESSION_COOKIE
from tests.factories import PASSWORD, make_user

EMAIL = "web@test.example"


async def login(http: httpx.AsyncClient, email: str = EMAIL, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/auth/login", json={"email": email, "password": password})


# --- health, readiness, metrics, request id --------------------------------------------------------


async def test_healthz(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_follows_the_database(http: httpx.AsyncClient, settings: Settings) -> None:
    up = await http.get("/readyz")
    assert up.status_code == 200
    assert up.json() == {"status": "ok", "database": "up"}
    await db.close_db()
    try:
        down = await http.get("/readyz")
        assert down.status_code == 503
        assert down.json() == {"status": "unavailable", "database": "down"}
    finally:
        await db.open_db(settings.database_url)
    again = await http.get("/readyz")
    assert again.status_code == 200


async def test_metrics_count_requests(http: httpx.AsyncClient) -> None:
    await http.get("/healthz")
    await http.get("/healthz")
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE mailrenew_http_requests_total counter" in text
    assert 'mailrenew_http_requests_total{method="GET",route="/healthz",status="200"} 2.0' in text
    assert "mailrenew_http_request_seconds_bucket" in text


async def test_every_response_has_a_request_id(http: httpx.AsyncClient) -> None:
    first = await http.get("/healthz")
    second = await http.post("/auth/login", content=b"not json")  # errors carry one too
    ids = [first.headers.get("x-request-id"), second.headers.get("x-request-id")]
    assert all(value is not None and re.fullmatch(r"[0-9a-f]{16}", value) for value in ids), ids
    assert ids[0] != ids[1]


# --- login ---------------------------------------------------------------------------------------


async def test_login_sets_an_httponly_lax_cookie_and_returns_a_csrf_token(http: httpx.AsyncClient) -> None:
    user = await make_user(email=EMAIL)
    response = await login(http)
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"id": user.id, "email": EMAIL, "displayName": "Test User", "language": "EN"}
    assert re.fullmatch(r"[0-9a-f]{64}", body["csrfToken"])
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert "secure" not in attributes  # COOKIE_SECURE is off by default (plain http in development)
    assert await UserSession.filter(user=user, revoked_at=None).count() == 1
    assert await LoginAttempt.filter(email=EMAIL).values_list("succeeded", flat=True) == [True]


async def test_login_wrong_password(http: httpx.AsyncClient) -> None:
    await make_user(email=EMAIL)
    response = await login(http, password="not the password")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_CREDENTIALS"
    assert response.json()["error"]["message"] == "Wrong e-mail or password."
    assert "set-cookie" not in response.headers
    assert await UserSession.all().count() == 0
    assert await LoginAttempt.filter(email=EMAIL).values_list("succeeded", flat=True) == [False]


async def test_login_message_follows_accept_language(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/auth/login",
        json={"email": "x@test.example", "password": "nope"},
        headers={"accept-language": "fr-FR"},
    )
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Adresse e-mail ou mot de passe incorrect."


async def test_sixth_try_after_five_failures_is_rate_limited(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    assert settings.login_max_failures_per_account == 5
    await make_user(email=EMAIL)
    for _ in range(5):
        assert (await login(http, password="not the password")).status_code == 401
    response = await login(http)  # the right password, too late
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMITED"
    assert "set-cookie" not in response.headers
    assert await UserSession.all().count() == 0
    assert await LoginAttempt.filter(email=EMAIL, succeeded=False).count() == 6


async def test_login_needs_json(http: httpx.AsyncClient) -> None:
    await make_user(email=EMAIL)
    response = await http.post("/auth/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert await LoginAttempt.all().count() == 0
    assert await UserSession.all().count() == 0


async def test_login_with_malformed_json_body(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/auth/login", content=b'{"email": "a@b"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"
    assert await LoginAttempt.all().count() == 0


async def test_login_from_a_foreign_origin_is_refused(http: httpx.AsyncClient) -> None:
    await make_user(email=EMAIL)
    response = await http.post(
        "/auth/login", json={"email": EMAIL, "password": PASSWORD}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "CSRF"
    assert "set-cookie" not in response.headers
    assert await LoginAttempt.all().count() == 0
    assert await UserSession.all().count() == 0


async def test_login_from_our_own_origin_is_accepted(http: httpx.AsyncClient) -> None:
    await make_user(email=EMAIL)
    response = await http.post(
        "/auth/login", json={"email": EMAIL, "password": PASSWORD}, headers={"origin": "http://testserver"}
    )
    assert response.status_code == 200


# --- session and logout ----------------------------------------------------------------------------


async def test_session_without_cookie(http: httpx.AsyncClient) -> None:
    response = await http.get("/auth/session")
    assert response.status_code == 200
    assert response.json() == {"user": None, "csrfToken": None}


async def test_session_with_cookie(http: httpx.AsyncClient) -> None:
    user = await make_user(email=EMAIL)
    csrf = (await login(http)).json()["csrfToken"]
    response = await http.get("/auth/session")
    assert response.status_code == 200
    assert response.json() == {
        "user": {"id": user.id, "email": EMAIL, "displayName": "Test User", "language": "EN"},
        "csrfToken": csrf,
    }


async def test_tampered_cookie_is_ignored(http: httpx.AsyncClient) -> None:
    await make_user(email=EMAIL)
    await login(http)
    signed = http.cookies[SESSION_COOKIE]
    http.cookies.set(SESSION_COOKIE, "x" + signed)
    response = await http.get("/auth/session")
    assert response.json() == {"user": None, "csrfToken": None}


async def test_logout_needs_the_csrf_header(http: httpx.AsyncClient) -> None:
    await make_user(email=EMAIL)
    await login(http)
    response = await http.post("/auth/logout")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "CSRF"
    wrong = await http.post("/auth/logout", headers={"x-csrf-token": "0" * 64})
    assert wrong.status_code == 403
    assert await UserSession.filter(revoked_at=None).count() == 1
    assert (await http.get("/auth/session")).json()["user"]["email"] == EMAIL


async def test_logout_with_csrf_from_a_foreign_origin_is_refused(http: httpx.AsyncClient) -> None:
    await make_user(email=EMAIL)
    csrf = (await login(http)).json()["csrfToken"]
    response = await http.post(
        "/auth/logout", headers={"x-csrf-token": csrf, "origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert await UserSession.filter(revoked_at=None).count() == 1


async def test_logout_ends_the_session(http: httpx.AsyncClient) -> None:
    await make_user(email=EMAIL)
    csrf = (await login(http)).json()["csrfToken"]
    old_cookie = http.cookies[SESSION_COOKIE]
    response = await http.post("/auth/logout", headers={"x-csrf-token": csrf})
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    cleared = [part.strip().lower() for part in response.headers["set-cookie"].split(";")]
    assert cleared[0] == f'{SESSION_COOKIE}=""'
    assert "max-age=0" in cleared
    assert await UserSession.filter(revoked_at=None).count() == 0
    # replaying the old cookie no longer works
    http.cookies.clear()
    replay = await http.get("/auth/session", headers={"cookie": f"{SESSION_COOKIE}={old_cookie}"})
    assert replay.json() == {"user": None, "csrfToken": None}


# --- bearer tokens ---------------------------------------------------------------------------------


async def test_bearer_token_authenticates(http: httpx.AsyncClient) -> None:
    user = await make_user(email=EMAIL)
    _, secret = await accounts.create_token(EMAIL)
    response = await http.get("/auth/session", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["user"]["id"] == user.id
    assert response.json()["csrfToken"] is None


async def test_revoked_bearer_token_is_refused(http: httpx.AsyncClient) -> None:
    await make_user(email=EMAIL)
    token, secret = await accounts.create_token(EMAIL)
    await accounts.revoke_token(token_id=token.id)
    response = await http.get("/auth/session", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "mr_abc", "Token mr_abc"])
async def test_malformed_authorization_header_is_refused(http: httpx.AsyncClient, header: str) -> None:
    response = await http.get("/auth/session", headers={"authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


async def test_revoked_bearer_token_is_refused_even_with_a_session_cookie(http: httpx.AsyncClient) -> None:
    await make_user(email=EMAIL)
    await login(http)
    token, secret = await accounts.create_token(EMAIL)
    await accounts.revoke_token(token_id=token.id)
    # a revoked token is refused even though a valid session cookie rides along
    response = await http.get("/auth/session", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 401
