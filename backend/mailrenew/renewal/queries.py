"""Read side of renewal for the API's DataLoaders."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.functions import Count

from mailrenew.db import windowed_pages
from mailrenew.renewal.models import RenewalAttempt


async def attempt_pages(
    mailbox_ids: Sequence[int], *, limit: int, offset: int
) -> dict[int, list[RenewalAttempt]]:
    """Newest first, the same page for each mailbox, in one statement."""
    pages = await windowed_pages(
        "renewal_attempts",
        "mailbox_id",
        mailbox_ids,
        order="business_day DESC, id DESC",
        limit=limit,
        offset=offset,
    )
    return {
        mailbox_id: [RenewalAttempt._init_from_db(**row) for row in rows]
        for mailbox_id, rows in pages.items()
    }


async def attempt_counts(mailbox_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        await RenewalAttempt.filter(mailbox_id__in=list(mailbox_ids))
        .annotate(n=Count("id"))
        .group_by("mailbox_id")
        .values_list("mailbox_id", "n")
    )
    return dict(rows)
