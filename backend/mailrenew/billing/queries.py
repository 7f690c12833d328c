"""Read side of billing for the API's DataLoaders (batched by organization)."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.functions import Count

from mailrenew.billing.models import Card, LedgerEntry, PrepaidAccount
from mailrenew.db import windowed_pages


async def accounts_by_organization(organization_ids: Sequence[int]) -> dict[int, PrepaidAccount]:
    rows = await PrepaidAccount.filter(organization_id__in=list(organization_ids))
    return {row.organization_id: row for row in rows}


async def cards_by_organization(organization_ids: Sequence[int]) -> dict[int, Card]:
    rows = await Card.filter(organization_id__in=list(organization_ids))
    return {row.organization_id: row for row in rows}


async def ledger_pages(
    account_ids: Sequence[int], *, limit: int, offset: int
) -> dict[int, list[LedgerEntry]]:
    """Newest first, the same page for each account, in one statement."""
    pages = await windowed_pages(
        "ledger_entries", "account_id", account_ids, order="id DESC", limit=limit, offset=offset
    )
    return {
        account_id: [LedgerEntry._init_from_db(**row) for row in rows] for account_id, rows in pages.items()
    }


async def ledger_counts(account_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        await LedgerEntry.filter(account_id__in=list(account_ids))
        .annotate(n=Count("id"))
        .group_by("account_id")
        .values_list("account_id", "n")
    )
    return dict(rows)
