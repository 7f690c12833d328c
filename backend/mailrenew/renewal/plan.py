"""What the window decides for each due item, and its money rules simulated for the forecast and the dry run.

``plan_items`` is the sweep's first decision (due, authorised, priced); ``Projection`` then settles a day as the
sweep does (the balance first, in the sweep's order; then one card top-up per payer for its shortfall, at least
its minimum, within its monthly cap), from what billing knows of each payer instead of calling the gateway.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mailrenew.accounts import access
from mailrenew.billing.service import CardProblem, Standing
from mailrenew.hosting.models import RenewalPeriod
from mailrenew.hosting.renewables import ItemKind, RenewableRow
from mailrenew.renewal import window
from mailrenew.renewal.calendar import next_term_end
from mailrenew.renewal.models import AttemptOutcome, FailureReason

KINDS = (ItemKind.DOMAIN, ItemKind.MAILBOX)  # domains first: mailboxes depend on them
ATTEMPT_COLUMNS = {
    ItemKind.DOMAIN: "domain_id",
    ItemKind.MAILBOX: "mailbox_id",
}  # renewal_attempts' item column


@dataclass(frozen=True)
class DueItem:
    kind: ItemKind
    id: int
    label: str
    expires_at: dt.date
    period: RenewalPeriod
    offer: str
    payer_id: int
    owner_id: int
    set_by_id: int | None
    domain_expired: bool
    auto_renew_enabled: bool = True
    status: str = "ACTIVE"

    @classmethod
    def from_row(cls, row: RenewableRow, day: dt.date) -> DueItem:
        assert row.payer_id is not None
        assert row.period is not None
        return cls(
            kind=row.kind,
            id=row.id,
            label=row.label,
            expires_at=row.expires_at,
            period=RenewalPeriod(row.period),
            offer=row.offer,
            payer_id=row.payer_id,
            owner_id=row.owner_id,
            set_by_id=row.set_by_id,
            # A mailbox cannot renew on a domain that has expired (or expires today).
            domain_expired=row.domain_status == "EXPIRED" or row.domain_expires_at <= day,
            auto_renew_enabled=row.auto_renew_enabled,
            status=row.status,
        )

    @property
    def term_key(self) -> str:
        return f"{self.kind.value}:{self.id}:{self.expires_at.isoformat()}"

    @functools.cached_property
    def new_expires_at(self) -> dt.date:
        return next_term_end(self.expires_at, self.period)


@dataclass
class Planned:
    """What the sweep decided for one item (also what ``--dry-run`` shows)."""

    item: DueItem
    amount_cents: int
    outcome: AttemptOutcome
    reason: FailureReason | None = None


async def payers_allowed(items: Sequence[DueItem]) -> set[tuple[int, int]]:
    """(user, organization) pairs where the user who set the auto-renewal may still charge the payer."""
    return await access.may_pay((i.set_by_id, i.payer_id) for i in items if i.set_by_id is not None)


def payer_authorised(item: DueItem, allowed: set[tuple[int, int]]) -> bool:
    """The payer is still authorised: whoever set the renewal still pays for it (or the owner pays itself)."""
    if item.set_by_id is None:
        return item.payer_id == item.owner_id
    return (item.set_by_id, item.payer_id) in allowed


def plan_items(
    day: dt.date, items: Sequence[DueItem], prices: window.PriceTable, allowed: set[tuple[int, int]]
) -> list[Planned]:
    """The window's answer for each item (``window.assess``), then the checks that may fail it at once."""
    planned = []
    for item in items:
        due = window.assess(
            item, day, prices=prices, product=window.PRODUCTS[item.kind], offer=item.offer, period=item.period
        )
        if due is None:  # no longer due (selected just before): left for the next run to decide
            continue
        price = due.amount_cents
        if item.domain_expired:
            planned.append(Planned(item, 0, AttemptOutcome.FAILED, FailureReason.DOMAIN_EXPIRED))
        elif not payer_authorised(item, allowed):
            planned.append(Planned(item, 0, AttemptOutcome.FAILED, FailureReason.PAYER_NOT_ALLOWED))
        elif price is None:
            planned.append(Planned(item, 0, AttemptOutcome.FAILED, FailureReason.PRICE_MISSING))
        else:
            planned.append(Planned(item, price, AttemptOutcome.PENDING))
    return planned


CARD_REASONS: Mapping[CardProblem, FailureReason] = {
    CardProblem.NO_CARD: FailureReason.INSUFFICIENT_FUNDS,
    CardProblem.EXPIRED: FailureReason.CARD_EXPIRED,
    CardProblem.DECLINED: FailureReason.CARD_DECLINED,
    CardProblem.INSUFFICIENT_FUNDS: FailureReason.CARD_INSUFFICIENT_FUNDS,
}


def sweep_order(planned: Iterable[Planned]) -> list[Planned]:
    """The order the sweep settles items in: domains first, then by id."""
    return sorted(planned, key=lambda p: (KINDS.index(p.item.kind), p.item.id))


class Projection:
    """Each payer's balance and card, day after day, as the sweep would move them (nothing is written)."""

    def __init__(self, standing: Mapping[int, Standing], month: tuple[int, int]) -> None:
        self.standing = standing
        self.balances = {org: s.balance_cents for org, s in standing.items()}
        self._charged = {(org, month): s.auto_charged_cents for org, s in standing.items()}
        self.card_cents: dict[int, int] = defaultdict(int)  # automatic top-ups the projection charged

    def settle_day(self, day: dt.date, planned: Sequence[Planned]) -> None:
        """Decide every pending item of ``day`` (sets its outcome and reason)."""
        short: dict[int, list[Planned]] = defaultdict(list)
        for plan in sweep_order(p for p in planned if p.outcome is AttemptOutcome.PENDING):
            if not self._pay(plan):
                short[plan.item.payer_id].append(plan)
        for payer_id, plans in short.items():
            reason = self._top_up(day, payer_id, sum(p.amount_cents for p in plans))
            for plan in plans:
                if reason is not None or not self._pay(plan):
                    plan.outcome, plan.reason = (
                        AttemptOutcome.FAILED,
                        reason or FailureReason.INSUFFICIENT_FUNDS,
                    )

    def _pay(self, plan: Planned) -> bool:
        payer = plan.item.payer_id
        if self.balances.get(payer, 0) < plan.amount_cents:
            return False
        self.balances[payer] -= plan.amount_cents
        plan.outcome = AttemptOutcome.SUCCEEDED
        return True

    def _top_up(self, day: dt.date, payer_id: int, needed_cents: int) -> FailureReason | None:
        """The card's top-up for this shortfall, or why there is none."""
        standing = self.standing.get(payer_id, Standing(0))
        problem = standing.card_problem(day)
        if problem is not None:
            return CARD_REASONS[problem]
        amount = standing.top_up_for(needed_cents - self.balances.get(payer_id, 0))
        month = (payer_id, (day.year, day.month))
        if not standing.cap_allows(amount, self._charged.get(month, 0)):
            return FailureReason.TOP_UP_CAP_REACHED
        self._charged[month] = self._charged.get(month, 0) + amount
        self.balances[payer_id] = self.balances.get(payer_id, 0) + amount
        self.card_cents[payer_id] += amount
        return None
