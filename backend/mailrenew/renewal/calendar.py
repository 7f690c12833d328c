"""The renewal window calendar: terms counted from the expiry date, and the J-5 … J-1 window."""

from __future__ import annotations

import calendar
import datetime as dt

from mailrenew.hosting.models import RenewalPeriod

WINDOW_OPENS_DAYS_BEFORE = 5
WINDOW_CLOSES_DAYS_BEFORE = 1


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_term_end(expires_at: dt.date, period: RenewalPeriod | str) -> dt.date:
    """The new expiry date after one renewal, counted from the current one (29 Feb + 1 year = 28 Feb)."""
    return add_months(expires_at, 12 if RenewalPeriod(period) is RenewalPeriod.YEARLY else 1)


def in_window(expires_at: dt.date, today: dt.date) -> bool:
    """True from J-5 to J-1 included before ``expires_at``."""
    days_left = (expires_at - today).days
    return WINDOW_CLOSES_DAYS_BEFORE <= days_left <= WINDOW_OPENS_DAYS_BEFORE
