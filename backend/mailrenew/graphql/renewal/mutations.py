from __future__ import annotations

import strawberry
from strawberry.relay import from_base64

from mailrenew.config import business_today
from mailrenew.graphql.context import Info
from mailrenew.graphql.errors import FieldPaths, UserError, user_errors_as
from mailrenew.graphql.hosting.types import Domain, Mailbox
from mailrenew.hosting.renewables import ItemKind
from mailrenew.renewal import manual

RENEW_NOW_PATHS: FieldPaths = {"item": ("itemId",), "idempotency_key": ("idempotencyKey",)}
KINDS = {"Mailbox": ItemKind.MAILBOX, "Domain": ItemKind.DOMAIN}
UNKNOWN_ID = -1


@strawberry.type
class RenewNowPayload:
    mailbox: Mailbox | None = None
    domain: Domain | None = None
    user_errors: list[UserError]


def _item(item_id: strawberry.ID) -> tuple[ItemKind, int]:
    """A Mailbox or Domain global id; anything else is an id nobody can see."""
    try:
        type_name, raw = from_base64(str(item_id))
        return KINDS[type_name], int(raw)
    except (ValueError, KeyError, TypeError):
        return ItemKind.MAILBOX, UNKNOWN_ID


@strawberry.type
class RenewalMutation:
    @strawberry.mutation(
        description="Renew a mailbox's or a domain's current term now, from the payer's prepaid account (the "
        "registered card is charged what it lacks); restores an EXPIRED item within the grace period. OWNER or "
        "BILLING of the payer. The term's charge is the renewal window's own, so a term is never paid twice; "
        "repeating a request with the same `idempotencyKey` answers the first."
    )
    @user_errors_as(RenewNowPayload, RENEW_NOW_PATHS)
    async def renew_now(self, info: Info, item_id: strawberry.ID, idempotency_key: str) -> RenewNowPayload:
        kind, pk = _item(item_id)
        await manual.renew_now(
            info.context.actor,
            kind,
            pk,
            idempotency_key,
            today=business_today(info.context.settings),
            grace_days=info.context.settings.renewal_grace_days,
        )
        loaders = info.context.loaders
        if kind is ItemKind.MAILBOX:
            loaders.mailbox_by_id.forget(pk)
            loaders.attempts_by_mailbox.forget(pk)
            row = await loaders.mailbox_by_id.load(pk)
            return RenewNowPayload(mailbox=Mailbox.from_row(row) if row else None, user_errors=[])
        loaders.domain_by_id.forget(pk)
        loaders.attempts_by_domain.forget(pk)
        domain = await loaders.domain_by_id.load(pk)
        return RenewNowPayload(domain=Domain.from_row(domain) if domain else None, user_errors=[])
