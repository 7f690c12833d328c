"""Billing: the only code that changes a balance. Every movement is a ledger entry with an idempotency key."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from mailrenew.accounts.models import Organization
from mailrenew.billing.models import Card, LedgerEntry, LedgerKind, PrepaidAccount, Price, Product
from mailrenew.db import atomic
from mailrenew.errors import InvalidInput

DEFAULT_PRICES: list[tuple[Product, str, str, int]] = [
    (Product.MAILBOX, "STANDARD", "MONTHLY", 100),
    (Product.MAILBOX, "STANDARD", "YEARLY", 1000),
    (Product.MAILBOX, "PREMIUM", "MONTHLY", 500),
    (Product.MAILBOX, "PREMIUM", "YEARLY", 5000),
    (Product.DOMAIN, "", "YEARLY", 1500),
]


async def seed_default_prices() -> int:
    """Insert the default catalogue prices that are missing; existing prices are left as operators set them."""
    created = 0
    for product, offer, period, cents in DEFAULT_PRICES:
        _, was_created = await Price.get_or_create(
            product=product, offer=offer, period=period, defaults={"amount_cents": cents, "currency": "EUR"}
        )
        created += was_created
    return created


async def open_account(organization: Organization, *, opening_cents: int = 0) -> PrepaidAccount:
    """Create the organization's prepaid account; a non-zero opening balance is written as a ledger entry."""
    if opening_cents < 0:
        raise InvalidInput(field=["openingCents"], detail="an opening balance cannot be negative")
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
    """Move money within the caller's transaction: update the balance, then write the entry."""
    new_balance = account.balance_cents + amount
    if new_balance < 0:
        raise InvalidInput("INSUFFICIENT_FUNDS", detail="the balance cannot go below zero")
    try:
        entry = await LedgerEntry.create(
            account=account,
            kind=kind,
            amount_cents=amount,
            balance_after_cents=new_balance,
            reference=reference,
            idempotency_key=key,
        )
    except IntegrityError:
        raise InvalidInput("IDEMPOTENCY_KEY_REUSED", field=["idempotencyKey"]) from None
    account.balance_cents = new_balance
    await account.save(update_fields=["balance_cents", "updated_at"])
    return entry


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
    """Store a card the gateway already tokenized (brand, last 4, expiry and token only)."""
    if len(last4) != 4 or not last4.isdigit():
        raise InvalidInput(field=["last4"], detail="last4 must be four digits")
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
