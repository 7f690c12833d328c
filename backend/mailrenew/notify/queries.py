"""Read side of notify: a user's own messages, newest first (the console's outbox)."""

from __future__ import annotations

from mailrenew.notify.models import OutboxMessage


async def messages_for_user(
    user_id: int, *, unread_only: bool = False, limit: int, offset: int
) -> tuple[list[OutboxMessage], int]:
    """One page of the user's messages, newest first, and their total (two statements)."""
    query = OutboxMessage.filter(user_id=user_id)
    if unread_only:
        query = query.filter(read_at__isnull=True)
    total = await query.count()
    return await query.order_by("-id").offset(offset).limit(limit), total
