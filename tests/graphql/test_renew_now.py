"""renewNow: a user renews a term at once (or restores an expired item), never paying a term twice."""

from __future__ import annotations

import datetime as dt

import pytest

from mailrenew.accounts.models import Role
from mailrenew.billing.gateway import SimulatedGateway
from mailrenew.billing.models import (
    CardCharge,
    ChargePurpose,
    GatewayCharge,
    LedgerEntry,
    LedgerKind,
    PrepaidAccount,
)
from mailrenew.billing.service import seed_default_prices
from mailrenew.config import business_today
from mailrenew.graphql.relay import to_global_id
from mailrenew.hosting.models import Mailbox, MailboxStatus, RenewalPeriod
from mailrenew.renewal.models import AttemptOutcome, AttemptTrigger, RenewalAttempt
from mailrenew.renewal.sweep import run_sweep
from tests.factories import make_card, make_domain, make_mailbox, make_org, make_user

RENEW_NOW = """
mutation($item: ID!, $key: String!) {
  renewNow(itemId: $item, idempotencyKey: $key) {
    mailbox { expiresAt status renewal { state renewedUntil viewerCanRenewNow } }
    domain { expiresAt }
    userErrors { field code message }
  }
}"""
STATUS = """
query($id: ID!) { mailbox(id: $id) { renewal { state viewerCanRenewNow amountCents } } }"""
YEARLY = 1000


async def _world(
    role: Role = Role.OWNER, *, balance: int = 5_000, expires_in: int = 3, status=MailboxStatus.ACTIVE
):
    await seed_default_prices()
    today = business_today()
    org = await make_org(name="Acme", balance_cents=balance)
    user = await make_user(roles={org: role})
    domain = await make_domain(owner=org, auto_renew_payer=org, expires_at=today + dt.timedelta(days=400))
    box = await make_mailbox(
        domain=domain,
        local_part="sales",
        expires_at=today + dt.timedelta(days=expires_in),
        period=RenewalPeriod.YEARLY,
        payer=org,
    )
    await Mailbox.filter(id=box.id).update(status=status)
    return org, user, await Mailbox.get(id=box.id)


def _add_year(day: dt.date) -> dt.date:
    return day.replace(year=day.year + 1)


async def test_renew_now_pays_the_term_once_and_a_repeated_request_answers_the_first(with_token) -> None:
    org, user, box = await _world(status=MailboxStatus.RENEWAL_FAILED, expires_in=1)
    client = await with_token(user)
    args = {"item": to_global_id("Mailbox", box.id), "key": "click-1"}

    first = (await client.execute(RENEW_NOW, args))["renewNow"]
    again = (await client.execute(RENEW_NOW, args))["renewNow"]

    assert first["userErrors"] == []
    assert first["mailbox"]["expiresAt"] == _add_year(box.expires_at).isoformat()
    assert first["mailbox"]["status"] == "ACTIVE"
    assert first["mailbox"]["renewal"]["renewedUntil"] == _add_year(box.expires_at).isoformat()
    assert again == first  # the same key: the first answer, nothing paid again
    (debit,) = await LedgerEntry.filter(kind=LedgerKind.RENEWAL)
    assert (
        debit.idempotency_key == f"renewal:mailbox:{box.id}:{box.expires_at.isoformat()}"
    )  # the window's key
    assert (await PrepaidAccount.get(organization_id=org.id)).balance_cents == 5_000 - YEARLY
    (attempt,) = await RenewalAttempt.all()
    assert (attempt.trigger, attempt.outcome) == (AttemptTrigger.MANUAL, AttemptOutcome.SUCCEEDED)


async def test_the_window_does_not_pay_a_term_renewed_by_hand_the_same_day(with_token) -> None:
    _, user, box = await _world(expires_in=3)
    client = await with_token(user)
    await client.execute(RENEW_NOW, {"item": to_global_id("Mailbox", box.id), "key": "k"})

    report = await run_sweep(business_today())

    assert report.renewed == 0
    assert await LedgerEntry.filter(kind=LedgerKind.RENEWAL).count() == 1


async def test_an_expired_mailbox_is_restored_within_the_grace_period(with_token) -> None:
    _, user, box = await _world(expires_in=-10, status=MailboxStatus.EXPIRED)
    client = await with_token(user)

    before = (await client.execute(STATUS, {"id": to_global_id("Mailbox", box.id)}))["mailbox"]["renewal"]
    result = (await client.execute(RENEW_NOW, {"item": to_global_id("Mailbox", box.id), "key": "k"}))[
        "renewNow"
    ]

    assert before == {
        "state": "EXPIRED",
        "viewerCanRenewNow": True,
        "amountCents": YEARLY,
    }  # what it will cost
    assert result["userErrors"] == []
    assert result["mailbox"]["status"] == "ACTIVE"
    assert result["mailbox"]["expiresAt"] == _add_year(box.expires_at).isoformat()


async def test_a_lapsed_mailbox_is_refused_and_nothing_changes(with_token) -> None:
    _org, user, box = await _world(expires_in=-40, status=MailboxStatus.EXPIRED)
    client = await with_token(user)

    result = (await client.execute(RENEW_NOW, {"item": to_global_id("Mailbox", box.id), "key": "k"}))[
        "renewNow"
    ]

    assert [e["code"] for e in result["userErrors"]] == ["RENEWAL_LAPSED"]
    assert result["userErrors"][0]["field"] == ["itemId"]
    assert "sales@" in result["userErrors"][0]["message"]
    assert (await Mailbox.get(id=box.id)).expires_at == box.expires_at
    assert await LedgerEntry.filter(kind=LedgerKind.RENEWAL).count() == 0


@pytest.mark.parametrize(
    ("role", "code"), [(Role.ADMIN, "PAYER_NOT_ALLOWED"), (Role.MEMBER, "PAYER_NOT_ALLOWED")]
)
async def test_only_owner_and_billing_of_the_payer_may_renew_now(with_token, role: Role, code: str) -> None:
    _, user, box = await _world(role)
    client = await with_token(user)

    status = (await client.execute(STATUS, {"id": to_global_id("Mailbox", box.id)}))["mailbox"]["renewal"]
    result = (await client.execute(RENEW_NOW, {"item": to_global_id("Mailbox", box.id), "key": "k"}))[
        "renewNow"
    ]

    assert status["viewerCanRenewNow"] is False
    assert status["amountCents"] == YEARLY  # SCHEDULED: the next attempt's amount
    assert [e["code"] for e in result["userErrors"]] == [code]
    assert await LedgerEntry.filter(kind=LedgerKind.RENEWAL).count() == 0


async def test_an_item_of_another_customer_is_not_found(with_token) -> None:
    _, _, box = await _world()
    stranger = await make_user(roles={await make_org(name="Other"): Role.OWNER})
    client = await with_token(stranger)

    result = (await client.execute(RENEW_NOW, {"item": to_global_id("Mailbox", box.id), "key": "k"}))[
        "renewNow"
    ]

    assert [e["code"] for e in result["userErrors"]] == ["NOT_FOUND"]


async def test_a_short_balance_is_topped_up_from_the_card_by_the_shortfall(with_token) -> None:
    org, user, box = await _world(balance=300)
    await make_card(
        org=org, auto_top_up=False
    )  # renewing by hand may use the card even without automatic top-up
    client = await with_token(user)

    result = (await client.execute(RENEW_NOW, {"item": to_global_id("Mailbox", box.id), "key": "k"}))[
        "renewNow"
    ]

    assert result["userErrors"] == []
    assert await GatewayCharge.all().values_list("amount_cents", flat=True) == [YEARLY - 300]
    assert (await CardCharge.get()).purpose == ChargePurpose.RENEW_NOW
    assert (await PrepaidAccount.get(organization_id=org.id)).balance_cents == 0


async def test_a_declined_card_answers_why_and_changes_nothing(with_token) -> None:
    org, user, box = await _world(balance=0)
    await make_card(org=org, number=SimulatedGateway.DECLINED)
    client = await with_token(user)

    result = (await client.execute(RENEW_NOW, {"item": to_global_id("Mailbox", box.id), "key": "k"}))[
        "renewNow"
    ]

    assert [e["code"] for e in result["userErrors"]] == ["CARD_DECLINED"]
    assert (await Mailbox.get(id=box.id)).expires_at == box.expires_at
    assert await RenewalAttempt.all().count() == 0


async def test_no_money_and_no_card_is_insufficient_funds(with_token) -> None:
    _, user, box = await _world(balance=0)
    client = await with_token(user)

    result = (await client.execute(RENEW_NOW, {"item": to_global_id("Mailbox", box.id), "key": "k"}))[
        "renewNow"
    ]

    assert [e["code"] for e in result["userErrors"]] == ["INSUFFICIENT_FUNDS"]
