"""The database itself enforces the model's rules, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from tortoise.exceptions import IntegrityError, OperationalError

from mailrenew.accounts.models import Membership, Role
from mailrenew.billing.models import LedgerEntry, PrepaidAccount
from mailrenew.db import atomic, dialect
from mailrenew.hosting.models import Domain, Mailbox
from tests.factories import make_domain, make_mailbox, make_org, make_user

DB_REFUSALS = (IntegrityError, OperationalError)


async def test_duplicate_mailbox_address_is_refused_by_the_database() -> None:
    org = await make_org()
    domain = await make_domain(owner=org, fqdn="dup.example")
    await make_mailbox(domain=domain, local_part="info")
    with pytest.raises(IntegrityError):
        await Mailbox.create(
            domain=domain, local_part="info", address="info@dup.example", expires_at="2027-01-01"
        )
    assert await Mailbox.filter(address="info@dup.example").count() == 1


async def test_duplicate_fqdn_is_refused() -> None:
    org = await make_org()
    await make_domain(owner=org, fqdn="once.example")
    with pytest.raises(IntegrityError):
        await Domain.create(fqdn="once.example", owner=org, expires_at="2027-01-01")


async def test_duplicate_ledger_idempotency_key_is_refused() -> None:
    org = await make_org(balance_cents=100)
    account = await PrepaidAccount.get(organization=org)
    with pytest.raises(IntegrityError):
        await LedgerEntry.create(
            account=account,
            kind="TOP_UP",
            amount_cents=1,
            balance_after_cents=101,
            idempotency_key=f"opening:{org.id}",
        )


async def test_negative_balance_is_refused_by_the_database() -> None:
    org = await make_org(balance_cents=100)
    with pytest.raises(DB_REFUSALS):
        await PrepaidAccount.filter(organization=org).update(balance_cents=-1)
    assert (await PrepaidAccount.get(organization=org)).balance_cents == 100


async def test_ledger_rows_cannot_be_updated_or_deleted() -> None:
    org = await make_org(balance_cents=100)
    entry = await LedgerEntry.get(account__organization=org)
    with pytest.raises(DB_REFUSALS):
        await LedgerEntry.filter(id=entry.id).update(amount_cents=999_999)
    with pytest.raises(DB_REFUSALS):
        await LedgerEntry.filter(id=entry.id).delete()
    assert (await LedgerEntry.get(id=entry.id)).amount_cents == 100


async def test_enabled_auto_renew_needs_period_and_payer() -> None:
    org = await make_org()
    box = await make_mailbox(domain=await make_domain(owner=org))
    with pytest.raises(DB_REFUSALS):
        await Mailbox.filter(id=box.id).update(auto_renew_enabled=True)
    assert not (await Mailbox.get(id=box.id)).auto_renew_enabled


async def test_membership_is_unique_per_user_and_organization() -> None:
    org = await make_org()
    user = await make_user(roles={org: Role.OWNER})
    with pytest.raises(IntegrityError):
        await Membership.create(user=user, organization=org, role=Role.MEMBER)


async def test_foreign_keys_are_enforced() -> None:
    with pytest.raises(DB_REFUSALS):
        await Domain.create(fqdn="orphan.example", owner_id=987654, expires_at="2027-01-01")


async def test_transaction_rolls_back_on_error() -> None:
    org = await make_org()

    async def create_then_fail() -> None:
        async with atomic():
            await make_domain(owner=org, fqdn="rolled.example")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await create_then_fail()
    assert not await Domain.filter(fqdn="rolled.example").exists()


def test_dialect_matches_the_run() -> None:
    import os

    assert dialect() == ("postgres" if os.environ.get("MAILRENEW_TEST_DB") == "postgres" else "sqlite")


async def test_at_most_one_attempt_per_item_and_business_day() -> None:
    from mailrenew.renewal.models import AttemptOutcome, RenewalAttempt

    org = await make_org()
    domain = await make_domain(owner=org)
    box = await make_mailbox(domain=domain)
    fields = {"business_day": "2027-03-01", "term_expires_at": "2027-03-04", "outcome": AttemptOutcome.FAILED}
    await RenewalAttempt.create(mailbox=box, **fields)
    await RenewalAttempt.create(domain=domain, **fields)
    with pytest.raises(IntegrityError):
        await RenewalAttempt.create(mailbox=box, **fields)
    with pytest.raises(IntegrityError):
        await RenewalAttempt.create(domain=domain, **fields)
    assert await RenewalAttempt.all().count() == 2
