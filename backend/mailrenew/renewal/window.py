"""The renewal window, defined once: is an item due on business day D, which attempt is it, what does it cost.

An item with auto-renewal on and expiry date E is attempted once a day from E-5 to E-1 (J-5 … J-1): attempt 1
of 5 on J-5, attempt 5 of 5 on J-1, after which it has failed for good. ``DUE`` states the rule as data, so the
same definition is evaluated in Python (``is_due``) and rendered as SQL (``due_sql``, ``due_during_sql``) where
the sweep and the forecast select thousands of rows at once; a property test checks the two agree on both
databases. Every caller (the sweep, its dry run, the forecast, the warnings) goes through this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mailrenew.billing.models import Product
from mailrenew.db import SQLParams, SqlPredicate
from mailrenew.hosting.models import RenewalPeriod
from mailrenew.hosting.renewables import ItemKind
from mailrenew.renewal.calendar import next_term_end

WINDOW_OPENS_DAYS_BEFORE = 5  # J-5: the first attempt
WINDOW_CLOSES_DAYS_BEFORE = 1  # J-1: the last attempt
MAX_ATTEMPTS = WINDOW_OPENS_DAYS_BEFORE - WINDOW_CLOSES_DAYS_BEFORE + 1

PriceTable = Mapping[tuple[str, str, str], int]  # (product, offer, period) → cents
PRODUCTS: Mapping[ItemKind, Product] = {ItemKind.DOMAIN: Product.DOMAIN, ItemKind.MAILBOX: Product.MAILBOX}
"""The catalogue product each kind of item renews as."""

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
}


class Renewable(Protocol):
    """What the window reads of an item (a mailbox or a domain row, or a due item)."""

    @property
    def auto_renew_enabled(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def expires_at(self) -> dt.date: ...


@dataclass(frozen=True)
class Condition:
    """``column op bound(D)``: one clause of the window, true or false for an item on business day D.

    A bound either does not depend on D or grows with it, which is what lets ``due_during_sql`` render the
    union of several days' windows as one range.
    """

    column: str
    op: str
    bound: Callable[[dt.date], object]
    constant: bool = False  # the bound does not depend on the day: written into the SQL as a literal

    def sql(self, alias: str, p: SQLParams, day: dt.date) -> str:
        value = self.bound(day)
        # A literal lets the planner use what it knows of the value (a prepared statement's generic plan
        # cannot); only the definition's own constants are written this way, never input.
        rendered = _literal(value) if self.constant else p(value)
        return f"{alias}.{self.column} {self.op} {rendered}"


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str) and value.isalnum():
        return f"'{value}'"
    raise ValueError(f"not a SQL literal of the window: {value!r}")


def _days(n: int) -> Callable[[dt.date], dt.date]:
    return lambda day: day + dt.timedelta(days=n)


DUE: tuple[Condition, ...] = (
    Condition("auto_renew_enabled", "=", lambda day: True, constant=True),
    Condition("status", "<>", lambda day: "EXPIRED", constant=True),
    Condition("expires_at", ">=", _days(WINDOW_CLOSES_DAYS_BEFORE)),
    Condition("expires_at", "<=", _days(WINDOW_OPENS_DAYS_BEFORE)),
)


@functools.lru_cache(maxsize=64)
def _checks(day: dt.date) -> tuple[tuple[str, Callable[[Any, Any], bool], object], ...]:
    """``DUE`` with its bounds worked out for ``day`` (the sweep asks thousands of times for one day)."""
    return tuple((c.column, _OPERATORS[c.op], c.bound(day)) for c in DUE)


def is_due(item: Renewable, day: dt.date) -> bool:
    """Auto-renewal on, not expired, expiry date within J-5 … J-1 of ``day`` (the clauses of ``DUE``)."""
    return all(check(getattr(item, column), bound) for column, check, bound in _checks(day))


def due_sql(day: dt.date) -> SqlPredicate:
    """``is_due`` as a SQL predicate on a table alias (same clauses, same bounds)."""
    return due_during_sql(day, day)


def due_during_sql(first: dt.date, last: dt.date) -> SqlPredicate:
    """Due on at least one day of ``first`` … ``last``: lower bounds from the first day, upper from the last."""

    def render(alias: str, p: SQLParams) -> str:
        return " AND ".join(c.sql(alias, p, last if c.op == "<=" else first) for c in DUE)

    return render


def attempt_number(expires_at: dt.date, day: dt.date) -> int:
    """1 on J-5 … ``MAX_ATTEMPTS`` on J-1 (meaningful when the item is due)."""
    return WINDOW_OPENS_DAYS_BEFORE - (expires_at - day).days + 1


def is_last_attempt(expires_at: dt.date, day: dt.date) -> bool:
    """J-1 (or later): a failure now is final, the item will not be attempted again before it expires."""
    return (expires_at - day).days <= WINDOW_CLOSES_DAYS_BEFORE


def first_attempt_on(expires_at: dt.date, today: dt.date) -> dt.date:
    """The day the item will next be attempted (today when its window is already open)."""
    return max(today, expires_at - dt.timedelta(days=WINDOW_OPENS_DAYS_BEFORE))


def cost(prices: PriceTable, product: str, offer: str, period: RenewalPeriod | str) -> int | None:
    """The catalogue price of one term; None when the catalogue has no such price."""
    return prices.get((str(product), offer, str(period)))


@dataclass(slots=True)  # one per item the sweep settles: a plain slotted class is the cheapest to build
class Due:
    """One item's attempt on one day: which of the ``MAX_ATTEMPTS`` it is, the term it pays and its price."""

    attempt: int
    max_attempts: int
    is_last: bool
    term_expires_at: dt.date
    new_expires_at: dt.date
    amount_cents: int | None  # None: no catalogue price


def assess(
    item: Renewable, day: dt.date, *, prices: PriceTable, product: str, offer: str, period: RenewalPeriod
) -> Due | None:
    """The window's answer for one item on one day: None when it is not due."""
    if not is_due(item, day):
        return None
    return Due(
        attempt=attempt_number(item.expires_at, day),
        max_attempts=MAX_ATTEMPTS,
        is_last=is_last_attempt(item.expires_at, day),
        term_expires_at=item.expires_at,
        new_expires_at=next_term_end(item.expires_at, period),
        amount_cents=cost(prices, product, offer, period),
    )


def due_days(expires_at: dt.date) -> Sequence[dt.date]:
    """The business days on which an item expiring on ``expires_at`` is attempted, in order."""
    return [
        expires_at - dt.timedelta(days=n)
        for n in range(WINDOW_OPENS_DAYS_BEFORE, WINDOW_CLOSES_DAYS_BEFORE - 1, -1)
    ]
