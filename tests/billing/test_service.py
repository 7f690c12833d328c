"""Billing: top-ups, cards, debits; every movement a ledger entry, never below zero, never twice."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailrenew.accounts.models import Role
from mailrenew.accounts.service import load_actor
from mailrenew.billing import service as billing
from mailrenew.billing.errors import (
    CardDeclined,
    CardExpired,
    CardInsufficientFunds,
    IdempotencyKeyReused,
    InvalidAmount,
    NoCard,
)
from mailrenew.billing.gateway import SimulatedGateway
from mailrenew.billing.models import Card, GatewayCharge, LedgerEntry, LedgerKind, PrepaidAccount
from mailrenew.db import atomic, connection
from mailrenew.errors import InvalidInput, NotAllowed, NotFound
from tests.factories import TODAY, make_card, make_org, make_user


async def _payer(role: Role = Role.BILLING, *, balance: int = 0, card: str | None = "4242424242424242"):
    org = await make_org(balance_cents=balance)
    if card:
        await make_card(org=org, number=card)
    actor = await load_actor(await make_user(roles={org: role}))
    return org, actor


async def _balance(org) -> int:
    return (await PrepaidAccount.get(organization=org)).balance_cents


async def test_top_up_charges_the_card_once_per_key() -> None:
    org, actor = await _payer(balance=100)

    first = await billing.top_up(actor, org.id, 2500, "order-1")
    again = await billing.top_up(actor, org.id, 2500, "order-1")

    assert first.id == again.id
    assert (first.kind, first.amount_cents, first.balance_after_cents) == (LedgerKind.TOP_UP, 2500, 2600)
    assert await _balance(org) == 2600
    assert await GatewayCharge.all().count() == 1


async def test_a_reused_key_with_another_amount_is_refused_and_changes_nothing() -> None:
    org, actor = await _payer()
    await billing.top_up(actor, org.id, 1000, "k")
    with pytest.raises(IdempotencyKeyReused):
        await billing.top_up(actor, org.id, 2000, "k")
    assert await _balance(org) == 1000
    assert await GatewayCharge.all().count() == 1


@pytest.mark.parametrize("amount", [0, -5, billing.MAX_TOP_UP_CENTS + 1])
async def test_bad_amounts_are_refused(amount: int) -> None:
    org, actor = await _payer()
    with pytest.raises(InvalidAmount):
        await billing.top_up(actor, org.id, amount, "k")
    assert await LedgerEntry.filter(kind=LedgerKind.TOP_UP).count() == 0


async def test_top_up_needs_a_card_and_a_paying_role() -> None:
    org, actor = await _payer(card=None)
    with pytest.raises(NoCard):
        await billing.top_up(actor, org.id, 1000, "k")
    for role in (Role.ADMIN, Role.MEMBER):
        other, admin = await _payer(role)
        with pytest.raises(NotAllowed):
            await billing.top_up(admin, other.id, 1000, "k")
    stranger = await make_org()
    with pytest.raises(NotFound):
        await billing.top_up(actor, stranger.id, 1000, "k")
    assert await GatewayCharge.all().count() == 0


@pytest.mark.parametrize(
    ("number", "error"),
    [(SimulatedGateway.DECLINED, CardDeclined), (SimulatedGateway.INSUFFICIENT, CardInsufficientFunds)],
)
async def test_a_refused_card_credits_nothing(number: str, error: type[Exception]) -> None:
    org, actor = await _payer(card=number)
    with pytest.raises(error):
        await billing.top_up(actor, org.id, 1000, "k")
    assert await _balance(org) == 0
    assert await LedgerEntry.filter(kind=LedgerKind.TOP_UP).count() == 0


async def test_an_expired_card_is_not_charged() -> None:
    org, actor = await _payer(card=None)
    await billing.attach_card(
        org,
        brand="VISA",
        last4="4242",
        exp_month=2,
        exp_year=TODAY.year,
        gateway_token="sim_tok_4242_x",
        auto_top_up=True,
    )
    with pytest.raises(CardExpired):
        await billing.top_up(actor, org.id, 1000, "k", today=TODAY)
    assert await GatewayCharge.all().count() == 0
    assert await _balance(org) == 0


@pytest.mark.parametrize(
    ("exp_month", "exp_year", "expired"),
    [
        (2, TODAY.year, True),
        (12, TODAY.year - 1, True),
        (TODAY.month, TODAY.year, False),
        (1, TODAY.year + 1, False),
    ],
)
def test_a_card_is_valid_through_the_end_of_its_expiry_month(
    exp_month: int, exp_year: int, expired: bool
) -> None:
    card = Card(exp_month=exp_month, exp_year=exp_year)
    assert billing.card_expired(card, TODAY) is expired


async def test_a_lost_answer_is_retried_with_the_same_key() -> None:
    org, actor = await _payer()
    gateway = billing.get_gateway()
    assert isinstance(gateway, SimulatedGateway)
    gateway.lose_answers = 2
    entry = await billing.top_up(actor, org.id, 1500, "k")
    assert entry.amount_cents == 1500
    assert await GatewayCharge.all().count() == 1
    assert await _balance(org) == 1500


async def test_register_card_keeps_brand_last4_expiry_and_token_only() -> None:
    org, actor = await _payer(card=None)
    number = "4242 4242 4242 4242"

    card = await billing.register_card(
        actor, org.id, billing.CardInput(number, 11, TODAY.year + 1, "123", auto_top_up=True), today=TODAY
    )

    assert (card.brand, card.last4, card.exp_month, card.auto_top_up) == ("VISA", "4242", 11, True)
    row = (await connection().execute_query_dict("SELECT * FROM cards"))[0]
    assert all("4242424242424242" not in str(value) and str(value) != "123" for value in row.values())


@pytest.mark.parametrize(
    ("number", "month", "year", "code"),
    [("4242424242424241", 1, 2030, "CARD_INVALID"), ("4242424242424242", 1, 2020, "CARD_EXPIRED")],
)
async def test_a_bad_card_is_refused(number: str, month: int, year: int, code: str) -> None:
    org, actor = await _payer(card=None)
    with pytest.raises(InvalidInput) as refused:
        await billing.register_card(actor, org.id, billing.CardInput(number, month, year, "123"), today=TODAY)
    assert refused.value.code == code
    assert await Card.all().count() == 0


async def test_concurrent_debits_never_go_below_zero() -> None:
    org = await make_org(balance_cents=1000)

    async def debit(n: int) -> bool:
        async with atomic():
            (outcome,) = await billing.debit_many([billing.Debit(org.id, 300, f"d{n}", "test")])
        return outcome.paid

    paid = await asyncio.gather(*(debit(n) for n in range(10)))

    assert sum(paid) == 3
    assert await _balance(org) == 100


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("credit"), st.integers(1, 5000)),
            st.tuples(st.just("debit"), st.integers(0, 5000)),
            st.tuples(st.just("replay"), st.integers(0, 5000)),
        ),
        max_size=25,
    )
)
async def test_any_sequence_of_top_ups_renewals_and_failures_keeps_the_ledger_exact(steps) -> None:
    org = await make_org(balance_cents=0)
    expected, keys = 0, []
    for n, (kind, amount) in enumerate(steps):
        if kind == "credit":
            key = f"c{org.id}-{n}"
            await billing.credit(org.id, amount, key=key, kind=LedgerKind.TOP_UP, reference="t")
            keys.append((key, amount))
            expected += amount
        elif kind == "debit":
            async with atomic():
                (outcome,) = await billing.debit_many([billing.Debit(org.id, amount, f"d{org.id}-{n}", "r")])
            if amount <= expected:
                assert outcome.paid
                expected -= amount
            else:
                assert not outcome.paid
        elif keys:  # a retried credit never credits twice
            key, first_amount = keys[amount % len(keys)]
            await billing.credit(org.id, first_amount, key=key, kind=LedgerKind.TOP_UP, reference="t")
        balance = await _balance(org)
        ledger = sum(
            await LedgerEntry.filter(account__organization=org).values_list("amount_cents", flat=True)
        )
        assert balance == ledger == expected >= 0
