from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from mailrenew.accounts.models import Organization, User


class MessageKind(StrEnum):
    PAYMENT_NOT_COVERED = "PAYMENT_NOT_COVERED"
    RENEWAL_RECEIPT = "RENEWAL_RECEIPT"
    RENEWAL_FAILED = "RENEWAL_FAILED"
    EXPIRED = "EXPIRED"
    CARD_EXPIRING = "CARD_EXPIRING"
    TOP_UP_CAP_REACHED = "TOP_UP_CAP_REACHED"


class OutboxMessage(Model):
    """A message to one user, ``dedupe_key`` makes queuing the same notice twice a no-op.

    Delivery: ``next_attempt_at`` is both the lease of the process sending it (set when claimed) and the
    backoff after a failure; ``send_attempts`` counts claims; ``sent_at`` is set once the server accepted it.
    """

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "mailrenew.User", related_name="messages", on_delete=fields.CASCADE
    )
    user_id: int
    organization: fields.ForeignKeyNullableRelation[Organization] = fields.ForeignKeyField(
        "mailrenew.Organization", related_name="messages", null=True, on_delete=fields.CASCADE
    )
    organization_id: int | None
    kind = fields.CharEnumField(MessageKind, max_length=24)
    language = fields.CharField(max_length=2)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    dedupe_key = fields.CharField(max_length=200, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    send_attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_messages"
        indexes = (Index(fields=["user_id", "id"]), Index(fields=["sent_at", "next_attempt_at"]))
