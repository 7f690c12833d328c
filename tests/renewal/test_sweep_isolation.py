"""One unexpected error does not abort the day: it is logged with the item ids, only the item at fault is
recorded as INTERNAL_ERROR, and the sweep goes on."""

from __future__ import annotations

import datetime as dt

import pytest
from structlog.testing import capture_logs

from mailrenew.accounts.models import Role
from mailrenew.billing import service as billing
from mailrenew.billing.service import seed_default_prices
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from mailrenew.renewal.calendar import next_term_end
from mailrenew.renewal.models import AttemptOutcome, FailureReason, RenewalAttempt
from mailrenew.renewal.sweep import run_sweep
from tests.factories import TODAY, make_domain, make_mailbox, make_org, make_user


async def test_an_item_that_breaks_its_batch_is_recorded_as_internal_error_and_the_rest_renew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await seed_default_prices()
    org = await make_org(balance_cents=100_000)
    await make_user(roles={org: Role.OWNER})
    domain = await make_domain(owner=org, expires_at=TODAY + dt.timedelta(days=300))
    boxes = [
        await make_mailbox(
            domain=domain,
            local_part=f"box{n}",
            expires_at=TODAY + dt.timedelta(days=3),
            period=RenewalPeriod.YEARLY,
            payer=org,
        )
        for n in range(4)
    ]
    real_debit_many = billing.debit_many
    faulty = boxes[0]

    async def debit_many_failing_on_one(debits: list[billing.Debit]) -> list[billing.DebitOutcome]:
        if any(d.key.startswith(f"renewal:mailbox:{faulty.id}:") for d in debits):
            raise RuntimeError("injected: one item breaks its batch")
        return await real_debit_many(debits)

    monkeypatch.setattr(billing, "debit_many", debit_many_failing_on_one)

    with capture_logs() as logs:
        report = await run_sweep(TODAY, batch_size=2)

    attempts = {a.mailbox_id: a for a in await RenewalAttempt.all()}
    assert sorted(attempts) == sorted(b.id for b in boxes)
    assert (attempts[faulty.id].outcome, attempts[faulty.id].failure_reason) == (
        AttemptOutcome.FAILED,
        FailureReason.INTERNAL_ERROR,
    )
    assert (await Mailbox.get(id=faulty.id)).expires_at == TODAY + dt.timedelta(days=3)  # not renewed
    for box in boxes[1:]:  # its batch neighbour included: settled again on its own
        assert attempts[box.id].outcome is AttemptOutcome.SUCCEEDED
        assert (await Mailbox.get(id=box.id)).expires_at == next_term_end(
            box.expires_at, RenewalPeriod.YEARLY
        )
    assert (report.renewed, report.failed) == (3, {"INTERNAL_ERROR": 1})
    failures = [e for e in logs if e["event"] == "renewal batch failed"]
    assert [(e["log_level"], e["kind"], e["item_ids"]) for e in failures] == [
        ("error", "mailbox", [boxes[0].id, boxes[1].id]),  # the batch
        ("error", "mailbox", [faulty.id]),  # then the item at fault, alone
    ]

    # The next day, the item that failed is tried again (attempt 2 of 5) and renews.
    monkeypatch.setattr(billing, "debit_many", real_debit_many)
    again = await run_sweep(TODAY + dt.timedelta(days=1))
    assert again.renewed == 1
