"""The world of the auto-renew mutation tests: the mutations, the caller's organizations and domains,
and the expected payloads and audit rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mailrenew.accounts.models import Language, Organization, Role, User
from mailrenew.hosting.models import Domain, Mailbox
from tests.factories import make_domain, make_mailbox, make_org, make_user
from tests.graphql.helpers import audit_row, gid, user_error

SET_AUTO_RENEW = """
mutation SetAutoRenew($id: ID!, $input: AutoRenewInput!) {
  setAutoRenew(mailboxId: $id, input: $input) {
    mailbox { id address autoRenew { enabled period payer { id name } } }
    userErrors { field code message }
  }
}
"""

BULK_ALL = """
mutation BulkAll($domainId: ID!, $input: AutoRenewInput!) {
  bulkSetAutoRenew(domainId: $domainId, input: $input) {
    updatedCount
    mailboxes { id address autoRenew { enabled period payer { id } } }
    userErrors { field code message }
  }
}
"""

BULK_TICKED = """
mutation BulkTicked($domainId: ID!, $ids: [ID!], $input: AutoRenewInput!) {
  bulkSetAutoRenew(domainId: $domainId, mailboxIds: $ids, input: $input) {
    updatedCount
    mailboxes { id address autoRenew { enabled period payer { id } } }
    userErrors { field code message }
  }
}
"""

SET_DOMAIN_AUTO_RENEW = """
mutation SetDomainAutoRenew($id: ID!, $input: DomainAutoRenewInput!) {
  setDomainAutoRenew(domainId: $id, input: $input) {
    domain { id fqdn autoRenew { enabled payer { id name } } }
    userErrors { field code message }
  }
}
"""

SET_LANGUAGE = """
mutation SetLanguage($language: Language!) {
  setLanguage(language: $language) { viewer { email language } userErrors { field code message } }
}
"""


@dataclass
class World:
    """Acme owns acme.example (three mailboxes, off) and acme-shop.example (one mailbox, off).

    The caller has ``role`` in Acme and ``payer_role`` in Globex; Initech is a stranger with its own domain.
    """

    acme: Organization
    globex: Organization
    initech: Organization
    caller: User
    domain: Domain
    boxes: list[Mailbox]
    sibling: Domain
    sibling_box: Mailbox
    foreign_domain: Domain
    foreign_box: Mailbox

    def box_id(self, n: int) -> str:
        return gid("Mailbox", self.boxes[n].id)

    @property
    def domain_id(self) -> str:
        return gid("Domain", self.domain.id)


async def make_world(
    *, role: Role = Role.OWNER, payer_role: Role = Role.BILLING, language: Language = Language.EN
) -> World:
    acme, globex, initech = (
        await make_org(name="Acme", balance_cents=1_000_000),  # plenty: the balance never warns
        await make_org(name="Globex", balance_cents=1_000_000),
        await make_org(name="Initech"),
    )
    domain = await make_domain(owner=acme, fqdn="acme.example")
    sibling = await make_domain(owner=acme, fqdn="acme-shop.example")
    foreign_domain = await make_domain(owner=initech, fqdn="initech.example")
    return World(
        acme=acme,
        globex=globex,
        initech=initech,
        caller=await make_user(language=language, roles={acme: role, globex: payer_role}),
        domain=domain,
        boxes=[await make_mailbox(domain=domain, local_part=local) for local in ("alice", "bob", "carol")],
        sibling=sibling,
        sibling_box=await make_mailbox(domain=sibling, local_part="shop"),
        foreign_domain=foreign_domain,
        foreign_box=await make_mailbox(domain=foreign_domain, local_part="peter"),
    )


def org_id(org: Organization) -> str:
    return gid("Organization", org.id)


def turn_on(period: str, payer: Organization | str) -> dict[str, Any]:
    payer_id = payer if isinstance(payer, str) else org_id(payer)
    return {"enabled": True, "period": period, "payerOrganizationId": payer_id}


TURN_OFF = {"enabled": False}


def refused(*errors: dict[str, Any]) -> dict[str, Any]:
    return {"mailbox": None, "userErrors": list(errors)}


def bulk_refused(*errors: dict[str, Any]) -> dict[str, Any]:
    return {"updatedCount": 0, "mailboxes": [], "userErrors": list(errors)}


def mailbox_set(world: World, box: Mailbox, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return audit_row(
        actor_id=world.caller.id,
        organization_id=world.acme.id,
        action="mailbox.auto_renew.set",
        target_type="mailbox",
        target_id=box.id,
        before=before,
        after=after,
    )


def mailbox_bulk_set(
    world: World, box: Mailbox, before: dict[str, Any], after: dict[str, Any]
) -> dict[str, Any]:
    return {**mailbox_set(world, box, before, after), "action": "mailbox.auto_renew.bulk_set"}


PERIOD_REQUIRED = user_error("PERIOD_REQUIRED", ["input", "period"])
PAYER_REQUIRED = user_error("PAYER_REQUIRED", ["input", "payerOrganizationId"])
PAYER_NOT_ALLOWED = user_error("PAYER_NOT_ALLOWED", ["input", "payerOrganizationId"])
