from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class MessageKind(StrEnum):
    PAYMENT_NOT_COVERED = "PAYMENT_NOT_COVERED"
    RENEWAL_RECEIPT = "RENEWAL_RECEIPT"
    RENEWAL_FAILED = "RENEWAL_FAILED"
    EXPIRED = "EXPIRED"


class OutboxMessage(Model):
    """A message to one user, ``dedupe_key`` makes queuing the same notice twice a no-op."""

    id = fields.BigIntField(primary_key=True)
    user = fields.ForeignKeyField("mailrenew.User", related_name="messages", on_delete=fields.CASCADE)
    organization = fields.ForeignKeyField(
        "mailrenew.Organization", related_name="messages", null=True, on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(MessageKind, max_length=24)
    language = fields.CharField(max_length=2)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    dedupe_key = fields.CharField(max_length=200, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    send_attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)

    class Meta:
        table = "outbox_messages"
