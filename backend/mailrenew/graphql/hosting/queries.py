from __future__ import annotations

from enum import Enum

import strawberry

from mailrenew.errors import InvalidInput
from mailrenew.graphql.context import Info
from mailrenew.graphql.hosting.types import Domain, Forward, Mailbox, OrderDirection
from mailrenew.graphql.relay import Connection, connection, page_args, pk_of
from mailrenew.hosting import queries as hosting
from mailrenew.hosting.service import normalize_fqdn


@strawberry.enum
class DomainOrderField(Enum):
    FQDN = "fqdn"
    EXPIRES_AT = "expires_at"
    MAILBOX_COUNT = "mailbox_count"


@strawberry.input
class DomainOrder:
    field: DomainOrderField = DomainOrderField.FQDN
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class DomainFilter:
    has_mailboxes: bool | None = strawberry.field(
        default=None, description="Only domains with (or without) mailboxes."
    )
    search: str | None = strawberry.field(default=None, description="Case-insensitive substring of the fqdn.")
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this owner's domains."
    )


async def load_visible_domain(info: Info, domain_id: int | None) -> Domain | None:
    if domain_id is None:
        return None
    row = await info.context.loaders.domain_by_id.load(domain_id)
    if row is None or row.owner_id not in info.context.actor.roles:  # type: ignore[attr-defined]
        return None
    return Domain.from_row(row)


async def load_visible_mailbox(info: Info, mailbox_id: int | None) -> Mailbox | None:
    if mailbox_id is None:
        return None
    row = await info.context.loaders.mailbox_by_id.load(mailbox_id)
    if row is None or await load_visible_domain(info, row.domain_id) is None:  # type: ignore[attr-defined]
        return None
    return Mailbox.from_row(row)


async def load_visible_forward(info: Info, forward_id: int) -> Forward | None:
    row = await hosting.forward_by_id(forward_id)
    if row is None:
        return None
    domain = await load_visible_domain(info, row.domain_id)  # type: ignore[attr-defined]
    return Forward.from_row(row, domain.fqdn) if domain else None


@strawberry.type
class HostingQuery:
    @strawberry.field(description="The viewer's domains, filtered, sorted and paginated.")
    async def domains(
        self,
        info: Info,
        filter: DomainFilter | None = None,
        order_by: DomainOrder | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Domain]:
        page = page_args(first, after)
        where = filter or DomainFilter()
        org_ids = info.context.actor.organization_ids
        if where.organization_id is not None:
            wanted = pk_of(where.organization_id, "Organization")
            org_ids = [wanted] if wanted in org_ids else []
        order = order_by or DomainOrder()
        rows, total = await hosting.list_domains(
            hosting.DomainFilter(org_ids, has_mailboxes=where.has_mailboxes, search=where.search),
            sort=hosting.DomainSort(order.field.value),
            descending=order.direction is OrderDirection.DESC,
            limit=page.limit,
            offset=page.offset,
        )
        info.context.loaders.domain_by_id.prime_many_rows(rows)
        return connection([Domain.from_row(r) for r in rows], page=page, total=total)

    @strawberry.field
    async def domain(self, info: Info, id: strawberry.ID) -> Domain | None:
        return await load_visible_domain(info, pk_of(id, "Domain"))

    @strawberry.field
    async def domain_by_fqdn(self, info: Info, fqdn: str) -> Domain | None:
        try:
            name = normalize_fqdn(fqdn)
        except InvalidInput:
            return None
        row = await hosting.visible_domain_by_fqdn(name, info.context.actor.organization_ids)
        return Domain.from_row(row) if row else None

    @strawberry.field
    async def mailbox(self, info: Info, id: strawberry.ID) -> Mailbox | None:
        return await load_visible_mailbox(info, pk_of(id, "Mailbox"))
