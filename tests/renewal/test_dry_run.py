"""The dry run and the forecast tell the truth: the same items renew and fail, for the same reasons, as the run."""

from __future__ import annotations

import datetime as dt

from mailrenew.accounts.models import Organization, Role
from mailrenew.billing.gateway import SimulatedGateway
from mailrenew.billing.models import Card, CardCharge, ChargePurpose, ChargeState, PrepaidAccount
from mailrenew.billing.service import seed_default_prices
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from mailrenew.renewal.forecast import forecast
from mailrenew.renewal.models import RenewalAttempt
from mailrenew.renewal.sweep import run_sweep
from tests.factories import TODAY, make_card, make_domain, make_mailboxes, make_org, make_user


async def _payer(name: str, *, balance: int, boxes: int, card: str | None = None) -> Organization:
    org = await make_org(name=name, balance_cents=balance)
    await make_user(roles={org: Role.OWNER})
    if card:
        await make_card(org=org, number=card)
    domain = await make_domain(
        owner=org,
        fqdn=f"{name.lower()}.example",
        auto_renew_payer=org,
        expires_at=TODAY + dt.timedelta(days=300),
    )
    made = await make_mailboxes(domain=domain, count=boxes, expires_at=TODAY + dt.timedelta(days=2))
    await Mailbox.filter(id__in=[b.id for b in made]).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.MONTHLY, auto_renew_payer_id=org.id
    )
    return org


async def _mixed_world() -> dict[str, Organization]:
    await seed_default_prices()
    world = {
        "rich": await _payer("Rich", balance=10_000, boxes=5),
        "poor": await _payer("Poor", balance=250, boxes=5),  # pays two of its five
        "card": await _payer("Card", balance=0, boxes=30, card=SimulatedGateway.SUCCEEDS),
        "declining": await _payer("Declining", balance=0, boxes=4, card=SimulatedGateway.DECLINED),
        "expired": await _payer("Expired", balance=100, boxes=3, card=SimulatedGateway.SUCCEEDS),
        "capped": await _payer("Capped", balance=0, boxes=6, card=SimulatedGateway.SUCCEEDS),
    }
    # The declining card was refused yesterday: it does not count as cover.
    token = (await Card.get(organization_id=world["declining"].id)).gateway_token
    await CardCharge.create(
        organization_id=world["declining"].id,
        idempotency_key="auto-topup:yesterday",
        purpose=ChargePurpose.AUTO_TOP_UP,
        amount_cents=2_000,
        state=ChargeState.DECLINED,
        charged_on=TODAY - dt.timedelta(days=1),
        card_token=token,
    )
    await Card.filter(organization_id=world["expired"].id).update(
        exp_year=TODAY.year, exp_month=TODAY.month - 1
    )
    await PrepaidAccount.filter(organization_id=world["capped"].id).update(monthly_top_up_cap_cents=1_000)
    return world


async def test_the_dry_run_and_the_real_run_renew_and_fail_the_same_items_for_the_same_reasons() -> None:
    world = await _mixed_world()

    dry = await run_sweep(TODAY, dry_run=True)
    predicted = {
        (p.item.kind.value, p.item.id): str(p.reason) if p.reason else "RENEWED" for p in dry.planned
    }
    names = set(dry.payer_names.values())
    real = await run_sweep(TODAY)
    attempts = await RenewalAttempt.all().values_list("mailbox_id", "failure_reason")
    happened = {("mailbox", box): str(reason) if reason else "RENEWED" for box, reason in attempts}

    assert predicted == happened
    assert (dry.renewed, dict(dry.failed)) == (real.renewed, dict(real.failed))
    assert dict(real.failed) == {
        "INSUFFICIENT_FUNDS": 3,
        "CARD_DECLINED": 4,
        "CARD_EXPIRED": 2,  # 1.00 on the account pays one of three
        "TOP_UP_CAP_REACHED": 6,
    }
    assert {org.name for org in world.values()} <= names  # payers by name


async def test_the_forecast_says_what_will_fail_and_why() -> None:
    world = await _mixed_world()

    result = await forecast(None, TODAY, 10)

    def reasons(key: str) -> set[str | None]:
        return {str(i.reason) if i.reason else None for i in result[world[key].id].items}

    assert reasons("rich") == {None}
    assert reasons("card") == {None}
    assert result[world["card"].id].card_cents == 3_000  # one top-up for the day's 30 items
    assert result[world["card"].id].covered_by_card
    assert reasons("declining") == {"CARD_DECLINED"}
    assert reasons("expired") == {None, "CARD_EXPIRED"}
    assert reasons("capped") == {"TOP_UP_CAP_REACHED"}
    assert not result[world["capped"].id].covered_by_card
