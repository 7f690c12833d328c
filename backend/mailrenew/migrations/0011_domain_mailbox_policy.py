"""A domain's auto-renewal for new mailboxes (enabled, period, payer, who chose it), and the CARD_EXPIRING notice.

Columns are added (``AddField``: no table rebuild on SQLite). The outbox's ``kind`` only changes its description
(a new MessageKind): as in 0005, 0007 and 0009 that change is recorded in the migration state only on SQLite.
"""

import importlib

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps

from mailrenew.hosting.models import RenewalPeriod
from mailrenew.notify.models import MessageKind

AlterFieldExceptOnSqlite = importlib.import_module(
    "mailrenew.migrations.0005_renewal_failure_reasons"
).AlterFieldExceptOnSqlite
StateOnlyAddField = importlib.import_module("mailrenew.migrations.0010_card_charges").StateOnlyAddField


async def forward(apps: StateApps, schema_editor: BaseSchemaEditor) -> None:
    """The flag with its default, so that a table with rows takes it (see 0010's ``StateOnlyAddField``)."""
    await schema_editor.client.execute_script(
        "ALTER TABLE domains ADD COLUMN new_mailbox_auto_renew_enabled BOOLEAN NOT NULL DEFAULT FALSE"
    )


async def backward(apps: StateApps, schema_editor: BaseSchemaEditor) -> None:
    await schema_editor.client.execute_script("ALTER TABLE domains DROP COLUMN new_mailbox_auto_renew_enabled")


class Migration(migrations.Migration):
    dependencies = [("mailrenew", "0010_card_charges")]

    initial = False

    operations = [
        StateOnlyAddField(
            model_name="Domain",
            name="new_mailbox_auto_renew_enabled",
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name="Domain",
            name="new_mailbox_auto_renew_payer",
            field=fields.ForeignKeyField(
                "mailrenew.Organization",
                source_field="new_mailbox_auto_renew_payer_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="new_mailbox_policies",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.AddField(
            model_name="Domain",
            name="new_mailbox_auto_renew_period",
            field=fields.CharEnumField(
                null=True,
                description="MONTHLY: MONTHLY\nYEARLY: YEARLY",
                enum_type=RenewalPeriod,
                max_length=8,
            ),
        ),
        ops.AddField(
            model_name="Domain",
            name="new_mailbox_set_by",
            field=fields.ForeignKeyField(
                "mailrenew.User",
                source_field="new_mailbox_set_by_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="new_mailbox_policies",
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        AlterFieldExceptOnSqlite(
            model_name="OutboxMessage",
            name="kind",
            field=fields.CharEnumField(
                description="PAYMENT_NOT_COVERED: PAYMENT_NOT_COVERED\nRENEWAL_RECEIPT: RENEWAL_RECEIPT\n"
                "RENEWAL_FAILED: RENEWAL_FAILED\nEXPIRED: EXPIRED\nCARD_EXPIRING: CARD_EXPIRING\n"
                "TOP_UP_CAP_REACHED: TOP_UP_CAP_REACHED",
                enum_type=MessageKind,
                max_length=24,
            ),
        ),
        ops.RunPython(forward, backward),
    ]
