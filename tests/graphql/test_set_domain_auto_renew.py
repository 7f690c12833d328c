"""setDomainAutoRenew: who may, which payer, ids the caller cannot see, and the mailbox warning it clears."""

from __future__ import annotations

from typing import Any

import pytest

from mailrenew.accounts.models import Role
from tests.graphql.auto_renew_world import (
    PAYER_NOT_ALLOWED,
    PAYER_REQUIRED,
    SET_AUTO_RENEW,
    SET_DOMAIN_AUTO_RENEW,
    World,
    make_world,
    org_id,
    turn_on,
)
from tests.graphql.helpers import audit_row, audit_rows, domain_settings, gid, user_error


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
        },
        "extensions": {"cost": 10},
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
