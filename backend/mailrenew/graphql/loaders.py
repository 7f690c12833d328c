"""DataLoaders, one per relation, named for what they load and by what key (built per request)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader

from mailrenew.accounts import access
from mailrenew.accounts.access import Actor
from mailrenew.accounts.models import Organization
from mailrenew.billing import queries as billing
from mailrenew.billing import service as billing_service
from mailrenew.billing.models import Card, LedgerEntry, PrepaidAccount
from mailrenew.config import business_today
from mailrenew.hosting import queries as hosting
from mailrenew.hosting.models import Domain, Forward, Mailbox
from mailrenew.renewal import queries as renewal
from mailrenew.renewal import status, window
from mailrenew.renewal.forecast import Forecast, forecast
from mailrenew.renewal.models import RenewalAttempt

BALANCE_HORIZON_DAYS = 30  # BALANCE_SHORT looks at the renewals of the next 30 days
ATTEMPTS_HISTORY_DAYS = 400  # a renewal status reads the attempts of terms ending in the last 400 days
K = TypeVar("K")
V = TypeVar("V")


async def _organizations(ids: Sequence[int]) -> list[Organization | None]:
    rows = {o.id: o for o in await Organization.filter(id__in=list(ids))}
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


@dataclass(frozen=True)
class PageKey:
    parent_id: int
    limit: int
    offset: int


def _paged(
    fetch: Callable[..., Awaitable[dict[int, list[Any]]]],
) -> Callable[[Sequence[PageKey]], Awaitable[list[list[Any]]]]:
    """A batch function for a nested connection: one fetch per page shape, for all parents at once."""

    async def load(keys: Sequence[PageKey]) -> list[list[Any]]:
        shapes: dict[tuple[int, int], list[int]] = {}
        for key in keys:
            shapes.setdefault((key.limit, key.offset), []).append(key.parent_id)
        pages: dict[PageKey, list[Any]] = {}
        for (limit, offset), parents in shapes.items():
            found = await fetch(parents, limit=limit, offset=offset)
            for parent in parents:
                pages[PageKey(parent, limit, offset)] = found.get(parent, [])
        return [pages[key] for key in keys]

    return load


def _by_key(
    fetch: Callable[[Sequence[int]], Awaitable[dict[int, Any]]], default: Any = None
) -> Callable[[Sequence[int]], Awaitable[list[Any]]]:
    async def load(keys: Sequence[int]) -> list[Any]:
        found = await fetch(keys)
        return [found.get(key, default) for key in keys]

    return load


class Loader(DataLoader[K, V], Generic[K, V]):
    def forget(self, key: K) -> None:
        """Drop a cached value after a mutation changed it (no error when it was never loaded)."""
        with contextlib.suppress(KeyError):
            self.clear(key)

    def prime_many_rows(self, rows: Sequence[V], key: str = "id") -> None:
        for row in rows:
            self.prime(getattr(row, key), row)


@dataclass
class Loaders:
    actor: Actor
    organization_by_id: Loader[int, Organization | None] = field(
        default_factory=lambda: Loader(_organizations)
    )
    mailbox_count_by_domain: Loader[int, int] = field(default_factory=lambda: Loader(_mailbox_counts))
    forwards_by_domain: Loader[int, list[Forward]] = field(default_factory=lambda: Loader(_forwards))
    mailbox_page_by_domain: Loader[MailboxPageKey, list[Mailbox]] = field(
        default_factory=lambda: Loader(_mailbox_pages)
    )
    account_by_organization: Loader[int, PrepaidAccount | None] = field(
        default_factory=lambda: Loader(_by_key(billing.accounts_by_organization))
    )
    card_by_organization: Loader[int, Card | None] = field(
        default_factory=lambda: Loader(_by_key(billing.cards_by_organization))
    )
    ledger_page_by_account: Loader[PageKey, list[LedgerEntry]] = field(
        default_factory=lambda: Loader(_paged(billing.ledger_pages))
    )
    ledger_count_by_account: Loader[int, int] = field(
        default_factory=lambda: Loader(_by_key(billing.ledger_counts, 0))
    )
    attempt_page_by_mailbox: Loader[PageKey, list[RenewalAttempt]] = field(
        default_factory=lambda: Loader(_paged(renewal.attempt_pages))
    )
    attempt_count_by_mailbox: Loader[int, int] = field(
        default_factory=lambda: Loader(_by_key(renewal.attempt_counts, 0))
    )
    today: dt.date | None = None
    forecast_by_payer: Loader[int, Forecast] = field(init=False)
    domain_by_id: Loader[int, Domain | None] = field(init=False)
    mailbox_by_id: Loader[int, Mailbox | None] = field(init=False)
    attempts_by_mailbox: Loader[int, list[status.Attempt]] = field(init=False)
    attempts_by_domain: Loader[int, list[status.Attempt]] = field(init=False)
    _prices: asyncio.Task[dict[tuple[str, str, str], int]] | None = None

    async def prices(self) -> window.PriceTable:
        """The price catalogue, read once per request (resolvers running side by side share the one read)."""
        if self._prices is None:
            self._prices = asyncio.ensure_future(billing_service.price_table())
        return await self._prices

    def __post_init__(self) -> None:
        # Domains and mailboxes are loaded only within the viewer's organizations (a subquery on memberships):
        # an id the viewer may not see loads as None, like an unknown one.
        scope = access.organizations(self.actor)

        async def domains(ids: Sequence[int]) -> dict[int, Domain]:
            return await hosting.domains_by_id(ids, scope)

        async def mailboxes(ids: Sequence[int]) -> dict[int, Mailbox]:
            return await hosting.mailboxes_by_id(ids, scope)

        self.domain_by_id = Loader(_by_key(domains))
        self.mailbox_by_id = Loader(_by_key(mailboxes))

        def attempts(kind: str) -> Loader[int, list[status.Attempt]]:
            async def load(ids: Sequence[int]) -> dict[int, list[status.Attempt]]:
                since = (self.today or business_today()) - dt.timedelta(days=ATTEMPTS_HISTORY_DAYS)
                return await renewal.attempts_since(kind, ids, since)

            return Loader(_by_key(load, []))

        self.attempts_by_mailbox = attempts("mailbox")
        self.attempts_by_domain = attempts("domain")

        async def forecasts(org_ids: Sequence[int]) -> dict[int, Forecast]:
            return await forecast(org_ids, self.today or business_today(), BALANCE_HORIZON_DAYS)

        self.forecast_by_payer = Loader(_by_key(forecasts))
