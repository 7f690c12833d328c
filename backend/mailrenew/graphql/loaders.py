"""DataLoaders, one per relation, named for what they load and by what key (built per request)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from strawberry.dataloader import DataLoader

from mailrenew.accounts.models import Organization
from mailrenew.hosting import queries as hosting
from mailrenew.hosting.models import Domain, Forward, Mailbox

K = TypeVar("K")
V = TypeVar("V")


async def _organizations(ids: Sequence[int]) -> list[Organization | None]:
    rows = {o.id: o for o in await Organization.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _domains(ids: Sequence[int]) -> list[Domain | None]:
    rows = await hosting.domains_by_id(ids)
    return [rows.get(i) for i in ids]


async def _mailboxes(ids: Sequence[int]) -> list[Mailbox | None]:
    rows = await hosting.mailboxes_by_id(ids)
    return [rows.get(i) for i in ids]


async def _mailbox_counts(ids: Sequence[int]) -> list[int]:
    counts = await hosting.mailbox_counts(ids)
    return [counts.get(i, 0) for i in ids]


async def _forwards(ids: Sequence[int]) -> list[list[Forward]]:
    rows = await hosting.forwards_by_domain(ids)
    return [rows.get(i, []) for i in ids]


@dataclass(frozen=True)
class MailboxPageKey:
    domain_id: int
    sort: hosting.MailboxSort
    descending: bool
    limit: int
    offset: int


async def _mailbox_pages(keys: Sequence[MailboxPageKey]) -> list[list[Mailbox]]:
    """Group keys by page shape so that each shape costs one statement for all its domains."""
    shapes: dict[tuple[hosting.MailboxSort, bool, int, int], list[int]] = {}
    for key in keys:
        shapes.setdefault((key.sort, key.descending, key.limit, key.offset), []).append(key.domain_id)
    results: dict[MailboxPageKey, list[Mailbox]] = {}
    for (sort, descending, limit, offset), domain_ids in shapes.items():
        pages = await hosting.mailbox_pages(
            domain_ids, sort=sort, descending=descending, limit=limit, offset=offset
        )
        for domain_id in domain_ids:
            results[MailboxPageKey(domain_id, sort, descending, limit, offset)] = pages.get(domain_id, [])
    return [results[key] for key in keys]


class Loader(DataLoader[K, V], Generic[K, V]):
    def prime_many_rows(self, rows: Sequence[V], key: str = "id") -> None:
        for row in rows:
            self.prime(getattr(row, key), row)


@dataclass
class Loaders:
    organization_by_id: Loader[int, Organization | None] = field(
        default_factory=lambda: Loader(_organizations)
    )
    domain_by_id: Loader[int, Domain | None] = field(default_factory=lambda: Loader(_domains))
    mailbox_by_id: Loader[int, Mailbox | None] = field(default_factory=lambda: Loader(_mailboxes))
    mailbox_count_by_domain: Loader[int, int] = field(default_factory=lambda: Loader(_mailbox_counts))
    forwards_by_domain: Loader[int, list[Forward]] = field(default_factory=lambda: Loader(_forwards))
    mailbox_page_by_domain: Loader[MailboxPageKey, list[Mailbox]] = field(
        default_factory=lambda: Loader(_mailbox_pages)
    )
