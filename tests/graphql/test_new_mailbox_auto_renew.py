"""The auto-renewal a domain's new mailboxes start with: setNewMailboxAutoRenew, bulkSetAutoRenew's
alsoFutureMailboxes, Domain.newMailboxAutoRenew, and hosting.create_mailboxes applying it (issue #11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mailrenew.accounts.models import Membership, Role
from mailrenew.hosting import service as hosting
from mailrenew.hosting.models import Domain, Mailbox, MailboxOffer
from tests.factories import TODAY
from tests.graphql.auto_renew_world import (
    BULK_ALL,
    PAYER_NOT_ALLOWED,
    PAYER_REQUIRED,
    PERIOD_REQUIRED,
    TURN_OFF,
    World,
    make_world,
    org_id,
    turn_on,
)
from tests.graphql.helpers import (
    OFF,
    Settings,
    audit_row,
    audit_rows,
    gid,
    mailbox_settings,
    state,
    user_error,
)

SET_NEW_MAILBOX_AUTO_RENEW = """
mutation SetNewMailboxAutoRenew($id: ID!, $input: AutoRenewInput!) {
  setNewMailboxAutoRenew(domainId: $id, input: $input) {
    domain { id fqdn newMailboxAutoRenew { enabled period payer { id name } } }
    userErrors { field code message }
  }
}
"""

BULK_ALL_AND_FUTURE = """
mutation BulkAllAndFuture($domainId: ID!, $input: AutoRenewInput!) {
  bulkSetAutoRenew(domainId: $domainId, input: $input, alsoFutureMailboxes: true) {
    updatedCount
    userErrors { field code message }
  }
}
"""

NEW_MAILBOX_POLICY = """
query NewMailboxPolicy($id: ID!) { domain(id: $id) { newMailboxAutoRenew { enabled period payer { name } } } }
"""


async def stored_policy(domain: Domain) -> tuple[Settings, int | None]:
    """The domain's stored auto-renewal for new mailboxes, and who set it."""
    row = await Domain.get(id=domain.id)
    period = row.new_mailbox_auto_renew_period
    settings = Settings(
        row.new_mailbox_auto_renew_enabled,
        str(period) if period else None,
        row.new_mailbox_auto_renew_payer_id,
    )
    return settings, row.new_mailbox_set_by_id


def policy_set(world: World, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return audit_row(
        actor_id=world.caller.id,
        organization_id=world.acme.id,
        action="domain.new_mailbox_auto_renew.set",
        target_type="domain",
        target_id=world.domain.id,
        before=before,
        after=after,
    )


async def create_two(world: World) -> list[int]:
    boxes = await hosting.create_mailboxes(
        await Domain.get(id=world.domain.id),
        [
            ("new1", MailboxOffer.STANDARD, TODAY + dt.timedelta(days=30)),
            ("new2", MailboxOffer.PREMIUM, TODAY),
        ],
    )
    return [b.id for b in boxes]


# --- setNewMailboxAutoRenew ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
async def test_owner_or_admin_sets_the_auto_renewal_of_new_mailboxes(signed_in, role: Role) -> None:
    # given acme.example with no policy, and a caller OWNER or ADMIN of Acme and BILLING of Globex
    world = await make_world(role=role)
    client = await signed_in(world.caller)

    # when they set new mailboxes to renew yearly, paid by Globex
    data = await client.execute(
        SET_NEW_MAILBOX_AUTO_RENEW, {"id": world.domain_id, "input": turn_on("YEARLY", world.globex)}
    )

    # then the payload, the domain row and the audit log say so; the existing mailboxes are untouched
    assert data["setNewMailboxAutoRenew"] == {
        "domain": {
            "id": world.domain_id,
            "fqdn": "acme.example",
            "newMailboxAutoRenew": {
                "enabled": True,
                "period": "YEARLY",
                "payer": {"id": org_id(world.globex), "name": "Globex"},
            },
        },
        "userErrors": [],
    }
    assert await stored_policy(world.domain) == (Settings(True, "YEARLY", world.globex.id), world.caller.id)
    assert set((await mailbox_settings()).values()) == {OFF}
    assert await audit_rows() == [policy_set(world, state(False), state(True, "YEARLY", world.globex.id))]


async def test_turning_the_policy_off_keeps_its_period_and_payer(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    await client.execute(
        SET_NEW_MAILBOX_AUTO_RENEW, {"id": world.domain_id, "input": turn_on("MONTHLY", world.acme)}
    )

    data = await client.execute(SET_NEW_MAILBOX_AUTO_RENEW, {"id": world.domain_id, "input": TURN_OFF})

    assert data["setNewMailboxAutoRenew"]["domain"]["newMailboxAutoRenew"] == {
        "enabled": False,
        "period": "MONTHLY",
        "payer": {"id": org_id(world.acme), "name": "Acme"},
    }
    assert (await stored_policy(world.domain))[0] == Settings(False, "MONTHLY", world.acme.id)
    assert [row["after"] for row in await audit_rows()] == [
        state(True, "MONTHLY", world.acme.id),
        state(False, "MONTHLY", world.acme.id),
    ]


@pytest.mark.parametrize("role", [Role.BILLING, Role.MEMBER])
async def test_billing_or_member_may_not_set_it(signed_in, role: Role) -> None:
    world = await make_world(role=role)
    client = await signed_in(world.caller)

    data = await client.execute(
        SET_NEW_MAILBOX_AUTO_RENEW, {"id": world.domain_id, "input": turn_on("YEARLY", world.globex)}
    )

    assert data["setNewMailboxAutoRenew"] == {
        "domain": None,
        "userErrors": [user_error("NOT_ALLOWED", ["domainId"])],
    }
    assert (await stored_policy(world.domain))[0] == OFF
    assert await audit_rows() == []


@pytest.mark.parametrize(
    ("payer", "expected"),
    [
        ("acme", [PAYER_NOT_ALLOWED]),  # the caller is ADMIN of Acme: may manage, not pay
        ("initech", [PAYER_NOT_ALLOWED]),
        ("not-an-id", [PAYER_NOT_ALLOWED]),
        (None, [PAYER_REQUIRED]),
    ],
)
async def test_payer_rules_refuse_and_change_nothing(signed_in, payer: str | None, expected: list) -> None:
    world = await make_world(role=Role.ADMIN)
    payer_id = {"acme": org_id(world.acme), "initech": org_id(world.initech)}.get(payer or "", payer)
    client = await signed_in(world.caller)

    data = await client.execute(
        SET_NEW_MAILBOX_AUTO_RENEW,
        {
            "id": world.domain_id,
            "input": {"enabled": True, "period": "YEARLY", "payerOrganizationId": payer_id},
        },
    )

    assert data["setNewMailboxAutoRenew"] == {"domain": None, "userErrors": expected}
    assert (await stored_policy(world.domain))[0] == OFF
    assert await audit_rows() == []


async def test_period_and_payer_are_required_together(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    data = await client.execute(
        SET_NEW_MAILBOX_AUTO_RENEW, {"id": world.domain_id, "input": {"enabled": True}}
    )

    assert data["setNewMailboxAutoRenew"]["userErrors"] == [PERIOD_REQUIRED, PAYER_REQUIRED]
    assert await audit_rows() == []


@pytest.mark.parametrize("domain", ["foreign", "unknown", "malformed"])
async def test_a_domain_the_caller_cannot_see_is_not_found(signed_in, domain: str) -> None:
    world = await make_world()
    domain_id = {
        "foreign": gid("Domain", world.foreign_domain.id),
        "unknown": gid("Domain", 999_999),
        "malformed": "not-an-id",
    }[domain]
    client = await signed_in(world.caller)

    data = await client.execute(
        SET_NEW_MAILBOX_AUTO_RENEW, {"id": domain_id, "input": turn_on("YEARLY", world.globex)}
    )

    assert data["setNewMailboxAutoRenew"] == {
        "domain": None,
        "userErrors": [user_error("NOT_FOUND", ["domainId"])],
    }
    assert (await stored_policy(world.foreign_domain))[0] == OFF


# --- bulkSetAutoRenew(alsoFutureMailboxes) ----------------------------------------------------------------


async def test_bulk_also_future_mailboxes_sets_the_policy_with_the_mailboxes(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    data = await client.execute(
        BULK_ALL_AND_FUTURE, {"domainId": world.domain_id, "input": turn_on("MONTHLY", world.globex)}
    )

    assert data["bulkSetAutoRenew"] == {"updatedCount": 3, "userErrors": []}
    assert await stored_policy(world.domain) == (Settings(True, "MONTHLY", world.globex.id), world.caller.id)
    assert (await stored_policy(world.sibling))[0] == OFF
    assert (await audit_rows())[-1] == policy_set(
        world, state(False), state(True, "MONTHLY", world.globex.id)
    )


async def test_bulk_without_also_future_mailboxes_leaves_the_policy(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    await client.execute(BULK_ALL, {"domainId": world.domain_id, "input": turn_on("MONTHLY", world.globex)})

    assert (await stored_policy(world.domain))[0] == OFF


async def test_bulk_also_future_mailboxes_refused_changes_no_policy(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    data = await client.execute(
        BULK_ALL_AND_FUTURE, {"domainId": world.domain_id, "input": turn_on("MONTHLY", world.initech)}
    )

    assert data["bulkSetAutoRenew"] == {"updatedCount": 0, "userErrors": [PAYER_NOT_ALLOWED]}
    assert (await stored_policy(world.domain))[0] == OFF
    assert set((await mailbox_settings()).values()) == {OFF}
    assert await audit_rows() == []


# --- create_mailboxes applies it --------------------------------------------------------------------------


async def test_new_mailboxes_start_with_the_domain_policy(signed_in) -> None:
    # given acme.example whose new mailboxes renew yearly, paid by Globex (set by the caller, BILLING there)
    world = await make_world()
    client = await signed_in(world.caller)
    await client.execute(
        SET_NEW_MAILBOX_AUTO_RENEW, {"id": world.domain_id, "input": turn_on("YEARLY", world.globex)}
    )

    # when two mailboxes are created on it
    created = await create_two(world)

    # then both are on, as the policy says, set by whoever set it; the audit log tells why
    stored = await mailbox_settings()
    assert [stored[i] for i in created] == [Settings(True, "YEARLY", world.globex.id)] * 2
    assert [b.auto_renew_set_by_id for b in await Mailbox.filter(id__in=created).order_by("id")] == [
        world.caller.id
    ] * 2
    assert [row for row in await audit_rows() if row["target_type"] == "mailbox"] == [
        audit_row(
            actor_id=world.caller.id,
            organization_id=world.acme.id,
            action="mailbox.auto_renew.new_mailbox_policy",
            target_type="mailbox",
            target_id=box_id,
            before=state(False),
            after=state(True, "YEARLY", world.globex.id),
        )
        for box_id in created
    ]
    # and the read side shows the policy
    policy = await client.execute(NEW_MAILBOX_POLICY, {"id": world.domain_id})
    assert policy["domain"]["newMailboxAutoRenew"] == {
        "enabled": True,
        "period": "YEARLY",
        "payer": {"name": "Globex"},
    }


async def test_new_mailboxes_start_off_when_the_policy_is_off(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    await client.execute(
        SET_NEW_MAILBOX_AUTO_RENEW, {"id": world.domain_id, "input": turn_on("YEARLY", world.globex)}
    )
    await client.execute(SET_NEW_MAILBOX_AUTO_RENEW, {"id": world.domain_id, "input": TURN_OFF})
    audited = len(await audit_rows())

    created = await create_two(world)

    stored = await mailbox_settings()
    assert [stored[i] for i in created] == [OFF, OFF]
    assert len(await audit_rows()) == audited


async def test_new_mailboxes_start_off_when_the_setter_may_no_longer_charge_the_payer(signed_in) -> None:
    # given a policy paid by Globex, set by a caller who has since lost their BILLING role there
    world = await make_world()
    client = await signed_in(world.caller)
    await client.execute(
        SET_NEW_MAILBOX_AUTO_RENEW, {"id": world.domain_id, "input": turn_on("YEARLY", world.globex)}
    )
    await Membership.filter(user_id=world.caller.id, organization_id=world.globex.id).update(role=Role.MEMBER)

    created = await create_two(world)

    stored = await mailbox_settings()
    assert [stored[i] for i in created] == [OFF, OFF]
