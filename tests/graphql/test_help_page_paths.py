"""The three paths of the provider's help page ("Comment activer le renouvellement automatique des boîtes
mail", seeds/000_32b3570d0fdf0213.txt), driven through the API exactly as the console drives them.

The data is shaped like the demo: Acme SARL owns acme.example (several mailboxes, some on auto-renew),
acme-shop.example (no mailbox) and acme-01.example; Alice is OWNER of Acme and BILLING of Globex (the second
organization she may charge), and speaks French; Initech is a customer unrelated to the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mailrenew.accounts.models import Language, Organization, Role, User
from mailrenew.hosting.models import Domain, Mailbox, MailboxOffer, RenewalPeriod
from tests.factories import TODAY, make_domain, make_forward, make_mailbox, make_org, make_user
from tests.graphql.conftest import GraphQLClient
from tests.graphql.helpers import audit_rows, gid, mailbox_settings

ACME_MAILBOXES = [
    # (local part, offer, days until expiry, auto-renew period paid by Acme, or None)
    ("contact", MailboxOffer.STANDARD, 2, RenewalPeriod.YEARLY),
    ("sales", MailboxOffer.PREMIUM, 4, None),
    ("support", MailboxOffer.STANDARD, 5, RenewalPeriod.MONTHLY),
    ("jobs", MailboxOffer.STANDARD, 1, None),
    ("alice", MailboxOffer.PREMIUM, 40, RenewalPeriod.YEARLY),
    ("press", MailboxOffer.STANDARD, 330, None),
]


@dataclass
class Demo:
    acme: Organization
    globex: Organization
    alice: User
    acme_domain: Domain
    other_acme_mailbox: Mailbox
    globex_mailbox: Mailbox
    initech_mailbox: Mailbox


async def make_demo() -> Demo:
    acme, globex, initech = (
        await make_org(name="Acme SARL", balance_cents=1_000_000),  # plenty: the balance never warns
        await make_org(name="Globex", balance_cents=200),
        await make_org(name="Initech"),
    )
    alice = await make_user(
        email="owner@acme.example", language=Language.FR, roles={acme: Role.OWNER, globex: Role.BILLING}
    )
    await make_user(email="owner@initech.example", roles={initech: Role.OWNER})
    acme_domain = await make_domain(
        owner=acme, fqdn="acme.example", expires_at=TODAY + dt.timedelta(days=180), auto_renew_payer=acme
    )
    for local, offer, days, period in ACME_MAILBOXES:
        await make_mailbox(
            domain=acme_domain,
            local_part=local,
            offer=offer,
            expires_at=TODAY + dt.timedelta(days=days),
            period=period,
            payer=acme,
        )
    await make_forward(domain=acme_domain, source="info", destinations=["contact@acme.example"])
    await make_domain(owner=acme, fqdn="acme-shop.example", auto_renew_payer=acme)
    acme_01 = await make_domain(owner=acme, fqdn="acme-01.example")
    globex_domain = await make_domain(owner=globex, fqdn="globex.example", auto_renew_payer=globex)
    initech_domain = await make_domain(owner=initech, fqdn="initech.example", auto_renew_payer=initech)
    return Demo(
        acme=acme,
        globex=globex,
        alice=alice,
        acme_domain=acme_domain,
        other_acme_mailbox=await make_mailbox(domain=acme_01, local_part="box0"),
        globex_mailbox=await make_mailbox(domain=globex_domain, local_part="hello"),
        initech_mailbox=await make_mailbox(domain=initech_domain, local_part="peter"),
    )


AUTO_RENEW = "autoRenew { enabled period payer { id name } }"


@dataclass
class Console:
    """The console's screens, each one the GraphQL operation the console sends for it."""

    client: GraphQLClient

    async def domain_list(self, **filter_: Any) -> list[dict[str, Any]]:
        """NOM DE DOMAINE: the list of domains (advanced view), with its filter."""
        data = await self.client.execute(
            "query($filter: DomainFilter) { domains(filter: $filter) { totalCount nodes {"
            " id fqdn expiresAt mailboxCount owner { name } autoRenew { enabled } } } }",
            {"filter": filter_},
        )
        return data["domains"]["nodes"]

    async def mailboxes_tab(self, domain_id: str) -> dict[str, Any]:
        """« Boîtes et redirections mail »: the mailboxes (checkbox, address, expiry, A badge) and forwards."""
        data = await self.client.execute(
            "query($id: ID!) { domain(id: $id) { fqdn viewerCanManage"
            f" mailboxes(first: 50) {{ totalCount nodes {{ id address offer status expiresAt {AUTO_RENEW} }} }}"
            " forwards { address destinations } } }",
            {"id": domain_id},
        )
        return data["domain"]

    async def rows(self, domain_id: str) -> dict[str, dict[str, Any]]:
        """The tab's rows by local part: what the A badge and the form show."""
        tab = await self.mailboxes_tab(domain_id)
        return {row["address"].split("@")[0]: row["autoRenew"] for row in tab["mailboxes"]["nodes"]}

    async def mailbox_detail(self, mailbox_id: str) -> dict[str, Any]:
        """A mailbox's page: the Configuration block with « Renouvellement automatique » and « Changer »."""
        data = await self.client.execute(
            f"query($id: ID!) {{ mailbox(id: $id) {{ id address viewerCanManage {AUTO_RENEW}"
            " warnings { code message } } }",
            {"id": mailbox_id},
        )
        return data["mailbox"]

    async def payer_choices(self) -> list[dict[str, str]]:
        """The form's drop-down: the organizations the user may charge."""
        data = await self.client.execute("{ viewer { payableOrganizations { id name } } }")
        return data["viewer"]["payableOrganizations"]

    async def save(self, mailbox_id: str, form: dict[str, Any]) -> dict[str, Any]:
        """« Modifier » on the auto-renew form of one mailbox."""
        data = await self.client.execute(
            "mutation($id: ID!, $input: AutoRenewInput!) { setAutoRenew(mailboxId: $id, input: $input) {"
            f" mailbox {{ id {AUTO_RENEW} }} userErrors {{ field code message }} }} }}",
            {"id": mailbox_id, "input": form},
        )
        return data["setAutoRenew"]

    async def save_bulk(
        self, domain_id: str, ticked: list[str] | None, form: dict[str, Any]
    ) -> dict[str, Any]:
        """« Modifier » in the modal opened from the bar of ticked mailboxes (None: the header checkbox)."""
        variables: dict[str, Any] = {"domainId": domain_id, "input": form}
        if ticked is not None:
            variables["ids"] = ticked
        data = await self.client.execute(
            "mutation($domainId: ID!, $ids: [ID!], $input: AutoRenewInput!) {"
            " bulkSetAutoRenew(domainId: $domainId, mailboxIds: $ids, input: $input) {"
            " updatedCount mailboxes { address } userErrors { field code message } } }",
            variables,
        )
        return data["bulkSetAutoRenew"]


def form(period: str, payer: dict[str, str]) -> dict[str, Any]:
    """The switch on, one of Mensuel / Annuel, and an organization picked in the drop-down."""
    return {"enabled": True, "period": period, "payerOrganizationId": payer["id"]}


def badge(period: str, payer: dict[str, str]) -> dict[str, Any]:
    return {"enabled": True, "period": period, "payer": payer}


def pick(choices: list[dict[str, str]], name: str) -> dict[str, str]:
    return next(c for c in choices if c["name"] == name)


async def open_console(signed_in, demo: Demo) -> Console:
    return Console(await signed_in(demo.alice))


async def test_from_the_mailbox_list(signed_in) -> None:
    demo = await make_demo()
    console = await open_console(signed_in, demo)

    # 1-2. NOM DE DOMAINE, filtered on the presence of mailboxes; Alice finds the domain with her mailboxes
    listed = await console.domain_list(hasMailboxes=True)
    assert [d["fqdn"] for d in listed] == ["acme-01.example", "acme.example", "globex.example"]
    domain = next(d for d in listed if d["fqdn"] == "acme.example")
    assert (domain["mailboxCount"], domain["owner"]) == (len(ACME_MAILBOXES), {"name": "Acme SARL"})

    # 3. « Boîtes et redirections mail »: the mailboxes, then the forwards
    tab = await console.mailboxes_tab(domain["id"])
    assert tab["viewerCanManage"] is True
    assert tab["mailboxes"]["totalCount"] == len(ACME_MAILBOXES)
    assert tab["forwards"] == [{"address": "info@acme.example", "destinations": ["contact@acme.example"]}]
    before = await console.rows(domain["id"])
    assert before["sales"] == {"enabled": False, "period": None, "payer": None}

    # 4-5. the ⁝ menu of « sales » → « Gérer le renouvellement automatique »: switch, Mensuel, Globex
    sales = next(r for r in tab["mailboxes"]["nodes"] if r["address"] == "sales@acme.example")
    choices = await console.payer_choices()
    assert [c["name"] for c in choices] == ["Acme SARL", "Globex"]
    globex = pick(choices, "Globex")

    # 6. « Modifier »
    saved = await console.save(sales["id"], form("MONTHLY", globex))
    assert saved == {"mailbox": {"id": sales["id"], "autoRenew": badge("MONTHLY", globex)}, "userErrors": []}

    # back to the list: the expiry date of « sales » is now followed by the green A; nothing else moved
    after = await console.rows(domain["id"])
    assert after == {**before, "sales": badge("MONTHLY", globex)}
    assert len(await audit_rows()) == 1


async def test_from_the_mailbox_detail(signed_in) -> None:
    demo = await make_demo()
    console = await open_console(signed_in, demo)

    # 1-4. the domain, its tab, a click on « jobs »
    domain = next(d for d in await console.domain_list(search="acme.example") if d["fqdn"] == "acme.example")
    tab = await console.mailboxes_tab(domain["id"])
    jobs_id = next(r["id"] for r in tab["mailboxes"]["nodes"] if r["address"] == "jobs@acme.example")

    # 5. Configuration: « Renouvellement automatique : Désactivé », and a « Changer » button
    detail = await console.mailbox_detail(jobs_id)
    assert detail["autoRenew"] == {"enabled": False, "period": None, "payer": None}
    assert detail["viewerCanManage"] is True

    # 6-7. the same form: switch on, Annuel, Acme SARL, « Modifier »
    acme = pick(await console.payer_choices(), "Acme SARL")
    saved = await console.save(jobs_id, form("YEARLY", acme))
    assert saved["userErrors"] == []

    # the detail now reads « Activé », yearly, paid by Acme SARL; the domain renews itself: no warning
    detail = await console.mailbox_detail(jobs_id)
    assert detail == {
        "id": jobs_id,
        "address": "jobs@acme.example",
        "viewerCanManage": True,
        "autoRenew": badge("YEARLY", acme),
        "warnings": [],
    }


async def test_several_or_all_mailboxes_of_one_domain(signed_in) -> None:
    demo = await make_demo()
    console = await open_console(signed_in, demo)
    domain = next(d for d in await console.domain_list(hasMailboxes=True) if d["fqdn"] == "acme.example")
    tab = await console.mailboxes_tab(domain["id"])
    ids = {r["address"].split("@")[0]: r["id"] for r in tab["mailboxes"]["nodes"]}
    choices = await console.payer_choices()
    globex, acme = pick(choices, "Globex"), pick(choices, "Acme SARL")
    untouched = await mailbox_settings()

    # 4-7. a few boxes ticked (« sales », « press »), the bar's « Renouvellement automatique », Annuel, Globex
    ticked = await console.save_bulk(domain["id"], [ids["sales"], ids["press"]], form("YEARLY", globex))
    assert ticked == {
        "updatedCount": 2,
        "mailboxes": [{"address": "press@acme.example"}, {"address": "sales@acme.example"}],
        "userErrors": [],
    }
    rows = await console.rows(domain["id"])
    assert {local for local, row in rows.items() if row == badge("YEARLY", globex)} == {"sales", "press"}
    assert rows["jobs"] == {"enabled": False, "period": None, "payer": None}
    assert rows["contact"] == badge("YEARLY", acme)
    assert rows["support"] == badge("MONTHLY", acme)

    # the header checkbox: every mailbox of the domain, Mensuel, Acme SARL
    everything = await console.save_bulk(domain["id"], None, form("MONTHLY", acme))
    assert everything["userErrors"] == []
    assert everything["updatedCount"] == len(ACME_MAILBOXES)
    assert await console.rows(domain["id"]) == {local: badge("MONTHLY", acme) for local, *_ in ACME_MAILBOXES}

    # the other domains' mailboxes never moved
    stored = await mailbox_settings()
    for other in (demo.other_acme_mailbox, demo.globex_mailbox, demo.initech_mailbox):
        assert stored[other.id] == untouched[other.id]


async def test_bulk_is_limited_to_one_domain(signed_in) -> None:
    """« Cette fonctionnalité est limitée à toutes les boîtes d'un même nom de domaine. »"""
    demo = await make_demo()
    console = await open_console(signed_in, demo)
    tab = await console.mailboxes_tab(gid("Domain", demo.acme_domain.id))
    sales = next(r["id"] for r in tab["mailboxes"]["nodes"] if r["address"] == "sales@acme.example")
    other = gid("Mailbox", demo.other_acme_mailbox.id)
    acme = pick(await console.payer_choices(), "Acme SARL")
    before = await mailbox_settings()

    refused = await console.save_bulk(
        gid("Domain", demo.acme_domain.id), [sales, other], form("YEARLY", acme)
    )

    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("MAILBOX_NOT_IN_DOMAIN", ["mailboxIds", "1"])
    ]
    assert refused["updatedCount"] == 0
    assert await mailbox_settings() == before


async def test_mailboxes_depend_on_their_domain(signed_in) -> None:
    """« N'oubliez pas que vos boîtes mail sont dépendantes de votre nom de domaine. »"""
    demo = await make_demo()
    console = await open_console(signed_in, demo)
    box = gid("Mailbox", demo.other_acme_mailbox.id)  # on acme-01.example, which is not on auto-renew
    acme = pick(await console.payer_choices(), "Acme SARL")

    await console.save(box, form("MONTHLY", acme))
    detail = await console.mailbox_detail(box)

    assert detail["warnings"] == [
        {
            "code": "DOMAIN_AUTO_RENEW_OFF",
            "message": "Le domaine acme-01.example n'est pas en renouvellement automatique : la boîte mail en dépend.",
        }
    ]
