"""Billing over GraphQL: balance, ledger, card, upcoming renewals, BALANCE_SHORT, topUp, registerCard."""

from __future__ import annotations

import datetime as dt

import pytest

from mailrenew.accounts.models import Role
from mailrenew.billing.gateway import SimulatedGateway
from mailrenew.billing.models import Card, GatewayCharge, LedgerEntry, PrepaidAccount
from mailrenew.billing.service import attach_card, seed_default_prices
from mailrenew.config import business_today
from mailrenew.graphql.relay import to_global_id
from mailrenew.hosting.models import RenewalPeriod
from mailrenew.i18n import message
from mailrenew.renewal.sweep import run_sweep
from tests.factories import make_card, make_domain, make_mailbox, make_org, make_user
from tests.querycount import count_statements

ORG = """
query($id: ID!) { organization(id: $id) {
  name prepaidBalanceCents currency card { brand last4 expMonth expYear autoTopUp }
  ledger(first: 10) { totalCount nodes { kind amountCents balanceAfterCents reference idempotencyKey } }
} }"""

TOP_UP = """
mutation($org: ID!, $amount: Int!, $key: String!) {
  topUp(organizationId: $org, amountCents: $amount, idempotencyKey: $key) {
    organization { prepaidBalanceCents } ledgerEntry { kind amountCents balanceAfterCents }
    userErrors { field code message }
  }
}"""

REGISTER = """
mutation($org: ID!, $input: CardInput!) {
  registerCard(organizationId: $org, input: $input) {
    card { brand last4 expMonth expYear autoTopUp } userErrors { field code message }
  }
}"""


def gid(kind: str, pk: int) -> str:
    return to_global_id(kind, pk)


async def _member(role: Role, *, balance: int = 5000):
    org = await make_org(name="Acme", balance_cents=balance)
    return org, await make_user(roles={org: role})


@pytest.mark.parametrize(
    ("role", "sees"), [(Role.OWNER, True), (Role.BILLING, True), (Role.ADMIN, False), (Role.MEMBER, False)]
)
async def test_balance_card_and_ledger_are_for_owner_and_billing(with_token, role: Role, sees: bool) -> None:
    org, user = await _member(role)
    await make_card(org=org)
    client = await with_token(user)

    data = await client.execute(ORG, {"id": gid("Organization", org.id)})

    found = data["organization"]
    if sees:
        assert found["prepaidBalanceCents"] == 5000
        assert found["card"] == {
            "brand": "VISA",
            "last4": "4242",
            "expMonth": 12,
            "expYear": 2029,
            "autoTopUp": True,
        }
        assert found["ledger"]["totalCount"] == 1
        assert found["ledger"]["nodes"][0]["kind"] == "OPENING"
    else:
        assert (found["prepaidBalanceCents"], found["card"], found["ledger"]["totalCount"]) == (None, None, 0)


async def test_top_up_credits_once_per_key(with_token) -> None:
    org, user = await _member(Role.BILLING, balance=100)
    await make_card(org=org)
    client = await with_token(user)
    variables = {"org": gid("Organization", org.id), "amount": 2000, "key": "order-7"}

    first = await client.execute(TOP_UP, variables)
    again = await client.execute(TOP_UP, variables)

    assert first["topUp"] == {
        "organization": {"prepaidBalanceCents": 2100},
        "ledgerEntry": {"kind": "TOP_UP", "amountCents": 2000, "balanceAfterCents": 2100},
        "userErrors": [],
    }
    assert again["topUp"]["ledgerEntry"] == first["topUp"]["ledgerEntry"]
    assert await GatewayCharge.all().count() == 1


@pytest.mark.parametrize(
    ("role", "card", "amount", "key", "code"),
    [
        (Role.BILLING, True, 0, "k", "INVALID_AMOUNT"),
        (Role.BILLING, True, -100, "k", "INVALID_AMOUNT"),
        (Role.BILLING, False, 100, "k", "NO_CARD"),
        (Role.ADMIN, True, 100, "k", "NOT_ALLOWED"),
        (Role.BILLING, True, 100, "reused", "IDEMPOTENCY_KEY_REUSED"),
    ],
)
async def test_bad_top_ups_get_user_errors_and_change_nothing(
    with_token, role, card, amount, key, code
) -> None:
    org, user = await _member(role, balance=100)
    if card:
        await make_card(org=org)
    if key == "reused":
        billing_user = await make_user(roles={org: Role.BILLING})
        await (await with_token(billing_user)).execute(
            TOP_UP, {"org": gid("Organization", org.id), "amount": 999, "key": key}
        )
    before = (await PrepaidAccount.get(organization=org)).balance_cents
    client = await with_token(user)

    data = await client.execute(TOP_UP, {"org": gid("Organization", org.id), "amount": amount, "key": key})

    assert [e["code"] for e in data["topUp"]["userErrors"]] == [code]
    assert data["topUp"]["ledgerEntry"] is None
    assert (await PrepaidAccount.get(organization=org)).balance_cents == before


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (SimulatedGateway.DECLINED, "CARD_DECLINED"),
        (SimulatedGateway.INSUFFICIENT, "CARD_INSUFFICIENT_FUNDS"),
        (None, "CARD_EXPIRED"),
    ],
)
async def test_a_refused_card_tells_why_and_changes_nothing(
    with_token, number: str | None, code: str
) -> None:
    org, user = await _member(Role.BILLING, balance=100)
    if number is None:  # the registered card expired last month
        today = business_today()
        last_month = today.replace(day=1) - dt.timedelta(days=1)
        await attach_card(
            org,
            brand="VISA",
            last4="4242",
            exp_month=last_month.month,
            exp_year=last_month.year,
            gateway_token="sim_tok_4242_expired",
            auto_top_up=True,
        )
    else:
        await make_card(org=org, number=number)
    ledger_before = (
        await LedgerEntry.filter(account__organization=org)
        .order_by("id")
        .values_list("id", "amount_cents", "balance_after_cents")
    )
    client = await with_token(user)

    data = await client.execute(TOP_UP, {"org": gid("Organization", org.id), "amount": 2000, "key": "k"})

    (error,) = data["topUp"]["userErrors"]
    assert error["code"] == code
    assert error["message"] == message(code, "en")
    assert data["topUp"]["ledgerEntry"] is None
    assert (await PrepaidAccount.get(organization=org)).balance_cents == 100
    ledger_after = (
        await LedgerEntry.filter(account__organization=org)
        .order_by("id")
        .values_list("id", "amount_cents", "balance_after_cents")
    )
    assert ledger_after == ledger_before
    assert await GatewayCharge.all().count() == (0 if number is None else 1)


async def test_a_foreign_organization_is_not_found(with_token) -> None:
    _, user = await _member(Role.OWNER)
    stranger = await make_org(name="Stranger", balance_cents=100)
    await make_card(org=stranger)
    client = await with_token(user)
    data = await client.execute(TOP_UP, {"org": gid("Organization", stranger.id), "amount": 100, "key": "k"})
    assert [e["code"] for e in data["topUp"]["userErrors"]] == ["NOT_FOUND"]
    assert await LedgerEntry.filter(account__organization=stranger).count() == 1


async def test_register_card_through_the_simulated_gateway(with_token) -> None:
    org, user = await _member(Role.OWNER)
    client = await with_token(user)
    card = {"number": "4242 4242 4242 4242", "expMonth": 6, "expYear": 2031, "cvc": "321", "autoTopUp": True}

    ok = await client.execute(REGISTER, {"org": gid("Organization", org.id), "input": card})
    bad = await client.execute(
        REGISTER, {"org": gid("Organization", org.id), "input": {**card, "number": "1234"}}
    )

    assert ok["registerCard"] == {
        "card": {"brand": "VISA", "last4": "4242", "expMonth": 6, "expYear": 2031, "autoTopUp": True},
        "userErrors": [],
    }
    assert [e["code"] for e in bad["registerCard"]["userErrors"]] == ["CARD_INVALID"]
    assert await Card.filter(organization=org).count() == 1
    assert (await Card.get(organization=org)).last4 == "4242"


async def _due_mailboxes(org, count: int, *, days: int = 3, period: RenewalPeriod = RenewalPeriod.YEARLY):
    await seed_default_prices()
    domain = await make_domain(owner=org, auto_renew_payer=org)
    today = business_today()
    return [
        await make_mailbox(
            domain=domain, expires_at=today + dt.timedelta(days=days), period=period, payer=org
        )
        for _ in range(count)
    ], domain


async def test_upcoming_renewals_and_balance_short(with_token) -> None:
    org, user = await _member(Role.OWNER, balance=1500)
    boxes, _ = await _due_mailboxes(org, 2)  # 2 x 10.00 due, 15.00 on the account
    client = await with_token(user)
    query = """
    query($org: ID!, $box: ID!) {
      upcomingRenewals(organizationId: $org) { days totalCents balanceCents shortfallCents coveredByCard currency
        items { kind label amountCents expiresAt date } }
      mailbox(id: $box) { warnings { code amountCents message } }
    }"""

    data = await client.execute(
        query, {"org": gid("Organization", org.id), "box": gid("Mailbox", boxes[0].id)}
    )

    forecast = data["upcomingRenewals"]
    assert (forecast["days"], forecast["totalCents"], forecast["balanceCents"]) == (30, 2000, 1500)
    assert (forecast["shortfallCents"], forecast["coveredByCard"], forecast["currency"]) == (
        500,
        False,
        "EUR",
    )
    assert [i["label"] for i in forecast["items"]] == sorted(b.address for b in boxes)
    assert data["mailbox"]["warnings"] == [
        {
            "code": "BALANCE_SHORT",
            "amountCents": 500,
            "message": "The prepaid balance of Acme is short by €5.00 for the coming renewals.",
        }
    ]

    await make_card(org=org)
    covered = await client.execute(
        query, {"org": gid("Organization", org.id), "box": gid("Mailbox", boxes[0].id)}
    )
    assert covered["upcomingRenewals"]["coveredByCard"] is True
    assert covered["mailbox"]["warnings"] == []


async def test_upcoming_renewals_of_a_foreign_organization_is_an_error(with_token) -> None:
    _, user = await _member(Role.OWNER)
    stranger = await make_org()
    client = await with_token(user)
    body = (
        await client.post(
            "query($o: ID!) { upcomingRenewals(organizationId: $o) { totalCents } }",
            {"o": gid("Organization", stranger.id)},
        )
    ).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_renewal_attempts_and_the_ledger_after_a_sweep(with_token) -> None:
    org, user = await _member(Role.OWNER, balance=5000)
    (box,), _ = await _due_mailboxes(org, 1)
    await run_sweep(business_today())
    client = await with_token(user)

    data = await client.execute(
        """query($box: ID!, $org: ID!) {
          mailbox(id: $box) { renewalAttempts(first: 5) { totalCount nodes { outcome failureReason amountCents
            businessDay termExpiresAt newExpiresAt payer { name } } } }
          organization(id: $org) { prepaidBalanceCents ledger(first: 1) { nodes { kind amountCents balanceAfterCents } } }
        }""",
        {"box": gid("Mailbox", box.id), "org": gid("Organization", org.id)},
    )

    (attempt,) = data["mailbox"]["renewalAttempts"]["nodes"]
    assert attempt["outcome"] == "SUCCEEDED"
    assert attempt["amountCents"] == 1000
    assert attempt["termExpiresAt"] == box.expires_at.isoformat()
    assert attempt["payer"] == {"name": "Acme"}
    assert data["organization"]["prepaidBalanceCents"] == 4000
    assert data["organization"]["ledger"]["nodes"] == [
        {"kind": "RENEWAL", "amountCents": -1000, "balanceAfterCents": 4000}
    ]


@pytest.mark.parametrize("organizations", [1, 8])
async def test_organizations_with_their_ledgers_cost_constant_statements(
    with_token, organizations: int
) -> None:
    user = await make_user()
    for n in range(organizations):
        org = await make_org(name=f"Org {n}", balance_cents=100 + n)
        from mailrenew.accounts.models import Membership

        await Membership.create(user=user, organization=org, role=Role.OWNER)
    client = await with_token(user)
    with count_statements() as statements:
        data = await client.execute(
            "{ organizations(first: 50) { nodes { name prepaidBalanceCents card { last4 } "
            "ledger(first: 3) { totalCount nodes { amountCents } } } } }"
        )
    assert len(data["organizations"]["nodes"]) == organizations
    assert statements.count == 8, str(statements)
