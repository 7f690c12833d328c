"""Read side of renewal for the API's DataLoaders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tortoise.functions import Count

from mailrenew.db import windowed_pages
from mailrenew.renewal import status
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


async def attempts_since(kind: str, ids: Sequence[int], since: dt.date) -> dict[int, list[status.Attempt]]:
    """The attempts of these mailboxes or domains (``kind``) for terms ending on or after ``since``."""
    column = f"{kind}_id"
    rows = await RenewalAttempt.filter(**{f"{column}__in": list(ids)}, term_expires_at__gte=since).values(
        column, "business_day", "term_expires_at", "outcome", "failure_reason", "created_at", "new_expires_at"
    )
    found: dict[int, list[status.Attempt]] = {}
    for row in rows:
        found.setdefault(row[column], []).append(
            status.Attempt(
                business_day=row["business_day"],
                term_expires_at=row["term_expires_at"],
                succeeded=str(row["outcome"]) == "SUCCEEDED",
                reason=str(row["failure_reason"]) if row["failure_reason"] else None,
                at=row["created_at"],
                new_expires_at=row["new_expires_at"],
            )
        )
    return found
