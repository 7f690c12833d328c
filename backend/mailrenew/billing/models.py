from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from mailrenew.accounts.models import Organization


class Product(StrEnum):
    MAILBOX = "MAILBOX"
    DOMAIN = "DOMAIN"


class LedgerKind(StrEnum):
    OPENING = "OPENING"
    TOP_UP = "TOP_UP"
    RENEWAL = "RENEWAL"
    REFUND = "REFUND"
    ADJUSTMENT = "ADJUSTMENT"


class Price(Model):
    """Catalogue price of one (product, offer, period), ``offer`` is empty for domains."""

    id = fields.IntField(primary_key=True)
    product = fields.CharEnumField(Product, max_length=8)
    offer = fields.CharField(max_length=16, default="")
    period = fields.CharField(max_length=8)
    amount_cents = fields.IntField()
    currency = fields.CharField(max_length=3, default="EUR")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "prices"
        unique_together = (("product", "offer", "period"),)


class PrepaidAccount(Model):
    """An organization's prepaid account, balance in integer cents (never below zero)."""

    id = fields.IntField(primary_key=True)
    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "mailrenew.Organization", related_name="prepaid_account", on_delete=fields.RESTRICT
    )
    organization_id: int
    balance_cents = fields.BigIntField(default=0)
    currency = fields.CharField(max_length=3, default="EUR")
    # What an automatic top-up charges at least, and at most per calendar month (None: no cap).
    min_top_up_cents = fields.IntField(default=2000)
    monthly_top_up_cap_cents = fields.IntField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "prepaid_accounts"


class Card(Model):
    """A registered card: brand, last 4 digits, expiry and the gateway token, never the number."""

    id = fields.IntField(primary_key=True)
    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "mailrenew.Organization", related_name="card", on_delete=fields.CASCADE
    )
    organization_id: int
    brand = fields.CharField(max_length=20)
    last4 = fields.CharField(max_length=4)
    exp_month = fields.SmallIntField()
    exp_year = fields.SmallIntField()
    gateway_token = fields.CharField(max_length=128)
    auto_top_up = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "cards"


class LedgerEntry(Model):
    """One movement of a prepaid account. Append-only, corrections are new entries."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[PrepaidAccount] = fields.ForeignKeyField(
        "mailrenew.PrepaidAccount", related_name="entries", on_delete=fields.RESTRICT
    )
    account_id: int
    kind = fields.CharEnumField(LedgerKind, max_length=12)
    amount_cents = fields.BigIntField()
    balance_after_cents = fields.BigIntField()
    reference = fields.CharField(max_length=200, default="")
    idempotency_key = fields.CharField(max_length=200, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ledger_entries"


class ChargeState(StrEnum):
    PENDING = "PENDING"  # recorded, the gateway called or about to be: settled or reconciled later
    SUCCEEDED = "SUCCEEDED"  # charged and credited to the prepaid account
    DECLINED = "DECLINED"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    VOID = "VOID"  # the gateway never charged it (found by reconciliation)


class ChargePurpose(StrEnum):
    TOP_UP = "TOP_UP"  # asked for by a user
    AUTO_TOP_UP = "AUTO_TOP_UP"  # the renewal window's daily top-up of one payer (counts against the cap)
    RENEW_NOW = "RENEW_NOW"  # a renewal asked for by a user


class CardCharge(Model):
    """Our side of one card charge, written before the gateway is called and settled after it.

    A crash or a lost connection between the two leaves it ``PENDING``: reconciliation asks the gateway by
    idempotency key and credits or voids it, exactly once (the ledger credit carries the same key).
    """

    id = fields.BigIntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "mailrenew.Organization", related_name="card_charges", on_delete=fields.RESTRICT
    )
    organization_id: int
    idempotency_key = fields.CharField(max_length=200, unique=True)
    purpose = fields.CharEnumField(ChargePurpose, max_length=12)
    amount_cents = fields.BigIntField()
    currency = fields.CharField(max_length=3, default="EUR")
    state = fields.CharEnumField(ChargeState, max_length=20, default=ChargeState.PENDING)
    charged_on = fields.DateField()  # the business day it belongs to (the monthly cap counts by it)
    card_token = fields.CharField(max_length=128)
    gateway_reference = fields.CharField(max_length=64, null=True)
    ledger_entry: fields.ForeignKeyNullableRelation[LedgerEntry] = fields.ForeignKeyField(
        "mailrenew.LedgerEntry", related_name="card_charges", null=True, on_delete=fields.RESTRICT
    )
    ledger_entry_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    settled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "card_charges"
        indexes = (("organization_id", "charged_on"), ("state", "created_at"))


class GatewayCharge(Model):
    """The simulated gateway's own record of charges (the "remote" side, unique per idempotency key)."""

    id = fields.BigIntField(primary_key=True)
    idempotency_key = fields.CharField(max_length=200, unique=True)
    token = fields.CharField(max_length=128)
    amount_cents = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    status = fields.CharField(max_length=20)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "gateway_charges"
