"""The daily renewal window: every item with auto-renew on and expiry E is attempted from J-5 to J-1.

Each term is paid exactly once, whatever runs again, late, at the same time or is killed:
- due items are claimed in batches inside one transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
  several processes share the work; ``BEGIN IMMEDIATE`` on SQLite), and re-read under that lock;
- an attempt row is unique per (item, business day), so an item is attempted at most once a day;
- the renewal debit's idempotency key is derived from (item, expiry date renewed), unique in the ledger,
  and the expiry date moves in the same transaction, so no path can pay the same term twice;
- a card top-up is charged outside any transaction with a key derived from the same (item, expiry date): after
  a crash or a lost answer the retry gets the first charge back instead of charging again.

The sweep knows nothing of what triggers it (scheduler, CLI, tests): it takes the business day.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mailrenew.accounts import access
from mailrenew.billing import service as billing
from mailrenew.billing.errors import GatewayUnavailable
from mailrenew.billing.gateway import ChargeStatus
from mailrenew.billing.models import LedgerKind
from mailrenew.config import utcnow
from mailrenew.db import SQLParams, SqlPredicate, atomic, insert_rows
from mailrenew.hosting import renewables
from mailrenew.hosting.models import RenewalPeriod
from mailrenew.hosting.renewables import ItemKind, RenewableRow
from mailrenew.logs import get_logger
from mailrenew.notify import service as notify
from mailrenew.notify.models import MessageKind
from mailrenew.renewal import forecast, window
from mailrenew.renewal.calendar import next_term_end
from mailrenew.renewal.models import AttemptOutcome, FailureReason

BATCH_SIZE = 200
KINDS = (ItemKind.DOMAIN, ItemKind.MAILBOX)  # domains first: mailboxes depend on them
ATTEMPT_COLUMNS = {ItemKind.DOMAIN: "domain_id", ItemKind.MAILBOX: "mailbox_id"}
log = get_logger(__name__)


@dataclass(frozen=True)
class DueItem:
    kind: ItemKind
    id: int
    label: str
    expires_at: dt.date
    period: RenewalPeriod
    offer: str
    payer_id: int
    owner_id: int
    set_by_id: int | None
    domain_expired: bool
    auto_renew_enabled: bool = True
    status: str = "ACTIVE"

    @classmethod
    def from_row(cls, row: RenewableRow, day: dt.date) -> DueItem:
        assert row.payer_id is not None
        assert row.period is not None
        return cls(
            kind=row.kind,
            id=row.id,
            label=row.label,
            expires_at=row.expires_at,
            period=RenewalPeriod(row.period),
            offer=row.offer,
            payer_id=row.payer_id,
            owner_id=row.owner_id,
            set_by_id=row.set_by_id,
            # A mailbox cannot renew on a domain that has expired (or expires today).
            domain_expired=row.domain_status == "EXPIRED" or row.domain_expires_at <= day,
            auto_renew_enabled=row.auto_renew_enabled,
            status=row.status,
        )

    @property
    def term_key(self) -> str:
        return f"{self.kind.value}:{self.id}:{self.expires_at.isoformat()}"

    @functools.cached_property
    def new_expires_at(self) -> dt.date:
        return next_term_end(self.expires_at, self.period)


@dataclass
class Planned:
    """What the sweep decided for one item (also what ``--dry-run`` shows)."""

    item: DueItem
    amount_cents: int
    outcome: AttemptOutcome
    reason: FailureReason | None = None


@dataclass
class SweepReport:
    day: dt.date
    dry_run: bool = False
    renewed: int = 0
    charged_cents: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    expired: int = 0
    planned: list[Planned] = field(default_factory=list)

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())


Progress = Callable[[int], None]


def _claimable(kind: ItemKind, day: dt.date) -> SqlPredicate:
    """Due on ``day`` (the window) and not attempted that day yet (at most one attempt an item a day)."""
    due = window.due_sql(day)
    column = ATTEMPT_COLUMNS[kind]

    def render(alias: str, p: SQLParams) -> str:
        return (
            f"{due(alias, p)} AND NOT EXISTS (SELECT 1 FROM renewal_attempts a "
            f"WHERE a.{column} = {alias}.id AND a.business_day = {p(day)})"
        )

    return render


async def _due_ids(kind: ItemKind, day: dt.date) -> list[int]:
    """Every claimable item's id, read once per sweep (batches then claim them by id: no rescans)."""
    return await renewables.ids_where(kind, _claimable(kind, day))


async def _due_items(kind: ItemKind, day: dt.date, ids: Sequence[int], *, lock: bool) -> list[DueItem]:
    """These items if they are still claimable, re-read now; locked, skipping those another process holds,
    if asked."""
    rows = await renewables.rows_where(kind, _claimable(kind, day), ids=ids, lock=lock)
    return [DueItem.from_row(row, day) for row in rows]


def _chunks(ids: Sequence[int], size: int) -> list[Sequence[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


async def _payers_allowed(items: Sequence[DueItem]) -> set[tuple[int, int]]:
    """(user, organization) pairs where the user who set the auto-renewal may still charge the payer."""
    return await access.may_pay((i.set_by_id, i.payer_id) for i in items if i.set_by_id is not None)


def _payer_authorised(item: DueItem, allowed: set[tuple[int, int]]) -> bool:
    """The payer is still authorised: whoever set the renewal still pays for it (or the owner pays itself)."""
    if item.set_by_id is None:
        return item.payer_id == item.owner_id
    return (item.set_by_id, item.payer_id) in allowed


def _plan(
    day: dt.date, items: Sequence[DueItem], prices: window.PriceTable, allowed: set[tuple[int, int]]
) -> list[Planned]:
    """The window's answer for each item (``window.assess``), then the checks that may fail it at once."""
    planned = []
    for item in items:
        due = window.assess(
            item, day, prices=prices, product=window.PRODUCTS[item.kind], offer=item.offer, period=item.period
        )
        if due is None:  # no longer due (selected just before): left for the next run to decide
            continue
        price = due.amount_cents
        if item.domain_expired:
            planned.append(Planned(item, 0, AttemptOutcome.FAILED, FailureReason.DOMAIN_EXPIRED))
        elif not _payer_authorised(item, allowed):
            planned.append(Planned(item, 0, AttemptOutcome.FAILED, FailureReason.PAYER_NOT_ALLOWED))
        elif price is None:
            planned.append(Planned(item, 0, AttemptOutcome.FAILED, FailureReason.PRICE_MISSING))
        else:
            planned.append(Planned(item, price, AttemptOutcome.PENDING))
    return planned


def _debit_for(plan: Planned) -> billing.Debit:
    item = plan.item
    return billing.Debit(
        organization_id=item.payer_id,
        amount_cents=plan.amount_cents,
        key=_renewal_key(item),
        reference=f"Renewal of {item.label} until {item.new_expires_at.isoformat()} ({item.period})",
    )


def _renewal_key(item: DueItem) -> str:
    """The debit's idempotency key: one per (item, expiry date renewed), unique in the ledger."""
    return f"renewal:{item.term_key}"


def _topup_key(item: DueItem) -> str:
    return f"renewal-topup:{item.term_key}"


async def _record(day: dt.date, results: Sequence[Planned], ledger_ids: dict[str, int]) -> None:
    """Write the outcome of a batch: new expiry dates, attempts, statuses, notices (a few statements)."""
    now = utcnow()
    for kind in KINDS:
        renewed = {
            p.item.id: p.item.new_expires_at
            for p in results
            if p.item.kind is kind and p.outcome is AttemptOutcome.SUCCEEDED
        }
        await renewables.extend(kind, renewed)
        await renewables.mark_renewal_failed(
            kind,
            [
                p.item.id
                for p in results
                if p.item.kind is kind
                and p.outcome is AttemptOutcome.FAILED
                and window.is_last_attempt(p.item.expires_at, day)
            ],
        )
        await insert_rows(
            "renewal_attempts",
            [
                ATTEMPT_COLUMNS[kind],
                "business_day",
                "term_expires_at",
                "new_expires_at",
                "payer_id",
                "outcome",
                "failure_reason",
                "amount_cents",
                "ledger_entry_id",
                "created_at",
                "finished_at",
            ],
            [
                [
                    p.item.id,
                    day,
                    p.item.expires_at,
                    p.item.new_expires_at if p.outcome is AttemptOutcome.SUCCEEDED else None,
                    p.item.payer_id,
                    str(p.outcome),
                    str(p.reason) if p.reason else None,
                    p.amount_cents if p.outcome is AttemptOutcome.SUCCEEDED else 0,
                    ledger_ids.get(_renewal_key(p.item)),
                    now,
                    now,
                ]
                for p in results
                if p.item.kind is kind
            ],
        )
    await notify.queue([_notice(day, p) for p in results])


def _notice(day: dt.date, plan: Planned) -> notify.Notice:
    item = plan.item
    if plan.outcome is AttemptOutcome.SUCCEEDED:
        return notify.Notice(
            MessageKind.RENEWAL_RECEIPT,
            item.payer_id,
            f"receipt:{item.term_key}",
            {
                "item": item.label,
                "amount_cents": plan.amount_cents,
                "period": str(item.period),
                "new_expires_at": item.new_expires_at,
            },
        )
    return notify.Notice(
        MessageKind.RENEWAL_FAILED,
        item.payer_id,
        f"failed:{item.term_key}:{day.isoformat()}",
        {
            "item": item.label,
            "reason": str(plan.reason),
            "expires_at": item.expires_at,
            "final": window.is_last_attempt(item.expires_at, day),
        },
    )


async def _run_batch(
    kind: ItemKind,
    day: dt.date,
    ids: Sequence[int],
    prices: window.PriceTable,
    report: SweepReport,
) -> list[Planned]:
    """Claim and settle one batch of ids (those still due, not held elsewhere); returns those left for a card."""
    async with atomic():
        items = await _due_items(kind, day, ids, lock=True)
        if not items:
            return []
        planned = _plan(day, items, prices, await _payers_allowed(items))
        to_debit = [p for p in planned if p.outcome is AttemptOutcome.PENDING]
        outcomes = await billing.debit_many([_debit_for(p) for p in to_debit])
        cards = await billing.cards_with_auto_top_up(
            sorted({p.item.payer_id for p, o in zip(to_debit, outcomes, strict=True) if not o.paid})
        )
        ledger_ids: dict[str, int] = {}
        needs_card: list[Planned] = []
        for plan, outcome in zip(to_debit, outcomes, strict=True):
            if outcome.paid:
                plan.outcome = AttemptOutcome.SUCCEEDED
                ledger_ids[outcome.debit.key] = outcome.paid_entry_id
            elif plan.item.payer_id in cards:
                needs_card.append(plan)
            else:
                plan.outcome, plan.reason = AttemptOutcome.FAILED, FailureReason.INSUFFICIENT_FUNDS
        settled = [p for p in planned if p.outcome is not AttemptOutcome.PENDING]
        await _record(day, settled, ledger_ids)
    _tally(report, settled)
    return needs_card


def _tally(report: SweepReport, results: Sequence[Planned]) -> None:
    for plan in results:
        if plan.outcome is AttemptOutcome.SUCCEEDED:
            report.renewed += 1
            report.charged_cents += plan.amount_cents
        else:
            report.failed[str(plan.reason)] += 1


_CARD_REASONS: dict[ChargeStatus, FailureReason] = {
    ChargeStatus.DECLINED: FailureReason.CARD_DECLINED,
    ChargeStatus.INSUFFICIENT_FUNDS: FailureReason.CARD_INSUFFICIENT_FUNDS,
}
"""The gateway's refusals, as failure reasons (a charge that succeeded has none)."""


async def _renew_with_card(day: dt.date, plan: Planned, report: SweepReport) -> None:
    """Top up from the card (outside any transaction, idempotent key), then settle the item under lock."""
    item = plan.item
    card = await billing.card_of(item.payer_id)
    result = None
    reason: FailureReason | None = None
    if card is None or not card.auto_top_up:
        reason = FailureReason.INSUFFICIENT_FUNDS
    elif billing.card_expired(card, day):
        reason = FailureReason.CARD_EXPIRED  # not charged: the gateway would refuse it
    else:
        try:
            result = await billing.charge_card(card, plan.amount_cents, _topup_key(item))
        except GatewayUnavailable:
            reason = FailureReason.GATEWAY_UNAVAILABLE
        else:
            reason = _CARD_REASONS.get(result.status)
    async with atomic():
        # Item first, then money: whoever credits this item's top-up while it is due also debits it, in this
        # transaction, so a top-up is never left for another item to spend.
        await renewables.lock(item.kind, item.id)
        still_due = [
            i
            for i in await _due_items(item.kind, day, [item.id], lock=False)  # a fresh snapshot
            if i.expires_at == item.expires_at
        ]
        if result is not None and result.succeeded:
            await billing.credit(
                item.payer_id,
                result.amount_cents,
                key=_topup_key(item),
                kind=LedgerKind.TOP_UP,
                reference=f"Automatic top-up for {item.label} (card {result.reference})",
            )
        if (
            not still_due
        ):  # settled by another process meanwhile; a top-up it did not use stays on the account
            return
        ledger_ids: dict[str, int] = {}
        if reason is None:
            (outcome,) = await billing.debit_many([_debit_for(plan)])
            if outcome.paid:
                plan.outcome = AttemptOutcome.SUCCEEDED
                ledger_ids[outcome.debit.key] = outcome.paid_entry_id
            else:
                reason = FailureReason.INSUFFICIENT_FUNDS
        if reason is not None:
            plan.outcome, plan.reason = AttemptOutcome.FAILED, reason
        await _record(day, [plan], ledger_ids)
    _tally(report, [plan])


async def expire_lapsed(day: dt.date) -> int:
    """From E on, an item not renewed is EXPIRED; its payer (or owner) is told once."""
    async with atomic():
        lapsed = await renewables.lapse(expired_on_or_before=day)
        await notify.queue(
            [
                notify.Notice(
                    MessageKind.EXPIRED,
                    item.organization_id,
                    f"expired:{item.kind.value}:{item.id}:{item.expires_at.isoformat()}",
                    {"item": item.label, "expired_on": item.expires_at},
                )
                for item in lapsed
            ]
        )
    return len(lapsed)


async def run_sweep(
    day: dt.date, *, batch_size: int = BATCH_SIZE, dry_run: bool = False, progress: Progress | None = None
) -> SweepReport:
    """Run the renewal window for one business day (any day: late runs and catch-ups included)."""
    report = SweepReport(day=day, dry_run=dry_run)
    prices = await billing.price_table()
    if dry_run:
        await _plan_only(day, prices, report, batch_size)
        return report
    report.expired = await expire_lapsed(day)
    await forecast.notify_not_covered(day)
    for kind in KINDS:
        for ids in _chunks(await _due_ids(kind, day), batch_size):
            before = report.renewed + report.failed_total
            await _settle(kind, day, ids, prices, report)
            if progress is not None:
                progress(report.renewed + report.failed_total - before)
    return report


async def _settle(
    kind: ItemKind, day: dt.date, ids: Sequence[int], prices: window.PriceTable, report: SweepReport
) -> None:
    """Settle one batch; an unexpected error never stops the day.

    The failed batch's transaction rolled back: its items are settled again one by one, so that only the item
    at fault is recorded as ``INTERNAL_ERROR`` (and tried again the next day) while the others renew.
    """
    try:
        needs_card = await _run_batch(kind, day, ids, prices, report)
    except Exception:
        log.exception("renewal batch failed", kind=kind.value, day=day.isoformat(), item_ids=list(ids))
        if len(ids) > 1:
            for item_id in ids:
                await _settle(kind, day, [item_id], prices, report)
        else:
            await _record_internal_error(kind, day, ids, report)
        return
    for plan in needs_card:
        try:
            await _renew_with_card(day, plan, report)
        except Exception:
            log.exception("renewal failed", kind=kind.value, day=day.isoformat(), item_ids=[plan.item.id])
            await _record_internal_error(kind, day, [plan.item.id], report)


async def _record_internal_error(
    kind: ItemKind, day: dt.date, ids: Sequence[int], report: SweepReport
) -> None:
    """Record an ``INTERNAL_ERROR`` attempt for these items if they are still unsettled today."""
    try:
        async with atomic():
            items = await _due_items(kind, day, ids, lock=True)
            failed = [Planned(item, 0, AttemptOutcome.FAILED, FailureReason.INTERNAL_ERROR) for item in items]
            await _record(day, failed, {})
    except Exception:  # the database itself may be what failed: the items stay due, retried by the next run
        log.exception("could not record the failed renewal", kind=kind.value, item_ids=list(ids))
        return
    _tally(report, failed)


async def count_due(day: dt.date) -> int:
    """How many items are due on ``day`` and not yet attempted (for a progress bar)."""
    return sum([len(await _due_ids(kind, day)) for kind in KINDS])


async def _plan_only(day: dt.date, prices: window.PriceTable, report: SweepReport, batch_size: int) -> None:
    """What the sweep would do, changing nothing: balances simulated in memory, card top-ups assumed."""
    balances: dict[int, int] = {}
    cards: set[int] = set()
    for kind in KINDS:
        for ids in _chunks(await _due_ids(kind, day), batch_size):
            items = await _due_items(kind, day, ids, lock=False)
            planned = _plan(day, items, prices, await _payers_allowed(items))
            new_payers = sorted({p.item.payer_id for p in planned} - set(balances))
            standing = await billing.standing_of(new_payers)
            balances |= {org_id: payer.balance_cents for org_id, payer in standing.items()}
            cards |= {org_id for org_id, payer in standing.items() if payer.card_tops_up}
            for plan in planned:
                if plan.outcome is AttemptOutcome.PENDING:
                    if balances[plan.item.payer_id] >= plan.amount_cents or plan.item.payer_id in cards:
                        balances[plan.item.payer_id] = max(
                            0, balances[plan.item.payer_id] - plan.amount_cents
                        )
                        plan.outcome = AttemptOutcome.SUCCEEDED
                    else:
                        plan.outcome, plan.reason = AttemptOutcome.FAILED, FailureReason.INSUFFICIENT_FUNDS
            report.planned += planned
            _tally(report, planned)
