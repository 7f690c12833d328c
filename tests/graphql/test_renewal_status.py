"""``renewal`` on mailboxes and domains: the state a customer reads, after real sweeps."""

from __future__ import annotations

import datetime as dt

import httpx

from mailrenew.accounts.models import Role
from mailrenew.accounts.service import create_token
from mailrenew.billing.service import seed_default_prices
from mailrenew.config import load_settings
from mailrenew.hosting.models import RenewalPeriod
from mailrenew.renewal.sweep import run_sweep
from mailrenew.web import create_app
from tests.conftest import TEST_DATABASE_URL
from tests.factories import TODAY, make_domain, make_mailbox, make_org, make_user

QUERY = """
query($fqdn: String!) { domainByFqdn(fqdn: $fqdn) {
  renewal { state nextAttemptOn amountCents }
  mailboxes(first: 10) { nodes { localPart renewal { state nextAttemptOn amountCents currency attempt maxAttempts
    lastFailure { reason } renewedUntil } } }
} }
"""


async def test_each_mailbox_tells_where_its_renewal_stands() -> None:
    await seed_default_prices()
    rich, poor = await make_org(name="Rich", balance_cents=100_000), await make_org(name="Poor")
    owner = await make_user(roles={rich: Role.OWNER, poor: Role.OWNER})
    domain = await make_domain(owner=rich, fqdn="status.example", expires_at=TODAY + dt.timedelta(days=300))
    day = lambda n: TODAY + dt.timedelta(days=n)  # noqa: E731
    await make_mailbox(domain=domain, local_part="off", expires_at=day(3))
    await make_mailbox(
        domain=domain, local_part="renews", expires_at=day(3), period=RenewalPeriod.YEARLY, payer=rich
    )
    await make_mailbox(
        domain=domain, local_part="retrying", expires_at=day(3), period=RenewalPeriod.YEARLY, payer=poor
    )
    await make_mailbox(
        domain=domain, local_part="failing", expires_at=day(1), period=RenewalPeriod.YEARLY, payer=poor
    )
    await make_mailbox(
        domain=domain, local_part="later", expires_at=day(20), period=RenewalPeriod.MONTHLY, payer=rich
    )
    await make_mailbox(
        domain=domain, local_part="short", expires_at=day(20), period=RenewalPeriod.YEARLY, payer=poor
    )
    await make_mailbox(domain=domain, local_part="expired", expires_at=day(-3))
    await make_mailbox(domain=domain, local_part="lapsed", expires_at=day(-40))

    await run_sweep(TODAY)
    app = create_app(load_settings(database_url=TEST_DATABASE_URL, today=TODAY), manage_db=False)
    _, token = await create_token(owner.email, "status")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await http.post(
            "/graphql",
            json={"query": QUERY, "variables": {"fqdn": "status.example"}},
            headers={"Authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    data = body["data"]

    found = {m["localPart"]: m["renewal"] for m in data["domainByFqdn"]["mailboxes"]["nodes"]}
    states = {name: status["state"] for name, status in found.items()}
    assert states == {
        "expired": "EXPIRED",
        "failing": "FAILED",
        "lapsed": "LAPSED",
        "later": "SCHEDULED",
        "off": "OFF",
        "renews": "SCHEDULED",
        "retrying": "RETRYING",
        "short": "AWAITING_FUNDS",
    }
    assert found["retrying"]["attempt"] == 4  # J-3 failed today: the next try, J-2, is attempt 4 of 5
    assert found["retrying"]["nextAttemptOn"] == day(1).isoformat()
    # Set by no user, paid by another organization than the owner: the payer is not allowed.
    assert found["retrying"]["lastFailure"] == {"reason": "PAYER_NOT_ALLOWED"}
    assert (
        found["failing"]["attempt"],
        found["failing"]["maxAttempts"],
        found["failing"]["nextAttemptOn"],
    ) == (5, 5, None)
    assert found["renews"]["renewedUntil"] == day(3).replace(year=day(3).year + 1).isoformat()
    assert (
        found["renews"]["nextAttemptOn"]
        == (day(3).replace(year=day(3).year + 1) - dt.timedelta(days=5)).isoformat()
    )
    assert (found["later"]["nextAttemptOn"], found["later"]["amountCents"], found["later"]["currency"]) == (
        day(15).isoformat(),
        100,
        "EUR",
    )
    assert found["off"]["nextAttemptOn"] is None
    assert data["domainByFqdn"]["renewal"]["state"] == "OFF"
