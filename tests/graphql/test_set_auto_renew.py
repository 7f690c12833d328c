"""setAutoRenew: who may change a mailbox's auto-renewal, which payer, what is required, turning it off,
refusals in the caller's language, and the audit trail (SPEC "Managing auto-renew", API.md "Mutations").

Every refusal is checked three ways: the exact ``userErrors``, the rows re-read from the database, and an
audit_events table left empty.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mailrenew.accounts.models import Language, Role
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from tests.factories import make_user
from tests.graphql.auto_renew_world import (
    BULK_ALL,
    BULK_TICKED,
    PAYER_NOT_ALLOWED,
    PAYER_REQUIRED,
    PERIOD_REQUIRED,
    SET_AUTO_RENEW,
    SET_DOMAIN_AUTO_RENEW,
    TURN_OFF,
    bulk_refused,
    mailbox_set,
    make_world,
    org_id,
    refused,
    turn_on,
)
from tests.graphql.helpers import (
    MALFORMED_IDS,
    OFF,
    OUT_OF_RANGE_KEYS,
    Settings,
    audit_rows,
    gid,
    mailbox_settings,
    state,
    user_error,
)

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
    expected = (
        200,
        {
            "data": {"setAutoRenew": refused(user_error("NOT_FOUND", ["mailboxId"]))},
            "extensions": {"cost": 10},
        },
    )
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

    assert single.json() == {
        "data": {"setAutoRenew": refused(user_error("NOT_FOUND", ["mailboxId"]))},
        "extensions": {"cost": 10},
    }
    # without mailboxIds the payload's list is estimated at the bulk maximum (10,000) + 10 userErrors
    assert bulk_domain.json() == {
        "data": {"bulkSetAutoRenew": bulk_refused(user_error("NOT_FOUND", ["domainId"]))},
        "extensions": {"cost": 10_010},
    }
    ticked = bulk_ticked.json()
    assert "errors" not in ticked, ticked
    assert [(e["code"], e["field"]) for e in ticked["data"]["bulkSetAutoRenew"]["userErrors"]] == [
        ("MAILBOX_NOT_IN_DOMAIN", ["mailboxIds", "0"])
    ]
    assert domain.json() == {
        "data": {
            "setDomainAutoRenew": {"domain": None, "userErrors": [user_error("NOT_FOUND", ["domainId"])]}
        },
        "extensions": {"cost": 10},
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
