"""setAutoRenew and bulkSetAutoRenew with ``alsoDomain``: turning mailboxes on turns their domain's own
auto-renewal on too (yearly, same payer), in the same transaction, or nothing changes (issue #11)."""

from __future__ import annotations

from typing import Any

import pytest

from mailrenew.accounts.models import Role
from mailrenew.hosting import service as hosting
from tests.graphql.auto_renew_world import (
    PAYER_NOT_ALLOWED,
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
    domain_settings,
    mailbox_settings,
    state,
)

SET_ALSO_DOMAIN = """
mutation SetAlsoDomain($id: ID!, $input: AutoRenewInput!) {
  setAutoRenew(mailboxId: $id, input: $input, alsoDomain: true) {
    mailbox { autoRenew { enabled period } domain { autoRenew { enabled payer { id } } } }
    userErrors { field code message }
  }
}
"""

BULK_ALSO_DOMAIN = """
mutation BulkAlsoDomain($domainId: ID!, $input: AutoRenewInput!) {
  bulkSetAutoRenew(domainId: $domainId, input: $input, alsoDomain: true) {
    updatedCount
    userErrors { field code message }
  }
}
"""


def domain_set(world: World, payer_id: int) -> dict[str, Any]:
    return audit_row(
        actor_id=world.caller.id,
        organization_id=world.acme.id,
        action="domain.auto_renew.set",
        target_type="domain",
        target_id=world.domain.id,
        before={"enabled": False, "payer_organization_id": None},
        after={"enabled": True, "payer_organization_id": payer_id},
    )


async def test_set_auto_renew_also_turns_the_domain_on_with_the_same_payer(signed_in) -> None:
    # given a mailbox and its domain, both off
    world = await make_world()
    client = await signed_in(world.caller)

    # when the mailbox is turned on monthly, paid by Globex, with alsoDomain
    data = await client.execute(
        SET_ALSO_DOMAIN, {"id": world.box_id(0), "input": turn_on("MONTHLY", world.globex)}
    )

    # then the mailbox and its domain are on, the domain paid by Globex too; the other domains are untouched
    assert data["setAutoRenew"] == {
        "mailbox": {
            "autoRenew": {"enabled": True, "period": "MONTHLY"},
            "domain": {"autoRenew": {"enabled": True, "payer": {"id": org_id(world.globex)}}},
        },
        "userErrors": [],
    }
    assert await domain_settings() == {
        world.domain.id: (True, world.globex.id),
        world.sibling.id: (False, None),
        world.foreign_domain.id: (False, None),
    }
    rows = await audit_rows()
    assert [r["action"] for r in rows] == ["mailbox.auto_renew.set", "domain.auto_renew.set"]
    assert rows[1] == domain_set(world, world.globex.id)


async def test_without_also_domain_the_domain_is_left_alone(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    await client.execute(
        SET_ALSO_DOMAIN.replace(", alsoDomain: true", ""),
        {"id": world.box_id(0), "input": turn_on("MONTHLY", world.globex)},
    )

    assert (await domain_settings())[world.domain.id] == (False, None)


async def test_turning_off_with_also_domain_leaves_the_domain_on(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    await client.execute(SET_ALSO_DOMAIN, {"id": world.box_id(0), "input": turn_on("YEARLY", world.acme)})

    data = await client.execute(SET_ALSO_DOMAIN, {"id": world.box_id(0), "input": TURN_OFF})

    assert data["setAutoRenew"]["userErrors"] == []
    assert data["setAutoRenew"]["mailbox"]["autoRenew"]["enabled"] is False
    assert (await domain_settings())[world.domain.id] == (True, world.acme.id)


@pytest.mark.parametrize("mutation", ["set", "bulk"])
async def test_a_payer_the_caller_may_not_charge_refuses_everything(signed_in, mutation: str) -> None:
    # given a caller ADMIN of Acme (may manage its domain, may not charge Acme)
    world = await make_world(role=Role.ADMIN)
    client = await signed_in(world.caller)
    before = await mailbox_settings()

    # when they turn a mailbox (or all) on, paid by Acme, with alsoDomain
    if mutation == "set":
        data = await client.execute(
            SET_ALSO_DOMAIN, {"id": world.box_id(0), "input": turn_on("YEARLY", world.acme)}
        )
        payload = data["setAutoRenew"]
        assert payload == {"mailbox": None, "userErrors": [PAYER_NOT_ALLOWED]}
    else:
        data = await client.execute(
            BULK_ALSO_DOMAIN, {"domainId": world.domain_id, "input": turn_on("YEARLY", world.acme)}
        )
        assert data["bulkSetAutoRenew"] == {"updatedCount": 0, "userErrors": [PAYER_NOT_ALLOWED]}

    # then neither the mailboxes nor the domain changed, and nothing was audited
    assert await mailbox_settings() == before
    assert (await domain_settings())[world.domain.id] == (False, None)
    assert await audit_rows() == []


async def test_bulk_also_domain_turns_the_domain_on_with_the_mailboxes(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    data = await client.execute(
        BULK_ALSO_DOMAIN, {"domainId": world.domain_id, "input": turn_on("YEARLY", world.globex)}
    )

    assert data["bulkSetAutoRenew"] == {"updatedCount": 3, "userErrors": []}
    stored = await mailbox_settings()
    assert [stored[b.id] for b in world.boxes] == [Settings(True, "YEARLY", world.globex.id)] * 3
    assert stored[world.sibling_box.id] == OFF
    assert await domain_settings() == {
        world.domain.id: (True, world.globex.id),
        world.sibling.id: (False, None),
        world.foreign_domain.id: (False, None),
    }
    assert (await audit_rows())[-1] == domain_set(world, world.globex.id)


@pytest.mark.parametrize("mutation", ["set", "bulk"])
async def test_a_failure_turning_the_domain_on_undoes_the_mailboxes(
    signed_in, monkeypatch: pytest.MonkeyPatch, mutation: str
) -> None:
    """One transaction: when the domain's part fails after the mailboxes were written, none of it stays."""
    world = await make_world()
    client = await signed_in(world.caller)
    real = hosting.set_domain_auto_renew

    async def fails_after_writing(*args: Any, **kwargs: Any) -> Any:
        await real(*args, **kwargs)
        raise RuntimeError("the domain's part failed")

    monkeypatch.setattr(hosting, "set_domain_auto_renew", fails_after_writing)
    if mutation == "set":
        body = (
            await client.post(
                SET_ALSO_DOMAIN, {"id": world.box_id(0), "input": turn_on("YEARLY", world.globex)}
            )
        ).json()
    else:
        body = (
            await client.post(
                BULK_ALSO_DOMAIN, {"domainId": world.domain_id, "input": turn_on("YEARLY", world.globex)}
            )
        ).json()

    assert body["errors"][0]["message"] != "the domain's part failed"  # masked
    assert set((await mailbox_settings()).values()) == {OFF}
    assert (await domain_settings())[world.domain.id] == (False, None)
    assert await audit_rows() == []


async def test_the_domain_already_on_takes_the_mailbox_payer(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    await client.execute(SET_ALSO_DOMAIN, {"id": world.box_id(0), "input": turn_on("YEARLY", world.acme)})

    await client.execute(SET_ALSO_DOMAIN, {"id": world.box_id(1), "input": turn_on("YEARLY", world.globex)})

    assert (await domain_settings())[world.domain.id] == (True, world.globex.id)
    assert state(True, "YEARLY", world.globex.id) == (await audit_rows())[-2]["after"]
