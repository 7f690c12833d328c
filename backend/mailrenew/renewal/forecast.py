"""What the coming days will charge each payer, and whether its balance (or its card) covers it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from mailrenew.billing import service as billing
from mailrenew.hosting import renewables
from mailrenew.hosting.models import RenewalPeriod
from mailrenew.notify import service as notify
from mailrenew.notify.models import MessageKind
from mailrenew.renewal import window
from mailrenew.renewal.window import WINDOW_OPENS_DAYS_BEFORE

NOT_COVERED_NOTICE_DAYS = 7  # tell the payer this many days before the expiry date


@dataclass(frozen=True)
class ForecastItem:
    kind: str  # "mailbox" | "domain"
    id: int
    label: str
    expires_at: dt.date
    charge_on: dt.date
    amount_cents: int
    payer_id: int


@dataclass
class Forecast:
    organization_id: int
    balance_cents: int = 0
    covered_by_card: bool = False
    items: list[ForecastItem] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(i.amount_cents for i in self.items)

    @property
    def shortfall_cents(self) -> int:
        return max(0, self.total_cents - self.balance_cents)

    def uncovered(self, *, card: bool = True) -> list[ForecastItem]:
        """Items the balance will not cover, in charge order (none when a card tops up automatically, unless
        ``card=False``: what the balance alone leaves uncovered)."""
        if card and self.covered_by_card:
            return []
        left, missing = self.balance_cents, []
        for item in sorted(self.items, key=lambda i: (i.charge_on, i.kind, i.id)):
            if item.amount_cents <= left:
                left -= item.amount_cents
            else:
                missing.append(item)
        return missing


async def forecast(organization_ids: Sequence[int] | None, day: dt.date, days: int) -> dict[int, Forecast]:
    """Per payer: the charges of the next ``days`` days, the balance and whether a card tops up (3 statements).

    An item counts when the window (``renewal.window``) makes it due on one of the days ``day`` … ``day +
    days``; it is charged on its first such day, at the catalogue price of its period.
    """
    last = day + dt.timedelta(days=days)
    rows = await renewables.upcoming(window.due_during_sql(day, last), organization_ids)
    prices = await billing.price_table()
    payers = sorted(set(organization_ids or []) | {row.payer_id for row in rows if row.payer_id is not None})
    standing = await billing.standing_of(payers)
    result = {org: Forecast(org, standing[org].balance_cents, standing[org].card_tops_up) for org in payers}
    for row in rows:  # selected by the window's own predicate: each is due on its first attempt day
        amount = window.cost(prices, window.PRODUCTS[row.kind], row.offer, row.period or RenewalPeriod.YEARLY)
        if amount is None or row.payer_id is None:
            continue  # no price: the sweep fails it (PRICE_MISSING) and charges nothing
        result[row.payer_id].items.append(
            ForecastItem(
                row.kind.value,
                row.id,
                row.label,
                row.expires_at,
                window.first_attempt_on(row.expires_at, day),
                amount,
                row.payer_id,
            )
        )
    for item_forecast in result.values():
        item_forecast.items.sort(key=lambda i: (i.charge_on, i.label))
    return result


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
