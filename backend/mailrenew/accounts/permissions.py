"""The one place that answers "may this user do X on this organization".

Every query, mutation, service and CLI path asks here; no other module compares roles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from mailrenew.accounts.models import Role


class Action(StrEnum):
    VIEW = "VIEW"  # see the organization's domains, mailboxes, forwards
    MANAGE_SERVICES = "MANAGE_SERVICES"  # change auto-renew settings of its domains and mailboxes
    PAY = "PAY"  # be chosen as payer, top up, register a card
    VIEW_BILLING = "VIEW_BILLING"  # see balance, ledger, card, upcoming charges


RULES: Mapping[Action, frozenset[Role]] = {
    Action.VIEW: frozenset(Role),
    Action.MANAGE_SERVICES: frozenset({Role.OWNER, Role.ADMIN}),
    Action.PAY: frozenset({Role.OWNER, Role.BILLING}),
    Action.VIEW_BILLING: frozenset({Role.OWNER, Role.BILLING}),
}


@dataclass(frozen=True)
class Actor:
    """Who asks: a signed-in user and their role in each organization they belong to."""

    user_id: int
    email: str
    language: str
    roles: Mapping[int, Role] = field(default_factory=dict)

    @property
    def organization_ids(self) -> list[int]:
        return sorted(self.roles)

    def may(self, action: Action, organization_id: int | None) -> bool:
        return may(self, action, organization_id)

    def organizations_where(self, action: Action) -> list[int]:
        return [org_id for org_id in self.organization_ids if may(self, action, org_id)]


def may(actor: Actor, action: Action, organization_id: int | None) -> bool:
    if organization_id is None:
        return False
    role = actor.roles.get(organization_id)
    return role is not None and role in RULES[action]


def roles_allowed(action: Action) -> Iterable[Role]:
    return RULES[action]
