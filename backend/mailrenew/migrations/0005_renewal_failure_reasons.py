from tortoise import migrations
from tortoise.migrations import operations as ops
from mailrenew.renewal.models import FailureReason
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('mailrenew', '0004_outbox_delivery')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='RenewalAttempt',
            name='failure_reason',
            field=fields.CharEnumField(null=True, description='INSUFFICIENT_FUNDS: INSUFFICIENT_FUNDS\nCARD_DECLINED: CARD_DECLINED\nPAYER_NOT_ALLOWED: PAYER_NOT_ALLOWED\nDOMAIN_EXPIRED: DOMAIN_EXPIRED\nPRICE_MISSING: PRICE_MISSING\nGATEWAY_UNAVAILABLE: GATEWAY_UNAVAILABLE', enum_type=FailureReason, max_length=20),
        ),
    ]
