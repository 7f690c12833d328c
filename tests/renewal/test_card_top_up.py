"""One card charge per payer and day: the shortfall, at least the minimum top-up, within the monthly cap."""

from __future__ import annotations

import datetime as dt

import pytest

from mailrenew.accounts.models import Organization, Role
from mailrenew.billing.gateway import SimulatedGateway
from mailrenew.billing.models import (
    CardCharge,
    ChargePurpose,
    ChargeState,
    GatewayCharge,
    LedgerEntry,
    LedgerKind,
    PrepaidAccount,
)
from mailrenew.billing.service import seed_default_prices
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from mailrenew.notify.models import MessageKind, OutboxMessage
from mailrenew.renewal.models import AttemptOutcome, FailureReason, RenewalAttempt
from mailrenew.renewal.sweep import run_sweep
from tests.factories import TODAY, make_card, make_domain, make_mailboxes, make_org, make_user

MONTHLY = 100  # STANDARD, MONTHLY
LAST_MONTH = TODAY.replace(day=1) - dt.timedelta(days=1)


async def _payer(
    *, balance: int = 0, count: int, expires_in: int = 3, card: str | None = SimulatedGateway.SUCCEEDS
) -> tuple[Organization, list[Mailbox]]:
    await seed_default_prices()
    org = await make_org(name="Card payer", balance_cents=balance)
    await make_user(roles={org: Role.OWNER})
    await make_user(roles={org: Role.BILLING})
    if card:
        await make_card(org=org, number=card)
    boxes = await _due_boxes(
        org, "payer.example", count=count, expires_at=TODAY + dt.timedelta(days=expires_in)
    )
    return org, boxes


async def _due_boxes(org: Organization, fqdn: str, *, count: int, expires_at: dt.date) -> list[Mailbox]:
    """``count`` monthly mailboxes on auto-renewal paid by ``org``, on a domain of its own."""
    domain = await make_domain(
        owner=org, fqdn=fqdn, auto_renew_payer=org, expires_at=TODAY + dt.timedelta(days=400)
    )
    boxes = await make_mailboxes(domain=domain, count=count, expires_at=expires_at)
    await Mailbox.filter(id__in=[b.id for b in boxes]).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.MONTHLY, auto_renew_payer_id=org.id
    )
    return boxes


async def _set_policy(org: Organization, *, minimum: int = 2000, cap: int | None = None) -> None:
    await PrepaidAccount.filter(organization_id=org.id).update(
        min_top_up_cents=minimum, monthly_top_up_cap_cents=cap
    )


async def _balance(org: Organization) -> int:
    return (await PrepaidAccount.get(organization_id=org.id)).balance_cents


async def test_250_due_items_of_one_payer_make_one_card_charge() -> None:
    org, _boxes = await _payer(balance=0, count=250)

    report = await run_sweep(TODAY, batch_size=50)

    assert report.renewed == 250
    charges = await GatewayCharge.all()
    assert [c.amount_cents for c in charges] == [250 * MONTHLY]
    (row,) = await CardCharge.all()
    assert (row.state, row.purpose, row.charged_on) == (
        ChargeState.SUCCEEDED,
        ChargePurpose.AUTO_TOP_UP,
        TODAY,
    )
    assert row.idempotency_key == f"auto-topup:{org.id}:{TODAY.isoformat()}"
    top_ups = await LedgerEntry.filter(kind=LedgerKind.TOP_UP)
    assert [(e.amount_cents, e.id) for e in top_ups] == [(250 * MONTHLY, row.ledger_entry_id)]
    assert await _balance(org) == 0


async def test_the_charge_is_the_shortfall_only_what_the_balance_lacks() -> None:
    org, _ = await _payer(balance=5_000, count=100)  # 100.00 due, 50.00 on the account

    await run_sweep(TODAY, batch_size=30)

    assert await GatewayCharge.all().values_list("amount_cents", flat=True) == [5_000]
    assert await RenewalAttempt.filter(outcome=AttemptOutcome.SUCCEEDED).count() == 100
    assert await _balance(org) == 0


async def test_a_small_shortfall_charges_the_minimum_top_up_and_the_rest_stays_on_the_account() -> None:
    org, _ = await _payer(balance=50, count=3)  # 3.00 due, 0.50 on the account
    await _set_policy(org, minimum=2_500)

    await run_sweep(TODAY)

    assert await GatewayCharge.all().values_list("amount_cents", flat=True) == [2_500]
    assert await _balance(org) == 50 + 2_500 - 3 * MONTHLY


async def test_a_second_sweep_of_the_same_day_charges_nothing_more() -> None:
    _org, _ = await _payer(balance=0, count=20)

    await run_sweep(TODAY)
    again = await run_sweep(TODAY)

    assert again.renewed == again.failed_total == 0
    assert await GatewayCharge.all().count() == 1
    assert await CardCharge.all().count() == 1


async def test_the_monthly_cap_refuses_a_charge_past_it_and_tells_the_payer() -> None:
    org, _ = await _payer(balance=0, count=25)  # 25.00 on day one
    await _set_policy(org, minimum=2_000, cap=4_000)

    await run_sweep(TODAY)
    assert await GatewayCharge.all().values_list("amount_cents", flat=True) == [2_500]

    # More items fall due two days later in the same month: 25.00 more would pass the 40.00 cap.
    await _due_boxes(org, "later.example", count=25, expires_at=TODAY + dt.timedelta(days=5))
    day_two = TODAY + dt.timedelta(days=2)
    report = await run_sweep(day_two)

    assert report.failed == {str(FailureReason.TOP_UP_CAP_REACHED): 25}
    assert await GatewayCharge.all().count() == 1  # nothing charged past the cap
    notices = await OutboxMessage.filter(kind=MessageKind.TOP_UP_CAP_REACHED).values_list(
        "dedupe_key", flat=True
    )
    assert len(notices) == 2  # the OWNER and the BILLING member, once each
    assert await _balance(org) == 0


@pytest.mark.parametrize(("earlier_on", "refused"), [(TODAY.replace(day=1), True), (LAST_MONTH, False)])
async def test_the_cap_counts_the_automatic_top_ups_of_the_calendar_month(
    earlier_on: dt.date, refused: bool
) -> None:
    org, _ = await _payer(balance=0, count=25)  # 25.00 due
    await _set_policy(org, cap=3_000)
    await CardCharge.create(
        organization_id=org.id,
        idempotency_key="auto-topup:earlier",
        purpose=ChargePurpose.AUTO_TOP_UP,
        amount_cents=2_000,
        state=ChargeState.SUCCEEDED,
        charged_on=earlier_on,
        card_token="sim_tok_4242_earlier",
    )

    report = await run_sweep(TODAY)

    if refused:  # 20.00 already this month + 25.00 > 30.00
        assert report.failed == {str(FailureReason.TOP_UP_CAP_REACHED): 25}
        assert await GatewayCharge.all().count() == 0
    else:
        assert report.renewed == 25
        assert await GatewayCharge.all().values_list("amount_cents", flat=True) == [2_500]


async def test_a_declined_card_fails_every_item_of_the_day_with_one_attempt_at_the_gateway() -> None:
    _org, _ = await _payer(balance=0, count=10, card=SimulatedGateway.DECLINED)

    report = await run_sweep(TODAY)

    assert report.failed == {str(FailureReason.CARD_DECLINED): 10}
    assert await GatewayCharge.all().count() == 1
    assert (await CardCharge.get()).state == ChargeState.DECLINED
    assert await LedgerEntry.filter(kind=LedgerKind.TOP_UP).count() == 0


async def test_a_card_without_funds_is_told_apart_from_a_declined_card() -> None:
    await _payer(balance=0, count=2, card=SimulatedGateway.INSUFFICIENT)

    report = await run_sweep(TODAY)

    assert report.failed == {str(FailureReason.CARD_INSUFFICIENT_FUNDS): 2}


async def test_items_the_balance_covers_renew_without_touching_the_card() -> None:
    await _payer(balance=10 * MONTHLY, count=10)

    await run_sweep(TODAY)

    assert await GatewayCharge.all().count() == 0
    assert await CardCharge.all().count() == 0
