from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from mailrenew.accounts.models import Organization
    from mailrenew.billing.models import LedgerEntry
    from mailrenew.hosting.models import Domain, Mailbox


class AttemptOutcome(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class AttemptTrigger(StrEnum):
    SWEEP = "SWEEP"  # the daily window (at most one a day per item)
    MANUAL = "MANUAL"  # "renew now", asked for by a user


class FailureReason(StrEnum):
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    CARD_DECLINED = "CARD_DECLINED"
    CARD_INSUFFICIENT_FUNDS = "CARD_INSUFFICIENT_FUNDS"  # the card's issuer refused for lack of funds
    CARD_EXPIRED = "CARD_EXPIRED"  # the registered card expired before the business day: not charged
    PAYER_NOT_ALLOWED = "PAYER_NOT_ALLOWED"
    DOMAIN_EXPIRED = "DOMAIN_EXPIRED"
    PRICE_MISSING = "PRICE_MISSING"
    GATEWAY_UNAVAILABLE = "GATEWAY_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"  # an unexpected error in the sweep; retried the next day
    TOP_UP_CAP_REACHED = "TOP_UP_CAP_REACHED"  # the payer's monthly top-up cap refused the card charge


class RenewalAttempt(Model):
    """One attempt to renew one item on one business day, the unique pairs allow at most one a day.

    The pairs hold for the window's attempts (``SWEEP``: partial unique indexes, migration 0010); a user's
    "renew now" (``MANUAL``) is recorded once per request key, on any day.
    """

    id = fields.BigIntField(primary_key=True)
    mailbox: fields.ForeignKeyNullableRelation[Mailbox] = fields.ForeignKeyField(
        "mailrenew.Mailbox", related_name="renewal_attempts", null=True, on_delete=fields.CASCADE
    )
    mailbox_id: int | None
    domain: fields.ForeignKeyNullableRelation[Domain] = fields.ForeignKeyField(
        "mailrenew.Domain", related_name="renewal_attempts", null=True, on_delete=fields.CASCADE
    )
    domain_id: int | None
    business_day = fields.DateField()
    term_expires_at = fields.DateField()
    new_expires_at = fields.DateField(null=True)
    payer: fields.ForeignKeyNullableRelation[Organization] = fields.ForeignKeyField(
        "mailrenew.Organization", related_name="renewal_attempts", null=True, on_delete=fields.RESTRICT
    )
    payer_id: int | None
    outcome = fields.CharEnumField(AttemptOutcome, max_length=10, default=AttemptOutcome.PENDING)
    failure_reason = fields.CharEnumField(FailureReason, max_length=30, null=True)
    amount_cents = fields.BigIntField(default=0)
    ledger_entry: fields.ForeignKeyNullableRelation[LedgerEntry] = fields.ForeignKeyField(
        "mailrenew.LedgerEntry", related_name="renewal_attempts", null=True, on_delete=fields.RESTRICT
    )
    ledger_entry_id: int | None
    trigger = fields.CharEnumField(AttemptTrigger, max_length=10, default=AttemptTrigger.SWEEP)
    request_key = fields.CharField(max_length=200, null=True)  # unique where set: an index of migration 0010
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "renewal_attempts"
