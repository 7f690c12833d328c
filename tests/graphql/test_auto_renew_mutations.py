"""Changing auto-renewal through the API: who may, which payer, what is required, all-or-nothing bulk,
and the audit trail (SPEC "Managing auto-renew", API.md "Mutations").

Every refusal is checked three ways: the exact ``userErrors``, the rows re-read from the database, and an
audit_events table left empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from mailrenew.accounts.models import Language, Organization, Role, User
from mailrenew.hosting.models import Domain, Mailbox, RenewalPeriod
from tests.factories import make_domain, make_mailbox, make_org, make_user
from tests.graphql.helpers import (
    MALFORMED_IDS,
    OFF,
    OUT_OF_RANGE_KEYS,
    Settings,
    audit_row,
    audit_rows,
    domain_settings,
    gid,
    mailbox_settings,
    state,
    user_error,
)

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


# --- setAutoRenew: who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
async def test_owner_and_admin_of_the_domain_organization_turn_auto_renew_on(signed_in, role: Role) -> None:
    # given a mailbox off, and a caller who is OWNER or ADMIN of its domain's organization
    world = await make_world(role=role)
    client = await signed_in(world.caller)

    # when they turn it on, yearly, paid by Globex (where they are BILLING)
    data = await client.execute(
        SET_AUTO_RENEW, {"id": world.box_id(0), "input": turn_on("YEARLY", world.globex)}
    )

    # then the payload, the database and the audit log all say so
    assert data["setAutoRenew"] == {
        "mailbox": {
            "id": world.box_id(0),
            "address": "alice@acme.example",
            "autoRenew": {
                "enabled": True,
                "period": "YEARLY",
                "payer": {"id": org_id(world.globex), "name": "Globex"},
            },
        },
        "userErrors": [],
    }
    stored = await mailbox_settings()
    assert stored[world.boxes[0].id] == Settings(True, "YEARLY", world.globex.id)
    assert {k: v for k, v in stored.items() if k != world.boxes[0].id} == dict.fromkeys(
        [b.id for b in world.boxes[1:]] + [world.sibling_box.id, world.foreign_box.id], OFF
    )
    assert await audit_rows() == [
        mailbox_set(world, world.boxes[0], state(False), state(True, "YEARLY", world.globex.id))
    ]


@pytest.mark.parametrize("role", [Role.BILLING, Role.MEMBER])
async def test_billing_and_member_of_the_domain_organization_may_not_change_it(signed_in, role: Role) -> None:
    # given a caller who is only BILLING or MEMBER of the domain's organization
    world = await make_world(role=role)
    client = await signed_in(world.caller)
    before = await mailbox_settings()

    # when they try to turn a mailbox on
    data = await client.execute(
        SET_AUTO_RENEW, {"id": world.box_id(0), "input": turn_on("YEARLY", world.globex)}
    )

    # then they are refused, and nothing changed
    assert data["setAutoRenew"] == refused(user_error("NOT_ALLOWED", ["mailboxId"]))
    assert await mailbox_settings() == before
    assert await audit_rows() == []


# --- setAutoRenew: which payer -------------------------------------------------------------------------


@pytest.mark.parametrize("payer_role", [Role.OWNER, Role.BILLING])
async def test_the_payer_may_be_an_organization_where_the_caller_is_owner_or_billing(
    signed_in, payer_role: Role
) -> None:
    # given an ADMIN of Acme (who may not charge Acme) who is OWNER or BILLING of Globex
    world = await make_world(role=Role.ADMIN, payer_role=payer_role)
    client = await signed_in(world.caller)

    data = await client.execute(
        SET_AUTO_RENEW, {"id": world.box_id(1), "input": turn_on("MONTHLY", world.globex)}
    )

    assert data["setAutoRenew"]["userErrors"] == []
    assert data["setAutoRenew"]["mailbox"]["autoRenew"]["payer"] == {
        "id": org_id(world.globex),
        "name": "Globex",
    }
    assert (await mailbox_settings())[world.boxes[1].id] == Settings(True, "MONTHLY", world.globex.id)
    assert await audit_rows() == [
        mailbox_set(world, world.boxes[1], state(False), state(True, "MONTHLY", world.globex.id))
    ]


@pytest.mark.parametrize(
    ("payer_role", "payer"),
    [
        (Role.ADMIN, "globex"),
        (Role.MEMBER, "globex"),
        (Role.BILLING, "acme"),  # the caller is only ADMIN of Acme
        (Role.BILLING, "initech"),  # not a member at all
        (Role.BILLING, "unknown"),
        (Role.BILLING, "a domain id"),
        *[(Role.BILLING, bad) for bad in MALFORMED_IDS],
    ],
)
async def test_any_other_payer_is_refused(signed_in, payer_role: Role, payer: str) -> None:
    # given an ADMIN of Acme with ``payer_role`` in Globex
    world = await make_world(role=Role.ADMIN, payer_role=payer_role)
    payer_id = {
        "globex": org_id(world.globex),
        "acme": org_id(world.acme),
        "initech": org_id(world.initech),
        "unknown": gid("Organization", 999_999),
        "a domain id": gid("Domain", world.acme.id),
    }.get(payer, payer)
    client = await signed_in(world.caller)
    before = await mailbox_settings()

    # when they pick that payer
    data = await client.execute(SET_AUTO_RENEW, {"id": world.box_id(0), "input": turn_on("YEARLY", payer_id)})

    # then the payer is refused, and nothing changed
    assert data["setAutoRenew"] == refused(user_error("PAYER_NOT_ALLOWED", ["input", "payerOrganizationId"]))
    assert await mailbox_settings() == before
    assert await audit_rows() == []


# --- setAutoRenew: what is required --------------------------------------------------------------------


PERIOD_REQUIRED = user_error("PERIOD_REQUIRED", ["input", "period"])
PAYER_REQUIRED = user_error("PAYER_REQUIRED", ["input", "payerOrganizationId"])
PAYER_NOT_ALLOWED = user_error("PAYER_NOT_ALLOWED", ["input", "payerOrganizationId"])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"period": None, "payer": "globex"}, [PERIOD_REQUIRED]),
        ({"period": "YEARLY", "payer": None}, [PAYER_REQUIRED]),
        ({"period": None, "payer": None}, [PERIOD_REQUIRED, PAYER_REQUIRED]),
        ({"period": None, "payer": "initech"}, [PERIOD_REQUIRED, PAYER_NOT_ALLOWED]),
    ],
    ids=["no period", "no payer", "neither", "no period and a foreign payer"],
)
async def test_enabling_needs_a_period_and_a_payer(
    signed_in, given: dict[str, str | None], expected: list[dict[str, Any]]
) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    payers = {"globex": org_id(world.globex), "initech": org_id(world.initech), None: None}
    given_input = {"enabled": True}
    if given["period"] is not None:
        given_input["period"] = given["period"]
    if given["payer"] is not None:
        given_input["payerOrganizationId"] = payers[given["payer"]]
    before = await mailbox_settings()

    data = await client.execute(SET_AUTO_RENEW, {"id": world.box_id(0), "input": given_input})

    assert data["setAutoRenew"] == refused(*expected)
    assert await mailbox_settings() == before
    assert await audit_rows() == []


async def test_explicit_nulls_count_as_missing(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    data = await client.execute(
        SET_AUTO_RENEW,
        {"id": world.box_id(0), "input": {"enabled": True, "period": None, "payerOrganizationId": None}},
    )

    assert data["setAutoRenew"] == refused(PERIOD_REQUIRED, PAYER_REQUIRED)
    assert await audit_rows() == []


# --- setAutoRenew: ids the caller cannot see -----------------------------------------------------------


async def test_a_foreign_an_unknown_and_a_malformed_mailbox_id_get_the_same_answer(signed_in) -> None:
    # given an OWNER of Acme, and Initech's mailbox that they cannot see
    world = await make_world()
    client = await signed_in(world.caller)
    before = await mailbox_settings()

    # when they send, with the same (even invalid) input, a foreign id, an unknown one, malformed ones
    answers = {}
    for name, mailbox_id in {
        "foreign": gid("Mailbox", world.foreign_box.id),
        "unknown": gid("Mailbox", 999_999),
        "a domain id": world.domain_id,
        **{f"malformed {bad!r}": bad for bad in MALFORMED_IDS},
    }.items():
        for given_input in (turn_on("YEARLY", world.globex), {"enabled": True}):
            response = await client.post(SET_AUTO_RENEW, {"id": mailbox_id, "input": given_input})
            answers[name, json.dumps(given_input)] = (response.status_code, response.json())

    # then every answer is the same NOT_FOUND: nothing tells "exists but not yours" from "does not exist"
    expected = (200, {"data": {"setAutoRenew": refused(user_error("NOT_FOUND", ["mailboxId"]))}})
    assert answers == dict.fromkeys(answers, expected)
    assert await mailbox_settings() == before
    assert await audit_rows() == []


@pytest.mark.parametrize("pk", OUT_OF_RANGE_KEYS)
async def test_an_id_whose_key_is_out_of_range_is_not_found_not_an_internal_error(signed_in, pk: int) -> None:
    """A client may forge any id; one no row can have is refused like an unknown one, not with a crash."""
    world = await make_world()
    client = await signed_in(world.caller)
    before = await mailbox_settings()

    single = await client.post(SET_AUTO_RENEW, {"id": gid("Mailbox", pk), "input": TURN_OFF})
    bulk_domain = await client.post(BULK_ALL, {"domainId": gid("Domain", pk), "input": TURN_OFF})
    bulk_ticked = await client.post(
        BULK_TICKED, {"domainId": world.domain_id, "ids": [gid("Mailbox", pk)], "input": TURN_OFF}
    )
    domain = await client.post(SET_DOMAIN_AUTO_RENEW, {"id": gid("Domain", pk), "input": {"enabled": False}})

    assert single.json() == {"data": {"setAutoRenew": refused(user_error("NOT_FOUND", ["mailboxId"]))}}
    assert bulk_domain.json() == {
        "data": {"bulkSetAutoRenew": bulk_refused(user_error("NOT_FOUND", ["domainId"]))}
    }
    ticked = bulk_ticked.json()
    assert "errors" not in ticked, ticked
    assert [(e["code"], e["field"]) for e in ticked["data"]["bulkSetAutoRenew"]["userErrors"]] == [
        ("MAILBOX_NOT_IN_DOMAIN", ["mailboxIds", "0"])
    ]
    assert domain.json() == {
        "data": {
            "setDomainAutoRenew": {"domain": None, "userErrors": [user_error("NOT_FOUND", ["domainId"])]}
        }
    }
    assert await mailbox_settings() == before
    assert await audit_rows() == []


# --- setAutoRenew: turning off, and changes that change nothing ----------------------------------------


async def test_disabling_keeps_the_period_and_the_payer(signed_in) -> None:
    # given a mailbox on, monthly, paid by Globex
    world = await make_world(role=Role.ADMIN)
    await Mailbox.filter(id=world.boxes[2].id).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.MONTHLY, auto_renew_payer_id=world.globex.id
    )
    client = await signed_in(world.caller)

    # when it is turned off (no period, no payer: the switch alone)
    data = await client.execute(SET_AUTO_RENEW, {"id": world.box_id(2), "input": TURN_OFF})

    # then it is off, and turning it on again would start from monthly and Globex
    assert data["setAutoRenew"] == {
        "mailbox": {
            "id": world.box_id(2),
            "address": "carol@acme.example",
            "autoRenew": {
                "enabled": False,
                "period": "MONTHLY",
                "payer": {"id": org_id(world.globex), "name": "Globex"},
            },
        },
        "userErrors": [],
    }
    assert (await mailbox_settings())[world.boxes[2].id] == Settings(False, "MONTHLY", world.globex.id)
    assert await audit_rows() == [
        mailbox_set(
            world,
            world.boxes[2],
            state(True, "MONTHLY", world.globex.id),
            state(False, "MONTHLY", world.globex.id),
        )
    ]


async def test_disabling_ignores_the_period_and_payer_sent_with_it(signed_in) -> None:
    world = await make_world()
    await Mailbox.filter(id=world.boxes[0].id).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.YEARLY, auto_renew_payer_id=world.acme.id
    )
    client = await signed_in(world.caller)

    data = await client.execute(
        SET_AUTO_RENEW,
        {
            "id": world.box_id(0),
            "input": {"enabled": False, "period": "MONTHLY", "payerOrganizationId": "junk"},
        },
    )

    assert data["setAutoRenew"]["userErrors"] == []
    assert (await mailbox_settings())[world.boxes[0].id] == Settings(False, "YEARLY", world.acme.id)


async def test_changing_period_and_payer_of_an_enabled_mailbox(signed_in) -> None:
    world = await make_world()
    await Mailbox.filter(id=world.boxes[0].id).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.YEARLY, auto_renew_payer_id=world.acme.id
    )
    client = await signed_in(world.caller)

    await client.execute(SET_AUTO_RENEW, {"id": world.box_id(0), "input": turn_on("MONTHLY", world.globex)})

    assert (await mailbox_settings())[world.boxes[0].id] == Settings(True, "MONTHLY", world.globex.id)
    assert await audit_rows() == [
        mailbox_set(
            world,
            world.boxes[0],
            state(True, "YEARLY", world.acme.id),
            state(True, "MONTHLY", world.globex.id),
        )
    ]


async def test_a_change_that_changes_nothing_writes_no_audit_row(signed_in) -> None:
    # given a mailbox already on, yearly, paid by Acme, and one already off
    world = await make_world()
    await Mailbox.filter(id=world.boxes[0].id).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.YEARLY, auto_renew_payer_id=world.acme.id
    )
    client = await signed_in(world.caller)

    # when each is set to what it already is
    on = await client.execute(SET_AUTO_RENEW, {"id": world.box_id(0), "input": turn_on("YEARLY", world.acme)})
    off = await client.execute(SET_AUTO_RENEW, {"id": world.box_id(1), "input": TURN_OFF})

    # then both succeed, and the audit log stays empty
    assert on["setAutoRenew"]["userErrors"] == off["setAutoRenew"]["userErrors"] == []
    assert on["setAutoRenew"]["mailbox"]["autoRenew"]["enabled"] is True
    assert off["setAutoRenew"]["mailbox"]["autoRenew"] == {"enabled": False, "period": None, "payer": None}
    assert await audit_rows() == []


# --- messages in the caller's language -----------------------------------------------------------------


@pytest.mark.parametrize("language", [Language.FR, Language.EN])
async def test_refusals_are_in_the_caller_language(signed_in, language: Language) -> None:
    world = await make_world(role=Role.ADMIN, language=language)
    member = await make_user(language=language, roles={world.acme: Role.MEMBER})
    lang = language.value

    admin = await signed_in(world.caller)
    missing = await admin.execute(SET_AUTO_RENEW, {"id": world.box_id(0), "input": {"enabled": True}})
    payer = await admin.execute(
        SET_AUTO_RENEW, {"id": world.box_id(0), "input": turn_on("YEARLY", world.acme)}
    )
    unknown = await admin.execute(SET_AUTO_RENEW, {"id": "nope", "input": TURN_OFF})
    reader = await signed_in(member)
    not_allowed = await reader.execute(SET_AUTO_RENEW, {"id": world.box_id(0), "input": TURN_OFF})

    assert missing["setAutoRenew"]["userErrors"] == [
        user_error("PERIOD_REQUIRED", ["input", "period"], language=lang),
        user_error("PAYER_REQUIRED", ["input", "payerOrganizationId"], language=lang),
    ]
    assert payer["setAutoRenew"]["userErrors"] == [
        user_error("PAYER_NOT_ALLOWED", ["input", "payerOrganizationId"], language=lang)
    ]
    assert unknown["setAutoRenew"]["userErrors"] == [user_error("NOT_FOUND", ["mailboxId"], language=lang)]
    assert not_allowed["setAutoRenew"]["userErrors"] == [
        user_error("NOT_ALLOWED", ["mailboxId"], language=lang)
    ]


async def test_french_refusal_reads_as_written(signed_in) -> None:
    world = await make_world(role=Role.MEMBER, language=Language.FR)
    client = await signed_in(world.caller)

    data = await client.execute(SET_AUTO_RENEW, {"id": world.box_id(0), "input": TURN_OFF})

    assert data["setAutoRenew"]["userErrors"] == [
        {
            "field": ["mailboxId"],
            "code": "NOT_ALLOWED",
            "message": "Vous devez être propriétaire ou administrateur de l'organisation à qui appartient ce domaine.",
        }
    ]


# --- bulkSetAutoRenew ----------------------------------------------------------------------------------


def mailboxes_payload(
    world: World, boxes: list[Mailbox], period: str | None, payer: Organization | None
) -> list:
    return [
        {
            "id": gid("Mailbox", box.id),
            "address": box.address,
            "autoRenew": {
                "enabled": period is not None,
                "period": period,
                "payer": {"id": org_id(payer)} if payer else None,
            },
        }
        for box in sorted(boxes, key=lambda b: b.address)
    ]


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
async def test_bulk_without_ids_changes_every_mailbox_of_the_domain_and_no_other(
    signed_in, role: Role
) -> None:
    # given acme.example's three mailboxes, one of them on monthly paid by Acme
    world = await make_world(role=role)
    await Mailbox.filter(id=world.boxes[1].id).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.MONTHLY, auto_renew_payer_id=world.acme.id
    )
    client = await signed_in(world.caller)

    # when the header checkbox is ticked and the form applied: yearly, paid by Globex
    data = await client.execute(
        BULK_ALL, {"domainId": world.domain_id, "input": turn_on("YEARLY", world.globex)}
    )

    # then all three are on, yearly, paid by Globex; the other domains' mailboxes are untouched
    assert data["bulkSetAutoRenew"] == {
        "updatedCount": 3,
        "mailboxes": mailboxes_payload(world, world.boxes, "YEARLY", world.globex),
        "userErrors": [],
    }
    target = Settings(True, "YEARLY", world.globex.id)
    assert await mailbox_settings() == {
        **{b.id: target for b in world.boxes},
        world.sibling_box.id: OFF,
        world.foreign_box.id: OFF,
    }
    after = state(True, "YEARLY", world.globex.id)
    assert await audit_rows() == [
        mailbox_bulk_set(world, world.boxes[0], state(False), after),
        mailbox_bulk_set(world, world.boxes[1], state(True, "MONTHLY", world.acme.id), after),
        mailbox_bulk_set(world, world.boxes[2], state(False), after),
    ]


async def test_bulk_with_ticked_ids_changes_those_only(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    data = await client.execute(
        BULK_TICKED,
        {
            "domainId": world.domain_id,
            "ids": [world.box_id(2), world.box_id(0)],
            "input": turn_on("MONTHLY", world.acme),
        },
    )

    ticked = [world.boxes[0], world.boxes[2]]
    assert data["bulkSetAutoRenew"] == {
        "updatedCount": 2,
        "mailboxes": mailboxes_payload(world, ticked, "MONTHLY", world.acme),
        "userErrors": [],
    }
    target = Settings(True, "MONTHLY", world.acme.id)
    assert await mailbox_settings() == {
        world.boxes[0].id: target,
        world.boxes[1].id: OFF,
        world.boxes[2].id: target,
        world.sibling_box.id: OFF,
        world.foreign_box.id: OFF,
    }
    assert await audit_rows() == [
        mailbox_bulk_set(world, box, state(False), state(True, "MONTHLY", world.acme.id)) for box in ticked
    ]


async def test_bulk_counts_a_mailbox_ticked_twice_once(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    data = await client.execute(
        BULK_TICKED,
        {
            "domainId": world.domain_id,
            "ids": [world.box_id(1), world.box_id(1)],
            "input": turn_on("YEARLY", world.acme),
        },
    )

    assert data["bulkSetAutoRenew"]["updatedCount"] == 1
    assert data["bulkSetAutoRenew"]["userErrors"] == []
    assert len(await audit_rows()) == 1


@pytest.mark.parametrize("stranger", ["same organization", "foreign", "unknown", "not-an-id"])
async def test_bulk_refuses_a_mailbox_of_another_domain_and_changes_nothing(signed_in, stranger: str) -> None:
    # given two ticked mailboxes of acme.example and, between them, an id that is not of this domain
    world = await make_world()
    stranger_id = {
        "same organization": gid("Mailbox", world.sibling_box.id),  # the caller sees and manages it
        "foreign": gid("Mailbox", world.foreign_box.id),
        "unknown": gid("Mailbox", 999_999),
    }.get(stranger, stranger)
    client = await signed_in(world.caller)
    before = await mailbox_settings()

    # when the form is applied
    data = await client.execute(
        BULK_TICKED,
        {
            "domainId": world.domain_id,
            "ids": [world.box_id(0), stranger_id, world.box_id(1)],
            "input": turn_on("YEARLY", world.globex),
        },
    )

    # then the whole change is refused, pointing at the stranger by its index (and the id the client sent)
    assert data["bulkSetAutoRenew"] == bulk_refused(
        user_error("MAILBOX_NOT_IN_DOMAIN", ["mailboxIds", "1"], id=stranger_id)
    )
    assert await mailbox_settings() == before
    assert await audit_rows() == []


async def test_bulk_reports_every_stranger(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    sibling, foreign = gid("Mailbox", world.sibling_box.id), gid("Mailbox", world.foreign_box.id)

    data = await client.execute(
        BULK_TICKED,
        {"domainId": world.domain_id, "ids": [sibling, world.box_id(0), foreign], "input": TURN_OFF},
    )

    assert data["bulkSetAutoRenew"] == bulk_refused(
        user_error("MAILBOX_NOT_IN_DOMAIN", ["mailboxIds", "0"], id=sibling),
        user_error("MAILBOX_NOT_IN_DOMAIN", ["mailboxIds", "2"], id=foreign),
    )
    assert await audit_rows() == []


async def test_bulk_with_an_empty_selection_is_refused(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    before = await mailbox_settings()

    data = await client.execute(
        BULK_TICKED, {"domainId": world.domain_id, "ids": [], "input": turn_on("YEARLY", world.acme)}
    )

    assert data["bulkSetAutoRenew"] == bulk_refused(user_error("EMPTY_SELECTION", ["mailboxIds"]))
    assert await mailbox_settings() == before
    assert await audit_rows() == []


async def test_bulk_with_too_many_ids_is_refused(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    ids = [world.box_id(0)] + [gid("Mailbox", 1_000_000 + n) for n in range(10_000)]

    data = await client.execute(
        BULK_TICKED, {"domainId": world.domain_id, "ids": ids, "input": turn_on("YEARLY", world.acme)}
    )

    assert data["bulkSetAutoRenew"] == bulk_refused(user_error("TOO_MANY", ["mailboxIds"], max=10_000))
    assert (await mailbox_settings())[world.boxes[0].id] == OFF
    assert await audit_rows() == []


async def test_bulk_with_null_ids_means_every_mailbox(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    data = await client.execute(
        BULK_TICKED, {"domainId": world.domain_id, "ids": None, "input": turn_on("YEARLY", world.acme)}
    )

    assert data["bulkSetAutoRenew"]["updatedCount"] == 3


@pytest.mark.parametrize("role", [Role.BILLING, Role.MEMBER])
async def test_bulk_by_billing_or_member_is_refused(signed_in, role: Role) -> None:
    world = await make_world(role=role)
    client = await signed_in(world.caller)
    before = await mailbox_settings()

    everything = await client.execute(
        BULK_ALL, {"domainId": world.domain_id, "input": turn_on("YEARLY", world.globex)}
    )
    ticked = await client.execute(
        BULK_TICKED, {"domainId": world.domain_id, "ids": [world.box_id(0)], "input": TURN_OFF}
    )

    assert everything["bulkSetAutoRenew"] == bulk_refused(user_error("NOT_ALLOWED", ["domainId"]))
    assert ticked["bulkSetAutoRenew"] == bulk_refused(user_error("NOT_ALLOWED", ["domainId"]))
    assert await mailbox_settings() == before
    assert await audit_rows() == []


@pytest.mark.parametrize(
    ("given_input", "expected"),
    [
        ({"enabled": True, "period": "YEARLY", "payerOrganizationId": "acme"}, [PAYER_NOT_ALLOWED]),
        ({"enabled": True, "period": "YEARLY", "payerOrganizationId": "initech"}, [PAYER_NOT_ALLOWED]),
        ({"enabled": True, "period": "YEARLY", "payerOrganizationId": "not-an-id"}, [PAYER_NOT_ALLOWED]),
        ({"enabled": True, "payerOrganizationId": "globex"}, [PERIOD_REQUIRED]),
        ({"enabled": True, "period": "MONTHLY"}, [PAYER_REQUIRED]),
        ({"enabled": True}, [PERIOD_REQUIRED, PAYER_REQUIRED]),
    ],
    ids=["admin-only payer", "foreign payer", "malformed payer", "no period", "no payer", "neither"],
)
async def test_bulk_applies_the_payer_and_period_rules(
    signed_in, given_input: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    # given an ADMIN of Acme, BILLING of Globex
    world = await make_world(role=Role.ADMIN)
    payers = {"acme": org_id(world.acme), "initech": org_id(world.initech), "globex": org_id(world.globex)}
    if "payerOrganizationId" in given_input:
        payer = given_input["payerOrganizationId"]
        given_input = {**given_input, "payerOrganizationId": payers.get(payer, payer)}
    client = await signed_in(world.caller)
    before = await mailbox_settings()

    data = await client.execute(BULK_ALL, {"domainId": world.domain_id, "input": given_input})

    assert data["bulkSetAutoRenew"] == bulk_refused(*expected)
    assert await mailbox_settings() == before
    assert await audit_rows() == []


async def test_bulk_on_a_foreign_unknown_or_malformed_domain_is_not_found_alike(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    before = await mailbox_settings()

    answers = {}
    for name, domain_id in {
        "foreign": gid("Domain", world.foreign_domain.id),
        "unknown": gid("Domain", 999_999),
        "a mailbox id": world.box_id(0),
        **{f"malformed {bad!r}": bad for bad in MALFORMED_IDS},
    }.items():
        for query, variables in (
            (BULK_ALL, {"domainId": domain_id, "input": turn_on("YEARLY", world.globex)}),
            (
                BULK_TICKED,
                {"domainId": domain_id, "ids": [gid("Mailbox", world.foreign_box.id)], "input": TURN_OFF},
            ),
        ):
            response = await client.post(query, variables)
            answers[name, query] = (response.status_code, response.json()["data"]["bulkSetAutoRenew"])

    expected = (200, bulk_refused(user_error("NOT_FOUND", ["domainId"])))
    assert answers == dict.fromkeys(answers, expected)
    assert await mailbox_settings() == before
    assert await audit_rows() == []


async def test_bulk_disabling_keeps_each_mailbox_period_and_payer(signed_in) -> None:
    # given alice on yearly paid by Acme, bob on monthly paid by Globex, carol off
    world = await make_world()
    await Mailbox.filter(id=world.boxes[0].id).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.YEARLY, auto_renew_payer_id=world.acme.id
    )
    await Mailbox.filter(id=world.boxes[1].id).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.MONTHLY, auto_renew_payer_id=world.globex.id
    )
    client = await signed_in(world.caller)

    # when every mailbox is turned off at once
    data = await client.execute(BULK_ALL, {"domainId": world.domain_id, "input": TURN_OFF})

    # then each keeps its own period and payer, and only the two that changed are in the audit log
    assert data["bulkSetAutoRenew"]["userErrors"] == []
    assert data["bulkSetAutoRenew"]["updatedCount"] == 3
    stored = await mailbox_settings()
    assert [stored[b.id] for b in world.boxes] == [
        Settings(False, "YEARLY", world.acme.id),
        Settings(False, "MONTHLY", world.globex.id),
        OFF,
    ]
    assert await audit_rows() == [
        mailbox_bulk_set(
            world, world.boxes[0], state(True, "YEARLY", world.acme.id), state(False, "YEARLY", world.acme.id)
        ),
        mailbox_bulk_set(
            world,
            world.boxes[1],
            state(True, "MONTHLY", world.globex.id),
            state(False, "MONTHLY", world.globex.id),
        ),
    ]


async def test_bulk_writes_an_audit_row_for_each_changed_mailbox_only(signed_in) -> None:
    # given bob already on yearly paid by Globex
    world = await make_world()
    await Mailbox.filter(id=world.boxes[1].id).update(
        auto_renew_enabled=True, auto_renew_period=RenewalPeriod.YEARLY, auto_renew_payer_id=world.globex.id
    )
    client = await signed_in(world.caller)

    # when every mailbox is set to yearly paid by Globex
    await client.execute(BULK_ALL, {"domainId": world.domain_id, "input": turn_on("YEARLY", world.globex)})

    # then alice and carol are in the audit log, bob is not
    after = state(True, "YEARLY", world.globex.id)
    assert await audit_rows() == [
        mailbox_bulk_set(world, world.boxes[0], state(False), after),
        mailbox_bulk_set(world, world.boxes[2], state(False), after),
    ]


async def test_bulk_refusals_are_in_french_for_a_french_caller(signed_in) -> None:
    world = await make_world(language=Language.FR)
    client = await signed_in(world.caller)
    sibling = gid("Mailbox", world.sibling_box.id)

    empty = await client.execute(BULK_TICKED, {"domainId": world.domain_id, "ids": [], "input": TURN_OFF})
    stranger = await client.execute(
        BULK_TICKED, {"domainId": world.domain_id, "ids": [sibling], "input": TURN_OFF}
    )

    assert empty["bulkSetAutoRenew"]["userErrors"] == [
        {
            "field": ["mailboxIds"],
            "code": "EMPTY_SELECTION",
            "message": "Sélectionnez au moins une boîte mail.",
        }
    ]
    assert stranger["bulkSetAutoRenew"]["userErrors"] == [
        user_error("MAILBOX_NOT_IN_DOMAIN", ["mailboxIds", "0"], language="fr", id=sibling)
    ]


# --- setDomainAutoRenew ----------------------------------------------------------------------------------


def domain_set(world: World, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return audit_row(
        actor_id=world.caller.id,
        organization_id=world.acme.id,
        action="domain.auto_renew.set",
        target_type="domain",
        target_id=world.domain.id,
        before=before,
        after=after,
    )


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
async def test_domain_auto_renew_on_then_off_keeps_the_payer(signed_in, role: Role) -> None:
    world = await make_world(role=role)
    client = await signed_in(world.caller)

    on = await client.execute(
        SET_DOMAIN_AUTO_RENEW,
        {"id": world.domain_id, "input": {"enabled": True, "payerOrganizationId": org_id(world.globex)}},
    )
    stored_on = (await domain_settings())[world.domain.id]
    off = await client.execute(SET_DOMAIN_AUTO_RENEW, {"id": world.domain_id, "input": {"enabled": False}})

    globex = {"id": org_id(world.globex), "name": "Globex"}
    assert on["setDomainAutoRenew"] == {
        "domain": {
            "id": world.domain_id,
            "fqdn": "acme.example",
            "autoRenew": {"enabled": True, "payer": globex},
        },
        "userErrors": [],
    }
    assert off["setDomainAutoRenew"] == {
        "domain": {
            "id": world.domain_id,
            "fqdn": "acme.example",
            "autoRenew": {"enabled": False, "payer": globex},
        },
        "userErrors": [],
    }
    assert stored_on == (True, world.globex.id)
    assert await domain_settings() == {
        world.domain.id: (False, world.globex.id),
        world.sibling.id: (False, None),
        world.foreign_domain.id: (False, None),
    }
    assert await audit_rows() == [
        domain_set(
            world,
            {"enabled": False, "payer_organization_id": None},
            {"enabled": True, "payer_organization_id": world.globex.id},
        ),
        domain_set(
            world,
            {"enabled": True, "payer_organization_id": world.globex.id},
            {"enabled": False, "payer_organization_id": world.globex.id},
        ),
    ]


@pytest.mark.parametrize("role", [Role.BILLING, Role.MEMBER])
async def test_domain_auto_renew_by_billing_or_member_is_refused(signed_in, role: Role) -> None:
    world = await make_world(role=role)
    client = await signed_in(world.caller)

    data = await client.execute(
        SET_DOMAIN_AUTO_RENEW,
        {"id": world.domain_id, "input": {"enabled": True, "payerOrganizationId": org_id(world.globex)}},
    )

    assert data["setDomainAutoRenew"] == {
        "domain": None,
        "userErrors": [user_error("NOT_ALLOWED", ["domainId"])],
    }
    assert (await domain_settings())[world.domain.id] == (False, None)
    assert await audit_rows() == []


@pytest.mark.parametrize(
    ("payer", "expected"),
    [
        (None, PAYER_REQUIRED),
        ("acme", PAYER_NOT_ALLOWED),  # the caller is ADMIN of Acme
        ("initech", PAYER_NOT_ALLOWED),
        ("not-an-id", PAYER_NOT_ALLOWED),
    ],
)
async def test_domain_auto_renew_payer_rules(signed_in, payer: str | None, expected: dict[str, Any]) -> None:
    world = await make_world(role=Role.ADMIN)
    payer_id = {"acme": org_id(world.acme), "initech": org_id(world.initech)}.get(payer or "", payer)
    client = await signed_in(world.caller)

    data = await client.execute(
        SET_DOMAIN_AUTO_RENEW,
        {"id": world.domain_id, "input": {"enabled": True, "payerOrganizationId": payer_id}},
    )

    assert data["setDomainAutoRenew"] == {"domain": None, "userErrors": [expected]}
    assert (await domain_settings())[world.domain.id] == (False, None)
    assert await audit_rows() == []


async def test_domain_auto_renew_on_a_foreign_or_unknown_domain_is_not_found_alike(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    given_input = {"enabled": True, "payerOrganizationId": org_id(world.globex)}

    answers = [
        (await client.post(SET_DOMAIN_AUTO_RENEW, {"id": domain_id, "input": given_input})).json()
        for domain_id in [
            gid("Domain", world.foreign_domain.id),
            gid("Domain", 999_999),
            world.box_id(0),
            "x",
        ]
    ]

    expected = {
        "data": {
            "setDomainAutoRenew": {"domain": None, "userErrors": [user_error("NOT_FOUND", ["domainId"])]}
        }
    }
    assert answers == [expected] * 4
    assert (await domain_settings())[world.foreign_domain.id] == (False, None)
    assert await audit_rows() == []


async def test_turning_the_domain_on_clears_the_mailbox_warning(signed_in) -> None:
    # given a mailbox on auto-renew whose domain is not
    world = await make_world()
    client = await signed_in(world.caller)
    await client.execute(SET_AUTO_RENEW, {"id": world.box_id(0), "input": turn_on("MONTHLY", world.acme)})
    query = "query($id: ID!) { mailbox(id: $id) { warnings { code } } }"
    warned = await client.execute(query, {"id": world.box_id(0)})

    # when the domain's auto-renew is turned on, as the help page advises
    await client.execute(
        SET_DOMAIN_AUTO_RENEW,
        {"id": world.domain_id, "input": {"enabled": True, "payerOrganizationId": org_id(world.acme)}},
    )

    # then the warning is gone
    assert warned == {"mailbox": {"warnings": [{"code": "DOMAIN_AUTO_RENEW_OFF"}]}}
    assert await client.execute(query, {"id": world.box_id(0)}) == {"mailbox": {"warnings": []}}


# --- setLanguage -------------------------------------------------------------------------------------------


async def test_set_language_changes_the_viewer_and_the_language_of_messages(signed_in) -> None:
    # given an English-speaking MEMBER
    world = await make_world(role=Role.MEMBER)
    client = await signed_in(world.caller)

    # when they switch to French, then try a change they may not make
    switched = await client.execute(SET_LANGUAGE, {"language": "FR"})
    viewer = await client.execute("{ viewer { language } }")
    refusal = await client.execute(SET_AUTO_RENEW, {"id": world.box_id(0), "input": TURN_OFF})

    # then the payload, the stored preference and the next messages are French
    assert switched["setLanguage"] == {
        "viewer": {"email": world.caller.email, "language": "FR"},
        "userErrors": [],
    }
    assert viewer == {"viewer": {"language": "FR"}}
    assert (await User.get(id=world.caller.id)).language == Language.FR
    assert refusal["setAutoRenew"]["userErrors"] == [user_error("NOT_ALLOWED", ["mailboxId"], language="fr")]

    # and back to English
    back = await client.execute(SET_LANGUAGE, {"language": "EN"})
    assert back["setLanguage"]["viewer"]["language"] == "EN"
    assert (await User.get(id=world.caller.id)).language == Language.EN


async def test_set_language_rejects_an_unknown_language_as_a_graphql_error(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    body = (await client.post(SET_LANGUAGE, {"language": "DE"})).json()

    assert "errors" in body
    assert (await User.get(id=world.caller.id)).language == Language.EN


# --- mutations over GET ------------------------------------------------------------------------------------


async def get_graphql(http: httpx.AsyncClient, headers: dict[str, str], **params: str) -> httpx.Response:
    return await http.get("/graphql", params=params, headers=headers)


async def test_a_mutation_over_get_with_the_session_cookie_changes_nothing(http, signed_in) -> None:
    # given a signed-in OWNER (the session cookie is in the browser, the CSRF token at hand)
    world = await make_world()
    client = await signed_in(world.caller)
    variables = {"id": world.box_id(0), "input": turn_on("YEARLY", world.acme)}
    before = await mailbox_settings()

    # when a link makes the browser GET /graphql?query=mutation…
    response = await get_graphql(http, client.headers, query=SET_AUTO_RENEW, variables=json.dumps(variables))
    bulk = await get_graphql(
        http,
        client.headers,
        query=BULK_ALL,
        variables=json.dumps({"domainId": world.domain_id, "input": turn_on("YEARLY", world.acme)}),
    )

    # then it is refused and nothing changed
    assert response.status_code in (400, 405)
    assert bulk.status_code in (400, 405)
    assert await mailbox_settings() == before
    assert await audit_rows() == []


async def test_a_mutation_picked_by_operation_name_over_get_changes_nothing(http, signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    document = "query Harmless { viewer { email } }\n" + SET_AUTO_RENEW
    variables = json.dumps({"id": world.box_id(0), "input": turn_on("YEARLY", world.acme)})

    response = await get_graphql(
        http, client.headers, query=document, variables=variables, operationName="SetAutoRenew"
    )
    harmless = await get_graphql(
        http, client.headers, query=document, variables=variables, operationName="Harmless"
    )

    assert response.status_code in (400, 405)
    assert harmless.json() == {"data": {"viewer": {"email": world.caller.email}}}
    assert (await mailbox_settings())[world.boxes[0].id] == OFF
    assert await audit_rows() == []
