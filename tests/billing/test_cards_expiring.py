"""The notice 30 days before a card expires (card care, issue #11): once per card and expiry month, to the
organization's OWNER and BILLING members, queued by the daily renewal job."""

from __future__ import annotations

import datetime as dt

import pytest

from mailrenew.accounts.models import Language, Organization, Role
from mailrenew.billing.models import Card
from mailrenew.billing.service import cards_expiring
from mailrenew.config import Settings
from mailrenew.notify.models import MessageKind, OutboxMessage
from mailrenew.scheduler import renewal_job
from tests.factories import make_card, make_org, make_user

LAST_VALID_DAY = dt.date(2027, 4, 30)  # a card that expires 04/2027
NOTICE_DAY = LAST_VALID_DAY - dt.timedelta(days=30)  # 31 March


async def _acme(
    *, exp: tuple[int, int] = (4, 2027), auto_top_up: bool = True
) -> tuple[Organization, list[int]]:
    """Acme, its card expiring ``exp`` (month, year), and the ids of its owner and billing member."""
    acme = await make_org(name="Acme")
    owner = await make_user(roles={acme: Role.OWNER})
    billing = await make_user(language=Language.FR, roles={acme: Role.BILLING})
    await make_user(roles={acme: Role.ADMIN})
    await make_user(roles={acme: Role.MEMBER})
    await make_card(org=acme, auto_top_up=auto_top_up)
    await Card.filter(organization_id=acme.id).update(exp_month=exp[0], exp_year=exp[1])
    return acme, [owner.id, billing.id]


async def card_notices() -> list[OutboxMessage]:
    return await OutboxMessage.filter(kind=MessageKind.CARD_EXPIRING).order_by("user_id")


async def test_owner_and_billing_are_told_30_days_before_the_card_expires() -> None:
    acme, told = await _acme()

    created = await cards_expiring(NOTICE_DAY)

    rows = await card_notices()
    assert created == 2
    assert [(m.user_id, m.organization_id) for m in rows] == [(user, acme.id) for user in told]
    assert [m.dedupe_key for m in rows] == [f"card_expiring:{acme.id}:2027-04:{user}" for user in told]
    brand = (await Card.get(organization_id=acme.id)).brand
    english, french = rows
    assert english.subject == f"The card {brand} •••• 4242 expires on 2027-04-30"
    assert "tops up the prepaid account automatically" in english.body
    assert "What to do: register a new card for Acme before 2027-04-30" in english.body
    assert french.subject == f"La carte {brand} •••• 4242 expire le 30/04/2027"
    assert "Que faire : enregistrez une nouvelle carte pour Acme avant le 30/04/2027" in french.body


async def test_running_again_queues_nothing_new() -> None:
    await _acme()

    first = await cards_expiring(NOTICE_DAY)
    again = await cards_expiring(NOTICE_DAY)
    next_day = await cards_expiring(NOTICE_DAY + dt.timedelta(days=1))

    assert (first, again, next_day) == (2, 0, 0)
    assert len(await card_notices()) == 2


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (NOTICE_DAY - dt.timedelta(days=1), 0),  # 31 days before: not yet
        (NOTICE_DAY, 2),
        (LAST_VALID_DAY, 2),  # a run missed on the day is caught up, until the card's last day
        (LAST_VALID_DAY + dt.timedelta(days=1), 0),  # expired: no more notice of expiry
    ],
)
async def test_the_notice_window(day: dt.date, expected: int) -> None:
    await _acme()

    assert await cards_expiring(day) == expected


async def test_a_card_without_automatic_top_up_is_told_too_without_the_top_up_paragraph() -> None:
    await _acme(auto_top_up=False)

    await cards_expiring(NOTICE_DAY)

    assert all("automatically" not in m.body for m in await card_notices() if m.language == "en")
    assert len(await card_notices()) == 2


async def test_a_december_card_is_told_from_1_december() -> None:
    # 31 December 2027 - 30 days = 1 December: the year turns in the window's arithmetic
    await _acme(exp=(12, 2027))

    assert await cards_expiring(dt.date(2027, 11, 30)) == 0
    assert await cards_expiring(dt.date(2027, 12, 1)) == 2


async def test_the_daily_renewal_job_queues_the_notices_once(settings: Settings) -> None:
    await _acme()

    await renewal_job(settings.model_copy(update={"today": NOTICE_DAY}))
    await renewal_job(settings.model_copy(update={"today": NOTICE_DAY}))  # a second process, or a restart

    assert len(await card_notices()) == 2
