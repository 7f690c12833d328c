from __future__ import annotations

from enum import Enum

import strawberry

from mailrenew.accounts import access
from mailrenew.errors import InvalidInput
from mailrenew.graphql.context import Info
from mailrenew.graphql.hosting.types import Domain, Forward, Mailbox, OrderDirection
from mailrenew.graphql.relay import Connection, counted_later, page_args, pk_of
from mailrenew.hosting import queries as hosting
from mailrenew.hosting.service import normalize_fqdn

UNKNOWN_ID = -1  # an id that is not one of ours: matches nothing, like an organization the viewer cannot see


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
    """The domain if the viewer may see it (the loader is scoped by the access module), else None."""
    if domain_id is None:
        return None
    row = await info.context.loaders.domain_by_id.load(domain_id)
    return Domain.from_row(row) if row else None


async def load_visible_mailbox(info: Info, mailbox_id: int | None) -> Mailbox | None:
    if mailbox_id is None:
        return None
    row = await info.context.loaders.mailbox_by_id.load(mailbox_id)
    return Mailbox.from_row(row) if row else None


async def load_visible_forward(info: Info, forward_id: int) -> Forward | None:
    row = await hosting.forward_by_id(forward_id, access.organizations(info.context.actor))
    return Forward.from_row(row, row.domain.fqdn) if row else None


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
        owner_id = None
        if where.organization_id is not None:
            owner_id = pk_of(where.organization_id, "Organization") or UNKNOWN_ID
        order = order_by or DomainOrder()
        rows, count = await hosting.list_domains(
            hosting.DomainFilter(
                access.organizations(info.context.actor),
                owner_id=owner_id,
                has_mailboxes=where.has_mailboxes,
                search=where.search,
            ),
            sort=hosting.DomainSort(order.field.value),
            descending=order.direction is OrderDirection.DESC,
            limit=page.limit,
            offset=page.offset,
        )
        info.context.loaders.domain_by_id.prime_many_rows(rows)
        return counted_later([Domain.from_row(r) for r in rows], page=page, count=count)

    @strawberry.field
    async def domain(self, info: Info, id: strawberry.ID) -> Domain | None:
        return await load_visible_domain(info, pk_of(id, "Domain"))

    @strawberry.field
    async def domain_by_fqdn(self, info: Info, fqdn: str) -> Domain | None:
        try:
            name = normalize_fqdn(fqdn)
        except InvalidInput:
            return None
        row = await hosting.domain_by_fqdn(name, access.organizations(info.context.actor))
        return Domain.from_row(row) if row else None

    @strawberry.field
    async def mailbox(self, info: Info, id: strawberry.ID) -> Mailbox | None:
        return await load_visible_mailbox(info, pk_of(id, "Mailbox"))
