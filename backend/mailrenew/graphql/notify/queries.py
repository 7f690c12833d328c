from __future__ import annotations

import strawberry

from mailrenew.graphql.context import Info
from mailrenew.graphql.notify.types import OutboxMessage
from mailrenew.graphql.relay import Connection, connection, page_args
from mailrenew.notify import queries as notify


@strawberry.type
class NotifyQuery:
    @strawberry.field(description="The viewer's own messages (receipts, failures, expiries), newest first.")
    async def outbox(
        self, info: Info, first: int | None = None, after: str | None = None, unread_only: bool = False
    ) -> Connection[OutboxMessage]:
        page = page_args(first, after)
        rows, total = await notify.messages_for_user(
            info.context.user.id, unread_only=unread_only, limit=page.limit, offset=page.offset
        )
        return connection([OutboxMessage.from_row(r) for r in rows], page=page, total=total)
