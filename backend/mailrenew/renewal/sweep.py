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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mailrenew.accounts.queries import organization_names
from mailrenew.billing import charges
from mailrenew.billing import service as billing
from mailrenew.billing.errors import GatewayUnavailable, TopUpCapReached
from mailrenew.billing.models import ChargePurpose, ChargeState
from mailrenew.config import utcnow
from mailrenew.db import SQLParams, SqlPredicate, atomic, insert_rows
from mailrenew.hosting import renewables
from mailrenew.hosting.renewables import ItemKind
from mailrenew.logs import get_logger
from mailrenew.notify import service as notify
from mailrenew.notify.models import MessageKind
from mailrenew.renewal import forecast, window
from mailrenew.renewal.models import AttemptOutcome, FailureReason
from mailrenew.renewal.plan import (
    ATTEMPT_COLUMNS,
    KINDS,
    DueItem,
    Planned,
    Projection,
    payers_allowed,
    plan_items,
    sweep_order,
)

BATCH_SIZE = 200
log = get_logger(__name__)


@dataclass
class SweepReport:
    day: dt.date
    dry_run: bool = False
    renewed: int = 0
    charged_cents: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    expired: int = 0
    planned: list[Planned] = field(default_factory=list)
    payer_names: dict[int, str] = field(default_factory=dict)  # the dry run's payers, by id

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())


Progress = Callable[[int], None]


def _claimable(kind: ItemKind, day: dt.date, payer_id: int | None = None) -> SqlPredicate:
    """Due on ``day`` (the window) and not attempted by the window that day yet (at most one attempt an item a
    day); only those ``payer_id`` pays, if given."""
    due = window.due_sql(day)
    column = ATTEMPT_COLUMNS[kind]

    def render(alias: str, p: SQLParams) -> str:
        text = (
            f"{due(alias, p)} AND NOT EXISTS (SELECT 1 FROM renewal_attempts a "
            f"WHERE a.{column} = {alias}.id AND a.business_day = {p(day)} AND a.trigger = 'SWEEP')"
        )
        if payer_id is not None:
            text += f" AND {alias}.auto_renew_payer_id = {p(payer_id)}"
        return text

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


async def _pay(plans: Sequence[Planned]) -> dict[str, int]:
    """Debit these plans in order (one ``debit_many``); those paid become SUCCEEDED, the others stay PENDING.

    Returns the ledger entry of each paid debit, by its key.
    """
    outcomes = await billing.debit_many([_debit_for(p) for p in plans])
    ledger_ids: dict[str, int] = {}
    for plan, outcome in zip(plans, outcomes, strict=True):
        if outcome.paid:
            plan.outcome = AttemptOutcome.SUCCEEDED
            ledger_ids[outcome.debit.key] = outcome.paid_entry_id
    return ledger_ids


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


def _topup_key(payer_id: int, day: dt.date) -> str:
    """The day's automatic top-up of one payer: one card charge per payer and business day, whoever runs."""
    return f"auto-topup:{payer_id}:{day.isoformat()}"


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
) -> set[int]:
    """Claim and settle one batch of ids (those still due, not held elsewhere) from the prepaid balances.

    Items the balance does not cover, of payers whose card tops up automatically, are left unsettled (no
    attempt yet): their payers are returned, for one card top-up each once every batch has run.
    """
    async with atomic():
        items = await _due_items(kind, day, ids, lock=True)
        if not items:
            return set()
        planned = plan_items(day, items, prices, await payers_allowed(items))
        ledger_ids = await _pay([p for p in planned if p.outcome is AttemptOutcome.PENDING])
        unpaid = [p for p in planned if p.outcome is AttemptOutcome.PENDING]
        cards = await billing.cards_with_auto_top_up(sorted({p.item.payer_id for p in unpaid}))
        short: set[int] = set()
        for plan in unpaid:
            if plan.item.payer_id in cards:
                short.add(plan.item.payer_id)
            else:
                plan.outcome, plan.reason = AttemptOutcome.FAILED, FailureReason.INSUFFICIENT_FUNDS
        settled = [p for p in planned if p.outcome is not AttemptOutcome.PENDING]
        await _record(day, settled, ledger_ids)
    _tally(report, settled)
    return short


def _tally(report: SweepReport, results: Sequence[Planned]) -> None:
    for plan in results:
        if plan.outcome is AttemptOutcome.SUCCEEDED:
            report.renewed += 1
            report.charged_cents += plan.amount_cents
        else:
            report.failed[str(plan.reason)] += 1


_REFUSED: dict[ChargeState, FailureReason] = {
    ChargeState.DECLINED: FailureReason.CARD_DECLINED,
    ChargeState.INSUFFICIENT_FUNDS: FailureReason.CARD_INSUFFICIENT_FUNDS,
}
"""The gateway's refusals, as failure reasons (a charge that succeeded has none)."""


async def _payer_items(day: dt.date, payer_id: int, prices: window.PriceTable) -> list[Planned]:
    """The payer's items still due today and not attempted, planned, in the sweep's order."""
    items = [
        DueItem.from_row(row, day)
        for kind in KINDS
        for row in await renewables.rows_where(kind, _claimable(kind, day, payer_id))
    ]
    return sweep_order(plan_items(day, items, prices, await payers_allowed(items)))


async def _top_up(day: dt.date, payer_id: int, needed_cents: int, count: int) -> FailureReason | None:
    """Charge the payer's card once for the day (at least its minimum, within its monthly cap).

    Returns why the shortfall stays uncovered, or None once the account is credited. The key is the payer's
    and the day's: a retried, late or concurrent sweep gets this charge back instead of a second one.
    """
    card = await billing.card_of(payer_id)
    if card is None or not card.auto_top_up:
        return FailureReason.INSUFFICIENT_FUNDS
    if billing.card_expired(card, day):
        return FailureReason.CARD_EXPIRED  # not charged: the gateway would refuse it
    standing = (await billing.standing_of([payer_id], day))[payer_id]
    shortfall = needed_cents - standing.balance_cents
    if shortfall <= 0:  # credited meanwhile (another process's top-up, a user's)
        return None
    amount = standing.top_up_for(shortfall)
    try:
        row = await charges.charge(
            charges.ChargeRequest(
                organization_id=payer_id,
                card_token=card.gateway_token,
                amount_cents=amount,
                key=_topup_key(payer_id, day),
                purpose=ChargePurpose.AUTO_TOP_UP,
                day=day,
                reference=f"Automatic top-up for the renewals of {day.isoformat()} (card {card.last4})",
                same_amount=False,  # concurrent sweeps may ask a slightly different amount: the first wins
            )
        )
    except TopUpCapReached as exc:
        await notify.queue([_cap_notice(day, payer_id, amount, count, exc)])
        return FailureReason.TOP_UP_CAP_REACHED
    except GatewayUnavailable:
        return FailureReason.GATEWAY_UNAVAILABLE
    if row.state is ChargeState.SUCCEEDED:
        return None
    return _REFUSED.get(row.state, FailureReason.GATEWAY_UNAVAILABLE)


def _cap_notice(day: dt.date, payer_id: int, amount: int, count: int, exc: TopUpCapReached) -> notify.Notice:
    return notify.Notice(
        MessageKind.TOP_UP_CAP_REACHED,
        payer_id,
        f"top_up_cap:{payer_id}:{day.isoformat()}",
        {
            "item": "",
            "day": day,
            "amount_cents": amount,
            "cap_cents": exc.params["cap_cents"],
            "spent_cents": exc.params["spent_cents"],
            "count": count,
        },
    )


async def _renew_with_card(
    day: dt.date, payer_id: int, prices: window.PriceTable, report: SweepReport
) -> None:
    """One card top-up for the payer's day, then its unsettled items, settled under lock.

    Item rows are claimed again (``SKIP LOCKED``, not attempted today): an item another process settled
    meanwhile is not touched, and what the top-up does not spend stays on the prepaid account.
    """
    pending = [p for p in await _payer_items(day, payer_id, prices) if p.outcome is AttemptOutcome.PENDING]
    if not pending:
        return
    reason = await _top_up(day, payer_id, sum(p.amount_cents for p in pending), len(pending))
    for kind in KINDS:
        ids = [p.item.id for p in pending if p.item.kind is kind]
        for chunk in _chunks(ids, BATCH_SIZE):
            await _settle_after_top_up(kind, day, chunk, prices, reason, report)


async def _settle_after_top_up(
    kind: ItemKind,
    day: dt.date,
    ids: Sequence[int],
    prices: window.PriceTable,
    reason: FailureReason | None,
    report: SweepReport,
) -> None:
    async with atomic():
        items = await _due_items(kind, day, ids, lock=True)
        planned = plan_items(day, items, prices, await payers_allowed(items))
        to_debit = [p for p in planned if p.outcome is AttemptOutcome.PENDING]
        ledger_ids = await _pay(to_debit) if reason is None else {}
        for plan in to_debit:
            if plan.outcome is AttemptOutcome.PENDING:
                plan.outcome, plan.reason = AttemptOutcome.FAILED, reason or FailureReason.INSUFFICIENT_FUNDS
        await _record(day, planned, ledger_ids)
    _tally(report, planned)


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
    """Run the renewal window for one business day (any day: late runs and catch-ups included).

    Every batch first pays what the prepaid balances cover; then each payer whose card tops up automatically
    is charged once for what remains of its day, and its remaining items are settled.
    """
    report = SweepReport(day=day, dry_run=dry_run)
    prices = await billing.price_table()
    if dry_run:
        await _plan_only(day, prices, report)
        return report
    report.expired = await expire_lapsed(day)
    await forecast.notify_not_covered(day)
    short: set[int] = set()
    for kind in KINDS:
        for ids in _chunks(await _due_ids(kind, day), batch_size):
            before = report.renewed + report.failed_total
            short |= await _settle(kind, day, ids, prices, report)
            if progress is not None:
                progress(report.renewed + report.failed_total - before)
    for payer_id in sorted(short):
        before = report.renewed + report.failed_total
        try:
            await _renew_with_card(day, payer_id, prices, report)
        except Exception:
            log.exception("renewal top-up failed", day=day.isoformat(), payer_id=payer_id)
            for kind in KINDS:
                ids = [p.item.id for p in await _payer_items(day, payer_id, prices) if p.item.kind is kind]
                await _record_internal_error(kind, day, ids, report)
        if progress is not None:
            progress(report.renewed + report.failed_total - before)
    return report


async def _settle(
    kind: ItemKind, day: dt.date, ids: Sequence[int], prices: window.PriceTable, report: SweepReport
) -> set[int]:
    """Settle one batch from the balances; returns the payers left for a card top-up.

    An unexpected error never stops the day: the failed batch's transaction rolled back, its items are settled
    again one by one, so that only the item at fault is recorded as ``INTERNAL_ERROR`` (and tried again the
    next day) while the others renew.
    """
    try:
        return await _run_batch(kind, day, ids, prices, report)
    except Exception:
        log.exception("renewal batch failed", kind=kind.value, day=day.isoformat(), item_ids=list(ids))
        short: set[int] = set()
        if len(ids) > 1:
            for item_id in ids:
                short |= await _settle(kind, day, [item_id], prices, report)
        else:
            await _record_internal_error(kind, day, ids, report)
        return short


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


async def _plan_only(day: dt.date, prices: window.PriceTable, report: SweepReport) -> None:
    """What the sweep would do, changing nothing: the window's projection (``plan.Projection``) of the day.

    A card counts as cover only if it tops up automatically, has not expired by ``day``, its last charge was not
    refused and the payer's monthly cap allows the top-up.
    """
    items = [
        DueItem.from_row(row, day)
        for kind in KINDS
        for row in await renewables.rows_where(kind, _claimable(kind, day))
    ]
    planned = sweep_order(plan_items(day, items, prices, await payers_allowed(items)))
    standing = await billing.standing_of(sorted({p.item.payer_id for p in planned}), day)
    Projection(standing, (day.year, day.month)).settle_day(day, planned)
    report.planned = planned
    report.payer_names = await organization_names(list(standing))
    _tally(report, planned)
