from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    id = fields.BigIntField(primary_key=True)
    actor = fields.ForeignKeyField(
        "mailrenew.User", related_name="audit_events", null=True, on_delete=fields.SET_NULL
    )
    organization = fields.ForeignKeyField(
        "mailrenew.Organization", related_name="audit_events", null=True, on_delete=fields.CASCADE
    )
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=32)
    target_id = fields.IntField()
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_events"
        indexes = (("target_type", "target_id"),)
