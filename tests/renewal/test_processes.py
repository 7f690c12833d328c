"""Several OS processes, and processes killed mid-sweep: every term is still paid exactly once (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mailrenew.accounts.models import Role
from mailrenew.billing.models import CardCharge, ChargeState, GatewayCharge, LedgerEntry, LedgerKind
from mailrenew.billing.service import seed_default_prices
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from mailrenew.renewal.models import AttemptOutcome, FailureReason, RenewalAttempt
from tests.conftest import TEST_DATABASE_URL
from tests.factories import TODAY, make_card, make_domain, make_mailboxes, make_org, make_user

pytestmark = pytest.mark.postgres

CLI = Path(sys.executable).with_name("mailrenew")
PRICE = 100  # STANDARD, MONTHLY


async def _due_world(mailboxes_per_payer: int = 60) -> dict[str, object]:
    """Three payers: one rich, one that needs its card, one that can pay only a third."""
    await seed_default_prices()
    rich = await make_org(name="Rich", balance_cents=mailboxes_per_payer * PRICE)
    card = await make_org(name="Card", balance_cents=0)
    await make_card(org=card)
    poor = await make_org(name="Poor", balance_cents=(mailboxes_per_payer // 3) * PRICE)
    await make_user(roles={rich: Role.OWNER, card: Role.OWNER, poor: Role.OWNER})
    for payer in (rich, card, poor):
        domain = await make_domain(owner=payer, fqdn=f"{payer.name.lower()}.example")
        boxes = await make_mailboxes(
            domain=domain, count=mailboxes_per_payer, expires_at=TODAY + dt.timedelta(days=3)
        )
        await Mailbox.filter(id__in=[b.id for b in boxes]).update(
            auto_renew_enabled=True, auto_renew_period=RenewalPeriod.MONTHLY, auto_renew_payer_id=payer.id
        )
    return {"rich": rich, "card": card, "poor": poor, "per_payer": mailboxes_per_payer}


def _sweep(batch_size: int = 5) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": TEST_DATABASE_URL,
        "RENEWAL_BATCH_SIZE": str(batch_size),
        "SCHEDULER_ENABLED": "false",
        "TODAY": TODAY.isoformat(),  # the business day is TODAY: renew refuses a date after today
    }
    return subprocess.Popen(
        [str(CLI), "renew", "--date", TODAY.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def _assert_each_term_paid_once(world: dict[str, object]) -> None:
    per_payer = int(world["per_payer"])  # type: ignore[call-overload]
    failures = await RenewalAttempt.filter(outcome=AttemptOutcome.FAILED).values_list(
        "payer_id", "failure_reason"
    )
    poor = world["poor"].id  # type: ignore[attr-defined]
    assert sorted(set(failures)) == [(poor, FailureReason.INSUFFICIENT_FUNDS)]
    renewals = await LedgerEntry.filter(kind=LedgerKind.RENEWAL).values_list("idempotency_key", flat=True)
    assert len(renewals) == len(set(renewals))
    succeeded = await RenewalAttempt.filter(outcome=AttemptOutcome.SUCCEEDED).values_list(
        "mailbox_id", flat=True
    )
    assert len(succeeded) == len(set(succeeded)) == len(renewals)
    attempts = await RenewalAttempt.all().values_list("mailbox_id", "business_day")
    assert len(attempts) == len(set(attempts)) == 3 * per_payer  # none lost, at most one a day
    moved = await Mailbox.filter(expires_at__gt=TODAY + dt.timedelta(days=3)).count()
    assert moved == len(renewals) == 2 * per_payer + per_payer // 3
    # The card payer's day: one card charge for all its items, credited once, whoever ran or was killed.
    assert await GatewayCharge.all().count() == 1
    assert await CardCharge.filter(state=ChargeState.SUCCEEDED).count() == 1
    assert await CardCharge.exclude(state=ChargeState.SUCCEEDED).count() == 0
    assert await LedgerEntry.filter(kind=LedgerKind.TOP_UP).count() == 1


@pytest.mark.parametrize("processes", [2, 4])
async def test_concurrent_sweeps_in_separate_processes_pay_each_term_once(processes: int) -> None:
    world = await _due_world()
    running = [_sweep() for _ in range(processes)]
    for process in running:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    await _assert_each_term_paid_once(world)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_a_sweep_killed_at_a_random_point_then_restarted_renews_everything_once(seed: int) -> None:
    world = await _due_world(mailboxes_per_payer=200)
    delay = random.Random(seed).uniform(0.6, 2.4)
    victim = _sweep(batch_size=1)
    time.sleep(delay)  # noqa: ASYNC251  (the victim runs in another process; nothing to await here)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    done_before_restart = await RenewalAttempt.all().count()
    print(f"killed after {delay:.2f}s with {done_before_restart} attempts done")

    survivor = _sweep()
    _, err = survivor.communicate(timeout=120)

    assert survivor.returncode == 0, err.decode()
    assert 0 <= done_before_restart <= 3 * int(world["per_payer"])  # type: ignore[call-overload]
    await _assert_each_term_paid_once(world)


def _renew_by_hand(user_id: int, ids: list[int]) -> subprocess.Popen[bytes]:
    """Another process clicking "renew now" on each of these mailboxes, in this order."""
    env = {**os.environ, "DATABASE_URL": TEST_DATABASE_URL, "SCHEDULER_ENABLED": "false"}
    worker = Path(__file__).parent.parent / "renew_now_worker.py"
    return subprocess.Popen(
        [sys.executable, str(worker), TEST_DATABASE_URL, str(user_id), TODAY.isoformat(), *map(str, ids)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def test_renew_now_racing_the_window_in_another_process_pays_each_term_once() -> None:
    await seed_default_prices()
    org = await make_org(name="Racer", balance_cents=200 * PRICE)
    user = await make_user(roles={org: Role.OWNER})
    domain = await make_domain(owner=org, fqdn="race.example")
    boxes = await make_mailboxes(domain=domain, count=120, expires_at=TODAY + dt.timedelta(days=3))
    ids = [b.id for b in boxes]
    await Mailbox.filter(id__in=ids).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.MONTHLY, auto_renew_payer_id=org.id
    )
    by_hand = _renew_by_hand(user.id, list(reversed(ids)))
    window = _sweep(batch_size=3)
    out, err = by_hand.communicate(timeout=120)
    assert by_hand.returncode == 0, err.decode()
    _, err = window.communicate(timeout=120)
    assert window.returncode == 0, err.decode()

    manual = int(out.decode().strip())
    renewals = await LedgerEntry.filter(kind=LedgerKind.RENEWAL).values_list("idempotency_key", flat=True)
    assert len(renewals) == len(set(renewals)) == 120  # every term paid, none twice
    expected = TODAY + dt.timedelta(days=3)
    moved = await Mailbox.filter(id__in=ids).values_list("expires_at", flat=True)
    assert all(day > expected and (day - expected).days <= 31 for day in moved)  # one term each, not two
    succeeded = await RenewalAttempt.filter(outcome=AttemptOutcome.SUCCEEDED).count()
    assert succeeded == 120
    print(f"renewed by hand: {manual}, by the window: {120 - manual}")
