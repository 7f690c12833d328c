"""A process renewing mailboxes by hand, one "renew now" each (run by tests/renewal/test_processes.py).

Usage: python tests/renew_now_worker.py DATABASE_URL USER_ID YYYY-MM-DD MAILBOX_ID [MAILBOX_ID …]
Prints how many were renewed by this process's requests (a term already renewed by the window is answered with
the window's attempt, not paid again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys

from tortoise import Tortoise

from mailrenew import db
from mailrenew.accounts.models import User
from mailrenew.accounts.service import load_actor
from mailrenew.hosting.renewables import ItemKind
from mailrenew.renewal.manual import renew_now
from mailrenew.renewal.models import AttemptTrigger


async def main(url: str, user_id: int, day: dt.date, ids: list[int]) -> int:
    await Tortoise.init(config=db.tortoise_config(url), _enable_global_fallback=True)
    try:
        actor = await load_actor(await User.get(id=user_id))
        mine = 0
        for mailbox_id in ids:
            attempt = await renew_now(actor, ItemKind.MAILBOX, mailbox_id, f"race-{mailbox_id}", today=day)
            mine += attempt.trigger == AttemptTrigger.MANUAL
        return mine
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    url, user_id, day, *ids = sys.argv[1:]
    print(asyncio.run(main(url, int(user_id), dt.date.fromisoformat(day), [int(i) for i in ids])))
