"""APScheduler runs the renewal window every day at RENEWAL_TIME in TIMEZONE, and catches up at start-up."""

from __future__ import annotations

import datetime as dt

from apscheduler.triggers.cron import CronTrigger

from mailrenew.billing.models import LedgerEntry, LedgerKind
from mailrenew.billing.service import seed_default_prices
from mailrenew.config import Settings
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from mailrenew.scheduler import build_scheduler, catch_up_due, renewal_job
from tests.factories import TODAY, make_domain, make_mailbox, make_org

PARIS_MORNING = dt.datetime(2027, 3, 1, 4, 0, tzinfo=dt.UTC)  # 05:00 in Paris, before 06:00
PARIS_NOON = dt.datetime(2027, 3, 1, 11, 0, tzinfo=dt.UTC)


def test_the_daily_job_fires_at_renewal_time_in_the_business_time_zone(settings: Settings) -> None:
    config = settings.model_copy(update={"renewal_time": "06:30", "timezone": "Europe/Paris"})
    scheduler = build_scheduler(config, now=PARIS_MORNING)
    job = scheduler.get_job("renewal-window")
    assert isinstance(job.trigger, CronTrigger)
    fire = job.trigger.get_next_fire_time(None, PARIS_MORNING)
    assert fire.astimezone(config.zone).time() == dt.time(6, 30)
    assert fire.astimezone(dt.UTC) == dt.datetime(2027, 3, 1, 5, 30, tzinfo=dt.UTC)
    assert scheduler.get_job("outbox-delivery") is not None


def test_start_up_catches_up_a_run_missed_today(settings: Settings) -> None:
    assert not catch_up_due(settings, PARIS_MORNING)
    assert catch_up_due(settings, PARIS_NOON)
    assert build_scheduler(settings, now=PARIS_MORNING).get_job("renewal-catch-up") is None
    assert build_scheduler(settings, now=PARIS_NOON).get_job("renewal-catch-up") is not None


async def test_the_scheduler_starts_and_stops_in_a_running_loop(settings: Settings) -> None:
    scheduler = build_scheduler(settings, now=PARIS_MORNING)
    scheduler.start()
    try:
        assert scheduler.running
        assert {job.id for job in scheduler.get_jobs()} == {
            "renewal-window",
            "outbox-delivery",
            "card-charge-reconciliation",
        }
    finally:
        scheduler.shutdown(wait=False)


async def test_the_job_runs_the_sweep_for_the_business_day(settings: Settings) -> None:
    await seed_default_prices()
    org = await make_org(balance_cents=5000)
    box = await make_mailbox(
        domain=await make_domain(owner=org),
        expires_at=TODAY + dt.timedelta(days=2),
        period=RenewalPeriod.MONTHLY,
        payer=org,
    )

    await renewal_job(settings.model_copy(update={"today": TODAY}))
    await renewal_job(settings.model_copy(update={"today": TODAY}))  # a second process, or a restart

    assert (await Mailbox.get(id=box.id)).expires_at == dt.date(2027, 4, 3)
    assert await LedgerEntry.filter(kind=LedgerKind.RENEWAL).count() == 1
