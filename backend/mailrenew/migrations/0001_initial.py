from tortoise import migrations
from tortoise.migrations import operations as ops
from mailrenew.accounts.models import Language, Role
from mailrenew.billing.models import LedgerKind, Product
from mailrenew.hosting.models import DomainStatus, MailboxOffer, MailboxStatus, RenewalPeriod
from mailrenew.notify.models import MessageKind
from mailrenew.renewal.models import AttemptOutcome, FailureReason
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='LoginAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('ip', fields.CharField(db_index=True, max_length=64)),
                ('succeeded', fields.BooleanField()),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'login_attempts', 'app': 'mailrenew', 'pk_attr': 'id', 'table_description': 'Every sign-in attempt, to rate-limit failures per account and per IP across processes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Organization',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'organizations', 'app': 'mailrenew', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Card',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.OneToOneField('mailrenew.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='card', on_delete=OnDelete.CASCADE)),
                ('brand', fields.CharField(max_length=20)),
                ('last4', fields.CharField(max_length=4)),
                ('exp_month', fields.SmallIntField()),
                ('exp_year', fields.SmallIntField()),
                ('gateway_token', fields.CharField(max_length=128)),
                ('auto_top_up', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'cards', 'app': 'mailrenew', 'pk_attr': 'id', 'table_description': 'A registered card: brand, last 4 digits, expiry and the gateway token, never the number.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Domain',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('fqdn', fields.CharField(unique=True, max_length=253)),
                ('owner', fields.ForeignKeyField('mailrenew.Organization', source_field='owner_id', db_constraint=True, to_field='id', related_name='domains', on_delete=OnDelete.RESTRICT)),
                ('expires_at', fields.DateField(db_index=True)),
                ('status', fields.CharEnumField(default=DomainStatus.ACTIVE, description='ACTIVE: ACTIVE\nRENEWAL_FAILED: RENEWAL_FAILED\nEXPIRED: EXPIRED', enum_type=DomainStatus, max_length=16)),
                ('auto_renew_enabled', fields.BooleanField(default=False)),
                ('auto_renew_payer', fields.ForeignKeyField('mailrenew.Organization', source_field='auto_renew_payer_id', null=True, db_constraint=True, to_field='id', related_name='paid_domains', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'domains', 'app': 'mailrenew', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Forward',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('domain', fields.ForeignKeyField('mailrenew.Domain', source_field='domain_id', db_constraint=True, to_field='id', related_name='forwards', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharField(max_length=64)),
                ('destinations', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'forwards', 'app': 'mailrenew', 'unique_together': (('domain', 'source'),), 'pk_attr': 'id', 'table_description': 'A redirection: ``source@domain`` delivers to one or more destination addresses.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mailbox',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('domain', fields.ForeignKeyField('mailrenew.Domain', source_field='domain_id', db_constraint=True, to_field='id', related_name='mailboxes', on_delete=OnDelete.RESTRICT)),
                ('local_part', fields.CharField(max_length=64)),
                ('address', fields.CharField(unique=True, max_length=320)),
                ('offer', fields.CharEnumField(default=MailboxOffer.STANDARD, description='STANDARD: STANDARD\nPREMIUM: PREMIUM', enum_type=MailboxOffer, max_length=16)),
                ('status', fields.CharEnumField(default=MailboxStatus.ACTIVE, description='ACTIVE: ACTIVE\nRENEWAL_FAILED: RENEWAL_FAILED\nEXPIRED: EXPIRED', enum_type=MailboxStatus, max_length=16)),
                ('expires_at', fields.DateField(db_index=True)),
                ('auto_renew_enabled', fields.BooleanField(default=False)),
                ('auto_renew_period', fields.CharEnumField(null=True, description='MONTHLY: MONTHLY\nYEARLY: YEARLY', enum_type=RenewalPeriod, max_length=8)),
                ('auto_renew_payer', fields.ForeignKeyField('mailrenew.Organization', source_field='auto_renew_payer_id', null=True, db_constraint=True, to_field='id', related_name='paid_mailboxes', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'mailboxes', 'app': 'mailrenew', 'unique_together': (('domain', 'local_part'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PrepaidAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.OneToOneField('mailrenew.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='prepaid_account', on_delete=OnDelete.RESTRICT)),
                ('balance_cents', fields.BigIntField(default=0)),
                ('currency', fields.CharField(default='EUR', max_length=3)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'prepaid_accounts', 'app': 'mailrenew', 'pk_attr': 'id', 'table_description': "An organization's prepaid account, balance in integer cents (never below zero)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('mailrenew.PrepaidAccount', source_field='account_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='OPENING: OPENING\nTOP_UP: TOP_UP\nRENEWAL: RENEWAL\nREFUND: REFUND\nADJUSTMENT: ADJUSTMENT', enum_type=LedgerKind, max_length=12)),
                ('amount_cents', fields.BigIntField()),
                ('balance_after_cents', fields.BigIntField()),
                ('reference', fields.CharField(default='', max_length=200)),
                ('idempotency_key', fields.CharField(unique=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ledger_entries', 'app': 'mailrenew', 'pk_attr': 'id', 'table_description': 'One movement of a prepaid account. Append-only, corrections are new entries.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Price',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.CharEnumField(description='MAILBOX: MAILBOX\nDOMAIN: DOMAIN', enum_type=Product, max_length=8)),
                ('offer', fields.CharField(default='', max_length=16)),
                ('period', fields.CharField(max_length=8)),
                ('amount_cents', fields.IntField()),
                ('currency', fields.CharField(default='EUR', max_length=3)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'prices', 'app': 'mailrenew', 'unique_together': (('product', 'offer', 'period'),), 'pk_attr': 'id', 'table_description': 'Catalogue price of one (product, offer, period), ``offer`` is empty for domains.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RenewalAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mailbox', fields.ForeignKeyField('mailrenew.Mailbox', source_field='mailbox_id', null=True, db_constraint=True, to_field='id', related_name='renewal_attempts', on_delete=OnDelete.CASCADE)),
                ('domain', fields.ForeignKeyField('mailrenew.Domain', source_field='domain_id', null=True, db_constraint=True, to_field='id', related_name='renewal_attempts', on_delete=OnDelete.CASCADE)),
                ('business_day', fields.DateField()),
                ('term_expires_at', fields.DateField()),
                ('new_expires_at', fields.DateField(null=True)),
                ('payer', fields.ForeignKeyField('mailrenew.Organization', source_field='payer_id', null=True, db_constraint=True, to_field='id', related_name='renewal_attempts', on_delete=OnDelete.RESTRICT)),
                ('outcome', fields.CharEnumField(default=AttemptOutcome.PENDING, description='PENDING: PENDING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=AttemptOutcome, max_length=10)),
                ('failure_reason', fields.CharEnumField(null=True, description='INSUFFICIENT_FUNDS: INSUFFICIENT_FUNDS\nCARD_DECLINED: CARD_DECLINED\nPAYER_NOT_ALLOWED: PAYER_NOT_ALLOWED\nDOMAIN_EXPIRED: DOMAIN_EXPIRED\nPRICE_MISSING: PRICE_MISSING', enum_type=FailureReason, max_length=20)),
                ('amount_cents', fields.BigIntField(default=0)),
                ('ledger_entry', fields.ForeignKeyField('mailrenew.LedgerEntry', source_field='ledger_entry_id', null=True, db_constraint=True, to_field='id', related_name='renewal_attempts', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'renewal_attempts', 'app': 'mailrenew', 'unique_together': (('mailbox', 'business_day'), ('domain', 'business_day')), 'pk_attr': 'id', 'table_description': 'One attempt to renew one item on one business day, the unique pairs allow at most one a day.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('password_hash', fields.CharField(max_length=255)),
                ('display_name', fields.CharField(max_length=120)),
                ('language', fields.CharEnumField(default=Language.EN, description='FR: fr\nEN: en', enum_type=Language, max_length=2)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'users', 'app': 'mailrenew', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccessToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('mailrenew.User', source_field='user_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'access_tokens', 'app': 'mailrenew', 'pk_attr': 'id', 'table_description': 'A personal access token, only its SHA-256 digest is stored, and the token is shown once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('mailrenew.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='audit_events', on_delete=OnDelete.SET_NULL)),
                ('organization', fields.ForeignKeyField('mailrenew.Organization', source_field='organization_id', null=True, db_constraint=True, to_field='id', related_name='audit_events', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharField(max_length=64)),
                ('target_type', fields.CharField(max_length=32)),
                ('target_id', fields.IntField()),
                ('before', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_events', 'app': 'mailrenew', 'indexes': [Index(fields=['target_type', 'target_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('mailrenew.User', source_field='user_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('organization', fields.ForeignKeyField('mailrenew.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='OWNER: OWNER\nADMIN: ADMIN\nBILLING: BILLING\nMEMBER: MEMBER', enum_type=Role, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'memberships', 'app': 'mailrenew', 'unique_together': (('user', 'organization'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('mailrenew.User', source_field='user_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('organization', fields.ForeignKeyField('mailrenew.Organization', source_field='organization_id', null=True, db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='PAYMENT_NOT_COVERED: PAYMENT_NOT_COVERED\nRENEWAL_RECEIPT: RENEWAL_RECEIPT\nRENEWAL_FAILED: RENEWAL_FAILED\nEXPIRED: EXPIRED', enum_type=MessageKind, max_length=24)),
                ('language', fields.CharField(max_length=2)),
                ('subject', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('dedupe_key', fields.CharField(unique=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('send_attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'outbox_messages', 'app': 'mailrenew', 'pk_attr': 'id', 'table_description': 'A message to one user, ``dedupe_key`` makes queuing the same notice twice a no-op.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UserSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('mailrenew.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'user_sessions', 'app': 'mailrenew', 'pk_attr': 'id', 'table_description': 'A console sign-in, the cookie carries a signed random key whose digest is stored here.'},
            bases=['Model'],
        ),
    ]
