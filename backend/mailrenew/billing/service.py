"""Billing: the only code that changes a balance.

Every movement is a ledger entry carrying its balance after and a unique idempotency key, written in the same
database transaction that updates the balance, with the account rows locked in id order. Card charges go
through the ``PaymentGateway`` outside any transaction, each with its own idempotency key.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from mailrenew import audit
from mailrenew.accounts.access import Action, Actor
from mailrenew.accounts.models import Organization
from mailrenew.billing.errors import (
    CardDeclined,
    CardExpired,
    CardInsufficientFunds,
    GatewayUnavailable,
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidAmount,
    NoCard,
)
from mailrenew.billing.gateway import CardRejected, ChargeResult, ChargeStatus, GatewayError, get_gateway
from mailrenew.billing.models import Card, LedgerEntry, LedgerKind, PrepaidAccount, Price, Product
from mailrenew.config import business_today, utcnow
from mailrenew.db import SQLParams, atomic, connection, insert_rows, update_by_id
from mailrenew.errors import InvalidInput, NotAllowed, NotFound
from mailrenew.notify import service as notify
from mailrenew.notify.models import MessageKind

MAX_TOP_UP_CENTS = 1_000_000  # 10,000.00 per top-up
CARD_EXPIRING_NOTICE_DAYS = 30  # tell the payer this many days before its card's last valid day
GATEWAY_RETRIES = 3

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


# --- accounts and the ledger --------------------------------------------------------------------


async def open_account(organization: Organization, *, opening_cents: int = 0) -> PrepaidAccount:
    """Create the organization's prepaid account; a non-zero opening balance is a ledger entry."""
    if opening_cents < 0:
        raise InvalidAmount(field="opening_cents")
    async with atomic():
        account, created = await PrepaidAccount.get_or_create(organization=organization)
        if created and opening_cents:
            await _append(
                account, LedgerKind.OPENING, opening_cents, f"opening:{organization.id}", "Opening balance"
            )
    return account


async def _append(
    account: PrepaidAccount, kind: LedgerKind, amount: int, key: str, reference: str
) -> LedgerEntry:
    """One movement inside the caller's transaction (the account row is locked by the caller)."""
    new_balance = account.balance_cents + amount
    if new_balance < 0:
        raise InsufficientFunds(field="amount")
    entry = await LedgerEntry.create(
        account=account,
        kind=kind,
        amount_cents=amount,
        balance_after_cents=new_balance,
        reference=reference,
        idempotency_key=key,
    )
    account.balance_cents = new_balance
    await account.save(update_fields=["balance_cents", "updated_at"])
    return entry


async def _locked_account(organization_id: int) -> PrepaidAccount:
    account = await PrepaidAccount.filter(organization_id=organization_id).select_for_update().first()
    if account is None:
        raise NotFound(field="organization")
    return account


async def credit(
    organization_id: int, amount_cents: int, *, key: str, kind: LedgerKind, reference: str
) -> LedgerEntry:
    """Credit once per key: a second call with the same key returns the first entry (same amount required)."""
    if amount_cents <= 0:
        raise InvalidAmount(field="amount")
    async with atomic():
        # Lock first, then look for the key: a concurrent credit with the same key has committed by then.
        account = await _locked_account(organization_id)
        existing = await LedgerEntry.get_or_none(idempotency_key=key)
        if existing is not None:
            if existing.amount_cents != amount_cents:
                raise IdempotencyKeyReused(field="idempotency_key")
            return existing
        return await _append(account, kind, amount_cents, key, reference)


@dataclass(frozen=True)
class Debit:
    organization_id: int
    amount_cents: int
    key: str
    reference: str
    kind: LedgerKind = LedgerKind.RENEWAL


@dataclass(frozen=True)
class DebitOutcome:
    debit: Debit
    entry_id: int | None  # None: refused for lack of funds
    balance_after_cents: int

    @property
    def paid(self) -> bool:
        return self.entry_id is not None

    @property
    def paid_entry_id(self) -> int:
        """The ledger entry of a debit that was paid (an error to ask for one that was refused)."""
        if self.entry_id is None:
            raise ValueError(f"debit {self.debit.key} was refused: no ledger entry")
        return self.entry_id


async def debit_many(debits: Sequence[Debit]) -> list[DebitOutcome]:
    """Debit in order, inside the caller's transaction, in a constant number of statements.

    Locks the accounts (id order), refuses a debit the balance does not cover (the others go on), writes every
    ledger entry in one INSERT and every balance in one UPDATE. A key already in the ledger aborts the whole
    transaction (the unique index): a term is never paid twice.
    """
    if not debits:
        return []
    org_ids = sorted({d.organization_id for d in debits})
    accounts = {
        a.organization_id: a
        for a in await PrepaidAccount.filter(organization_id__in=org_ids).order_by("id").select_for_update()
    }
    balances = {org_id: account.balance_cents for org_id, account in accounts.items()}
    rows: list[tuple[Debit, int]] = []
    outcomes: list[tuple[Debit, bool, int]] = []
    for debit in debits:
        if debit.amount_cents < 0:
            raise InvalidAmount(field="amount")
        balance = balances.get(debit.organization_id)
        if balance is None or balance < debit.amount_cents:
            outcomes.append((debit, False, balance or 0))
            continue
        balances[debit.organization_id] = balance - debit.amount_cents
        rows.append((debit, balances[debit.organization_id]))
        outcomes.append((debit, True, balances[debit.organization_id]))
    ids = await _insert_entries(accounts, rows)
    await _write_balances(accounts, balances)
    return [
        DebitOutcome(debit, ids[debit.key] if paid else None, balance_after)
        for debit, paid, balance_after in outcomes
    ]


async def _insert_entries(
    accounts: dict[int, PrepaidAccount], rows: list[tuple[Debit, int]]
) -> dict[str, int]:
    now = utcnow()
    inserted = await insert_rows(
        "ledger_entries",
        [
            "account_id",
            "kind",
            "amount_cents",
            "balance_after_cents",
            "reference",
            "idempotency_key",
            "created_at",
        ],
        [
            [
                accounts[debit.organization_id].id,
                str(debit.kind),
                -debit.amount_cents,
                balance_after,
                debit.reference[:200],
                debit.key,
                now,
            ]
            for debit, balance_after in rows
        ],
        returning="id, idempotency_key",
    )
    return {row["idempotency_key"]: row["id"] for row in inserted}


async def _write_balances(accounts: dict[int, PrepaidAccount], balances: dict[int, int]) -> None:
    changed = {
        accounts[org].id: cents for org, cents in balances.items() if accounts[org].balance_cents != cents
    }
    await update_by_id("prepaid_accounts", "balance_cents", "BIGINT", changed, updated_at=utcnow())
    for org, cents in balances.items():
        accounts[org].balance_cents = cents


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


@dataclass(frozen=True)
class Standing:
    """What a payer can spend: its prepaid balance, and whether a card tops it up automatically."""

    balance_cents: int
    card_tops_up: bool


async def standing_of(organization_ids: Sequence[int]) -> dict[int, Standing]:
    """Balance and automatic top-up of each of these organizations (one statement; 0 and False if none)."""
    if not organization_ids:
        return {}
    p = SQLParams()
    rows = await connection().execute_query_dict(
        "SELECT organization_id, balance_cents, NULL AS auto_top_up FROM prepaid_accounts "
        f"WHERE organization_id IN ({p.many(list(organization_ids))}) UNION ALL "
        "SELECT organization_id, NULL AS balance_cents, auto_top_up FROM cards "
        f"WHERE organization_id IN ({p.many(list(organization_ids))})",
        p.values,
    )
    balances = {r["organization_id"]: r["balance_cents"] for r in rows if r["balance_cents"] is not None}
    tops_up = {r["organization_id"] for r in rows if r["auto_top_up"]}
    return {org: Standing(balances.get(org, 0), org in tops_up) for org in organization_ids}


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


async def charge_card(card: Card, amount_cents: int, key: str) -> ChargeResult:
    """Charge through the gateway, retrying a lost answer with the same key (which never charges twice)."""
    last_error: GatewayError | None = None
    for _ in range(GATEWAY_RETRIES):
        try:
            return await get_gateway().charge(card.gateway_token, amount_cents, "EUR", key)
        except GatewayError as exc:
            last_error = exc
    raise GatewayUnavailable(detail=str(last_error))


async def top_up(
    actor: Actor,
    organization_id: int,
    amount_cents: int,
    idempotency_key: str,
    *,
    today: dt.date | None = None,
) -> LedgerEntry:
    """Charge the registered card and credit the prepaid account, once per idempotency key.

    An expired card (as of ``today``, by default the business day) is not charged.
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
    if card_expired(card, today or business_today()):
        raise CardExpired(field="organization")
    result = await charge_card(card, amount_cents, ledger_key)
    if result.amount_cents != amount_cents:
        raise IdempotencyKeyReused(field="idempotency_key")
    if result.status is ChargeStatus.INSUFFICIENT_FUNDS:
        raise CardInsufficientFunds(reason=str(result.status))
    if not result.succeeded:
        raise CardDeclined(reason=str(result.status))
    try:
        return await credit(
            organization_id,
            amount_cents,
            key=ledger_key,
            kind=LedgerKind.TOP_UP,
            reference=f"card {result.reference}",
        )
    except IntegrityError:  # the same key credited by a concurrent request in between
        return await LedgerEntry.get(idempotency_key=ledger_key)


def _require(actor: Actor, action: Action, organization_id: int) -> None:
    if organization_id not in actor.roles:
        raise NotFound(field="organization")
    if not actor.may(action, organization_id):
        raise NotAllowed(field="organization")
