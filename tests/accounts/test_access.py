"""The permission table, spelled out for every (role, action): OWNER all; ADMIN services; BILLING money; MEMBER reads."""

from __future__ import annotations

import pytest

from mailrenew.accounts.access import Action, Actor, may, roles_allowed
from mailrenew.accounts.models import Role

ORG, OTHER_ORG = 10, 20

EXPECTED: dict[tuple[Role, Action], bool] = {
    (Role.OWNER, Action.VIEW): True,
    (Role.OWNER, Action.MANAGE_SERVICES): True,
    (Role.OWNER, Action.PAY): True,
    (Role.OWNER, Action.VIEW_BILLING): True,
    (Role.ADMIN, Action.VIEW): True,
    (Role.ADMIN, Action.MANAGE_SERVICES): True,
    (Role.ADMIN, Action.PAY): False,
    (Role.ADMIN, Action.VIEW_BILLING): False,
    (Role.BILLING, Action.VIEW): True,
    (Role.BILLING, Action.MANAGE_SERVICES): False,
    (Role.BILLING, Action.PAY): True,
    (Role.BILLING, Action.VIEW_BILLING): True,
    (Role.MEMBER, Action.VIEW): True,
    (Role.MEMBER, Action.MANAGE_SERVICES): False,
    (Role.MEMBER, Action.PAY): False,
    (Role.MEMBER, Action.VIEW_BILLING): False,
}


def actor(roles: dict[int, Role]) -> Actor:
    return Actor(user_id=1, email="a@test.example", language="en", roles=roles)


def test_the_table_covers_every_role_and_action() -> None:
    assert set(EXPECTED) == {(role, action) for role in Role for action in Action}


@pytest.mark.parametrize(("role", "action"), sorted(EXPECTED), ids=lambda v: str(v))
def test_role_action(role: Role, action: Action) -> None:
    someone = actor({ORG: role})
    assert may(someone, action, ORG) is EXPECTED[role, action]
    assert someone.may(action, ORG) is EXPECTED[role, action]
    assert (role in roles_allowed(action)) is EXPECTED[role, action]
    # a role in one organization gives nothing in another
    assert may(someone, action, OTHER_ORG) is False


@pytest.mark.parametrize("action", list(Action))
def test_non_member_and_missing_organization_are_refused(action: Action) -> None:
    assert may(actor({}), action, ORG) is False
    assert may(actor({ORG: Role.OWNER}), action, None) is False


def test_organizations_where() -> None:
    someone = actor({3: Role.MEMBER, 1: Role.BILLING, 2: Role.ADMIN, 4: Role.OWNER})
    assert someone.organization_ids == [1, 2, 3, 4]
    assert someone.organizations_where(Action.VIEW) == [1, 2, 3, 4]
    assert someone.organizations_where(Action.MANAGE_SERVICES) == [2, 4]
    assert someone.organizations_where(Action.PAY) == [1, 4]
    assert someone.organizations_where(Action.VIEW_BILLING) == [1, 4]
