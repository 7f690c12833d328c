"""CARD_EXPIRES_FIRST: the balance will not cover a mailbox's next charge and the card that would top it up
expires before that day (card care, issue #11)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mailrenew.accounts.models import Language, Organization, Role
from mailrenew.billing.models import Card
from mailrenew.billing.service import seed_default_prices
from mailrenew.config import Settings
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from tests.factories import make_card, make_domain, make_mailbox, make_org, make_user
from tests.graphql.helpers import gid

DAY = dt.date(2027, 3, 20)  # the business day of these tests
CHARGED_ON = dt.date(2027, 4, 1)  # the mailbox below expires on 6 April: its window opens on 1 April

WARNINGS = """
query Warnings($id: ID!) { mailbox(id: $id) { warnings { code message amountCents } } }
"""


@pytest.fixture
async def http(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app on business day ``DAY``."""
    from mailrenew.web import create_app

    app = create_app(settings.model_copy(update={"today": DAY}), manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


async def _world(*, balance_cents: int, card_expires: tuple[int, int] | None, auto_top_up: bool = True):
    """Acme pays a yearly mailbox (10.00) charged on 1 April from a balance of ``balance_cents``, with a card
    valid through the end of ``card_expires`` (month, year) if any."""
    await seed_default_prices()
    acme = await make_org(name="Acme", balance_cents=balance_cents)
    domain = await make_domain(owner=acme, fqdn="acme.example", auto_renew_payer=acme)
    box = await make_mailbox(
        domain=domain, expires_at=CHARGED_ON + dt.timedelta(days=5), period=RenewalPeriod.YEARLY, payer=acme
    )
    if card_expires is not None:
        await make_card(org=acme, auto_top_up=auto_top_up)
        month, year = card_expires
        await Card.filter(organization_id=acme.id).update(exp_month=month, exp_year=year)
    return acme, box


async def warnings_of(
    signed_in, acme: Organization, box: Mailbox, language: Language = Language.EN
) -> list[dict[str, Any]]:
    client = await signed_in(await make_user(language=language, roles={acme: Role.OWNER}))
    data = await client.execute(WARNINGS, {"id": gid("Mailbox", box.id)})
    return data["mailbox"]["warnings"]


async def test_warns_when_the_card_expires_before_the_charge_the_balance_does_not_cover(signed_in) -> None:
    # given 4.00 on the account for a 10.00 charge on 1 April, and a card valid through March 2027
    acme, box = await _world(balance_cents=400, card_expires=(3, 2027))

    found = await warnings_of(signed_in, acme, box)

    card = (await Card.get(organization_id=acme.id)).brand
    assert found == [
        {
            "code": "CARD_EXPIRES_FIRST",
            "amountCents": 600,
            "message": f"The card {card} •••• 4242 of Acme expires at the end of 03/2027, before this renewal is "
            "charged on 2027-04-01, and the prepaid balance is short by €6.00: register a new card or top up "
            "the account.",
        }
    ]


async def test_in_french(signed_in) -> None:
    acme, box = await _world(balance_cents=400, card_expires=(3, 2027))

    found = await warnings_of(signed_in, acme, box, Language.FR)

    card = (await Card.get(organization_id=acme.id)).brand
    assert [w["message"] for w in found] == [
        f"La carte {card} •••• 4242 de Acme expire fin 03/2027, avant le débit de ce renouvellement le "
        "01/04/2027, et il manque 6,00\u00a0€ sur le compte prépayé : enregistrez une nouvelle carte ou créditez "
        "le compte."
    ]


@pytest.mark.parametrize(
    ("balance_cents", "card_expires", "auto_top_up", "expected"),
    [
        (400, (4, 2027), True, []),  # valid through April: it tops up on 1 April
        (1000, (3, 2027), True, []),  # the balance covers the charge: the card is not needed
        (400, (3, 2027), False, ["BALANCE_SHORT"]),  # no automatic top-up: the balance warning, as before
        (400, None, True, ["BALANCE_SHORT"]),  # no card
        (400, (2, 2027), True, ["CARD_EXPIRES_FIRST"]),  # already expired
    ],
)
async def test_no_card_warning_unless_the_card_is_needed_and_expires_first(
    signed_in,
    balance_cents: int,
    card_expires: tuple[int, int] | None,
    auto_top_up: bool,
    expected: list[str],
) -> None:
    acme, box = await _world(balance_cents=balance_cents, card_expires=card_expires, auto_top_up=auto_top_up)

    assert [w["code"] for w in await warnings_of(signed_in, acme, box)] == expected


async def test_only_the_mailboxes_the_balance_leaves_uncovered_warn(signed_in) -> None:
    # given two such mailboxes, charged on 1 and 2 April, and 10.00 on the account: the first is covered
    acme, first = await _world(balance_cents=1000, card_expires=(3, 2027))
    second = await make_mailbox(
        domain=await first.domain,
        expires_at=CHARGED_ON + dt.timedelta(days=6),
        period=RenewalPeriod.YEARLY,
        payer=acme,
    )

    # The first will renew: only the payer-wide BALANCE_SHORT (the payer's coming renewals are short); the second
    # is the one the expired card fails, and says so.
    assert [w["code"] for w in await warnings_of(signed_in, acme, first)] == ["BALANCE_SHORT"]
    assert [w["code"] for w in await warnings_of(signed_in, acme, second)] == ["CARD_EXPIRES_FIRST"]
