"""Money under faults: a card charged and then the process killed, or the connection cut, before the credit.

The charge is recorded ``PENDING`` before the gateway is called; reconciliation asks the gateway by key and
credits (or voids) each pending charge exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from mailrenew.accounts.models import Role
from mailrenew.billing import charges
from mailrenew.billing import service as billing
from mailrenew.billing.gateway import SimulatedGateway, set_gateway
from mailrenew.billing.models import (
    CardCharge,
    ChargeState,
    GatewayCharge,
    LedgerEntry,
    LedgerKind,
    PrepaidAccount,
)
from mailrenew.db import connection, dialect
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from mailrenew.renewal.models import AttemptOutcome, RenewalAttempt
from mailrenew.renewal.sweep import run_sweep
from tests.conftest import TEST_DATABASE_URL
from tests.factories import TODAY, make_card, make_domain, make_mailboxes, make_org, make_user

WORKER = Path(__file__).parent.parent / "charge_crash_worker.py"


async def _run_worker(*args: str) -> int:
    env = {**os.environ, "TODAY": TODAY.isoformat(), "SCHEDULER_ENABLED": "false"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(WORKER), TEST_DATABASE_URL, *args, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    assert proc.returncode == 9, err.decode()[-2000:]  # it died right after the gateway charged
    return proc.returncode


async def _ledger_agrees(org_id: int) -> None:
    account = await PrepaidAccount.get(organization_id=org_id)
    amounts = await LedgerEntry.filter(account_id=account.id).values_list("amount_cents", flat=True)
    assert sum(amounts) == account.balance_cents


async def test_a_process_killed_between_the_charge_and_the_credit_is_credited_once_by_reconciliation() -> (
    None
):
    org = await make_org(balance_cents=0)
    owner = await make_user(roles={org: Role.OWNER})
    await make_card(org=org)

    await _run_worker("top-up", str(org.id), str(owner.id), "3000", "k1")

    (pending,) = await CardCharge.all()
    assert pending.state == ChargeState.PENDING
    assert await GatewayCharge.all().count() == 1  # the card was charged
    assert await LedgerEntry.filter(kind=LedgerKind.TOP_UP).count() == 0  # and not credited

    first = await charges.reconcile(older_than=dt.timedelta(0))
    second = await charges.reconcile(older_than=dt.timedelta(0))

    assert (first.credited, second.credited) == (1, 0)
    settled = await CardCharge.get(id=pending.id)
    assert settled.state == ChargeState.SUCCEEDED
    assert settled.ledger_entry_id is not None
    assert (await PrepaidAccount.get(organization_id=org.id)).balance_cents == 3000
    assert await GatewayCharge.all().count() == 1
    await _ledger_agrees(org.id)


async def test_the_user_retrying_after_the_crash_gets_the_first_charge_credited_once() -> None:
    org = await make_org(balance_cents=0)
    owner = await make_user(roles={org: Role.OWNER})
    await make_card(org=org)
    await _run_worker("top-up", str(org.id), str(owner.id), "3000", "k1")

    from mailrenew.accounts.service import load_actor

    entry = await billing.top_up(await load_actor(owner), org.id, 3000, "k1")  # the same key, retried
    await charges.reconcile(older_than=dt.timedelta(0))

    assert entry.amount_cents == 3000
    assert await GatewayCharge.all().count() == 1
    assert await LedgerEntry.filter(kind=LedgerKind.TOP_UP).count() == 1
    await _ledger_agrees(org.id)


async def test_a_sweep_killed_after_its_card_charge_is_completed_by_the_next_run_with_that_one_charge() -> (
    None
):
    await billing.seed_default_prices()
    org = await make_org(balance_cents=0)
    await make_user(roles={org: Role.OWNER})
    await make_card(org=org)
    domain = await make_domain(owner=org, auto_renew_payer=org)
    boxes = await make_mailboxes(domain=domain, count=30, expires_at=TODAY + dt.timedelta(days=2))
    await Mailbox.filter(id__in=[b.id for b in boxes]).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.MONTHLY, auto_renew_payer_id=org.id
    )

    await _run_worker("sweep", TODAY.isoformat())
    assert await RenewalAttempt.all().count() == 0  # nothing settled: the card was charged, then the crash

    report = await run_sweep(TODAY)

    assert report.renewed == 30
    assert await GatewayCharge.all().count() == 1
    assert await CardCharge.filter(state=ChargeState.SUCCEEDED).count() == 1
    assert await RenewalAttempt.filter(outcome=AttemptOutcome.SUCCEEDED).count() == 30
    await _ledger_agrees(org.id)


async def test_a_charge_the_gateway_never_saw_is_voided_and_nothing_is_credited() -> None:
    org = await make_org(balance_cents=0)
    await CardCharge.create(
        organization_id=org.id,
        idempotency_key="topup:never-sent",
        purpose="TOP_UP",
        amount_cents=500,
        charged_on=TODAY,
        card_token="sim_tok_4242_x",
    )

    report = await charges.reconcile(older_than=dt.timedelta(0))

    assert (report.voided, report.credited) == (1, 0)
    assert (await CardCharge.get()).state == ChargeState.VOID
    assert await LedgerEntry.all().count() == 0


async def test_a_young_pending_charge_is_left_to_its_process() -> None:
    org = await make_org(balance_cents=0)
    await CardCharge.create(
        organization_id=org.id,
        idempotency_key="topup:in-flight",
        purpose="TOP_UP",
        amount_cents=500,
        charged_on=TODAY,
        card_token="sim_tok_4242_x",
    )

    report = await charges.reconcile()  # default: pending for 10 minutes at least

    assert (report.voided, report.credited) == (0, 0)
    assert (await CardCharge.get()).state == ChargeState.PENDING


class CutsTheConnection(SimulatedGateway):
    """Charges, then cuts the app's connection in the middle of the settling transaction.

    A second connection holds the charge's row lock, so the settlement (``SELECT … FOR UPDATE``) waits on it;
    PostgreSQL then terminates the waiting backend, as a network cut or a restarted server would.
    """

    def __init__(self) -> None:
        super().__init__()
        self.cut: asyncio.Task[None] | None = None

    async def charge(self, token: str, amount_cents: int, currency: str, idempotency_key: str):  # type: ignore[no-untyped-def]
        result = await super().charge(token, amount_cents, currency, idempotency_key)
        ready = asyncio.Event()
        self.cut = asyncio.create_task(self._cut_while_settling(idempotency_key, ready))
        await ready.wait()
        return result

    async def _cut_while_settling(self, key: str, ready: asyncio.Event) -> None:
        import asyncpg

        holder = await asyncpg.connect(TEST_DATABASE_URL.replace("postgres://", "postgresql://"))
        try:
            async with holder.transaction():
                await holder.execute("SELECT id FROM card_charges WHERE idempotency_key = $1 FOR UPDATE", key)
                ready.set()
                for _ in range(200):
                    waiting = await holder.fetch(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                    )
                    if waiting:
                        await holder.execute("SELECT pg_terminate_backend($1)", waiting[0]["pid"])
                        return
                    await asyncio.sleep(0.02)
        finally:
            await holder.close()


@pytest.mark.postgres
async def test_a_connection_cut_between_the_charge_and_the_credit_is_credited_once_after() -> None:
    assert dialect() == "postgres"
    org = await make_org(balance_cents=0)
    owner = await make_user(roles={org: Role.OWNER})
    await make_card(org=org)
    from mailrenew.accounts.service import load_actor

    actor = await load_actor(owner)
    cutter = CutsTheConnection()
    set_gateway(cutter)
    try:
        with pytest.raises(Exception):  # noqa: B017, PT011  (the dropped connection surfaces as a driver error)
            await billing.top_up(actor, org.id, 4000, "cut-1")
    finally:
        set_gateway(SimulatedGateway())
    assert cutter.cut is not None
    await cutter.cut
    for _ in range(5):  # the pool replaces its dead connections
        try:
            await connection().execute_query("SELECT 1")
            break
        except Exception:
            await asyncio.sleep(0.1)

    assert (await CardCharge.get()).state == ChargeState.PENDING
    assert await LedgerEntry.filter(kind=LedgerKind.TOP_UP).count() == 0

    report = await charges.reconcile(older_than=dt.timedelta(0))
    await charges.reconcile(older_than=dt.timedelta(0))

    assert report.credited == 1
    assert (await PrepaidAccount.get(organization_id=org.id)).balance_cents == 4000
    assert await LedgerEntry.filter(kind=LedgerKind.TOP_UP).count() == 1
    await _ledger_agrees(org.id)
