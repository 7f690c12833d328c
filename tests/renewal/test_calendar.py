"""Terms are counted from the expiry date, clamped to the month's end; the window is J-5 … J-1."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailrenew.hosting.models import RenewalPeriod
from mailrenew.renewal.calendar import add_months, next_term_end
from mailrenew.renewal.window import is_due


@pytest.mark.parametrize(
    ("expires", "period", "renewed"),
    [
        (dt.date(2027, 1, 31), RenewalPeriod.MONTHLY, dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), RenewalPeriod.MONTHLY, dt.date(2028, 2, 29)),
        (dt.date(2028, 2, 29), RenewalPeriod.YEARLY, dt.date(2029, 2, 28)),
        (dt.date(2027, 12, 15), RenewalPeriod.MONTHLY, dt.date(2028, 1, 15)),
        (dt.date(2027, 3, 31), RenewalPeriod.MONTHLY, dt.date(2027, 4, 30)),
        (dt.date(2027, 6, 30), RenewalPeriod.YEARLY, dt.date(2028, 6, 30)),
    ],
)
def test_next_term_counts_from_the_expiry_date(
    expires: dt.date, period: RenewalPeriod, renewed: dt.date
) -> None:
    assert next_term_end(expires, period) == renewed


@dataclass(frozen=True)
class _Item:
    expires_at: dt.date
    auto_renew_enabled: bool = True
    status: str = "ACTIVE"


def in_window(expires: dt.date, day: dt.date) -> bool:
    return is_due(_Item(expires), day)


def test_window_is_j5_to_j1() -> None:
    expires = dt.date(2027, 3, 10)
    inside = [expires - dt.timedelta(days=n) for n in range(1, 6)]
    outside = [expires - dt.timedelta(days=6), expires, expires + dt.timedelta(days=1)]
    assert all(in_window(expires, day) for day in inside)
    assert not any(in_window(expires, day) for day in outside)


@given(
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2200, 12, 31)), months=st.integers(0, 36)
)
def test_add_months_properties(day: dt.date, months: int) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    if result.day < day.day:  # clamped only when the target month is shorter
        assert (result + dt.timedelta(days=1)).day == 1
    assert result >= day


@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_a_year_is_twelve_months_and_always_moves_forward(day: dt.date) -> None:
    yearly = next_term_end(day, RenewalPeriod.YEARLY)
    assert yearly == add_months(day, 12)
    assert 365 <= (yearly - day).days <= 366
    assert 28 <= (next_term_end(day, RenewalPeriod.MONTHLY) - day).days <= 31
