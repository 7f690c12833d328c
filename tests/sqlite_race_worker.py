"""One process of the SQLite read-then-write race (run by tests/test_sqlite_concurrency.py, not collected).

Usage: python tests/sqlite_race_worker.py DATABASE_URL ITERATIONS START_AT {immediate|stock}

Waits until the wall clock reaches START_AT (so that two workers overlap), then runs ITERATIONS transactions
``async with atomic(): read race_counter.value; sleep; write value + 1`` and prints one JSON line:
``{"committed": n, "errors": [...]}``. ``stock`` swaps in Tortoise's own SQLite engine (plain ``BEGIN``).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from tortoise import Tortoise

from mailrenew import db


async def main(url: str, iterations: int, start_at: float, engine: str) -> dict[str, object]:
    config = db.tortoise_config(url)
    if engine == "stock":
        config["connections"]["default"]["engine"] = "tortoise.backends.sqlite"
    await Tortoise.init(config=config, _enable_global_fallback=True)
    committed, errors = 0, []
    try:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        for _ in range(iterations):
            try:
                async with db.atomic() as conn:
                    rows = await conn.execute_query_dict("SELECT value FROM race_counter WHERE id = 1")
                    await asyncio.sleep(0.003)
                    await conn.execute_query(
                        "UPDATE race_counter SET value = ? WHERE id = 1", [rows[0]["value"] + 1]
                    )
                committed += 1
            except Exception as exc:  # reported to the test, which decides
                errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await Tortoise.close_connections()
    return {"committed": committed, "errors": errors}


if __name__ == "__main__":
    url, iterations, start_at, engine = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    print(json.dumps(asyncio.run(main(url, iterations, start_at, engine))))
