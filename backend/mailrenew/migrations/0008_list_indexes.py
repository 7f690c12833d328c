"""Indexes for the API's lists: an owner's domains by fqdn, a domain's mailboxes by address.

Without them a customer's domain list scanned every domain, and a domain's first mailboxes read all of its
mailboxes (``AddIndex`` creates an index only: on SQLite it does not rebuild the table, unlike ``AlterField``).
"""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("mailrenew", "0007_internal_error_reason")]

    initial = False

    operations = [
        ops.AddIndex(model_name="Domain", index=Index(fields=["owner_id", "fqdn"])),
        ops.AddIndex(model_name="Mailbox", index=Index(fields=["domain_id", "address"])),
    ]
