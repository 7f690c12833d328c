"""Read side of accounts: the organizations a viewer sees, scoped in SQL by the access module."""

from __future__ import annotations

from tortoise.functions import Lower

from mailrenew.accounts import access
from mailrenew.accounts.access import Action, Actor
from mailrenew.accounts.models import Organization


async def organizations_page(
    actor: Actor, *, action: Action = Action.VIEW, limit: int, offset: int
) -> tuple[list[Organization], int]:
    """One page of the organizations where ``actor`` may do ``action``, by name, and their count.

    The count comes from the roles loaded with the actor (no second statement).
    """
    query = Organization.filter(id__in=access.organizations(actor, action))
    total = len(actor.organizations_where(action))
    rows = (
        await query.annotate(lower_name=Lower("name"))
        .order_by("lower_name", "id")
        .offset(offset)
        .limit(limit)
    )
    return list(rows), total


async def organization_names(organization_ids: list[int]) -> dict[int, str]:
    """Each organization's name, by id (one statement)."""
    if not organization_ids:
        return {}
    rows = await Organization.filter(id__in=organization_ids).values_list("id", "name")
    return {int(org_id): str(name) for org_id, name in rows}
