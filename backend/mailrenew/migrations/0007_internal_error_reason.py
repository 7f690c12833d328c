"""A new failure reason (INTERNAL_ERROR, an unexpected error isolated by the sweep): only the description changes.

As in 0005, the change is recorded in the migration state only on SQLite, where Tortoise's AlterField would
rebuild the table and lose its unique (item, business day) constraints.
"""

import importlib

from tortoise import fields, migrations

from mailrenew.renewal.models import FailureReason

AlterFieldExceptOnSqlite = importlib.import_module(
    "mailrenew.migrations.0005_renewal_failure_reasons"
).AlterFieldExceptOnSqlite


class Migration(migrations.Migration):
    dependencies = [("mailrenew", "0006_attempt_uniqueness_on_sqlite")]

    initial = False

    operations = [
        AlterFieldExceptOnSqlite(
            model_name="RenewalAttempt",
            name="failure_reason",
            field=fields.CharEnumField(
                null=True,
                description="INSUFFICIENT_FUNDS: INSUFFICIENT_FUNDS\nCARD_DECLINED: CARD_DECLINED\n"
                "PAYER_NOT_ALLOWED: PAYER_NOT_ALLOWED\nDOMAIN_EXPIRED: DOMAIN_EXPIRED\n"
                "PRICE_MISSING: PRICE_MISSING\nGATEWAY_UNAVAILABLE: GATEWAY_UNAVAILABLE\n"
                "INTERNAL_ERROR: INTERNAL_ERROR",
                enum_type=FailureReason,
                max_length=20,
            ),
        ),
    ]
