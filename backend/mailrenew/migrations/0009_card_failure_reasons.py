"""New failure reasons (CARD_INSUFFICIENT_FUNDS, CARD_EXPIRED): the description changes, the column widens to 30.

As in 0005 and 0007, the change is recorded in the migration state only on SQLite, where Tortoise's AlterField
would rebuild the table and lose its unique (item, business day) constraints (SQLite does not enforce a
VARCHAR's length). On PostgreSQL the column's type becomes VARCHAR(30).
"""

import importlib

from tortoise import fields, migrations

from mailrenew.renewal.models import FailureReason

AlterFieldExceptOnSqlite = importlib.import_module(
    "mailrenew.migrations.0005_renewal_failure_reasons"
).AlterFieldExceptOnSqlite


class Migration(migrations.Migration):
    dependencies = [("mailrenew", "0008_list_indexes")]

    initial = False

    operations = [
        AlterFieldExceptOnSqlite(
            model_name="RenewalAttempt",
            name="failure_reason",
            field=fields.CharEnumField(
                null=True,
                description="INSUFFICIENT_FUNDS: INSUFFICIENT_FUNDS\nCARD_DECLINED: CARD_DECLINED\n"
                "CARD_INSUFFICIENT_FUNDS: CARD_INSUFFICIENT_FUNDS\nCARD_EXPIRED: CARD_EXPIRED\n"
                "PAYER_NOT_ALLOWED: PAYER_NOT_ALLOWED\nDOMAIN_EXPIRED: DOMAIN_EXPIRED\n"
                "PRICE_MISSING: PRICE_MISSING\nGATEWAY_UNAVAILABLE: GATEWAY_UNAVAILABLE\n"
                "INTERNAL_ERROR: INTERNAL_ERROR",
                enum_type=FailureReason,
                max_length=30,
            ),
        ),
    ]
