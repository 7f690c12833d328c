from __future__ import annotations

import strawberry

from mailrenew.graphql.context import Info
from mailrenew.graphql.errors import UserError
from mailrenew.graphql.relay import pk_of
from mailrenew.notify import service as notify


@strawberry.type
class MarkOutboxReadPayload:
    marked_count: int
    user_errors: list[UserError]


@strawberry.type
class NotifyMutation:
    @strawberry.mutation(description="Mark some of the viewer's own messages read (others' ids are ignored).")
    async def mark_outbox_read(self, info: Info, message_ids: list[strawberry.ID]) -> MarkOutboxReadPayload:
        ids = [pk for pk in (pk_of(m, "OutboxMessage") for m in message_ids[:500]) if pk is not None]
        return MarkOutboxReadPayload(
            marked_count=await notify.mark_read(info.context.user.id, ids), user_errors=[]
        )
