"""A process that dies right after the gateway charged a card (run by tests/billing/test_reconcile.py).

Usage: python tests/charge_crash_worker.py DATABASE_URL {top-up ORG_ID USER_ID AMOUNT KEY | sweep YYYY-MM-DD}

The gateway charges (its record is written), then the process exits at once with status 9, as if killed
between the charge and the ledger credit: nothing of ours after the charge runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys

from tortoise import Tortoise

from mailrenew import db
from mailrenew.accounts.models import User
from mailrenew.accounts.service import load_actor
from mailrenew.billing import gateway
from mailrenew.billing import service as billing
from mailrenew.billing.gateway import ChargeResult, SimulatedGateway


class DiesAfterCharging(SimulatedGateway):
    async def charge(
        self, token: str, amount_cents: int, currency: str, idempotency_key: str
    ) -> ChargeResult:
        await super().charge(token, amount_cents, currency, idempotency_key)
        os._exit(9)


async def main(url: str, mode: str, args: list[str]) -> None:
    await Tortoise.init(config=db.tortoise_config(url), _enable_global_fallback=True)
    gateway.set_gateway(DiesAfterCharging())
    if mode == "top-up":
        org_id, user_id, amount, key = int(args[0]), int(args[1]), int(args[2]), args[3]
        await billing.top_up(await load_actor(await User.get(id=user_id)), org_id, amount, key)
    else:
        from mailrenew.renewal.sweep import run_sweep

        await run_sweep(dt.date.fromisoformat(args[0]))
    await Tortoise.close_connections()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
