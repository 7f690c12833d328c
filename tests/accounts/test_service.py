"""Accounts service: users, sign-in with its rate limits, personal access tokens and console sessions."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from tortoise.connection import get_connection

from mailrenew.accounts import service as accounts
from mailrenew.accounts.models import AccessToken, Language, LoginAttempt, Membership, Role, User, UserSession
from mailrenew.accounts.passwords import verify_password
from mailrenew.config import utcnow
from mailrenew.errors import InvalidInput, NotFound
from tests.factories import PASSWORD, make_org, make_user

LIMITS = accounts.LoginLimits(
    max_failures_per_account=3, max_failures_per_ip=5, window=dt.timedelta(minutes=15)
)
IP = "203.0.113.7"


async def attempts(**filters: object) -> list[tuple[str, str, bool]]:
    rows = await LoginAttempt.filter(**filters).order_by("id").values_list("email", "ip", "succeeded")
    return [(email, ip, bool(ok)) for email, ip, ok in rows]


async def fail_login(email: str, *, ip: str = IP, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(accounts.InvalidCredentials):
            await accounts.authenticate(email, "wrong password!", ip=ip, limits=LIMITS)


# --- users -------------------------------------------------------------------------------------


async def test_create_user_normalizes_email_and_defaults() -> None:
    user = await accounts.create_user("  Jane.Doe@Example.COM ", "long enough pw", language=Language.FR)
    row = await User.get(id=user.id)
    assert row.email == "jane.doe@example.com"
    assert row.display_name == "jane.doe"
    assert row.language == Language.FR
    assert row.is_active is True
    assert verify_password(row.password_hash, "long enough pw")


async def test_create_user_refuses_bad_input_and_duplicates() -> None:
    with pytest.raises(InvalidInput) as short:
        await accounts.create_user("a@example.com", "short")
    assert short.value.field == "password"
    with pytest.raises(InvalidInput) as not_email:
        await accounts.create_user("not-an-email", "long enough pw")
    assert not_email.value.field == "email"
    assert await User.all().count() == 0
    await accounts.create_user("dup@example.com", "long enough pw")
    with pytest.raises(InvalidInput) as taken:
        await accounts.create_user("DUP@example.com", "another password")
    assert taken.value.code == "EMAIL_TAKEN"
    assert await User.all().count() == 1


async def test_add_member_creates_then_changes_the_role() -> None:
    org = await make_org()
    user = await make_user()
    await accounts.add_member(user, org, Role.MEMBER)
    await accounts.add_member(user, org, Role.ADMIN)
    assert await Membership.filter(user=user).values_list("organization_id", "role") == [(org.id, Role.ADMIN)]
    actor = await accounts.load_actor(user)
    assert actor.roles == {org.id: Role.ADMIN}
    assert actor.email == user.email


# --- authenticate --------------------------------------------------------------------------------


async def test_authenticate_ok_records_a_success() -> None:
    user = await make_user(email="ok@test.example")
    signed_in = await accounts.authenticate(" OK@test.example", PASSWORD, ip=IP, limits=LIMITS)
    assert signed_in.id == user.id
    assert await attempts() == [("ok@test.example", IP, True)]


async def test_authenticate_wrong_password() -> None:
    await make_user(email="wrong@test.example")
    await fail_login("wrong@test.example")
    assert await attempts() == [("wrong@test.example", IP, False)]


async def test_authenticate_unknown_email_is_the_same_error() -> None:
    with pytest.raises(accounts.InvalidCredentials):
        await accounts.authenticate("ghost@test.example", PASSWORD, ip=IP, limits=LIMITS)
    assert await attempts() == [("ghost@test.example", IP, False)]


async def test_inactive_user_cannot_sign_in() -> None:
    user = await make_user(email="gone@test.example")
    await User.filter(id=user.id).update(is_active=False)
    with pytest.raises(accounts.InvalidCredentials):
        await accounts.authenticate("gone@test.example", PASSWORD, ip=IP, limits=LIMITS)


async def test_weak_hash_is_upgraded_at_sign_in() -> None:
    from argon2 import PasswordHasher, Type

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID).hash(PASSWORD)
    user = await make_user(email="old@test.example")
    await User.filter(id=user.id).update(password_hash=weak)
    await accounts.authenticate("old@test.example", PASSWORD, ip=IP, limits=LIMITS)
    upgraded = (await User.get(id=user.id)).password_hash
    assert upgraded != weak
    assert "$m=19456,t=2,p=1$" in upgraded
    assert verify_password(upgraded, PASSWORD)


async def test_account_is_rate_limited_after_n_failures_even_with_the_right_password() -> None:
    await make_user(email="target@test.example")
    await fail_login("target@test.example", times=LIMITS.max_failures_per_account)
    with pytest.raises(accounts.RateLimited):
        await accounts.authenticate("target@test.example", PASSWORD, ip=IP, limits=LIMITS)
    # from another IP too: the limit is per account
    with pytest.raises(accounts.RateLimited):
        await accounts.authenticate("target@test.example", PASSWORD, ip="198.51.100.1", limits=LIMITS)
    assert await attempts() == [("target@test.example", IP, False)] * 4 + [
        ("target@test.example", "198.51.100.1", False)
    ]
    # another account is not affected
    await make_user(email="other@test.example")
    assert (
        await accounts.authenticate("other@test.example", PASSWORD, ip="198.51.100.1", limits=LIMITS)
    ).email == ("other@test.example")


async def test_one_failure_short_of_the_limit_still_signs_in() -> None:
    await make_user(email="almost@test.example")
    await fail_login("almost@test.example", times=LIMITS.max_failures_per_account - 1)
    user = await accounts.authenticate("almost@test.example", PASSWORD, ip=IP, limits=LIMITS)
    assert user.email == "almost@test.example"


async def test_ip_is_rate_limited_across_different_emails() -> None:
    await make_user(email="victim@test.example")
    for n in range(LIMITS.max_failures_per_ip):
        await fail_login(f"guess{n}@test.example")  # each account stays under its own limit
    with pytest.raises(accounts.RateLimited):
        await accounts.authenticate("victim@test.example", PASSWORD, ip=IP, limits=LIMITS)
    # the same account from another IP is fine
    user = await accounts.authenticate("victim@test.example", PASSWORD, ip="198.51.100.2", limits=LIMITS)
    assert user.email == "victim@test.example"
    assert await LoginAttempt.filter(ip=IP, succeeded=False).count() == LIMITS.max_failures_per_ip + 1


async def test_failures_older_than_the_window_do_not_count() -> None:
    await make_user(email="patient@test.example")
    old = utcnow() - LIMITS.window - dt.timedelta(seconds=5)
    for _ in range(10):
        await LoginAttempt.create(email="patient@test.example", ip=IP, succeeded=False)
    await LoginAttempt.filter(email="patient@test.example").update(created_at=old)  # auto_now_add on create
    stored = await LoginAttempt.filter(email="patient@test.example").values_list("created_at", flat=True)
    assert len(stored) == 10
    assert all(when <= old + dt.timedelta(seconds=1) for when in stored)
    user = await accounts.authenticate("patient@test.example", PASSWORD, ip=IP, limits=LIMITS)
    assert user.email == "patient@test.example"
    # inside the window, the same number of failures blocks
    recent = utcnow() - LIMITS.window + dt.timedelta(minutes=1)
    await LoginAttempt.filter(email="patient@test.example", succeeded=False).update(created_at=recent)
    with pytest.raises(accounts.RateLimited):
        await accounts.authenticate("patient@test.example", PASSWORD, ip=IP, limits=LIMITS)


# --- personal access tokens ------------------------------------------------------------------------


async def test_token_secret_is_returned_once_and_only_its_digest_is_stored() -> None:
    user = await make_user(email="tok@test.example")
    token, secret = await accounts.create_token("TOK@test.example", "ci")
    assert secret.startswith("mr_")
    assert len(secret) > 40
    assert token.name == "ci"
    assert token.user_id == user.id
    rows = await get_connection("default").execute_query_dict("SELECT * FROM access_tokens")
    assert len(rows) == 1
    row = rows[0]
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert row["prefix"] == secret[:10]
    for column, value in row.items():
        assert secret not in str(value), column
    assert row["revoked_at"] is None
    assert row["last_used_at"] is None


async def test_user_for_token() -> None:
    user = await make_user(email="bearer@test.example")
    _, secret = await accounts.create_token("bearer@test.example")
    found = await accounts.user_for_token(secret)
    assert found is not None
    assert found.id == user.id
    assert (await AccessToken.get(user=user)).last_used_at is not None
    assert await accounts.user_for_token(secret + "x") is None
    assert await accounts.user_for_token(secret.removeprefix("mr_")) is None
    assert await accounts.user_for_token("") is None


async def test_revoked_token_is_refused() -> None:
    await make_user(email="rev@test.example")
    token, secret = await accounts.create_token("rev@test.example")
    _, other = await accounts.create_token("rev@test.example", "other")
    revoked = await accounts.revoke_token(token_id=token.id)
    assert revoked.revoked_at is not None
    assert await accounts.user_for_token(secret) is None
    assert await accounts.user_for_token(other) is not None  # only that token
    assert (await AccessToken.get(id=token.id)).revoked_at is not None


async def test_revoke_by_secret_and_unknown_token() -> None:
    await make_user(email="rev2@test.example")
    token, secret = await accounts.create_token("rev2@test.example")
    assert (await accounts.revoke_token(secret=secret)).id == token.id
    assert await accounts.user_for_token(secret) is None
    with pytest.raises(NotFound):
        await accounts.revoke_token(token_id=987654)
    with pytest.raises(NotFound):
        await accounts.revoke_token(secret="mr_nope")


async def test_token_for_unknown_user_is_refused() -> None:
    with pytest.raises(NotFound):
        await accounts.create_token("nobody@test.example")
    assert await AccessToken.all().count() == 0


async def test_token_of_a_deactivated_user_is_refused() -> None:
    user = await make_user(email="off@test.example")
    _, secret = await accounts.create_token("off@test.example")
    await User.filter(id=user.id).update(is_active=False)
    assert await accounts.user_for_token(secret) is None


# --- sessions ------------------------------------------------------------------------------------


async def test_session_lifecycle() -> None:
    user = await make_user(email="sess@test.example")
    key = await accounts.start_session(user, max_age=dt.timedelta(hours=1))
    stored = await UserSession.get(user=user)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in stored.key_hash
    found = await accounts.user_for_session(key)
    assert found is not None
    assert found.id == user.id
    assert await accounts.user_for_session(key + "x") is None
    await accounts.end_session(key)
    assert await accounts.user_for_session(key) is None
    assert (await UserSession.get(id=stored.id)).revoked_at is not None


async def test_expired_session_is_refused() -> None:
    user = await make_user(email="late@test.example")
    key = await accounts.start_session(user, max_age=dt.timedelta(hours=1))
    await UserSession.filter(user=user).update(expires_at=utcnow() - dt.timedelta(seconds=1))
    assert await accounts.user_for_session(key) is None


async def test_sessions_are_independent() -> None:
    user = await make_user(email="two@test.example")
    first = await accounts.start_session(user, max_age=dt.timedelta(hours=1))
    second = await accounts.start_session(user, max_age=dt.timedelta(hours=1))
    assert first != second
    await accounts.end_session(first)
    assert await accounts.user_for_session(first) is None
    assert await accounts.user_for_session(second) is not None


def test_csrf_token_is_bound_to_the_session_and_the_secret() -> None:
    token = accounts.csrf_token("k1", "session-a")
    assert token == accounts.csrf_token("k1", "session-a")
    assert len(token) == 64
    assert token != accounts.csrf_token("k1", "session-b")
    assert token != accounts.csrf_token("k2", "session-a")
