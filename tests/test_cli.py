"""The operators' CLI, run as the real console script in subprocesses.

The CLI is database-agnostic (it only goes through ``mailrenew.db`` and the services, which the rest of the
suite runs on both engines), so these tests always point it at a temporary SQLite file, in the PostgreSQL
pass as well; the rows it writes are read back with the standard library's ``sqlite3``.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mailrenew.accounts.passwords import verify_password

MAILRENEW = Path(sys.executable).with_name("mailrenew")
PYTHON = Path(sys.executable)
COUNTED = [
    "users",
    "organizations",
    "memberships",
    "domains",
    "mailboxes",
    "forwards",
    "ledger_entries",
    "prepaid_accounts",
    "cards",
    "prices",
]


def cli_env(database_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if key not in {"DEMO_PASSWORD", "MAILRENEW_PASSWORD"}
    }
    env.update(
        DATABASE_URL=f"sqlite://{database_path}", NO_COLOR="1", TERM="dumb", COLUMNS="200", LOG_JSON="false"
    )
    env.update(extra)
    return env


def run(database_path: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MAILRENEW), *args],
        env=cli_env(database_path, **extra_env),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def query(database_path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with sqlite3.connect(database_path) as conn:
        return conn.execute(sql, params).fetchall()


def counts(database_path: Path) -> dict[str, int]:
    return {table: int(query(database_path, f"SELECT COUNT(*) FROM {table}")[0][0]) for table in COUNTED}


def token_user(database_path: Path, secret: str) -> str:
    """Ask the service itself, in another process, who this token signs in as ('None' when refused)."""
    code = (
        "import asyncio, os, sys\n"
        "from mailrenew import db\n"
        "from mailrenew.accounts.service import user_for_token\n"
        "async def main():\n"
        "    await db.open_db(os.environ['DATABASE_URL'])\n"
        "    try:\n"
        "        user = await user_for_token(sys.argv[1])\n"
        "        print(user.email if user else None)\n"
        "    finally:\n"
        "        await db.close_db()\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(
        [str(PYTHON), "-c", code, secret],
        env=cli_env(database_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite3"
    done = run(path, "seed-demo")
    assert done.returncode == 0, done.stderr
    return path


# --- help ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        ([], ["serve", "migrate", "seed-demo", "users", "tokens", "DATABASE_URL", "TIMEZONE"]),
        (["serve"], ["--host", "--port", "--no-migrate", "PORT"]),
        (["migrate"], ["Usage: mailrenew migrate", "migrations", "--help"]),
        (["seed-demo"], ["Usage: mailrenew seed-demo", "--if-empty"]),
        (
            ["users", "create"],
            ["--name", "--language", "--org", "--role", "--password", "MAILRENEW_PASSWORD"],
        ),
        (["tokens", "create"], ["--user", "--name", "stdout"]),
        (["tokens", "revoke"], ["Usage: mailrenew tokens revoke", "token", "Revoke"]),
    ],
    ids=["mailrenew", "serve", "migrate", "seed-demo", "users-create", "tokens-create", "tokens-revoke"],
)
def test_help(tmp_path: Path, command: list[str], mentions: list[str]) -> None:
    done = run(tmp_path / "unused.sqlite3", *command, "--help")
    assert done.returncode == 0, done.stderr
    for text in mentions:
        assert text in done.stdout, (text, done.stdout)
    assert not (tmp_path / "unused.sqlite3").exists()


# --- migrate -------------------------------------------------------------------------------------


def test_migrate_applies_once_then_reports_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    first = run(path, "migrate")  # also proves the process exits (an open connection used to keep it alive)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == "applied mailrenew.0001_initial"
    assert all(line.startswith("applied mailrenew.0") for line in lines[:-1])
    assert lines[-1] == "database is up to date"
    assert query(path, "SELECT COUNT(*) FROM users") == [(0,)]
    second = run(path, "migrate")
    assert second.returncode == 0, second.stderr
    assert second.stdout == "database is up to date\n"


# --- tokens --------------------------------------------------------------------------------------


def test_tokens_create_prints_only_the_token(demo_db: Path) -> None:
    done = run(demo_db, "tokens", "create", "--user", "owner@acme.example", "--name", "ci")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    secret = lines[0]
    assert re.fullmatch(r"mr_[A-Za-z0-9_-]{40,}", secret)
    assert secret not in done.stderr
    notice = re.fullmatch(
        r"token (\d+) \(ci\) created for owner@acme\.example; it is shown only once\n", done.stderr
    )
    assert notice, done.stderr
    rows = query(
        demo_db,
        "SELECT t.id, u.email, t.name, t.revoked_at FROM access_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ?",
        (hashlib.sha256(secret.encode()).hexdigest(),),
    )
    assert rows == [(int(notice.group(1)), "owner@acme.example", "ci", None)]
    assert token_user(demo_db, secret) == "owner@acme.example"


def test_tokens_create_for_an_unknown_user(demo_db: Path) -> None:
    before = query(demo_db, "SELECT COUNT(*) FROM access_tokens")
    done = run(demo_db, "tokens", "create", "--user", "nobody@acme.example")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == ["error: no user with e-mail nobody@acme.example"]
    assert query(demo_db, "SELECT COUNT(*) FROM access_tokens") == before


def test_tokens_list_for_an_unknown_user_is_one_line_and_exit_1(demo_db: Path) -> None:
    done = run(demo_db, "tokens", "list", "--user", "nobody@acme.example")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == ["error: no user with e-mail nobody@acme.example"]


def test_tokens_list_shows_a_users_tokens(demo_db: Path) -> None:
    run(demo_db, "tokens", "create", "--user", "member@acme.example", "--name", "laptop")
    done = run(demo_db, "tokens", "list", "--user", "member@acme.example")
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert line.split("\t")[1:2] == ["laptop"]
    assert line.endswith("\tactive")


def test_tokens_revoke_by_id_then_the_token_is_refused(demo_db: Path) -> None:
    created = run(demo_db, "tokens", "create", "--user", "admin@acme.example", "--name", "doomed")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    token_id = int(re.findall(r"token (\d+)", created.stderr)[0])
    kept = run(demo_db, "tokens", "create", "--user", "admin@acme.example", "--name", "kept").stdout.strip()
    done = run(demo_db, "tokens", "revoke", str(token_id))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"token {token_id} (doomed) revoked\n"
    revoked_at = query(demo_db, "SELECT revoked_at FROM access_tokens WHERE id = ?", (token_id,))[0][0]
    assert revoked_at is not None
    assert token_user(demo_db, secret) == "None"
    assert token_user(demo_db, kept) == "admin@acme.example"


def test_tokens_revoke_by_secret_and_unknown_id(demo_db: Path) -> None:
    secret = run(demo_db, "tokens", "create", "--user", "billing@acme.example").stdout.strip()
    assert run(demo_db, "tokens", "revoke", secret).returncode == 0
    assert token_user(demo_db, secret) == "None"
    missing = run(demo_db, "tokens", "revoke", "999999")
    assert missing.returncode == 1
    assert missing.stderr.splitlines() == ["error: no such token"]


# --- users ---------------------------------------------------------------------------------------


def test_users_create_with_the_password_from_the_environment(demo_db: Path) -> None:
    orgs_before = query(demo_db, "SELECT COUNT(*) FROM organizations")
    done = run(
        demo_db,
        "users",
        "create",
        "New.Person@Acme.example",
        "--name",
        "New Person",
        "--language",
        "fr",
        "--org",
        "Acme SARL",
        "--role",
        "admin",
        MAILRENEW_PASSWORD="a long enough secret",
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"created user new\.person@acme\.example \(id \d+\)\n", done.stdout)
    [(user_id, display_name, language, password_hash)] = query(
        demo_db,
        "SELECT id, display_name, language, password_hash FROM users WHERE email = ?",
        ("new.person@acme.example",),
    )
    assert (display_name, language) == ("New Person", "fr")
    assert str(password_hash).startswith("$argon2id$")
    assert "a long enough secret" not in str(password_hash)
    assert verify_password(str(password_hash), "a long enough secret")
    assert query(
        demo_db,
        "SELECT o.name, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id "
        "WHERE m.user_id = ?",
        (user_id,),
    ) == [("Acme SARL", "ADMIN")]
    assert query(demo_db, "SELECT COUNT(*) FROM organizations") == orgs_before  # joined, not duplicated


def test_users_create_refusals_change_nothing(demo_db: Path) -> None:
    before = counts(demo_db)
    short = run(demo_db, "users", "create", "short@acme.example", MAILRENEW_PASSWORD="short")
    assert short.returncode == 1
    assert short.stderr.splitlines() == ["error: the password needs at least 8 characters"]
    taken = run(demo_db, "users", "create", "owner@acme.example", MAILRENEW_PASSWORD="a long enough secret")
    assert taken.returncode == 1
    assert taken.stderr.splitlines() == ["error: a user with e-mail owner@acme.example exists"]
    bad_role = run(
        demo_db, "users", "create", "r@acme.example", "--role", "king", MAILRENEW_PASSWORD="long enough!"
    )
    assert bad_role.returncode == 1
    assert len(bad_role.stderr.splitlines()) == 1
    assert bad_role.stderr.startswith("error: --role")
    assert counts(demo_db) == before


# --- seed-demo -----------------------------------------------------------------------------------


def test_seed_demo_twice_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "seed.sqlite3"
    first = run(path, "seed-demo")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "Demo data loaded. Sign in with any of these (password: demo-password):",
        "  owner@acme.example",
        "  admin@acme.example",
        "  billing@acme.example",
        "  member@acme.example",
        "  owner@initech.example",
    ]
    after_first = counts(path)
    balances = query(
        path, "SELECT organization_id, balance_cents FROM prepaid_accounts ORDER BY organization_id"
    )
    second = run(path, "seed-demo")
    assert second.returncode == 0, second.stderr
    assert (
        second.stdout.splitlines()[0]
        == "Demo data is already loaded. Demo sign-ins (password: demo-password):"
    )
    assert counts(path) == after_first
    assert query(
        path, "SELECT organization_id, balance_cents FROM prepaid_accounts ORDER BY organization_id"
    ) == (balances)
    assert after_first["users"] == 5
    assert after_first["organizations"] == 3
    assert after_first["mailboxes"] > 250


def test_seed_demo_uses_demo_password(tmp_path: Path) -> None:
    path = tmp_path / "seed.sqlite3"
    done = run(path, "seed-demo", DEMO_PASSWORD="another-demo-pw")
    assert done.returncode == 0, done.stderr
    assert "(password: another-demo-pw)" in done.stdout
    [(password_hash,)] = query(path, "SELECT password_hash FROM users WHERE email = 'member@acme.example'")
    assert verify_password(str(password_hash), "another-demo-pw")
    assert not verify_password(str(password_hash), "demo-password")
