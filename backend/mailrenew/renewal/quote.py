"""What turning a mailbox's auto-renewal on would cost, and when the window would first charge it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mailrenew.hosting.models import RenewalPeriod
from mailrenew.hosting.renewables import ItemKind
from mailrenew.renewal import window


@dataclass(frozen=True)
class Quote:
    monthly_cents: int | None  # None: the catalogue has no such price
    yearly_cents: int | None
    first_charge_on: dt.date | None  # None: already expired, the window will not charge it


def mailbox_quote(prices: window.PriceTable, offer: str, expires_at: dt.date, today: dt.date) -> Quote:
    """Prices of the mailbox's offer for each period, and the first day the window would charge it if its
    auto-renewal were turned on today (from its expiry date on, it is expired and never charged)."""
    product = window.PRODUCTS[ItemKind.MAILBOX]
    return Quote(
        monthly_cents=window.cost(prices, product, offer, RenewalPeriod.MONTHLY),
        yearly_cents=window.cost(prices, product, offer, RenewalPeriod.YEARLY),
        first_charge_on=window.first_attempt_on(expires_at, today) if expires_at > today else None,
    )
