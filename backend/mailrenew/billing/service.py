"""Billing: the catalogue, prepaid accounts, cards and top-ups.

Balances change only through ``billing.ledger``; card charges go through ``billing.charges`` (recorded before
the gateway is called, outside any transaction, each with its own idempotency key).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

from tortoise.expressions import Q

from mailrenew import audit
from mailrenew.accounts.access import Action, Actor
from mailrenew.accounts.models import Organization
from mailrenew.billing import charges
from mailrenew.billing.errors import (
    CardDeclined,
    CardExpired,
    CardInsufficientFunds,
    GatewayUnavailable,
    IdempotencyKeyReused,
    InvalidAmount,
    NoCard,
)
from mailrenew.billing.gateway import CardRejected, GatewayError, get_gateway
from mailrenew.billing.ledger import Debit, DebitOutcome, credit, debit_many, open_account
from mailrenew.billing.models import (
    Card,
    ChargePurpose,
    ChargeState,
    LedgerEntry,
    PrepaidAccount,
    Price,
    Product,
)
from mailrenew.config import business_today
from mailrenew.db import SQLParams, atomic, connection
from mailrenew.errors import InvalidInput, NotAllowed, NotFound
from mailrenew.notify import service as notify
from mailrenew.notify.models import MessageKind

__all__ = ["Debit", "DebitOutcome", "credit", "debit_many", "open_account"]  # the ledger, as billing's API

MAX_TOP_UP_CENTS = 1_000_000  # 10,000.00 per top-up
CARD_EXPIRING_NOTICE_DAYS = 30  # tell the payer this many days before its card's last valid day

DEFAULT_PRICES: list[tuple[Product, str, str, int]] = [
    (Product.MAILBOX, "STANDARD", "MONTHLY", 100),
    (Product.MAILBOX, "STANDARD", "YEARLY", 1000),
    (Product.MAILBOX, "PREMIUM", "MONTHLY", 500),
    (Product.MAILBOX, "PREMIUM", "YEARLY", 5000),
    (Product.DOMAIN, "", "YEARLY", 1500),
]


# --- catalogue ----------------------------------------------------------------------------------


async def seed_default_prices() -> int:
    """Insert the default catalogue prices that are missing; prices operators changed are kept."""
    created = 0
    for product, offer, period, cents in DEFAULT_PRICES:
        _, was_created = await Price.get_or_create(
            product=product, offer=offer, period=period, defaults={"amount_cents": cents, "currency": "EUR"}
        )
        created += was_created
    return created


async def price_table() -> dict[tuple[str, str, str], int]:
    """(product, offer, period) → cents, read once per sweep or request."""
    rows = await Price.all().values_list("product", "offer", "period", "amount_cents")
    return {(str(p), o, str(per)): cents for p, o, per, cents in rows}


MAX_PRICE_CENTS = 10_000_000  # 100,000.00


def catalogue_keys() -> list[tuple[str, str, str]]:
    """The (product, offer, period) the catalogue prices, in the catalogue's order."""
    return [(str(product), offer, period) for product, offer, period, _ in DEFAULT_PRICES]


async def set_price(product: str, offer: str, period: str, amount_cents: int) -> Price:
    """Change one catalogue price, audited (``price.set``), in one transaction.

    Terms renewed from now on pay the new price (each sweep reads ``price_table()`` once); ledger entries
    already written never change.
    """
    if not 0 < amount_cents <= MAX_PRICE_CENTS:
        raise InvalidAmount(field="amount", max=MAX_PRICE_CENTS)
    if (product, offer, period) not in catalogue_keys():
        raise NotFound(field="price")
    async with atomic():
        price = await Price.filter(product=product, offer=offer, period=period).select_for_update().first()
        before = None if price is None else {"amount_cents": price.amount_cents, "currency": price.currency}
        if price is None:
            price = await Price.create(
                product=Product(product), offer=offer, period=period, amount_cents=amount_cents
            )
        else:
            price.amount_cents = amount_cents
            await price.save(update_fields=["amount_cents", "updated_at"])
        await audit.record(
            actor_id=None,
            organization_id=None,
            action="price.set",
            target_type="price",
            target_id=price.id,
            before=before,
            after={
                "product": product,
                "offer": offer,
                "period": period,
                "amount_cents": amount_cents,
                "currency": price.currency,
            },
        )
    return price


# --- cards and top-ups --------------------------------------------------------------------------


@dataclass(frozen=True)
class CardInput:
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    auto_top_up: bool = False


async def register_card(actor: Actor, organization_id: int, card: CardInput, *, today: dt.date) -> Card:
    """Tokenize through the gateway and keep brand, last 4, expiry and token only (replaces the old card)."""
    _require(actor, Action.PAY, organization_id)
    try:
        tokenized = await get_gateway().tokenize(
            card.number, card.exp_month, card.exp_year, card.cvc, today=today
        )
    except CardRejected as exc:
        raise InvalidInput(exc.code, field="card_number") from None
    except GatewayError:
        raise GatewayUnavailable() from None
    organization = await Organization.get(id=organization_id)
    return await attach_card(
        organization,
        brand=tokenized.brand,
        last4=tokenized.last4,
        exp_month=tokenized.exp_month,
        exp_year=tokenized.exp_year,
        gateway_token=tokenized.token,
        auto_top_up=card.auto_top_up,
    )


async def attach_card(
    organization: Organization,
    *,
    brand: str,
    last4: str,
    exp_month: int,
    exp_year: int,
    gateway_token: str,
    auto_top_up: bool,
) -> Card:
    if len(last4) != 4 or not last4.isdigit():
        raise InvalidInput(field="last4")
    card, _ = await Card.update_or_create(
        organization=organization,
        defaults={
            "brand": brand,
            "last4": last4,
            "exp_month": exp_month,
            "exp_year": exp_year,
            "gateway_token": gateway_token,
            "auto_top_up": auto_top_up,
        },
    )
    return card


async def set_auto_top_up(actor: Actor, organization_id: int, enabled: bool) -> Card:
    _require(actor, Action.PAY, organization_id)
    card = await Card.get_or_none(organization_id=organization_id)
    if card is None:
        raise NoCard(field="organization")
    card.auto_top_up = enabled
    await card.save(update_fields=["auto_top_up"])
    return card


async def card_of(organization_id: int) -> Card | None:
    return await Card.get_or_none(organization_id=organization_id)


async def cards_with_auto_top_up(organization_ids: Sequence[int]) -> set[int]:
    """The organizations among these whose registered card tops up automatically."""
    if not organization_ids:
        return set()
    rows = await Card.filter(organization_id__in=list(organization_ids), auto_top_up=True).values_list(
        "organization_id", flat=True
    )
    return set(cast("list[int]", rows))  # values_list(flat=True) is typed as tuples


class CardProblem(StrEnum):
    """Why a payer's card will not top up its account automatically."""

    NO_CARD = "NO_CARD"  # no card, or automatic top-up off
    EXPIRED = "EXPIRED"
    DECLINED = "DECLINED"  # its last charge was declined
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"  # its last charge was refused for lack of funds


@dataclass(frozen=True)
class Standing:
    """What a payer can spend: its prepaid balance and what its card will top up automatically."""

    balance_cents: int
    min_top_up_cents: int = 2000
    cap_cents: int | None = None  # the monthly cap on automatic top-ups
    auto_charged_cents: int = 0  # automatic top-ups charged in the month asked about
    card_auto_top_up: bool = False
    card_expires: tuple[int, int] | None = None  # (year, month): valid through the end of that month
    card_last_refusal: CardProblem | None = None

    @property
    def card_tops_up(self) -> bool:
        return self.card_auto_top_up

    def card_problem(self, day: dt.date) -> CardProblem | None:
        """Why the card would not cover a shortfall on ``day`` (None: it is expected to)."""
        if not self.card_auto_top_up or self.card_expires is None:
            return CardProblem.NO_CARD
        if self.card_expires < (day.year, day.month):
            return CardProblem.EXPIRED
        return self.card_last_refusal

    def top_up_for(self, shortfall_cents: int) -> int:
        """What an automatic top-up charges for this shortfall: at least the minimum."""
        return max(shortfall_cents, self.min_top_up_cents)

    def cap_allows(self, amount_cents: int, already_cents: int) -> bool:
        return self.cap_cents is None or already_cents + amount_cents <= self.cap_cents


_REFUSALS = {
    str(ChargeState.DECLINED): CardProblem.DECLINED,
    str(ChargeState.INSUFFICIENT_FUNDS): CardProblem.INSUFFICIENT_FUNDS,
}


async def standing_of(organization_ids: Sequence[int], day: dt.date | None = None) -> dict[int, Standing]:
    """Each organization's balance, top-up policy and card (one statement; an empty standing if none).

    ``auto_charged_cents`` counts the automatic top-ups of ``day``'s month (default: the business day's);
    ``card_last_refusal`` is the refusal of the current card's last settled charge, if it was refused.
    """
    if not organization_ids:
        return {}
    first, after = charges.month_of(day or business_today())
    p = SQLParams()
    rows = await connection().execute_query_dict(
        "SELECT a.organization_id, a.balance_cents, a.min_top_up_cents, a.monthly_top_up_cap_cents, "
        "c.auto_top_up, c.exp_year, c.exp_month, "
        "(SELECT ch.state FROM card_charges ch WHERE ch.organization_id = a.organization_id "
        f"AND ch.card_token = c.gateway_token AND ch.state NOT IN ({p('PENDING')}, {p('VOID')}) "
        "ORDER BY ch.id DESC LIMIT 1) AS last_state, "
        "(SELECT COALESCE(SUM(ch.amount_cents), 0) FROM card_charges ch WHERE ch.organization_id = "
        f"a.organization_id AND ch.purpose = {p('AUTO_TOP_UP')} AND ch.state IN ({p('PENDING')}, "
        f"{p('SUCCEEDED')}) AND ch.charged_on >= {p(first)} AND ch.charged_on < {p(after)}) AS month_cents "
        "FROM prepaid_accounts a LEFT JOIN cards c ON c.organization_id = a.organization_id "
        f"WHERE a.organization_id IN ({p.many(list(organization_ids))})",
        p.values,
    )
    found = {
        r["organization_id"]: Standing(
            balance_cents=r["balance_cents"],
            min_top_up_cents=r["min_top_up_cents"],
            cap_cents=r["monthly_top_up_cap_cents"],
            auto_charged_cents=int(r["month_cents"] or 0),
            card_auto_top_up=bool(r["auto_top_up"]),
            card_expires=None if r["exp_year"] is None else (r["exp_year"], r["exp_month"]),
            card_last_refusal=_REFUSALS.get(r["last_state"]),
        )
        for r in rows
    }
    return {org: found.get(org, Standing(0)) for org in organization_ids}


def card_expired(card: Card, day: dt.date) -> bool:
    """Whether the card's expiry (valid through the end of its month) is before this business day."""
    return (card.exp_year, card.exp_month) < (day.year, day.month)


def card_last_day(card: Card) -> dt.date:
    """The last day a card is valid: the end of its expiry month."""
    return dt.date(card.exp_year, card.exp_month, calendar.monthrange(card.exp_year, card.exp_month)[1])


def _months_ending_within(day: dt.date, days: int) -> list[tuple[int, int]]:
    """The (year, month) whose last day falls in ``day`` … ``day + days``."""
    months, year, month = [], day.year, day.month
    while dt.date(year, month, calendar.monthrange(year, month)[1]) <= day + dt.timedelta(days=days):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


async def cards_expiring(day: dt.date) -> int:
    """Tell each organization whose card stops being valid within 30 days, once per card and expiry month.

    Run daily: the first run from 30 days before the card's last day queues the notice (a run missed is caught
    up the next day), the dedupe key keeps later runs from queuing it again. Returns how many messages are new.
    """
    months = _months_ending_within(day, CARD_EXPIRING_NOTICE_DAYS)
    if not months:
        return 0
    which = Q(*(Q(exp_year=year, exp_month=month) for year, month in months), join_type=Q.OR)
    notices = [
        notify.Notice(
            MessageKind.CARD_EXPIRING,
            card.organization_id,
            f"card_expiring:{card.organization_id}:{card.exp_year:04d}-{card.exp_month:02d}",
            {
                "item": f"{card.brand} •••• {card.last4}",
                "item_type": "card",
                "expires_on": card_last_day(card),
                "auto_top_up": card.auto_top_up,
            },
        )
        for card in await Card.filter(which).order_by("organization_id")
    ]
    return await notify.queue(notices)


async def top_up(
    actor: Actor,
    organization_id: int,
    amount_cents: int,
    idempotency_key: str,
    *,
    today: dt.date | None = None,
) -> LedgerEntry:
    """Charge the registered card and credit the prepaid account, once per idempotency key.

    The charge is recorded before the gateway is called (``billing.charges``). An expired card (as of
    ``today``, by default the business day) is not charged.
    """
    _require(actor, Action.PAY, organization_id)
    if not 0 < amount_cents <= MAX_TOP_UP_CENTS:
        raise InvalidAmount(field="amount", max=MAX_TOP_UP_CENTS)
    key = idempotency_key.strip()
    if not key or len(key) > 100:
        raise InvalidInput(field="idempotency_key")
    ledger_key = f"topup:{organization_id}:{key}"
    existing = await LedgerEntry.get_or_none(idempotency_key=ledger_key)
    if existing is not None:
        if existing.amount_cents != amount_cents:
            raise IdempotencyKeyReused(field="idempotency_key")
        return existing
    card = await card_of(organization_id)
    if card is None:
        raise NoCard(field="organization")
    day = today or business_today()
    if card_expired(card, day):
        raise CardExpired(field="organization")
    row = await charges.charge(
        charges.ChargeRequest(
            organization_id=organization_id,
            card_token=card.gateway_token,
            amount_cents=amount_cents,
            key=ledger_key,
            purpose=ChargePurpose.TOP_UP,
            day=day,
            reference=f"card {card.brand} {card.last4}",
        )
    )
    raise_if_refused(row.state)
    assert row.ledger_entry_id is not None
    return await LedgerEntry.get(id=row.ledger_entry_id)


def raise_if_refused(state: ChargeState) -> None:
    """The user's error for a charge the card refused (nothing charged)."""
    if state is ChargeState.INSUFFICIENT_FUNDS:
        raise CardInsufficientFunds(reason=str(state))
    if state is not ChargeState.SUCCEEDED:
        raise CardDeclined(reason=str(state))


MAX_CAP_CENTS = 10 * MAX_TOP_UP_CENTS


async def set_top_up_policy(
    actor: Actor, organization_id: int, minimum_cents: int, monthly_cap_cents: int | None
) -> PrepaidAccount:
    """What an automatic top-up charges at least, and at most per calendar month (None: no cap), audited."""
    _require(actor, Action.PAY, organization_id)
    if not 0 < minimum_cents <= MAX_TOP_UP_CENTS:
        raise InvalidAmount(field="minimum", max=MAX_TOP_UP_CENTS)
    if monthly_cap_cents is not None and not minimum_cents <= monthly_cap_cents <= MAX_CAP_CENTS:
        raise InvalidAmount("INVALID_CAP", field="monthly_cap", min=minimum_cents, max=MAX_CAP_CENTS)
    async with atomic():
        account = await PrepaidAccount.filter(organization_id=organization_id).select_for_update().first()
        if account is None:
            raise NotFound(field="organization")
        before = {
            "min_top_up_cents": account.min_top_up_cents,
            "monthly_top_up_cap_cents": account.monthly_top_up_cap_cents,
        }
        account.min_top_up_cents, account.monthly_top_up_cap_cents = minimum_cents, monthly_cap_cents
        await account.save(update_fields=["min_top_up_cents", "monthly_top_up_cap_cents", "updated_at"])
        await audit.record(
            actor_id=actor.user_id,
            organization_id=organization_id,
            action="top_up_policy.set",
            target_type="organization",
            target_id=organization_id,
            before=before,
            after={"min_top_up_cents": minimum_cents, "monthly_top_up_cap_cents": monthly_cap_cents},
        )
    return account


def _require(actor: Actor, action: Action, organization_id: int) -> None:
    if organization_id not in actor.roles:
        raise NotFound(field="organization")
    if not actor.may(action, organization_id):
        raise NotAllowed(field="organization")
