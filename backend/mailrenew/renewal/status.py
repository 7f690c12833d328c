"""One renewal state per item, as the customer should read it, decided from the window (``renewal.window``).

| state            | when                                                                                    |
| ---------------- | --------------------------------------------------------------------------------------- |
| ``OFF``          | auto-renewal is off (and the item has not expired)                                      |
| ``SCHEDULED``    | auto-renewal on, the next attempt is planned and the payer's money covers it             |
| ``AWAITING_FUNDS`` | as SCHEDULED, but the forecast says the payer's balance (and card) will not cover it   |
| ``RETRYING``     | an attempt for the current term failed; the window still has days (attempt k of 5)     |
| ``FAILED``       | the last attempt (J-1) failed: the item expires on its date unless renewed by hand      |
| ``EXPIRED``      | past its expiry date, within the grace period (it can still be renewed by hand)         |
| ``LAPSED``       | past its expiry date and the grace period                                               |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from mailrenew.renewal import window

DEFAULT_GRACE_DAYS = 30


class RenewalState(StrEnum):
    OFF = "OFF"
    SCHEDULED = "SCHEDULED"
    AWAITING_FUNDS = "AWAITING_FUNDS"
    RETRYING = "RETRYING"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    LAPSED = "LAPSED"


RENEWABLE_BY_HAND = frozenset({RenewalState.FAILED, RenewalState.EXPIRED})
"""States with no next attempt whose amount is still told: what renewing by hand now would charge."""


@dataclass(frozen=True)
class Attempt:
    """What the status needs of one renewal attempt."""

    business_day: dt.date
    term_expires_at: dt.date
    succeeded: bool
    reason: str | None
    at: dt.datetime
    new_expires_at: dt.date | None


@dataclass(frozen=True)
class Item:
    """What the status needs of a mailbox or a domain."""

    auto_renew_enabled: bool
    status: str  # ACTIVE, RENEWAL_FAILED, EXPIRED
    expires_at: dt.date


@dataclass(frozen=True)
class Failure:
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class RenewalStatus:
    state: RenewalState
    next_attempt_on: dt.date | None
    amount_cents: int | None
    attempt: int | None  # the number of the next attempt (RETRYING) or of the last one (FAILED)
    max_attempts: int
    last_failure: Failure | None
    renewed_until: dt.date | None  # the end of the term the last successful renewal paid for


def status_of(
    item: Item,
    today: dt.date,
    attempts: list[Attempt],
    *,
    amount_cents: int | None,
    covered: bool,
    grace_days: int = DEFAULT_GRACE_DAYS,
) -> RenewalStatus:
    """The item's state on ``today``; ``attempts`` are its attempts (any order), ``covered`` what the forecast
    says of its next charge."""
    succeeded = [a for a in attempts if a.succeeded and a.new_expires_at is not None]
    renewed_until = max((a.new_expires_at for a in succeeded if a.new_expires_at), default=None)
    term = [a for a in attempts if a.term_expires_at == item.expires_at]
    failures = sorted((a for a in term if not a.succeeded), key=lambda a: (a.business_day, a.at))
    last_failure = Failure(failures[-1].reason or "", failures[-1].at) if failures else None

    def result(
        state: RenewalState, next_on: dt.date | None = None, attempt: int | None = None
    ) -> RenewalStatus:
        return RenewalStatus(
            state,
            next_on,
            amount_cents if next_on is not None or state in RENEWABLE_BY_HAND else None,
            attempt,
            window.MAX_ATTEMPTS,
            last_failure,
            renewed_until,
        )

    if item.status == "EXPIRED" or item.expires_at <= today:
        lapsed = today >= item.expires_at + dt.timedelta(days=grace_days)
        return result(RenewalState.LAPSED if lapsed else RenewalState.EXPIRED)
    if not item.auto_renew_enabled:
        return result(RenewalState.OFF)
    attempted_today = any(a.business_day == today for a in term)
    if item.status == "RENEWAL_FAILED" or (
        attempted_today and window.is_last_attempt(item.expires_at, today)
    ):
        last = window.attempt_number(item.expires_at, failures[-1].business_day) if failures else None
        return result(RenewalState.FAILED, attempt=last)
    next_on = window.first_attempt_on(item.expires_at, today + dt.timedelta(days=1 if attempted_today else 0))
    if failures:
        return result(RenewalState.RETRYING, next_on, window.attempt_number(item.expires_at, next_on))
    return result(RenewalState.SCHEDULED if covered else RenewalState.AWAITING_FUNDS, next_on)
