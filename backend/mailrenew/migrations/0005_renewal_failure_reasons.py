"""A new failure reason (GATEWAY_UNAVAILABLE): only the column's description changes.

On SQLite, Tortoise's AlterField rebuilds the table and the rebuilt ``renewal_attempts`` lost its unique
(item, business day) constraints, so there the change is recorded in the migration state only.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state import State

from mailrenew.renewal.models import FailureReason


class AlterFieldExceptOnSqlite(ops.AlterField):
    async def database_forward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        if state_editor is not None and state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        if state_editor is not None and state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [("mailrenew", "0004_outbox_delivery")]

    initial = False

    operations = [
        AlterFieldExceptOnSqlite(
            model_name="RenewalAttempt",
            name="failure_reason",
            field=fields.CharEnumField(
                null=True,
                description="INSUFFICIENT_FUNDS: INSUFFICIENT_FUNDS\nCARD_DECLINED: CARD_DECLINED\n"
                "PAYER_NOT_ALLOWED: PAYER_NOT_ALLOWED\nDOMAIN_EXPIRED: DOMAIN_EXPIRED\n"
                "PRICE_MISSING: PRICE_MISSING\nGATEWAY_UNAVAILABLE: GATEWAY_UNAVAILABLE",
                enum_type=FailureReason,
                max_length=20,
            ),
        ),
    ]
