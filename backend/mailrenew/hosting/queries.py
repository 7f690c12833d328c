"""Read side of hosting: scoped lists and the batch reads behind the GraphQL DataLoaders.

Every function takes the viewer's scope, the subquery of the organizations they may see
(``accounts.access.organizations``), and joins on it in SQL: none returns a row outside it, and the
statement is the same for a viewer in one organization or in a thousand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tortoise.expressions import Subquery
from tortoise.functions import Count

from mailrenew.db import windowed_pages
from mailrenew.hosting.models import Domain, Forward, Mailbox


class DomainSort(StrEnum):
    FQDN = "fqdn"
    EXPIRES_AT = "expires_at"
    MAILBOX_COUNT = "mailbox_count"


class MailboxSort(StrEnum):
    ADDRESS = "address"
    EXPIRES_AT = "expires_at"
    STATUS = "status"


@dataclass(frozen=True)
class DomainFilter:
    scope: Subquery  # the owners the viewer may see
    owner_id: int | None = None
    has_mailboxes: bool | None = None
    search: str | None = None


async def _none() -> int:
    return 0


async def list_domains(
    where: DomainFilter, *, sort: DomainSort, descending: bool, limit: int, offset: int
) -> tuple[list[Domain], Callable[[], Awaitable[int]]]:
    """``limit`` + 1 domains from ``offset`` (the extra one tells whether there is a next page), and a function
    that counts them all, for when the total is asked for (one statement, and one more if it is)."""
    if where.search and "\x00" in where.search:  # no name holds a NUL; PostgreSQL would refuse the text
        return [], _none
    query = Domain.filter(owner_id__in=where.scope)
    if where.owner_id is not None:
        query = query.filter(owner_id=where.owner_id)
    if where.search:
        query = query.filter(fqdn__icontains=where.search.strip().lower())
    if where.has_mailboxes is not None:
        with_mailboxes = Subquery(Mailbox.all().values("domain_id"))
        query = (
            query.filter(id__in=with_mailboxes)
            if where.has_mailboxes
            else query.exclude(id__in=with_mailboxes)
        )
    sign = "-" if descending else ""
    if sort is DomainSort.MAILBOX_COUNT:
        page = (
            query.annotate(mailbox_count=Count("mailboxes"))
            .group_by("id")
            .order_by(f"{sign}mailbox_count", f"{sign}fqdn")
        )
    else:
        page = query.order_by(f"{sign}{sort.value}", f"{sign}id")
    return await page.offset(offset).limit(limit + 1), query.count


async def domains_by_id(ids: Sequence[int], scope: Subquery) -> dict[int, Domain]:
    return {d.id: d for d in await Domain.filter(id__in=list(ids), owner_id__in=scope)}


async def mailboxes_by_id(ids: Sequence[int], scope: Subquery) -> dict[int, Mailbox]:
    return {m.id: m for m in await Mailbox.filter(id__in=list(ids), domain__owner_id__in=scope)}


async def mailbox_counts(domain_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        await Mailbox.filter(domain_id__in=list(domain_ids))
        .annotate(n=Count("id"))
        .group_by("domain_id")
        .values_list("domain_id", "n")
    )
    return dict(rows)


async def mailbox_pages(
    domain_ids: Sequence[int], *, sort: MailboxSort, descending: bool, limit: int, offset: int
) -> dict[int, list[Mailbox]]:
    """The same page (offset, limit) of mailboxes for each domain, in one statement (a window function)."""
    if not domain_ids:
        return {}
    direction = "DESC" if descending else "ASC"
    rows = await windowed_pages(
        "mailboxes",
        "domain_id",
        domain_ids,
        order=f"{sort.value} {direction}, id {direction}",
        limit=limit,
        offset=offset,
    )
    return {domain_id: [Mailbox._init_from_db(**row) for row in page] for domain_id, page in rows.items()}


async def forwards_by_domain(domain_ids: Sequence[int]) -> dict[int, list[Forward]]:
    grouped: dict[int, list[Forward]] = defaultdict(list)
    for forward in await Forward.filter(domain_id__in=list(domain_ids)).order_by("source"):
        grouped[forward.domain_id].append(forward)
    return grouped


async def forward_by_id(forward_id: int, scope: Subquery) -> Forward | None:
    return await Forward.filter(id=forward_id, domain__owner_id__in=scope).select_related("domain").first()


async def domain_by_fqdn(fqdn: str, scope: Subquery) -> Domain | None:
    return await Domain.filter(fqdn=fqdn, owner_id__in=scope).first()
