"""Tortoise set-up: the configuration for a ``DATABASE_URL``, opening and closing, migrations, transactions."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
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
    config["credentials"]["reset"] = _keep_session  # passed on to asyncpg.create_pool
    # asyncpg prepares every statement; after five runs PostgreSQL may keep one generic plan for all values,
    # and the best plan of a viewer's domain page depends on the viewer (a reseller's 1,000 organizations walk
    # the fqdn index, a customer's one organization reads its few domains and sorts them): plan for the values.
    config["credentials"]["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
    return config


async def _keep_session(connection: object) -> None:
    """asyncpg's pool resets a connection each time it goes back (``RESET ALL``, ``UNLISTEN *``, …): one more
    round trip after every statement. The application sets no session state (no ``SET``, ``LISTEN``, advisory
    lock or cursor outlives a statement or transaction), so there is nothing to reset."""


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


MAX_PARAMETERS = 32_000  # bound values in one statement: PostgreSQL allows 32,767, SQLite (>= 3.32) 32,766


async def insert_rows(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[object]], *, returning: str | None = None
) -> list[dict[str, Any]]:
    """Multi-row INSERTs: one statement per ``MAX_PARAMETERS`` values (so one for most calls), optionally
    ``RETURNING``; never one statement per row."""
    if not rows:
        return []
    width = len(columns)
    per_statement = max(1, MAX_PARAMETERS // width)
    returned: list[dict[str, Any]] = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        marks = placeholders(width * len(chunk))
        values_sql = ", ".join(
            f"({', '.join(marks[i * width : (i + 1) * width])})" for i in range(len(chunk))
        )
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values_sql}"
        values = [value for row in chunk for value in row]
        if returning:
            returned += await connection().execute_query_dict(f"{sql} RETURNING {returning}", values)
        else:
            await connection().execute_query(sql, values)
    return returned


async def update_by_id(
    table: str, column: str, sql_type: str, values_by_id: Mapping[int, object], **also: object
) -> None:
    """One UPDATE setting ``column`` (of ``sql_type``) per row id with a CASE, plus ``also`` on every row.

    PostgreSQL cannot infer the type of a parameter in a CASE branch, so it is cast there (SQLite's CAST would
    turn a date into a number, and its columns need none).
    """
    if not values_by_id:
        return
    p = SQLParams()
    cast = "{}" if dialect() == "sqlite" else f"CAST({{}} AS {sql_type})"
    cases = " ".join(
        f"WHEN {p(row_id)} THEN {cast.format(p(value))}" for row_id, value in values_by_id.items()
    )
    extra = "".join(f", {name} = {p(value)}" for name, value in also.items())
    await connection().execute_query(
        f"UPDATE {table} SET {column} = CASE id {cases} END{extra} WHERE id IN ({p.many(list(values_by_id))})",
        p.values,
    )


async def windowed_pages(
    table: str, partition: str, keys: Sequence[int], *, order: str, limit: int, offset: int
) -> dict[int, list[dict[str, Any]]]:
    """The same page (offset, limit) of rows for each key of ``partition``, in one statement.

    Each key's page is its own top-N, read through the index on (``partition``, order): ``LATERAL`` on
    PostgreSQL, a ``UNION ALL`` of per-key subqueries on SQLite. A window over all the keys' rows would read a
    2,000-mailbox domain whole to keep 5. ``order`` is a trusted SQL ORDER BY list (never user text).
    """
    if not keys:
        return {}
    page = f"ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}"
    if dialect() == "sqlite":
        parts = " UNION ALL ".join(
            f"SELECT * FROM (SELECT * FROM {table} WHERE {partition} = ? {page})" for _ in keys
        )
        rows = await connection().execute_query_dict(parts, list(keys))
    else:
        rows = await connection().execute_query_dict(
            f"SELECT t.* FROM unnest($1::int[]) AS k(key) CROSS JOIN LATERAL "
            f"(SELECT * FROM {table} WHERE {partition} = k.key {page}) t",
            [list(keys)],
        )
    pages: dict[int, list[dict[str, Any]]] = {}
    for row in rows:  # each key's rows come in its page's order
        pages.setdefault(row[partition], []).append(row)
    return pages


class SQLParams:
    """Collects the values of a raw statement and hands out markers in the current dialect, in order.

    Call it in the order the markers appear in the SQL text: SQLite's ``?`` markers are positional.

    >>> p = SQLParams(); sql = f"... WHERE day = {p(day)} AND id > {p(last)}"; rows = await ...(sql, p.values)
    """

    def __init__(self) -> None:
        self.values: list[object] = []
        self._numbered = dialect() != "sqlite"

    def __call__(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}" if self._numbered else "?"

    def many(self, values: Sequence[object]) -> str:
        """Markers for an IN list (``NULL`` for an empty one, which matches nothing)."""
        return ", ".join(self(v) for v in values) or "NULL"


SqlPredicate = Callable[[str, SQLParams], str]
"""A WHERE clause rendered for a table alias, its values handed to the statement's ``SQLParams`` in order."""
