from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('mailrenew', '0002_database_rules')]

    initial = False

    operations = [
        ops.CreateModel(
            name='GatewayCharge',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('idempotency_key', fields.CharField(unique=True, max_length=200)),
                ('token', fields.CharField(max_length=128)),
                ('amount_cents', fields.BigIntField()),
                ('currency', fields.CharField(max_length=3)),
                ('status', fields.CharField(max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'gateway_charges', 'app': 'mailrenew', 'pk_attr': 'id', 'table_description': 'The simulated gateway\'s own record of charges (the "remote" side, unique per idempotency key).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Domain',
            name='auto_renew_set_by',
            field=fields.ForeignKeyField('mailrenew.User', source_field='auto_renew_set_by_id', null=True, db_constraint=True, to_field='id', related_name='domain_auto_renewals', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Mailbox',
            name='auto_renew_set_by',
            field=fields.ForeignKeyField('mailrenew.User', source_field='auto_renew_set_by_id', null=True, db_constraint=True, to_field='id', related_name='mailbox_auto_renewals', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='Mailbox',
            index=Index(fields=['auto_renew_enabled', 'expires_at']),
        ),
    ]
