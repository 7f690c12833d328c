"""Count the SQL statements the application sends, whatever the backend (for N+1 and bulk tests)."""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.asyncpg.client import TransactionWrapper as AsyncpgTransaction
from tortoise.backends.base_postgres.client import BasePostgresClient
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper

from mailrenew.sqlite_backend import ImmediateSqliteClient

METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")
CLASSES = (
    SqliteClient,
    SqliteTransactionWrapper,
    ImmediateSqliteClient,
    BasePostgresClient,
    AsyncpgDBClient,
    AsyncpgTransaction,
)
_inside = contextvars.ContextVar("inside_statement", default=False)


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sql)

    def __str__(self) -> str:
        return "\n".join(f"{n + 1}. {s[:200]}" for n, s in enumerate(self.sql))


def _counting(original: Callable[..., Any], log: Statements, *, many: bool = False) -> Callable[..., Any]:
    """Count as the database does: an ``executemany`` of N rows is N executions."""

    @functools.wraps(original)
    async def wrapper(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if _inside.get():  # a client method calling another: one statement
            return await original(self, query, *args, **kwargs)
        executions = len(args[0]) if many and args else 1
        log.sql.extend([" ".join(str(query).split())] * executions)
        token = _inside.set(True)
        try:
            return await original(self, query, *args, **kwargs)
        finally:
            _inside.reset(token)

    return wrapper


@contextlib.contextmanager
def count_statements() -> Iterator[Statements]:
    log = Statements()
    saved: list[tuple[type, str, Any]] = []
    for cls in CLASSES:
        for name in METHODS:
            if name in cls.__dict__:
                saved.append((cls, name, cls.__dict__[name]))
                setattr(cls, name, _counting(cls.__dict__[name], log, many=name == "execute_many"))
    try:
        yield log
    finally:
        for cls, name, original in saved:
            setattr(cls, name, original)
