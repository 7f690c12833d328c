"""Restore "at most one attempt per item and business day" on SQLite databases migrated with the first 0005.

That version rebuilt ``renewal_attempts`` without its unique constraints. Creating the unique indexes again is a
no-op where they exist (a fresh database keeps the table's own UNIQUE constraints), and PostgreSQL never lost them.
"""

from tortoise import BaseDBAsyncClient, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps

INDEXES = {
    "renewal_attempts_mailbox_day": "(mailbox_id, business_day)",
    "renewal_attempts_domain_day": "(domain_id, business_day)",
}


async def _unique_columns(client: BaseDBAsyncClient) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for index in await client.execute_query_dict("PRAGMA index_list('renewal_attempts')"):
        if index["unique"]:
            columns = await client.execute_query_dict(f"PRAGMA index_info('{index['name']}')")
            found.add(tuple(c["name"] for c in columns))
    return found


async def forward(apps: StateApps, schema_editor: BaseSchemaEditor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    present = await _unique_columns(client)
    for name, columns in INDEXES.items():
        if tuple(c.strip() for c in columns.strip("()").split(",")) not in present:
            await client.execute_script(f"CREATE UNIQUE INDEX {name} ON renewal_attempts {columns}")


async def backward(apps: StateApps, schema_editor: BaseSchemaEditor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        for name in INDEXES:
            await client.execute_script(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("mailrenew", "0005_renewal_failure_reasons")]

    operations = [ops.RunPython(forward, backward)]
