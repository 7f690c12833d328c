from __future__ import annotations

import datetime as dt

import strawberry

from mailrenew.billing import models
from mailrenew.graphql.relay import Node, to_global_id

LedgerKind = strawberry.enum(models.LedgerKind, name="LedgerKind")


@strawberry.type(description="A registered card: only brand, last 4 digits, expiry and whether it tops up.")
class Card:
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    auto_top_up: bool

    @classmethod
    def from_row(cls, row: models.Card) -> Card:
        return cls(
            brand=row.brand,
            last4=row.last4,
            exp_month=row.exp_month,
            exp_year=row.exp_year,
            auto_top_up=row.auto_top_up,
        )


@strawberry.type(description="One movement of a prepaid account (append-only). Credits are > 0, debits < 0.")
class LedgerEntry(Node):
    kind: LedgerKind  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    amount_cents: int
    balance_after_cents: int
    currency: str
    reference: str
    idempotency_key: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: models.LedgerEntry, currency: str = "EUR") -> LedgerEntry:
        return cls(
            id=to_global_id("LedgerEntry", row.id),
            kind=row.kind,
            amount_cents=row.amount_cents,
            balance_after_cents=row.balance_after_cents,
            currency=currency,
            reference=row.reference,
            idempotency_key=row.idempotency_key,
            created_at=row.created_at,
        )
