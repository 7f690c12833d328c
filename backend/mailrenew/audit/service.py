from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mailrenew.audit.models import AuditEvent


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


async def record_many(events: Sequence[AuditEvent]) -> None:
    """All the events in one multi-row INSERT (bulk changes stay a constant number of statements)."""
    if events:
        await AuditEvent.bulk_create(list(events))
