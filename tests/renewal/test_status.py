"""One renewal state per item, from the window's definition (renewal.status.status_of)."""

from __future__ import annotations

import datetime as dt

import pytest

from mailrenew.renewal.status import Attempt, Item, RenewalState, status_of

E = dt.date(2027, 3, 10)  # the item's expiry date
AT = dt.datetime(2027, 3, 5, 5, 0, tzinfo=dt.UTC)


def _failed(day: dt.date, reason: str = "INSUFFICIENT_FUNDS") -> Attempt:
    return Attempt(day, E, False, reason, AT, None)


def _status(item: Item, today: dt.date, attempts: list[Attempt] | None = None, *, covered: bool = True):
    return status_of(item, today, attempts or [], amount_cents=1000, covered=covered, grace_days=30)


def test_off_scheduled_and_awaiting_funds() -> None:
    assert _status(Item(False, "ACTIVE", E), dt.date(2027, 3, 1)).state is RenewalState.OFF
    scheduled = _status(Item(True, "ACTIVE", E), dt.date(2027, 3, 1))
    assert (scheduled.state, scheduled.next_attempt_on, scheduled.amount_cents) == (
        RenewalState.SCHEDULED,
        dt.date(2027, 3, 5),  # J-5
        1000,
    )
    short = _status(Item(True, "ACTIVE", E), dt.date(2027, 3, 1), covered=False)
    assert short.state is RenewalState.AWAITING_FUNDS


def test_retrying_counts_the_next_attempt_and_keeps_the_last_reason() -> None:
    status = _status(
        Item(True, "ACTIVE", E),
        dt.date(2027, 3, 6),
        [_failed(dt.date(2027, 3, 5)), _failed(dt.date(2027, 3, 6), "CARD_DECLINED")],
    )
    assert (status.state, status.next_attempt_on, status.attempt, status.max_attempts) == (
        RenewalState.RETRYING,
        dt.date(2027, 3, 7),
        3,
        5,
    )
    assert status.last_failure is not None
    assert status.last_failure.reason == "CARD_DECLINED"


def test_the_j1_failure_is_final_then_expired_then_lapsed() -> None:
    attempts = [_failed(E - dt.timedelta(days=n)) for n in range(5, 0, -1)]
    failed = _status(Item(True, "RENEWAL_FAILED", E), E - dt.timedelta(days=1), attempts)
    assert (failed.state, failed.attempt, failed.next_attempt_on) == (RenewalState.FAILED, 5, None)
    assert _status(Item(True, "EXPIRED", E), E, attempts).state is RenewalState.EXPIRED
    assert (
        _status(Item(True, "EXPIRED", E), E + dt.timedelta(days=29), attempts).state is RenewalState.EXPIRED
    )
    assert _status(Item(True, "EXPIRED", E), E + dt.timedelta(days=30), attempts).state is RenewalState.LAPSED


def test_a_renewed_item_is_scheduled_for_its_next_term_and_says_until_when() -> None:
    renewed = Attempt(dt.date(2027, 3, 5), E, True, None, AT, dt.date(2028, 3, 10))
    status = _status(Item(True, "ACTIVE", dt.date(2028, 3, 10)), dt.date(2027, 3, 5), [renewed])
    assert (status.state, status.next_attempt_on, status.renewed_until) == (
        RenewalState.SCHEDULED,
        dt.date(2028, 3, 5),
        dt.date(2028, 3, 10),
    )


@pytest.mark.parametrize("offset", range(1, 6))
def test_in_the_window_before_today_is_attempted_the_next_attempt_is_today(offset: int) -> None:
    today = E - dt.timedelta(days=offset)
    status = _status(Item(True, "ACTIVE", E), today)
    assert (status.state, status.next_attempt_on) == (RenewalState.SCHEDULED, today)
