from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from mailrenew.audit.models import AuditEvent
from mailrenew.config import utcnow
from mailrenew.db import insert_rows


def event(
    *,
    actor_id: int | None,
    organization_id: int | None,
    action: str,
    target_type: str,
    target_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEvent:
    return AuditEvent(
        actor_id=actor_id,
        organization_id=organization_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
    )


async def record(**fields: Any) -> AuditEvent:
    row = event(**fields)
    await row.save()
    return row


COLUMNS = (
    "actor_id",
    "organization_id",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "created_at",
)


async def record_many(events: Sequence[AuditEvent]) -> None:
    """All the events in multi-row INSERTs: one statement for up to 4,000 events (Tortoise's ``bulk_create``
    is an ``executemany`` on PostgreSQL: one execution per row)."""
    now = utcnow()
    await insert_rows(
        "audit_events",
        COLUMNS,
        [
            (
                e.actor_id,
                e.organization_id,
                e.action,
                e.target_type,
                e.target_id,
                None if e.before is None else json.dumps(e.before),
                None if e.after is None else json.dumps(e.after),
                now,
            )
            for e in events
        ],
    )
