"""Mailbox.autoRenewQuote: what turning auto-renewal on would cost, and when the window would first charge it
(a quote before saving, issue #11)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mailrenew.accounts.models import Role
from mailrenew.billing.models import Price, Product
from mailrenew.billing.service import seed_default_prices, set_price
from mailrenew.config import Settings
from mailrenew.hosting.models import Mailbox, MailboxOffer, MailboxStatus
from tests.factories import make_domain, make_mailbox, make_org, make_user
from tests.graphql.helpers import gid

DAY = dt.date(2027, 3, 20)  # the business day of these tests

QUOTE = """
query Quote($id: ID!) {
  mailbox(id: $id) { autoRenewQuote { monthlyCents yearlyCents currency firstChargeOn } }
}
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


async def quote_of(signed_in, mailbox: Mailbox, owner) -> dict[str, Any]:
    client = await signed_in(await make_user(roles={owner: Role.MEMBER}))
    data = await client.execute(QUOTE, {"id": gid("Mailbox", mailbox.id)})
    return data["mailbox"]["autoRenewQuote"]


async def _box(offer: MailboxOffer, expires_at: dt.date) -> tuple[Mailbox, Any]:
    acme = await make_org(name="Acme")
    domain = await make_domain(owner=acme)
    return await make_mailbox(domain=domain, offer=offer, expires_at=expires_at), acme


@pytest.mark.parametrize(
    ("offer", "monthly", "yearly"), [(MailboxOffer.STANDARD, 100, 1000), (MailboxOffer.PREMIUM, 500, 5000)]
)
async def test_the_quote_gives_the_catalogue_price_of_each_period(
    signed_in, offer: MailboxOffer, monthly: int, yearly: int
) -> None:
    # given the default catalogue and a mailbox off that expires in 30 days
    await seed_default_prices()
    box, acme = await _box(offer, DAY + dt.timedelta(days=30))

    # then its quote: both periods' prices, first charged at J-5
    assert await quote_of(signed_in, box, acme) == {
        "monthlyCents": monthly,
        "yearlyCents": yearly,
        "currency": "EUR",
        "firstChargeOn": "2027-04-14",
    }


async def test_the_quote_follows_a_price_change(signed_in) -> None:
    await seed_default_prices()
    await set_price("MAILBOX", "STANDARD", "YEARLY", 1200)
    box, acme = await _box(MailboxOffer.STANDARD, DAY + dt.timedelta(days=30))

    assert (await quote_of(signed_in, box, acme))["yearlyCents"] == 1200


async def test_a_price_missing_from_the_catalogue_is_null(signed_in) -> None:
    await seed_default_prices()
    await Price.filter(product=Product.MAILBOX, offer="STANDARD", period="MONTHLY").delete()
    box, acme = await _box(MailboxOffer.STANDARD, DAY + dt.timedelta(days=30))

    found = await quote_of(signed_in, box, acme)

    assert (found["monthlyCents"], found["yearlyCents"]) == (None, 1000)


@pytest.mark.parametrize(
    ("expires_in", "first_charge_on"),
    [
        (6, "2027-03-21"),  # the window opens tomorrow (J-5)
        (5, "2027-03-20"),  # it opens today
        (3, "2027-03-20"),  # already open: today
        (1, "2027-03-20"),  # J-1, the last chance: today
        (0, None),  # expires today: expired, never charged
        (-10, None),
    ],
)
async def test_first_charge_on_is_the_first_day_the_window_would_charge_it(
    signed_in, expires_in: int, first_charge_on: str | None
) -> None:
    await seed_default_prices()
    box, acme = await _box(MailboxOffer.STANDARD, DAY + dt.timedelta(days=expires_in))
    if expires_in <= 0:
        await Mailbox.filter(id=box.id).update(status=MailboxStatus.EXPIRED)

    assert (await quote_of(signed_in, box, acme))["firstChargeOn"] == first_charge_on


async def test_the_catalogue_is_read_once_for_many_mailboxes(signed_in) -> None:
    from tests.querycount import count_statements

    await seed_default_prices()
    acme = await make_org(name="Acme")
    domain = await make_domain(owner=acme)
    for _ in range(5):
        await make_mailbox(domain=domain, expires_at=DAY + dt.timedelta(days=40))
    client = await signed_in(await make_user(roles={acme: Role.OWNER}))
    query = """query($id: ID!) { domain(id: $id) { mailboxes(first: 10) { nodes {
      autoRenewQuote { monthlyCents firstChargeOn } } } } }"""

    with count_statements() as statements:
        data = await client.execute(query, {"id": gid("Domain", domain.id)})

    nodes = data["domain"]["mailboxes"]["nodes"]
    assert [n["autoRenewQuote"] for n in nodes] == [{"monthlyCents": 100, "firstChargeOn": "2027-04-24"}] * 5
    assert sum("prices" in s for s in statements.sql) == 1, str(statements)
