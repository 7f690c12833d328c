"""APScheduler wiring: *when* the renewal window and the outbox delivery run, nothing about what they do.

Every app process may run it: the database coordinates the work (row locks, unique attempts, idempotency
keys), so two processes running the same day's sweep pay each term once.
"""

from __future__ import annotations

import datetime as dt

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from mailrenew.config import Settings, business_today
from mailrenew.logs import get_logger

log = get_logger("mailrenew.scheduler")

DELIVERY_EVERY = dt.timedelta(minutes=2)
RECONCILE_EVERY = dt.timedelta(minutes=10)


async def renewal_job(settings: Settings) -> None:
    from mailrenew.renewal.sweep import run_sweep

    day = business_today(settings)
    await card_notices_job(day)
    try:
        report = await run_sweep(day, batch_size=settings.renewal_batch_size)
    except Exception:  # a failed run is retried by the next one; never kill the scheduler
        log.exception("renewal.sweep_failed", day=day.isoformat())
        return
    log.info(
        "renewal.sweep_done",
        day=day.isoformat(),
        renewed=report.renewed,
        failed=dict(report.failed),
        charged_cents=report.charged_cents,
        expired=report.expired,
    )


async def card_notices_job(day: dt.date) -> None:
    """Cards about to expire: the notices of the day (their own failure never stops the sweep)."""
    from mailrenew.billing.service import cards_expiring

    try:
        await cards_expiring(day)
    except Exception:
        log.exception("billing.card_notices_failed", day=day.isoformat())


async def delivery_job(settings: Settings) -> None:
    from mailrenew.notify.delivery import deliver_job

    try:
        await deliver_job(settings)
    except Exception:
        log.exception("notify.delivery_failed")


async def reconcile_job() -> None:
    from mailrenew.billing.charges import reconcile

    try:
        report = await reconcile()
    except Exception:
        log.exception("billing.reconcile_failed")
        return
    if report.credited or report.failed or report.voided or report.unreachable:
        log.info("billing.reconciled", report=str(report))


def catch_up_due(settings: Settings, now: dt.datetime) -> bool:
    """At start-up, run today's window now if today's scheduled time has already passed (missed while down)."""
    local = now.astimezone(settings.zone)
    return local.time() >= settings.renewal_clock_time


def build_scheduler(settings: Settings, *, now: dt.datetime | None = None) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=settings.zone)
    at = settings.renewal_clock_time
    scheduler.add_job(
        renewal_job,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=settings.zone),
        args=[settings],
        id="renewal-window",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=6 * 3600,
    )
    now = now or dt.datetime.now(dt.UTC)
    if catch_up_due(settings, now):
        scheduler.add_job(
            renewal_job,
            "date",
            run_date=now + dt.timedelta(seconds=5),
            args=[settings],
            id="renewal-catch-up",
        )
    scheduler.add_job(
        delivery_job,
        IntervalTrigger(seconds=int(DELIVERY_EVERY.total_seconds()), timezone=settings.zone),
        args=[settings],
        id="outbox-delivery",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        reconcile_job,
        IntervalTrigger(seconds=int(RECONCILE_EVERY.total_seconds()), timezone=settings.zone),
        id="card-charge-reconciliation",
        coalesce=True,
        max_instances=1,
    )
    return scheduler
