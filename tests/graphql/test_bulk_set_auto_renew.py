"""bulkSetAutoRenew: every mailbox of a domain or the ticked ones, all or nothing, one audit row per
changed mailbox (SPEC "Managing auto-renew", API.md "Mutations")."""

from __future__ import annotations

from typing import Any

import pytest

from mailrenew.accounts.models import Language, Organization, Role
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from tests.graphql.auto_renew_world import (
    BULK_ALL,
    BULK_TICKED,
    PAYER_NOT_ALLOWED,
    PAYER_REQUIRED,
    PERIOD_REQUIRED,
    TURN_OFF,
    World,
    bulk_refused,
    mailbox_bulk_set,
    make_world,
    org_id,
    turn_on,
)
from tests.graphql.helpers import (
    MALFORMED_IDS,
    OFF,
    Settings,
    audit_rows,
    gid,
    mailbox_settings,
    state,
    user_error,
)


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
