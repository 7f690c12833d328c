"""Tortoise set-up: the configuration for a ``DATABASE_URL``, opening and closing, migrations, transactions."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionContext
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

APP = "mailrenew"
MODEL_MODULES = [
    "mailrenew.accounts.models",
    "mailrenew.hosting.models",
    "mailrenew.billing.models",
    "mailrenew.renewal.models",
    "mailrenew.notify.models",
    "mailrenew.audit.models",
]
SQLITE_BUSY_TIMEOUT_MS = 15_000


def connection_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://") or ":memory:"
        return {
            "engine": "mailrenew.sqlite_backend",
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
                "foreign_keys": "ON",
                "synchronous": "NORMAL",
            },
        }
    url = database_url.replace("postgresql://", "postgres://", 1).replace("asyncpg://", "postgres://", 1)
    config = expand_db_url(url)
    config["credentials"].setdefault("minsize", 1)
    config["credentials"].setdefault("maxsize", 10)
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(database_url)},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "mailrenew.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# For the ``tortoise`` CLI only (``tortoise -c mailrenew.db.TORTOISE_ORM makemigrations``).
TORTOISE_ORM: dict[str, Any] = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://./mailrenew.sqlite3"))


async def open_db(database_url: str) -> None:
    """Open the ORM for this process (the global fallback lets request tasks see the lifespan's context)."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str, progress: Callable[[str, str, str], object] | None = None) -> None:
    """Apply every pending migration (Tortoise's native migrations)."""
    from tortoise.migrations.api import migrate as run_migrations

    await run_migrations(config=tortoise_config(database_url), progress=progress)


def atomic() -> TransactionContext:
    """A database transaction; on SQLite it takes the write lock at once (``BEGIN IMMEDIATE``)."""
    return in_transaction("default")


def connection() -> BaseDBAsyncClient:
    """The current connection: the transaction's inside ``atomic()``, the pool's outside."""
    return get_connection("default")


def dialect() -> str:
    return str(connection().capabilities.dialect)


def placeholders(count: int, start: int = 1) -> list[str]:
    """Parameter markers for raw SQL in the current dialect (``?`` on SQLite, ``$n`` on PostgreSQL)."""
    if dialect() == "sqlite":
        return ["?"] * count
    return [f"${n}" for n in range(start, start + count)]


async def ping() -> bool:
    await get_connection("default").execute_query("SELECT 1")
    return True
