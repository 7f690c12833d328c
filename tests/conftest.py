"""Test harness: the whole suite runs on SQLite, and again on PostgreSQL (``MAILRENEW_TEST_DB=postgres``).

Each run migrates its own throwaway database once (a temporary SQLite file, or a PostgreSQL database created
for the run and dropped after it); each test then starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

BACKEND = os.environ.get("MAILRENEW_TEST_DB", "sqlite")
PG_URL = os.environ.get("DATABASE_URL_PG", "postgres://postgres@127.0.0.1:5432/test")
_TMP = Path(tempfile.mkdtemp(prefix="mailrenew-tests-"))
if BACKEND == "postgres":
    _base, _, _ = PG_URL.rpartition("/")
    RUN_DB_NAME = f"mailrenew_test_{uuid.uuid4().hex[:10]}"
    TEST_DATABASE_URL = f"{_base}/{RUN_DB_NAME}"
else:
    TEST_DATABASE_URL = f"sqlite://{_TMP / 'test.sqlite3'}"

os.environ["DATABASE_URL"] = TEST_DATABASE_URL
os.environ.setdefault("SECRET_KEY", "test-secret-key-for-the-suite-only")
os.environ.setdefault("SCHEDULER_ENABLED", "false")
os.environ.setdefault("LOG_JSON", "false")

from tortoise import Tortoise  # noqa: E402
from tortoise.connection import get_connection  # noqa: E402

from mailrenew import db  # noqa: E402
from mailrenew.config import Settings, get_settings, load_settings  # noqa: E402

TABLES = [
    "audit_events",
    "gateway_charges",
    "outbox_messages",
    "renewal_attempts",
    "ledger_entries",
    "cards",
    "prepaid_accounts",
    "prices",
    "forwards",
    "mailboxes",
    "domains",
    "login_attempts",
    "user_sessions",
    "access_tokens",
    "memberships",
    "users",
    "organizations",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` run in the PostgreSQL pass only, tests marked ``sqlite_only`` or ``e2e`` in the
    SQLite pass only (deselected, not skipped, in the other pass)."""
    others = ("sqlite_only", "e2e") if BACKEND == "postgres" else ("postgres",)
    keep = [item for item in items if not any(other in item.keywords for other in others)]
    dropped = [item for item in items if any(other in item.keywords for other in others)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> str:
    return f"mailrenew test database: {BACKEND} ({TEST_DATABASE_URL})"


async def _admin_execute(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def settings() -> Settings:
    get_settings.cache_clear()
    return load_settings(database_url=TEST_DATABASE_URL)


@pytest.fixture(scope="session")
async def migrated_template() -> AsyncIterator[str]:
    """Migrate the run's database once; on SQLite keep the file as a template copied for each test."""
    if BACKEND == "postgres":
        await _admin_execute(f'CREATE DATABASE "{RUN_DB_NAME}"')
        try:
            await db.migrate(TEST_DATABASE_URL)
            await Tortoise.close_connections()
            yield TEST_DATABASE_URL
        finally:
            await Tortoise.close_connections()
            await _admin_execute(f'DROP DATABASE IF EXISTS "{RUN_DB_NAME}" WITH (FORCE)')
    else:
        template = _TMP / "template.sqlite3"
        await db.migrate(f"sqlite://{template}")
        await Tortoise.close_connections()
        yield str(template)
        shutil.rmtree(_TMP, ignore_errors=True)


def _fresh_sqlite_copy(template: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{_TMP / 'test.sqlite3'}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, _TMP / "test.sqlite3")


@pytest.fixture(autouse=True)
async def database(migrated_template: str) -> AsyncIterator[str]:
    """Every test starts from a migrated, empty database."""
    if BACKEND == "postgres":
        await db.open_db(TEST_DATABASE_URL)
        tables = ", ".join(f'"{t}"' for t in TABLES)
        await get_connection("default").execute_script(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        _fresh_sqlite_copy(migrated_template)
        await db.open_db(TEST_DATABASE_URL)
    try:
        yield TEST_DATABASE_URL
        await assert_ledgers_balance()
    finally:
        await Tortoise.close_connections()


async def assert_ledgers_balance() -> None:
    """After every test, for every prepaid account: the sum of its ledger equals its balance."""
    rows = await get_connection("default").execute_query_dict(
        "SELECT a.id, a.balance_cents, COALESCE(SUM(e.amount_cents), 0) AS ledger_sum, "
        "COALESCE(MIN(e.balance_after_cents), 0) AS lowest FROM prepaid_accounts a "
        "LEFT JOIN ledger_entries e ON e.account_id = a.id GROUP BY a.id, a.balance_cents"
    )
    wrong = [
        row for row in rows if int(row["balance_cents"]) != int(row["ledger_sum"]) or int(row["lowest"]) < 0
    ]
    assert wrong == [], f"ledger and balance disagree: {wrong}"


@pytest.fixture
async def http(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real ASGI app over httpx (the database is opened by the ``database`` fixture)."""
    from mailrenew.web import create_app

    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client
