"""Rules the database itself enforces, written per dialect.

Tortoise's ``CreateModel`` does not emit CHECK constraints, and SQLite cannot add one to an existing
table, so PostgreSQL gets real CHECK constraints and SQLite gets triggers that abort the statement.
Ledger entries are append-only on both: an UPDATE or DELETE is refused by a trigger.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps

# (table, constraint name, condition that must hold; ``{r}`` is the row prefix: "" or "NEW.")
CHECKS = [
    ("prepaid_accounts", "prepaid_balance_not_negative", "{r}balance_cents >= 0"),
    ("ledger_entries", "ledger_balance_after_not_negative", "{r}balance_after_cents >= 0"),
    ("prices", "prices_amount_not_negative", "{r}amount_cents >= 0"),
    (
        "domains",
        "domains_auto_renew_needs_payer",
        "{r}auto_renew_enabled = FALSE OR {r}auto_renew_payer_id IS NOT NULL",
    ),
    (
        "mailboxes",
        "mailboxes_auto_renew_complete",
        "{r}auto_renew_enabled = FALSE OR ({r}auto_renew_period IS NOT NULL AND {r}auto_renew_payer_id IS NOT NULL)",
    ),
    ("memberships", "memberships_known_role", "{r}role IN ('OWNER', 'ADMIN', 'BILLING', 'MEMBER')"),
    ("cards", "cards_last4_digits", "length({r}last4) = 4"),
]

PG_LEDGER = [
    """
    CREATE OR REPLACE FUNCTION ledger_entries_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ledger entries are append-only: % refused', TG_OP USING ERRCODE = 'check_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER ledger_entries_no_update_delete BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()
    """,
]

SQLITE_LEDGER = [
    """
    CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: DELETE refused'); END
    """,
]


def _sqlite_check_triggers(table: str, name: str, condition: str) -> list[str]:
    return [
        f"""
        CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table}
        FOR EACH ROW WHEN NOT ({condition.format(r="NEW.")})
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END
        """
        for event in ("INSERT", "UPDATE")
    ]


async def forward(apps: StateApps, schema_editor: BaseSchemaEditor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        statements = [s for check in CHECKS for s in _sqlite_check_triggers(*check)] + SQLITE_LEDGER
    else:
        statements = [
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" CHECK ({condition.format(r="")})'
            for table, name, condition in CHECKS
        ] + PG_LEDGER
    for statement in statements:
        await client.execute_script(statement)


async def backward(apps: StateApps, schema_editor: BaseSchemaEditor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        names = [f"{name}_{event}" for _, name, _ in CHECKS for event in ("insert", "update")]
        names += ["ledger_entries_no_update", "ledger_entries_no_delete"]
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    else:
        statements = [f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"' for table, name, _ in CHECKS]
        statements += [
            "DROP TRIGGER IF EXISTS ledger_entries_no_update_delete ON ledger_entries",
            "DROP FUNCTION IF EXISTS ledger_entries_append_only()",
        ]
    for statement in statements:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("mailrenew", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]
