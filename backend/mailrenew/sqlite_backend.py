"""Tortoise SQLite backend whose writing transactions start with ``BEGIN IMMEDIATE``.

Tortoise opens plain (deferred) transactions. A deferred transaction that reads first and writes later
fails at once with "database is locked" when another process wrote in between, whatever the busy
timeout, because SQLite cannot upgrade its read lock. ``BEGIN IMMEDIATE`` takes the write lock up
front, so a second process (the CLI beside the server) waits for it within ``busy_timeout`` instead.
"""

from __future__ import annotations

import base64
import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
    translate_exceptions,
)
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


def _b64(text: str | None) -> str | None:
    """URL-safe base64 without padding: the Relay ids and cursors the compiled read path writes in SQL."""
    if text is None:
        return None
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class ImmediateSqliteClient(SqliteClient):
    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if self._connection is not None:
            await self._connection.create_function("mr_b64", 1, _b64, deterministic=True)

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)

    @translate_exceptions
    async def execute_many(self, query: str, values: list[list[Any]]) -> None:
        async with self.acquire_connection() as connection:
            await connection.execute("BEGIN IMMEDIATE")
            try:
                await connection.executemany(query, values)
            except Exception:
                await connection.rollback()
                raise
            else:
                await connection.commit()


client_class = ImmediateSqliteClient


def get_client_class(db_info: dict[str, Any]) -> type[SqliteClient]:
    return ImmediateSqliteClient
