"""What the coming days will charge each payer, and whether its balance (or its card) covers it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from mailrenew.billing import service as billing
from mailrenew.hosting import renewables
from mailrenew.notify import service as notify
from mailrenew.notify.models import MessageKind
from mailrenew.renewal import window
from mailrenew.renewal.models import FailureReason
from mailrenew.renewal.plan import DueItem, Projection, payers_allowed, plan_items
from mailrenew.renewal.window import WINDOW_OPENS_DAYS_BEFORE

NOT_COVERED_NOTICE_DAYS = 7  # tell the payer this many days before the expiry date


MONEY_REASONS = frozenset(
    {
        FailureReason.INSUFFICIENT_FUNDS,
        FailureReason.CARD_EXPIRED,
        FailureReason.CARD_DECLINED,
        FailureReason.CARD_INSUFFICIENT_FUNDS,
        FailureReason.TOP_UP_CAP_REACHED,
    }
)


@dataclass(frozen=True)
class ForecastItem:
    kind: str  # "mailbox" | "domain"
    id: int
    label: str
    expires_at: dt.date
    charge_on: dt.date
    amount_cents: int
    payer_id: int
    reason: FailureReason | None = None  # why it will fail; None: it will renew

    @property
    def will_renew(self) -> bool:
        return self.reason is None


@dataclass
class Forecast:
    organization_id: int
    balance_cents: int = 0
    card_cents: int = 0  # what automatic top-ups will charge the card
    items: list[ForecastItem] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(i.amount_cents for i in self.items)

    @property
    def shortfall_cents(self) -> int:
        return max(0, self.total_cents - self.balance_cents)

    @property
    def covered_by_card(self) -> bool:
        """The balance falls short and the card's top-ups will cover every renewal money would fail."""
        return self.shortfall_cents > 0 and not self.uncovered()

    def uncovered(self) -> list[ForecastItem]:
        """Items that will fail for lack of money (balance, card, cap), in charge order."""
        return [i for i in self.items if i.reason in MONEY_REASONS]

    @property
    def failing(self) -> list[ForecastItem]:
        return [i for i in self.items if not i.will_renew]


async def forecast(organization_ids: Sequence[int] | None, day: dt.date, days: int) -> dict[int, Forecast]:
    """Per payer: what the next ``days`` days will charge, and what will fail and why (4 statements).

    An item counts when the window makes it due on one of the days ``day`` … ``day + days``; it is charged on
    its first such day, at the catalogue price of its period. Days are settled in order by the window's own
    projection (``plan.Projection``): the balance first, then one card top-up per payer and day, at least the
    payer's minimum, within its monthly cap; a card expired by the charge date, or whose last charge was refused,
    does not count as cover. The dry run (``sweep.run_sweep(dry_run=True)``) settles its day the same way.
    """
    last = day + dt.timedelta(days=days)
    rows = await renewables.upcoming(window.due_during_sql(day, last), organization_ids)
    prices = await billing.price_table()
    items = [
        DueItem.from_row(row, window.first_attempt_on(row.expires_at, day)) for row in rows if row.payer_id
    ]
    allowed = await payers_allowed(items)
    payers = sorted(set(organization_ids or []) | {item.payer_id for item in items})
    standing = await billing.standing_of(payers, day)
    projection = Projection(standing, (day.year, day.month))
    by_day: dict[dt.date, list[DueItem]] = defaultdict(list)
    for item in items:
        by_day[window.first_attempt_on(item.expires_at, day)].append(item)
    result = {org: Forecast(org, standing[org].balance_cents) for org in payers}
    for charge_on in sorted(by_day):
        planned = plan_items(charge_on, by_day[charge_on], prices, allowed)
        projection.settle_day(charge_on, planned)
        for plan in planned:
            if plan.reason is FailureReason.PRICE_MISSING:
                continue  # nothing to charge: the sweep fails it and charges nothing
            item = plan.item
            result[item.payer_id].items.append(
                ForecastItem(
                    item.kind.value,
                    item.id,
                    item.label,
                    item.expires_at,
                    charge_on,
                    plan.amount_cents or _price(prices, item),
                    item.payer_id,
                    plan.reason,
                )
            )
    for org, payer_forecast in result.items():
        payer_forecast.card_cents = projection.card_cents.get(org, 0)
        payer_forecast.items.sort(key=lambda i: (i.charge_on, i.label))
    return result


def _price(prices: window.PriceTable, item: DueItem) -> int:
    """The catalogue price of an item failed before pricing (payer not allowed, domain expired)."""
    return window.cost(prices, window.PRODUCTS[item.kind], item.offer, item.period) or 0


async def notify_not_covered(day: dt.date) -> int:
    """Tell payers, once per item and term, about renewals of the coming days their balance will not cover."""
    notices = [
        notify.Notice(
            MessageKind.PAYMENT_NOT_COVERED,
            item.payer_id,
            f"not_covered:{item.kind}:{item.id}:{item.expires_at.isoformat()}",
            {
                "item": item.label,
                "expires_at": item.expires_at,
                "amount_cents": item.amount_cents,
                "balance_cents": payer.balance_cents,
                "shortfall_cents": payer.shortfall_cents,
            },
        )
        for payer in (await forecast(None, day, NOT_COVERED_NOTICE_DAYS - WINDOW_OPENS_DAYS_BEFORE)).values()
        for item in payer.uncovered()
    ]
    return await notify.queue(notices) if notices else 0
