"""One unexpected error in one batch does not abort the day: it is logged, recorded, and the sweep goes on."""

from __future__ import annotations

import datetime as dt

import pytest
from structlog.testing import capture_logs

from mailrenew.accounts.models import Role
from mailrenew.billing import service as billing
from mailrenew.billing.service import seed_default_prices
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from mailrenew.renewal.models import AttemptOutcome, FailureReason, RenewalAttempt
from mailrenew.renewal.sweep import run_sweep
from tests.factories import TODAY, make_domain, make_mailbox, make_org, make_user


async def test_a_failing_batch_is_recorded_as_internal_error_and_the_next_batch_renews(
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
    calls = 0

    async def debit_many_failing_once(debits: list[billing.Debit]) -> list[billing.DebitOutcome]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("injected: the first batch breaks")
        return await real_debit_many(debits)

    monkeypatch.setattr(billing, "debit_many", debit_many_failing_once)

    with capture_logs() as logs:
        report = await run_sweep(TODAY, batch_size=2)

    first, second = [b.id for b in boxes[:2]], [b.id for b in boxes[2:]]
    attempts = {a.mailbox_id: a for a in await RenewalAttempt.all()}  # type: ignore[attr-defined]
    assert sorted(attempts) == sorted(first + second)
    for box_id in first:
        assert (attempts[box_id].outcome, attempts[box_id].failure_reason) == (
            AttemptOutcome.FAILED,
            FailureReason.INTERNAL_ERROR,
        )
        assert (await Mailbox.get(id=box_id)).expires_at == TODAY + dt.timedelta(days=3)  # not renewed
    for box_id in second:
        assert attempts[box_id].outcome is AttemptOutcome.SUCCEEDED
    assert report.renewed == 2
    assert report.failed == {"INTERNAL_ERROR": 2}
    (logged,) = [e for e in logs if e["event"] == "renewal batch failed"]
    assert (logged["log_level"], logged["item_ids"], logged["kind"]) == ("error", first, "mailbox")

    # The next day, the items that failed are tried again (attempt 2 of 5) and renew.
    monkeypatch.setattr(billing, "debit_many", real_debit_many)
    again = await run_sweep(TODAY + dt.timedelta(days=1))
    assert again.renewed == 2
