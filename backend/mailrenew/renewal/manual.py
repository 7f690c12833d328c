"""Renew now: a user renews an item's current term at once, or restores an expired one within the grace period.

The term's debit carries the sweep's own key (``renewal:<kind>:<id>:<expiry renewed>``), unique in the ledger,
and the item row is locked and re-read before it: a manual and an automatic renewal of one term can never both
pay it, whichever runs first (the other finds the term renewed). The card, if the balance falls short, is
charged the shortfall with a key derived from the same term (``renew-now:…``): a retry never charges twice,
and a top-up the term did not need (renewed meanwhile by the window) stays on the prepaid account.
The user's ``idempotency_key`` makes the request itself safe to repeat: a second call answers the first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mailrenew.accounts.access import Action, Actor
from mailrenew.billing import charges
from mailrenew.billing import service as billing
from mailrenew.billing.errors import CardExpired, InsufficientFunds
from mailrenew.billing.models import ChargePurpose
from mailrenew.config import utcnow
from mailrenew.db import SQLParams, atomic, insert_rows
from mailrenew.errors import DomainError, InvalidInput, NotAllowed, NotFound
from mailrenew.hosting import renewables
from mailrenew.hosting.models import RenewalPeriod
from mailrenew.hosting.renewables import ItemKind, RenewableRow
from mailrenew.notify import service as notify
from mailrenew.notify.models import MessageKind
from mailrenew.renewal import window
from mailrenew.renewal.calendar import next_term_end
from mailrenew.renewal.models import AttemptOutcome, AttemptTrigger, RenewalAttempt
from mailrenew.renewal.plan import ATTEMPT_COLUMNS
from mailrenew.renewal.status import DEFAULT_GRACE_DAYS

DEFAULT_PERIODS = {ItemKind.MAILBOX: RenewalPeriod.MONTHLY, ItemKind.DOMAIN: RenewalPeriod.YEARLY}
MAX_KEY_LENGTH = 100


class RenewalLapsed(DomainError):
    code = "RENEWAL_LAPSED"


class NotRenewable(DomainError):
    code = "NOT_RENEWABLE"


class TermNotOpen(Exception):
    """The item's term is not open to renewal (see ``open_to_renewal``)."""

    def __init__(self, row: RenewableRow) -> None:
        self.row = row


@dataclass(frozen=True)
class Term:
    """The term a manual renewal pays: from ``expires_at`` to ``new_expires_at``, at ``amount_cents``."""

    row: RenewableRow
    payer_id: int
    period: RenewalPeriod
    amount_cents: int
    new_expires_at: dt.date

    @property
    def debit_key(self) -> str:
        """The window's own key for this term (``sweep._renewal_key``)."""
        return f"renewal:{self.row.kind.value}:{self.row.id}:{self.row.expires_at.isoformat()}"

    @property
    def card_key(self) -> str:
        return f"renew-now:{self.row.kind.value}:{self.row.id}:{self.row.expires_at.isoformat()}"


def open_to_renewal(expires_at: dt.date, status: str, today: dt.date) -> bool:
    """A term can be renewed by hand once the window could renew it (J-5), or after it failed or expired.

    A term renewed a moment ago (by the window, by another click) is no longer open: a late "renew now" answers
    that renewal instead of paying the next term.
    """
    return status in ("RENEWAL_FAILED", "EXPIRED") or expires_at <= today + dt.timedelta(
        days=window.WINDOW_OPENS_DAYS_BEFORE
    )


def may_renew_now(actor: Actor, payer_id: int | None, owner_id: int) -> bool:
    """OWNER and BILLING of the payer (the owner organization when no payer is set) may renew by hand."""
    return actor.may(Action.PAY, payer_id if payer_id is not None else owner_id)


async def renew_now(
    actor: Actor,
    kind: ItemKind,
    item_id: int,
    idempotency_key: str,
    *,
    today: dt.date,
    grace_days: int = DEFAULT_GRACE_DAYS,
) -> RenewalAttempt:
    """Renew the item's current term now, from the prepaid account, else the card; returns the attempt."""
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or "\x00" in key:
        raise InvalidInput(field="idempotency_key", max=MAX_KEY_LENGTH)
    request_key = f"renew-now:{kind.value}:{item_id}:{key}"
    done = await RenewalAttempt.get_or_none(request_key=request_key)
    if done is not None:
        return done
    try:
        term = await _term(actor, kind, item_id, today=today, grace_days=grace_days)
    except TermNotOpen as exc:  # renewed a moment ago: that renewal is the answer
        return await _last_renewal(exc.row)
    attempt = await _pay_from_balance(term, today, request_key)
    if attempt is not None:
        return attempt
    await _top_up_from_card(term, today)
    attempt = await _pay_from_balance(term, today, request_key)
    if attempt is None:
        raise InsufficientFunds(field="item")
    return attempt


async def _read(kind: ItemKind, item_id: int) -> RenewableRow | None:
    def this_item(alias: str, p: SQLParams) -> str:
        return f"{alias}.id = {p(item_id)}"

    rows = await renewables.rows_where(kind, this_item)
    return rows[0] if rows else None


async def _term(actor: Actor, kind: ItemKind, item_id: int, *, today: dt.date, grace_days: int) -> Term:
    row = await _read(kind, item_id)
    if row is None or not ({row.owner_id, row.payer_id} & set(actor.roles)):
        raise NotFound(field="item")
    if not may_renew_now(actor, row.payer_id, row.owner_id):
        raise NotAllowed("PAYER_NOT_ALLOWED", field="item")
    if row.expires_at <= today and today >= row.expires_at + dt.timedelta(days=grace_days):
        raise RenewalLapsed(field="item", item=row.label, expired_on=row.expires_at)
    if kind is ItemKind.MAILBOX and (row.domain_status == "EXPIRED" or row.domain_expires_at <= today):
        raise NotRenewable(field="item", item=row.label)
    if not open_to_renewal(row.expires_at, row.status, today):
        raise TermNotOpen(row)
    period = RenewalPeriod(row.period) if row.period else DEFAULT_PERIODS[kind]
    amount = window.cost(await billing.price_table(), window.PRODUCTS[kind], row.offer, period)
    if amount is None:
        raise InvalidInput(field="item")
    new_expires_at = next_term_end(row.expires_at, period)
    if new_expires_at <= today:  # restored late in its grace period: the new term starts today
        new_expires_at = next_term_end(today, period)
    payer = row.payer_id if row.payer_id is not None else row.owner_id
    return Term(row, payer, period, amount, new_expires_at)


async def _pay_from_balance(term: Term, today: dt.date, request_key: str) -> RenewalAttempt | None:
    """Debit the term under the item's lock and extend it; None when the balance does not cover it."""
    row = term.row
    async with atomic():
        await renewables.lock(row.kind, row.id)
        current = await _read(row.kind, row.id)
        if current is None or current.expires_at != row.expires_at:  # renewed meanwhile (the window, a user)
            return await _renewal_of(term)
        (outcome,) = await billing.debit_many(
            [
                billing.Debit(
                    organization_id=term.payer_id,
                    amount_cents=term.amount_cents,
                    key=term.debit_key,
                    reference=f"Renewal of {row.label} until {term.new_expires_at.isoformat()} ({term.period}), "
                    "renewed now",
                )
            ]
        )
        if not outcome.paid:
            return None
        await renewables.extend(row.kind, {row.id: term.new_expires_at})
        now = utcnow()
        (inserted,) = await insert_rows(
            "renewal_attempts",
            [
                ATTEMPT_COLUMNS[row.kind],
                "business_day",
                "term_expires_at",
                "new_expires_at",
                "payer_id",
                "outcome",
                "amount_cents",
                "ledger_entry_id",
                "trigger",
                "request_key",
                "created_at",
                "finished_at",
            ],
            [
                [
                    row.id,
                    today,
                    row.expires_at,
                    term.new_expires_at,
                    term.payer_id,
                    str(AttemptOutcome.SUCCEEDED),
                    term.amount_cents,
                    outcome.paid_entry_id,
                    str(AttemptTrigger.MANUAL),
                    request_key,
                    now,
                    now,
                ]
            ],
            returning="id",
        )
        await notify.queue(
            [
                notify.Notice(
                    MessageKind.RENEWAL_RECEIPT,
                    term.payer_id,
                    f"receipt:{row.kind.value}:{row.id}:{row.expires_at.isoformat()}",
                    {
                        "item": row.label,
                        "amount_cents": term.amount_cents,
                        "period": str(term.period),
                        "new_expires_at": term.new_expires_at,
                    },
                )
            ]
        )
    return await RenewalAttempt.get(id=inserted["id"])


async def _renewal_of(term: Term) -> RenewalAttempt:
    """The attempt that renewed this term (someone else renewed it first)."""
    return await _last_renewal(term.row)


async def _last_renewal(row: RenewableRow) -> RenewalAttempt:
    """The item's latest successful renewal; an item with none has no open term to renew."""
    column = ATTEMPT_COLUMNS[row.kind]
    found = (
        await RenewalAttempt.filter(**{column: row.id}, outcome=AttemptOutcome.SUCCEEDED)
        .order_by("-id")
        .first()
    )
    if found is None:
        raise NotRenewable(field="item", item=row.label)
    return found


async def _top_up_from_card(term: Term, today: dt.date) -> None:
    """Charge the registered card what the balance lacks for this term (once per term: its key)."""
    card = await billing.card_of(term.payer_id)
    if card is None:
        raise InsufficientFunds(field="item")
    if billing.card_expired(card, today):
        raise CardExpired(field="item")
    standing = (await billing.standing_of([term.payer_id], today))[term.payer_id]
    shortfall = term.amount_cents - standing.balance_cents
    if shortfall <= 0:
        return
    row = await charges.charge(
        charges.ChargeRequest(
            organization_id=term.payer_id,
            card_token=card.gateway_token,
            amount_cents=shortfall,
            key=term.card_key,
            purpose=ChargePurpose.RENEW_NOW,
            day=today,
            reference=f"Top-up to renew {term.row.label} now (card {card.last4})",
            same_amount=False,
        )
    )
    billing.raise_if_refused(row.state)
