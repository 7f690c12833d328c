"""Exit 0 when PostgreSQL answers at DATABASE_URL_PG (used by `make test`), 1 otherwise."""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg


async def main() -> int:
    url = os.environ.get("DATABASE_URL_PG", "postgres://postgres@127.0.0.1:5432/test")
    try:
        conn = await asyncpg.connect(url, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return 1
    await conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
