"""The world of the read tests (domains, mailboxes, forwards): two tenants, a fleet of domains whose
every order is exact, and the domain list query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mailrenew.accounts.models import Organization, Role, User
from mailrenew.hosting.models import Domain, Forward, Mailbox
from tests.factories import TODAY, make_domain, make_forward, make_mailbox, make_org, make_user

DOMAINS = """
query Domains($filter: DomainFilter, $orderBy: DomainOrder, $first: Int, $after: String) {
  domains(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id fqdn } }
    nodes { fqdn }
  }
}
"""


PLENTY = 1_000_000  # a payer's balance that covers any renewal: no BALANCE_SHORT in the warnings tested here


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@dataclass
class Tenants:
    """Two customers that know nothing of each other: Acme (Alice is OWNER) and Globex (Gus is OWNER)."""

    acme: Organization
    globex: Organization
    alice: User
    gus: User
    acme_domain: Domain
    acme_mailbox: Mailbox
    acme_forward: Forward
    globex_domain: Domain
    globex_mailbox: Mailbox
    globex_forward: Forward


async def make_tenants() -> Tenants:
    acme, globex = await make_org(name="Acme"), await make_org(name="Globex")
    acme_domain = await make_domain(owner=acme, fqdn="acme.example")
    globex_domain = await make_domain(owner=globex, fqdn="globex.example")
    return Tenants(
        acme=acme,
        globex=globex,
        alice=await make_user(roles={acme: Role.OWNER}),
        gus=await make_user(roles={globex: Role.OWNER}),
        acme_domain=acme_domain,
        acme_mailbox=await make_mailbox(domain=acme_domain, local_part="contact"),
        acme_forward=await make_forward(domain=acme_domain, source="info"),
        globex_domain=globex_domain,
        globex_mailbox=await make_mailbox(domain=globex_domain, local_part="ceo"),
        globex_forward=await make_forward(domain=globex_domain, source="info"),
    )


async def fqdns(client: Any, **variables: Any) -> list[str]:
    data = await client.execute(DOMAINS, variables)
    return [node["fqdn"] for node in data["domains"]["nodes"]]


async def make_fleet(org: Organization) -> None:
    """Four domains with distinct fqdns, expiry dates and mailbox counts, so that every order is exact."""
    for fqdn, expires_in, boxes in [
        ("bravo.example", 200, 3),
        ("alpha.example", 90, 0),
        ("delta.example", 30, 1),
        ("charlie.example", 400, 2),
    ]:
        domain = await make_domain(owner=org, fqdn=fqdn, expires_at=day(expires_in))
        for n in range(boxes):
            await make_mailbox(domain=domain, local_part=f"box{n}")
