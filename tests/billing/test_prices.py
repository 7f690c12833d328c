"""Catalogue price changes: audited, applied to the terms renewed afterwards, never to past ledger entries;
and the CLI's simulated sweep (the real sweep rolled back, no card charged), on both engines."""

from __future__ import annotations

import datetime as dt

import pytest

from mailrenew.accounts.models import Role
from mailrenew.audit.models import AuditEvent
from mailrenew.billing.errors import InvalidAmount
from mailrenew.billing.gateway import ChargeResult, SimulatedGateway, get_gateway, set_gateway
from mailrenew.billing.models import GatewayCharge, LedgerEntry, LedgerKind, Price, Product
from mailrenew.billing.service import MAX_PRICE_CENTS, price_table, seed_default_prices, set_price
from mailrenew.cli import simulated_sweep
from mailrenew.errors import NotFound
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from mailrenew.notify.models import OutboxMessage
from mailrenew.renewal.models import RenewalAttempt
from mailrenew.renewal.sweep import run_sweep
from tests.factories import TODAY, make_card, make_domain, make_mailbox, make_org, make_user


async def test_set_price_changes_the_row_and_records_an_audit_event() -> None:
    await seed_default_prices()
    price = await set_price("MAILBOX", "STANDARD", "MONTHLY", 120)
    assert (await Price.get(id=price.id)).amount_cents == 120
    assert (await price_table())[("MAILBOX", "STANDARD", "MONTHLY")] == 120
    event = await AuditEvent.get(action="price.set")
    assert (event.actor_id, event.organization_id, event.target_type, event.target_id) == (
        None,
        None,
        "price",
        price.id,
    )
    assert event.before == {"amount_cents": 100, "currency": "EUR"}
    assert event.after == {
        "product": "MAILBOX",
        "offer": "STANDARD",
        "period": "MONTHLY",
        "amount_cents": 120,
        "currency": "EUR",
    }


async def test_set_price_creates_a_missing_catalogue_row() -> None:
    price = await set_price("DOMAIN", "", "YEARLY", 1800)
    assert (price.product, price.offer, price.period, price.amount_cents) == (
        Product.DOMAIN,
        "",
        "YEARLY",
        1800,
    )
    assert (await AuditEvent.get(action="price.set")).before is None


@pytest.mark.parametrize("cents", [0, -1, MAX_PRICE_CENTS + 1])
async def test_set_price_refuses_bad_amounts(cents: int) -> None:
    await seed_default_prices()
    with pytest.raises(InvalidAmount):
        await set_price("MAILBOX", "STANDARD", "MONTHLY", cents)
    assert (await Price.get(product="MAILBOX", offer="STANDARD", period="MONTHLY")).amount_cents == 100
    assert await AuditEvent.all().count() == 0


async def test_set_price_refuses_what_the_catalogue_does_not_sell() -> None:
    await seed_default_prices()
    with pytest.raises(NotFound):
        await set_price("DOMAIN", "", "MONTHLY", 100)
    assert await Price.all().count() == 5
    assert await AuditEvent.all().count() == 0


async def test_a_new_price_applies_to_the_next_renewal_only() -> None:
    await seed_default_prices()
    org = await make_org(balance_cents=10_000)
    await make_user(roles={org: Role.OWNER})
    domain = await make_domain(owner=org, auto_renew_payer=org, expires_at=TODAY + dt.timedelta(days=300))
    first = await make_mailbox(
        domain=domain, expires_at=TODAY + dt.timedelta(days=1), period=RenewalPeriod.MONTHLY, payer=org
    )
    second = await make_mailbox(
        domain=domain, expires_at=TODAY + dt.timedelta(days=6), period=RenewalPeriod.MONTHLY, payer=org
    )
    await make_mailbox(domain=domain, expires_at=TODAY + dt.timedelta(days=30))  # not renewed: no period

    old = await run_sweep(TODAY)  # the window (1 to 5 days ahead) reaches the first only
    assert (old.renewed, old.charged_cents) == (1, 100)
    [before] = await LedgerEntry.filter(kind=LedgerKind.RENEWAL).values()

    await set_price("MAILBOX", "STANDARD", "MONTHLY", 120)
    new = await run_sweep(TODAY + dt.timedelta(days=1))

    assert (new.renewed, new.charged_cents) == (1, 120)
    rows = await LedgerEntry.filter(kind=LedgerKind.RENEWAL).order_by("id").values()
    assert rows[0] == before  # the past entry is untouched
    assert before["amount_cents"] == -100
    assert str(before["idempotency_key"]).startswith(f"renewal:mailbox:{first.id}:")
    assert rows[1]["amount_cents"] == -120
    assert str(rows[1]["idempotency_key"]).startswith(f"renewal:mailbox:{second.id}:")


async def _state() -> tuple[object, ...]:
    return (
        await LedgerEntry.all().count(),
        await RenewalAttempt.all().count(),
        await OutboxMessage.all().count(),
        await GatewayCharge.all().count(),
        await AuditEvent.all().count(),
        sorted(await Mailbox.all().values_list("id", "expires_at", "status")),
        sorted(await LedgerEntry.all().values_list("id", "amount_cents")),
    )


async def test_the_simulated_sweep_renews_in_a_transaction_it_rolls_back_and_charges_no_card() -> None:
    await seed_default_prices()
    rich = await make_org(balance_cents=10_000)
    broke = await make_org(balance_cents=0)  # renewed only through a card top-up
    await make_card(org=broke, auto_top_up=True)
    for org in (rich, broke):
        await make_user(roles={org: Role.OWNER})
        domain = await make_domain(owner=org, auto_renew_payer=org, expires_at=TODAY + dt.timedelta(days=300))
        await make_mailbox(
            domain=domain, expires_at=TODAY + dt.timedelta(days=3), period=RenewalPeriod.YEARLY, payer=org
        )
    before = await _state()
    real = get_gateway()
    spy = SpyGateway()
    set_gateway(spy)
    try:
        report = await simulated_sweep(TODAY, batch_size=100)
        assert get_gateway() is spy  # the operator's gateway is back
    finally:
        set_gateway(real)

    assert (report.renewed, report.failed_total) == (2, 0)
    assert report.charged_cents == 2000
    assert spy.charges == 0  # the card top-up was answered without reaching the gateway
    assert await _state() == before


class SpyGateway(SimulatedGateway):
    def __init__(self) -> None:
        super().__init__()
        self.charges = 0

    async def charge(
        self, token: str, amount_cents: int, currency: str, idempotency_key: str
    ) -> ChargeResult:
        self.charges += 1
        return await super().charge(token, amount_cents, currency, idempotency_key)
