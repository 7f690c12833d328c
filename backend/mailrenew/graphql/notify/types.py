from __future__ import annotations

import datetime as dt

import strawberry

from mailrenew.accounts.models import Language as LanguageCode
from mailrenew.graphql.accounts.types import Language, Organization, load_organization
from mailrenew.graphql.context import Info
from mailrenew.graphql.relay import to_global_id
from mailrenew.notify import models

MessageKind = strawberry.enum(
    models.MessageKind,
    name="MessageKind",
    description="PAYMENT_NOT_COVERED (before a renewal the balance will not pay), RENEWAL_RECEIPT, "
    "RENEWAL_FAILED, EXPIRED.",
)


@strawberry.type(description="A message to the viewer, kept in the outbox; e-mailed when SMTP is configured.")
class OutboxMessage:
    id: strawberry.ID
    kind: MessageKind  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    subject: str
    body: str = strawberry.field(description="Plain text.")
    language: Language  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    created_at: dt.datetime
    sent_at: dt.datetime | None = strawberry.field(
        description="When the mail server accepted it; null before."
    )
    read_at: dt.datetime | None
    organization_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.OutboxMessage) -> OutboxMessage:
        return cls(
            id=to_global_id("OutboxMessage", row.id),
            kind=row.kind,
            subject=row.subject,
            body=row.body,
            language=LanguageCode(row.language),
            created_at=row.created_at,
            sent_at=row.sent_at,
            read_at=row.read_at,
            organization_id=row.organization_id,
        )

    @strawberry.field(description="The organization the message is about (the payer).")
    async def organization(self, info: Info) -> Organization | None:
        return await load_organization(info, self.organization_id)
