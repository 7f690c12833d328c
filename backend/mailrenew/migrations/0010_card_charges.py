"""Card charges recorded before the gateway is called; top-up minimum and monthly cap; "renew now" attempts.

- ``outbox_messages.kind``: the ``TOP_UP_CAP_REACHED`` notice (the column's description only; as in 0005, not
  altered on SQLite).
- ``card_charges``: our side of every card charge (pending, then settled or reconciled).
- ``prepaid_accounts``: ``min_top_up_cents`` (default 20.00) and ``monthly_top_up_cap_cents`` (none).
- ``renewal_attempts``: ``trigger`` (SWEEP or MANUAL) and ``request_key``. "At most one attempt per item and
  business day" now holds for the window's attempts only (partial unique indexes), so that a user may renew by
  hand on a day the window already tried; ``request_key`` is unique where set. The old unique pairs are
  dropped by hand: on PostgreSQL by constraint name, on SQLite by rebuilding the table (SQLite cannot drop a
  table constraint, and Tortoise's rebuild lost constraints before: see 0005).
"""

import importlib
import re

from tortoise import BaseDBAsyncClient, fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps
from tortoise.migrations.schema_generator.state import State

from mailrenew.billing.models import ChargePurpose, ChargeState
from mailrenew.notify.models import MessageKind
from mailrenew.renewal.models import AttemptTrigger, FailureReason

AlterFieldExceptOnSqlite = importlib.import_module(
    "mailrenew.migrations.0005_renewal_failure_reasons"
).AlterFieldExceptOnSqlite

INDEXES = {
    "renewal_attempts_sweep_mailbox_day": "(mailbox_id, business_day) WHERE trigger = 'SWEEP'",
    "renewal_attempts_sweep_domain_day": "(domain_id, business_day) WHERE trigger = 'SWEEP'",
    "renewal_attempts_request_key": "(request_key) WHERE request_key IS NOT NULL",
}
NEW_COLUMNS = {
    "renewal_attempts": "trigger VARCHAR(10) NOT NULL DEFAULT 'SWEEP'",
    "prepaid_accounts": "min_top_up_cents INT NOT NULL DEFAULT 2000",
}
OLD_SQLITE_INDEXES = ("renewal_attempts_mailbox_day", "renewal_attempts_domain_day")  # from 0006


class StateOnly:
    """An operation recorded in the migration state only: ``forward`` below makes the database change."""

    async def database_forward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        return

    async def database_backward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        return


class StateOnlyRemoveConstraint(StateOnly, ops.RemoveConstraint):
    pass


class StateOnlyAddField(StateOnly, ops.AddField):
    """Tortoise adds a column with a default as ``NOT NULL`` without ``DEFAULT``: refused on a table with rows
    (``NEW_COLUMNS`` below are added with their default)."""


async def _drop_unique_pairs_postgres(client: BaseDBAsyncClient) -> None:
    rows = await client.execute_query_dict(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'renewal_attempts'::regclass AND contype = 'u'"
    )
    for row in rows:
        await client.execute_script(f'ALTER TABLE renewal_attempts DROP CONSTRAINT "{row["conname"]}"')


_UNIQUE_CLAUSE = re.compile(r",\s*(CONSTRAINT\s+\S+\s+)?UNIQUE\s*\([^)]*\)", re.IGNORECASE)


async def _drop_unique_pairs_sqlite(client: BaseDBAsyncClient) -> None:
    for name in OLD_SQLITE_INDEXES:
        await client.execute_script(f"DROP INDEX IF EXISTS {name}")
    (table,) = await client.execute_query_dict(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'renewal_attempts'"
    )
    create = str(table["sql"])
    rebuilt = _UNIQUE_CLAUSE.sub("", create)
    if rebuilt == create:
        return
    others = await client.execute_query_dict(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'renewal_attempts' AND sql IS NOT NULL"
    )
    new = re.sub(r'(CREATE TABLE\s+)"?renewal_attempts"?', r'\1"renewal_attempts_new"', rebuilt, count=1)
    await client.execute_script(new)
    await client.execute_script("INSERT INTO renewal_attempts_new SELECT * FROM renewal_attempts")
    await client.execute_script("DROP TABLE renewal_attempts")
    await client.execute_script("ALTER TABLE renewal_attempts_new RENAME TO renewal_attempts")
    for index in others:
        await client.execute_script(str(index["sql"]))


async def forward(apps: StateApps, schema_editor: BaseSchemaEditor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        await _drop_unique_pairs_sqlite(client)
    else:
        await _drop_unique_pairs_postgres(client)
    for table, column in NEW_COLUMNS.items():
        await client.execute_script(f"ALTER TABLE {table} ADD COLUMN {column}")
    for name, definition in INDEXES.items():
        columns, _, where = definition.partition(" WHERE ")
        await client.execute_script(f"CREATE UNIQUE INDEX {name} ON renewal_attempts {columns} WHERE {where}")


async def backward(apps: StateApps, schema_editor: BaseSchemaEditor) -> None:
    for name in INDEXES:
        await schema_editor.client.execute_script(f"DROP INDEX IF EXISTS {name}")
    for table, column in NEW_COLUMNS.items():
        await schema_editor.client.execute_script(f"ALTER TABLE {table} DROP COLUMN {column.split()[0]}")


class Migration(migrations.Migration):
    dependencies = [("mailrenew", "0009_card_failure_reasons")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CardCharge",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "organization",
                    fields.ForeignKeyField(
                        "mailrenew.Organization",
                        source_field="organization_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="card_charges",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("idempotency_key", fields.CharField(unique=True, max_length=200)),
                (
                    "purpose",
                    fields.CharEnumField(
                        description="TOP_UP: TOP_UP\nAUTO_TOP_UP: AUTO_TOP_UP\nRENEW_NOW: RENEW_NOW",
                        enum_type=ChargePurpose,
                        max_length=12,
                    ),
                ),
                ("amount_cents", fields.BigIntField()),
                ("currency", fields.CharField(default="EUR", max_length=3)),
                (
                    "state",
                    fields.CharEnumField(
                        default=ChargeState.PENDING,
                        description="PENDING: PENDING\nSUCCEEDED: SUCCEEDED\nDECLINED: DECLINED\nINSUFFICIENT_FUNDS: INSUFFICIENT_FUNDS\nVOID: VOID",
                        enum_type=ChargeState,
                        max_length=20,
                    ),
                ),
                ("charged_on", fields.DateField()),
                ("card_token", fields.CharField(max_length=128)),
                ("gateway_reference", fields.CharField(null=True, max_length=64)),
                (
                    "ledger_entry",
                    fields.ForeignKeyField(
                        "mailrenew.LedgerEntry",
                        source_field="ledger_entry_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="card_charges",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("settled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "card_charges",
                "app": "mailrenew",
                "indexes": [
                    Index(fields=["organization_id", "charged_on"]),
                    Index(fields=["state", "created_at"]),
                ],
                "pk_attr": "id",
                "table_description": "Our side of one card charge, written before the gateway is called and settled after it.",
            },
            bases=["Model"],
        ),
        StateOnlyAddField(
            model_name="PrepaidAccount",
            name="min_top_up_cents",
            field=fields.IntField(default=2000),
        ),
        ops.AddField(
            model_name="PrepaidAccount",
            name="monthly_top_up_cap_cents",
            field=fields.IntField(null=True),
        ),
        StateOnlyRemoveConstraint(
            model_name="RenewalAttempt",
            name=None,
            fields=["mailbox", "business_day"],
        ),
        StateOnlyRemoveConstraint(
            model_name="RenewalAttempt",
            name=None,
            fields=["domain", "business_day"],
        ),
        AlterFieldExceptOnSqlite(
            model_name="RenewalAttempt",
            name="failure_reason",
            field=fields.CharEnumField(
                null=True,
                description="INSUFFICIENT_FUNDS: INSUFFICIENT_FUNDS\nCARD_DECLINED: CARD_DECLINED\nCARD_INSUFFICIENT_FUNDS: CARD_INSUFFICIENT_FUNDS\nCARD_EXPIRED: CARD_EXPIRED\nPAYER_NOT_ALLOWED: PAYER_NOT_ALLOWED\nDOMAIN_EXPIRED: DOMAIN_EXPIRED\nPRICE_MISSING: PRICE_MISSING\nGATEWAY_UNAVAILABLE: GATEWAY_UNAVAILABLE\nINTERNAL_ERROR: INTERNAL_ERROR\nTOP_UP_CAP_REACHED: TOP_UP_CAP_REACHED",
                enum_type=FailureReason,
                max_length=30,
            ),
        ),
        ops.AddField(
            model_name="RenewalAttempt",
            name="request_key",
            field=fields.CharField(null=True, max_length=200),
        ),
        StateOnlyAddField(
            model_name="RenewalAttempt",
            name="trigger",
            field=fields.CharEnumField(
                default=AttemptTrigger.SWEEP,
                description="SWEEP: SWEEP\nMANUAL: MANUAL",
                enum_type=AttemptTrigger,
                max_length=10,
            ),
        ),
        AlterFieldExceptOnSqlite(
            model_name="OutboxMessage",
            name="kind",
            field=fields.CharEnumField(
                description="PAYMENT_NOT_COVERED: PAYMENT_NOT_COVERED\nRENEWAL_RECEIPT: RENEWAL_RECEIPT\n"
                "RENEWAL_FAILED: RENEWAL_FAILED\nEXPIRED: EXPIRED\nTOP_UP_CAP_REACHED: TOP_UP_CAP_REACHED",
                enum_type=MessageKind,
                max_length=24,
            ),
        ),
        ops.RunPython(forward, backward),
    ]
