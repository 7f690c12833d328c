"""Outbox delivery: a lease/backoff instant for the sender, a read mark for the console, and their indexes."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("mailrenew", "0003_billing_and_renewal")]

    initial = False

    operations = [
        ops.AddField(
            model_name="OutboxMessage",
            name="next_attempt_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="OutboxMessage",
            name="read_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name="OutboxMessage",
            index=Index(fields=["user_id", "id"]),
        ),
        ops.AddIndex(
            model_name="OutboxMessage",
            index=Index(fields=["sent_at", "next_attempt_at"]),
        ),
    ]
