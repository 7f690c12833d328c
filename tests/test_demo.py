"""The demo data is exactly what API.md promises (the README, the console's hint and the tests rely on it)."""

from __future__ import annotations

import datetime as dt

import pytest
from tortoise.functions import Count

from mailrenew.accounts.models import Membership, Organization, Role, User
from mailrenew.accounts.passwords import verify_password
from mailrenew.billing.models import Card, LedgerEntry, LedgerKind, PrepaidAccount, Price, Product
from mailrenew.demo import seed_demo
from mailrenew.hosting.models import Domain, Forward, Mailbox, MailboxOffer, MailboxStatus, RenewalPeriod

TODAY = dt.date(2027, 3, 1)
PASSWORD = "demo-pass-for-tests"


@pytest.fixture
async def seeded() -> None:
    report = await seed_demo(today=TODAY, password=PASSWORD)
    assert report.created is True
    assert report.password == PASSWORD


async def balance(name: str) -> int:
    return (await PrepaidAccount.get(organization__name=name)).balance_cents


async def mailboxes_of(fqdn: str) -> list[Mailbox]:
    return await Mailbox.filter(domain__fqdn=fqdn).order_by("address")


async def snapshot() -> dict[str, object]:
    """Every table the demo writes, as comparable values."""
    return {
        "users": await User.all().order_by("id").values_list("id", "email", "password_hash"),
        "orgs": await Organization.all().order_by("id").values_list("id", "name"),
        "memberships": await Membership.all()
        .order_by("id")
        .values_list("user_id", "organization_id", "role"),
        "accounts": await PrepaidAccount.all().order_by("id").values_list("organization_id", "balance_cents"),
        "ledger": await LedgerEntry.all().order_by("id").values_list("id", "amount_cents", "idempotency_key"),
        "cards": await Card.all().order_by("id").values_list("organization_id", "last4", "auto_top_up"),
        "prices": await Price.all().order_by("id").values_list("product", "offer", "period", "amount_cents"),
        "domains": await Domain.all().order_by("id").values_list("fqdn", "owner_id", "expires_at"),
        "mailboxes": await Mailbox.all()
        .order_by("id")
        .values_list("address", "expires_at", "auto_renew_enabled"),
        "forwards": await Forward.all().order_by("id").values_list("domain_id", "source", "destinations"),
    }


@pytest.mark.usefixtures("seeded")
async def test_organizations_balances_and_cards() -> None:
    assert sorted(await Organization.all().values_list("name", flat=True)) == [
        "Acme SARL",
        "Globex",
        "Initech",
    ]
    assert await balance("Acme SARL") == 5000
    assert await balance("Globex") == 200
    assert await balance("Initech") >= 0
    card = await Card.get(organization__name="Acme SARL")
    assert (card.last4, card.auto_top_up) == ("4242", True)
    assert card.exp_year > TODAY.year
    assert not await Card.filter(organization__name="Globex").exists()
    assert await PrepaidAccount.filter(currency="EUR").count() == 3


@pytest.mark.usefixtures("seeded")
async def test_users_and_their_roles() -> None:
    rows = await Membership.all().values_list("user__email", "organization__name", "role")
    roles: dict[str, dict[str, Role]] = {}
    for email, org, role in rows:
        roles.setdefault(email, {})[org] = Role(role)
    assert roles == {
        "owner@acme.example": {"Acme SARL": Role.OWNER, "Globex": Role.BILLING},
        "admin@acme.example": {"Acme SARL": Role.ADMIN},
        "billing@acme.example": {"Acme SARL": Role.BILLING},
        "member@acme.example": {"Acme SARL": Role.MEMBER},
        "owner@initech.example": {"Initech": Role.OWNER},
    }
    assert await User.all().count() == 5


@pytest.mark.usefixtures("seeded")
async def test_every_demo_user_signs_in_with_the_given_password() -> None:
    for user in await User.all():
        assert verify_password(user.password_hash, PASSWORD), user.email
        assert not verify_password(user.password_hash, "demo-password"), user.email


@pytest.mark.usefixtures("seeded")
async def test_acme_example() -> None:
    domain = await Domain.get(fqdn="acme.example").prefetch_related("owner")
    assert domain.owner.name == "Acme SARL"
    boxes = await mailboxes_of("acme.example")
    assert len(boxes) >= 8
    assert all(box.status == MailboxStatus.ACTIVE for box in boxes)
    auto = [box for box in boxes if box.auto_renew_enabled]
    assert auto, "some mailboxes have auto-renew on"
    assert len(auto) < len(boxes), "and some have it off"
    assert {box.auto_renew_period for box in auto} == {RenewalPeriod.MONTHLY, RenewalPeriod.YEARLY}
    assert all(box.auto_renew_payer_id == domain.owner.id for box in auto)
    soon = [box for box in boxes if TODAY < box.expires_at <= TODAY + dt.timedelta(days=5)]
    assert len(soon) >= 2, "some expire within the next 5 days"
    assert any(box.auto_renew_enabled for box in soon), "the renewal window has work on day one"
    assert any(not box.auto_renew_enabled for box in soon)
    assert {box.offer for box in boxes} == {MailboxOffer.STANDARD, MailboxOffer.PREMIUM}
    assert all(box.address == f"{box.local_part}@acme.example" for box in boxes)


@pytest.mark.usefixtures("seeded")
async def test_other_named_domains() -> None:
    owners = dict(
        await Domain.filter(
            fqdn__in=["acme-shop.example", "acme-big.example", "globex.example", "initech.example"]
        ).values_list("fqdn", "owner__name")
    )
    assert owners == {
        "acme-shop.example": "Acme SARL",
        "acme-big.example": "Acme SARL",
        "globex.example": "Globex",
        "initech.example": "Initech",
    }
    assert await mailboxes_of("acme-shop.example") == []
    assert await Mailbox.filter(domain__fqdn="acme-big.example").count() == 250
    assert 2 <= await Mailbox.filter(domain__fqdn="globex.example").count() <= 10
    assert 2 <= await Mailbox.filter(domain__fqdn="initech.example").count() <= 10


@pytest.mark.usefixtures("seeded")
async def test_about_thirty_domains_some_without_mailboxes() -> None:
    rows = await Domain.annotate(boxes=Count("mailboxes")).values_list("fqdn", "boxes")
    assert 25 <= len(rows) <= 35
    empty = sorted(fqdn for fqdn, boxes in rows if boxes == 0)
    assert "acme-shop.example" in empty
    assert len(empty) >= 3
    assert all(fqdn == fqdn.lower() and fqdn.endswith(".example") for fqdn, _ in rows)
    assert await Domain.filter(expires_at__lte=TODAY).count() == 0  # nothing already expired


@pytest.mark.usefixtures("seeded")
async def test_opening_balances_are_ledger_entries() -> None:
    for account in await PrepaidAccount.all().prefetch_related("organization"):
        entries = await LedgerEntry.filter(account=account).order_by("id")
        assert sum(entry.amount_cents for entry in entries) == account.balance_cents, (
            account.organization.name
        )
        if account.balance_cents:
            assert [entry.kind for entry in entries] == [LedgerKind.OPENING]
            assert entries[0].balance_after_cents == account.balance_cents
    assert await LedgerEntry.all().count() == await PrepaidAccount.exclude(balance_cents=0).count()


@pytest.mark.usefixtures("seeded")
async def test_default_prices() -> None:
    prices = {
        (product, offer, period): cents
        for product, offer, period, cents in await Price.all().values_list(
            "product", "offer", "period", "amount_cents"
        )
    }
    for offer in MailboxOffer:
        for period in RenewalPeriod:
            assert prices[(Product.MAILBOX, offer.value, period.value)] > 0
    assert prices[(Product.DOMAIN, "", "YEARLY")] > 0
    assert (
        prices[(Product.MAILBOX, "STANDARD", "YEARLY")]
        < 12 * prices[(Product.MAILBOX, "STANDARD", "MONTHLY")]
    )
    assert await Price.exclude(currency="EUR").count() == 0


@pytest.mark.usefixtures("seeded")
async def test_forwards() -> None:
    forwards = await Forward.filter(domain__fqdn="acme.example").order_by("source")
    assert len(forwards) >= 2
    for forward in forwards:
        assert forward.destinations, forward.source
        assert all("@" in address for address in forward.destinations)
    sources = {forward.source for forward in forwards}
    addresses = {box.local_part for box in await mailboxes_of("acme.example")}
    assert not sources & addresses  # a forward does not shadow a mailbox
    assert await Forward.filter(domain__fqdn="globex.example").exists()


async def test_seeding_twice_changes_nothing() -> None:
    await seed_demo(today=TODAY, password=PASSWORD)
    before = await snapshot()
    again = await seed_demo(today=TODAY + dt.timedelta(days=3), password="another-password")
    assert again.created is False
    assert again.users == [
        "owner@acme.example",
        "admin@acme.example",
        "billing@acme.example",
        "member@acme.example",
        "owner@initech.example",
    ]
    assert await snapshot() == before
