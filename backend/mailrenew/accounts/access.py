"""Access, decided in one place: which organizations a viewer sees, with which role, and what each role may do.

Every query, loader, mutation, service and CLI path asks here; no other module compares roles. Point checks
(``Actor.may``) use the roles loaded with the viewer; lists are scoped in SQL by ``organizations()`` /
``organizations_sql()``, a subquery on memberships that a query joins on, never a Python list of ids pasted
into ``IN (...)``: a reseller in 1,000 organizations costs the same statement as a customer in one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tortoise.expressions import Subquery

from mailrenew.accounts.models import Membership, Role
from mailrenew.db import SQLParams, connection


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


def _roles_for(action: Action) -> list[str] | None:
    """The role values allowed to do ``action``; None when every role may (no role filter needed)."""
    allowed = RULES[action]
    return None if allowed == frozenset(Role) else sorted(role.value for role in allowed)


def organizations(actor: Actor, action: Action = Action.VIEW) -> Subquery:
    """The ids of the organizations where ``actor`` may do ``action``, as a subquery for ``field__in=``."""
    query = Membership.filter(user_id=actor.user_id)
    roles = _roles_for(action)
    if roles is not None:
        query = query.filter(role__in=roles)
    return Subquery(query.values("organization_id"))


def organizations_sql(user_id: int, action: Action, p: SQLParams) -> str:
    """``organizations()`` as raw SQL, for statements written by hand (values handed to ``p`` in order)."""
    sql = f"SELECT m.organization_id FROM memberships m WHERE m.user_id = {p(user_id)}"
    roles = _roles_for(action)
    return sql if roles is None else f"{sql} AND m.role IN ({_literals(roles)})"


def may_sql(user_id: int, action: Action, organization: str, p: SQLParams) -> str:
    """``may()`` as a SQL boolean on an organization id expression (for statements written by hand)."""
    sql = f"SELECT 1 FROM memberships m WHERE m.user_id = {p(user_id)} AND m.organization_id = {organization}"
    roles = _roles_for(action)
    return f"EXISTS ({sql if roles is None else f'{sql} AND m.role IN ({_literals(roles)})'})"


def _literals(roles: list[str]) -> str:
    """Role names as SQL literals: they are this module's constants, and a literal lets the planner see them."""
    assert all(role.isalpha() for role in roles)
    return ", ".join(f"'{role}'" for role in roles)


async def may_pay(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of these (user, organization) pairs, those where the user may still charge the organization.

    One statement; written by hand because the sweep asks once per batch of 200 items.
    """
    wanted = set(pairs)
    if not wanted:
        return set()
    p = SQLParams()
    users = p.many(sorted({user for user, _ in wanted}))
    organizations = p.many(sorted({org for _, org in wanted}))
    roles = p.many(sorted(role.value for role in RULES[Action.PAY]))
    rows = await connection().execute_query_dict(
        f"SELECT user_id, organization_id FROM memberships WHERE user_id IN ({users}) "
        f"AND organization_id IN ({organizations}) AND role IN ({roles})",
        p.values,
    )
    return {(row["user_id"], row["organization_id"]) for row in rows} & wanted
