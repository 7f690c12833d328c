"""The window has one definition: its SQL (what the sweep and the forecast select) agrees with its Python.

Random mailboxes and domains (auto-renewal on or off, any status, expiry dates around the day) are written to
the database, then selected with ``due_sql`` / ``due_during_sql``; the ids must be exactly those for which
``is_due`` holds (on SQLite and on PostgreSQL: the suite runs on both).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailrenew.hosting import renewables
from mailrenew.hosting.models import Domain, DomainStatus, Mailbox, MailboxStatus, RenewalPeriod
from mailrenew.hosting.renewables import ItemKind
from mailrenew.renewal import window
from tests.factories import make_domain, make_org

DAY = dt.date(2027, 3, 1)

item = st.tuples(
    st.booleans(),  # auto-renewal on
    st.sampled_from([s.value for s in MailboxStatus]),
    st.integers(min_value=-3, max_value=40),  # expiry, in days after the first day
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(item, min_size=1, max_size=12),
    start=st.integers(min_value=0, max_value=3),
    span=st.integers(min_value=0, max_value=30),
)
async def test_sql_and_python_agree_on_what_is_due(
    items: list[tuple[bool, str, int]], start: int, span: int
) -> None:
    org = await make_org()
    host = await make_domain(owner=org, expires_at=DAY + dt.timedelta(days=400))
    mailboxes = [
        Mailbox(
            domain=host,
            local_part=f"m{n}",
            address=f"m{n}@{host.fqdn}",
            status=status,
            expires_at=DAY + dt.timedelta(days=offset),
            auto_renew_enabled=enabled,
            auto_renew_period=RenewalPeriod.MONTHLY if enabled else None,
            auto_renew_payer=org if enabled else None,
        )
        for n, (enabled, status, offset) in enumerate(items)
    ]
    await Mailbox.bulk_create(mailboxes)
    domains = [
        await Domain.create(
            fqdn=f"w{n}-{host.id}.example",
            owner=org,
            status=DomainStatus(status),
            expires_at=DAY + dt.timedelta(days=offset),
            auto_renew_enabled=enabled,
            auto_renew_payer=org if enabled else None,
        )
        for n, (enabled, status, offset) in enumerate(items[:4])
    ]
    try:
        first = DAY + dt.timedelta(days=start)
        last = first + dt.timedelta(days=span)
        for kind, model in ((ItemKind.MAILBOX, Mailbox), (ItemKind.DOMAIN, Domain)):
            rows = await model.filter(id__not=host.id) if model is Domain else await model.all()
            on_day = {r.id for r in rows if window.is_due(r, first)}
            during = {
                r.id
                for r in rows
                if any(window.is_due(r, first + dt.timedelta(days=n)) for n in range(span + 1))
            }
            assert set(await renewables.ids_where(kind, window.due_sql(first))) == on_day
            assert set(await renewables.ids_where(kind, window.due_during_sql(first, last))) == during
    finally:
        await Mailbox.filter(domain_id=host.id).delete()
        await Domain.filter(id__in=[d.id for d in domains]).delete()
        await host.delete()


@given(
    expires=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2100, 1, 1)),
    offset=st.integers(min_value=-10, max_value=10),
)
def test_attempts_are_numbered_one_to_five_over_the_window(expires: dt.date, offset: int) -> None:
    class Item:
        auto_renew_enabled = True
        status = "ACTIVE"
        expires_at = expires

    day = expires - dt.timedelta(days=offset)
    due = window.assess(
        Item(),
        day,
        prices={("MAILBOX", "STANDARD", "YEARLY"): 1000},
        product="MAILBOX",
        offer="STANDARD",
        period=RenewalPeriod.YEARLY,
    )
    if 1 <= offset <= 5:
        assert due is not None
        assert due.attempt == 6 - offset
        assert due.max_attempts == 5
        assert due.is_last == (offset == 1)
        assert due.amount_cents == 1000
        assert day in window.due_days(expires)
    else:
        assert due is None
        assert day not in window.due_days(expires)
