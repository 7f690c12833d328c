"""Term arithmetic: a new term is counted from the expiry date, clamped to the month's end.

The window itself (J-5 … J-1) is defined in ``mailrenew.renewal.window``.
"""

from __future__ import annotations

import calendar
import datetime as dt

from mailrenew.hosting.models import RenewalPeriod


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_term_end(expires_at: dt.date, period: RenewalPeriod | str) -> dt.date:
    """The new expiry date after one renewal, counted from the current one (29 Feb + 1 year = 28 Feb)."""
    return add_months(expires_at, 12 if RenewalPeriod(period) is RenewalPeriod.YEARLY else 1)
