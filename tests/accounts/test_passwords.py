"""Passwords are stored as argon2id hashes with at least OWASP's parameters, never in clear."""

from __future__ import annotations

from tortoise.connection import get_connection

from mailrenew.accounts import service as accounts
from mailrenew.accounts.passwords import hash_password, needs_rehash, verify_password

CLEAR = "Tr0ub4dor&3-horse"


def parse_argon2(encoded: str) -> dict[str, object]:
    """``$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`` -> its parts."""
    empty, variant, version, params, salt, digest = encoded.split("$")
    assert empty == ""
    parsed: dict[str, object] = {"variant": variant, "version": version, "salt": salt, "hash": digest}
    for pair in params.split(","):
        key, value = pair.split("=")
        parsed[key] = int(value)
    return parsed


def test_hash_is_argon2id_with_owasp_minimums() -> None:
    parts = parse_argon2(hash_password(CLEAR))
    assert parts["variant"] == "argon2id"
    assert parts["version"] == "v=19"
    assert int(str(parts["m"])) >= 19456
    assert int(str(parts["t"])) >= 2
    assert parts["p"] == 1


def test_each_hash_has_its_own_salt() -> None:
    first, second = hash_password(CLEAR), hash_password(CLEAR)
    assert first != second
    assert parse_argon2(first)["salt"] != parse_argon2(second)["salt"]


def test_verify() -> None:
    encoded = hash_password(CLEAR)
    assert verify_password(encoded, CLEAR) is True
    assert verify_password(encoded, CLEAR + "x") is False
    assert verify_password(encoded, "") is False
    assert verify_password(None, CLEAR) is False  # unknown user: dummy hash, still False
    assert verify_password("not-a-hash", CLEAR) is False
    assert needs_rehash(encoded) is False


def test_weaker_hash_needs_rehash() -> None:
    from argon2 import PasswordHasher, Type

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID).hash(CLEAR)
    assert verify_password(weak, CLEAR) is True
    assert needs_rehash(weak) is True


async def test_clear_password_never_reaches_the_users_table() -> None:
    user = await accounts.create_user("Clear@Test.Example", CLEAR, display_name="Clear")
    rows = await get_connection("default").execute_query_dict("SELECT * FROM users")
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == user.id
    assert row["email"] == "clear@test.example"
    for column, value in row.items():
        assert CLEAR not in str(value), column
    assert str(row["password_hash"]).startswith("$argon2id$")
    assert verify_password(str(row["password_hash"]), CLEAR) is True
