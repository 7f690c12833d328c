"""Small keyword-only factories per domain, for tests."""

from __future__ import annotations

import datetime as dt
import itertools

from mailrenew.accounts.models import Language, Membership, Organization, Role, User
from mailrenew.accounts.passwords import hash_password
from mailrenew.billing import service as billing
from mailrenew.hosting.models import Domain, Forward, Mailbox, MailboxOffer, RenewalPeriod

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for the suite
_seq = itertools.count(1)
TODAY = dt.date(2027, 3, 1)


async def make_org(*, name: str | None = None, balance_cents: int = 0) -> Organization:
    org = await Organization.create(name=name or f"Org {next(_seq)}")
    await billing.open_account(org, opening_cents=balance_cents)
    return org


async def make_user(
    *,
    email: str | None = None,
    language: Language = Language.EN,
    roles: dict[Organization, Role] | None = None,
) -> User:
    user = await User.create(
        email=email or f"user{next(_seq)}@test.example",
        password_hash=_PASSWORD_HASH,
        display_name="Test User",
        language=language,
    )
    for org, role in (roles or {}).items():
        await Membership.create(user=user, organization=org, role=role)
    return user


async def make_domain(
    *,
    owner: Organization,
    fqdn: str | None = None,
    expires_at: dt.date | None = None,
    auto_renew_payer: Organization | None = None,
) -> Domain:
    return await Domain.create(
        fqdn=fqdn or f"d{next(_seq)}.example",
        owner=owner,
        expires_at=expires_at or TODAY + dt.timedelta(days=365),
        auto_renew_enabled=auto_renew_payer is not None,
        auto_renew_payer=auto_renew_payer,
    )


async def make_mailbox(
    *,
    domain: Domain,
    local_part: str | None = None,
    offer: MailboxOffer = MailboxOffer.STANDARD,
    expires_at: dt.date | None = None,
    period: RenewalPeriod | None = None,
    payer: Organization | None = None,
) -> Mailbox:
    local = local_part or f"box{next(_seq)}"
    return await Mailbox.create(
        domain=domain,
        local_part=local,
        address=f"{local}@{domain.fqdn}",
        offer=offer,
        expires_at=expires_at or TODAY + dt.timedelta(days=30),
        auto_renew_enabled=period is not None,
        auto_renew_period=period,
        auto_renew_payer=payer if period is not None else None,
    )


async def make_mailboxes(*, domain: Domain, count: int, expires_at: dt.date | None = None) -> list[Mailbox]:
    rows = [
        Mailbox(
            domain=domain,
            local_part=f"m{n:05d}",
            address=f"m{n:05d}@{domain.fqdn}",
            expires_at=expires_at or TODAY + dt.timedelta(days=30),
        )
        for n in range(count)
    ]
    await Mailbox.bulk_create(rows, batch_size=500)
    return await Mailbox.filter(domain=domain).order_by("id")


async def make_forward(
    *, domain: Domain, source: str = "info", destinations: list[str] | None = None
) -> Forward:
    return await Forward.create(domain=domain, source=source, destinations=destinations or ["a@example.org"])


async def make_card(*, org: Organization, number: str = "4242424242424242", auto_top_up: bool = True) -> None:
    """Register a card through the simulated gateway, as ``registerCard`` does."""
    from mailrenew.billing.gateway import get_gateway

    card = await get_gateway().tokenize(number, 12, TODAY.year + 2, "123", today=TODAY)
    await billing.attach_card(
        org,
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        gateway_token=card.token,
        auto_top_up=auto_top_up,
    )
