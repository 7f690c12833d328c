"""Hosting: domains, mailboxes, forwards, and the auto-renew settings service."""

from __future__ import annotations

import datetime as dt

from mailrenew.accounts.models import Organization
from mailrenew.errors import InvalidInput
from mailrenew.hosting.models import Domain, Forward, Mailbox, MailboxOffer


def normalize_fqdn(fqdn: str) -> str:
    """Lower-case IDNA form (``Café.example`` → ``xn--caf-dma.example``); raises on a malformed name."""
    name = fqdn.strip().rstrip(".").lower()
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(field=["fqdn"], detail=f"{fqdn!r} is not a valid domain name") from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or any(not label or len(label) > 63 for label in labels) or len(ascii_name) > 253:
        raise InvalidInput(field=["fqdn"], detail=f"{fqdn!r} is not a valid domain name")
    return ascii_name


def normalize_local_part(local_part: str) -> str:
    value = local_part.strip().lower()
    if not value or len(value) > 64 or "@" in value or any(c.isspace() for c in value):
        raise InvalidInput(field=["localPart"], detail=f"{local_part!r} is not a valid mailbox name")
    return value


async def create_domain(fqdn: str, owner: Organization, expires_at: dt.date) -> Domain:
    return await Domain.create(fqdn=normalize_fqdn(fqdn), owner=owner, expires_at=expires_at)


async def create_mailboxes(
    domain: Domain, specs: list[tuple[str, MailboxOffer, dt.date]]
) -> list[Mailbox]:
    """Create mailboxes in one statement: ``specs`` are (local part, offer, expiry date)."""
    rows = []
    for local_part, offer, expires_at in specs:
        local = normalize_local_part(local_part)
        rows.append(
            Mailbox(
                domain=domain, local_part=local, address=f"{local}@{domain.fqdn}", offer=offer, expires_at=expires_at
            )
        )
    await Mailbox.bulk_create(rows, batch_size=500)
    return await Mailbox.filter(domain=domain, local_part__in=[r.local_part for r in rows]).order_by("id")


async def create_forward(domain: Domain, source: str, destinations: list[str]) -> Forward:
    if not destinations:
        raise InvalidInput(field=["destinations"], detail="a forward needs at least one destination")
    return await Forward.create(domain=domain, source=normalize_local_part(source), destinations=destinations)
