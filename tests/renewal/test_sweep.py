"""The daily renewal window: who is charged, how much, when, and each term exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from mailrenew.accounts.models import Language, Membership, Role
from mailrenew.billing.gateway import SimulatedGateway, get_gateway
from mailrenew.billing.models import GatewayCharge, LedgerEntry, LedgerKind, PrepaidAccount
from mailrenew.billing.service import attach_card, seed_default_prices
from mailrenew.hosting.models import Domain, Mailbox, MailboxOffer, MailboxStatus, RenewalPeriod
from mailrenew.notify.models import MessageKind, OutboxMessage
from mailrenew.renewal.models import AttemptOutcome, FailureReason, RenewalAttempt
from mailrenew.renewal.sweep import run_sweep
from tests.factories import TODAY, make_card, make_domain, make_mailbox, make_org, make_user

YEARLY_STANDARD = 1000
MONTHLY_STANDARD = 100


async def _world(
    *, balance: int, expires_in: int = 3, period: RenewalPeriod = RenewalPeriod.YEARLY, count: int = 1
):
    await seed_default_prices()
    org = await make_org(name="Payer", balance_cents=balance)
    owner = await make_user(roles={org: Role.OWNER})
    domain = await make_domain(owner=org, auto_renew_payer=org, expires_at=TODAY + dt.timedelta(days=300))
    boxes = [
        await make_mailbox(
            domain=domain,
            local_part=f"box{n}",
            expires_at=TODAY + dt.timedelta(days=expires_in),
            period=period,
            payer=org,
        )
        for n in range(count)
    ]
    return org, owner, domain, boxes


async def _balance(org) -> int:
    return (await PrepaidAccount.get(organization=org)).balance_cents


async def test_a_due_mailbox_is_renewed_from_the_payer_account() -> None:
    org, owner, _, (box,) = await _world(balance=5000, expires_in=3)

    report = await run_sweep(TODAY)

    renewed = await Mailbox.get(id=box.id)
    assert renewed.expires_at == box.expires_at.replace(year=box.expires_at.year + 1)
    assert renewed.status == MailboxStatus.ACTIVE
    assert await _balance(org) == 5000 - YEARLY_STANDARD
    debit = await LedgerEntry.get(kind=LedgerKind.RENEWAL)
    assert (debit.amount_cents, debit.balance_after_cents) == (-YEARLY_STANDARD, 5000 - YEARLY_STANDARD)
    assert debit.idempotency_key == f"renewal:mailbox:{box.id}:{box.expires_at.isoformat()}"
    attempt = await RenewalAttempt.get(mailbox_id=box.id)
    assert (attempt.outcome, attempt.amount_cents, attempt.business_day) == (
        AttemptOutcome.SUCCEEDED,
        YEARLY_STANDARD,
        TODAY,
    )
    assert attempt.ledger_entry_id == debit.id
    assert (report.renewed, report.charged_cents, report.failed_total) == (1, YEARLY_STANDARD, 0)
    receipts = await OutboxMessage.filter(kind=MessageKind.RENEWAL_RECEIPT).values_list("user_id", flat=True)
    assert receipts == [owner.id]


async def test_items_outside_the_window_are_left_alone() -> None:
    await seed_default_prices()
    org = await make_org(balance_cents=5000)
    domain = await make_domain(owner=org, auto_renew_payer=org)
    early = await make_mailbox(
        domain=domain, expires_at=TODAY + dt.timedelta(days=6), period=RenewalPeriod.YEARLY, payer=org
    )
    off = await make_mailbox(domain=domain, expires_at=TODAY + dt.timedelta(days=2))

    await run_sweep(TODAY)

    assert await RenewalAttempt.all().count() == 0
    assert (await Mailbox.get(id=early.id)).expires_at == early.expires_at
    assert (await Mailbox.get(id=off.id)).expires_at == off.expires_at


async def test_the_same_day_run_twice_charges_once() -> None:
    org, _, _, _boxes = await _world(balance=50_000, count=5, period=RenewalPeriod.MONTHLY)

    first = await run_sweep(TODAY)
    second = await run_sweep(TODAY)

    assert (first.renewed, second.renewed, second.failed_total) == (5, 0, 0)
    assert await LedgerEntry.filter(kind=LedgerKind.RENEWAL).count() == 5
    assert await RenewalAttempt.all().count() == 5
    assert await _balance(org) == 50_000 - 5 * MONTHLY_STANDARD


async def test_a_late_run_the_next_day_does_not_pay_the_term_again() -> None:
    org, _, _, (_box,) = await _world(balance=5000, expires_in=3, period=RenewalPeriod.MONTHLY)
    await run_sweep(TODAY)
    await run_sweep(TODAY + dt.timedelta(days=1))
    assert await LedgerEntry.filter(kind=LedgerKind.RENEWAL).count() == 1
    assert await _balance(org) == 5000 - MONTHLY_STANDARD


async def test_insufficient_funds_fail_and_are_retried_each_day_until_j1_then_expire() -> None:
    org, owner, _, (box,) = await _world(balance=50, expires_in=5)
    expiry = box.expires_at

    for days in range(5):  # J-5 … J-1
        report = await run_sweep(TODAY + dt.timedelta(days=days))
        assert report.failed == {"INSUFFICIENT_FUNDS": 1}
        status = (await Mailbox.get(id=box.id)).status
        assert status == (MailboxStatus.RENEWAL_FAILED if days == 4 else MailboxStatus.ACTIVE)

    expired = await run_sweep(expiry)

    assert expired.expired == 1
    assert (await Mailbox.get(id=box.id)).status == MailboxStatus.EXPIRED
    attempts = await RenewalAttempt.filter(mailbox_id=box.id).order_by("business_day")
    assert [a.business_day for a in attempts] == [TODAY + dt.timedelta(days=n) for n in range(5)]
    assert {a.failure_reason for a in attempts} == {FailureReason.INSUFFICIENT_FUNDS}
    assert await _balance(org) == 50
    kinds = await OutboxMessage.filter(user_id=owner.id).values_list("kind", flat=True)
    assert kinds.count(MessageKind.RENEWAL_FAILED) == 5
    assert kinds.count(MessageKind.EXPIRED) == 1
    assert kinds.count(MessageKind.PAYMENT_NOT_COVERED) == 1


async def test_a_card_with_automatic_top_up_covers_the_shortfall() -> None:
    org, _, _, (_box,) = await _world(balance=300)
    await make_card(org=org)

    report = await run_sweep(TODAY)

    assert report.renewed == 1
    top_up = await LedgerEntry.get(kind=LedgerKind.TOP_UP)
    assert top_up.amount_cents >= YEARLY_STANDARD - 300
    assert await GatewayCharge.all().count() == 1
    assert await _balance(org) == 300 + top_up.amount_cents - YEARLY_STANDARD


async def test_a_declined_card_fails_with_card_declined() -> None:
    org, _, _, (box,) = await _world(balance=0)
    await make_card(org=org, number=SimulatedGateway.DECLINED)

    report = await run_sweep(TODAY)

    assert report.failed == {"CARD_DECLINED": 1}
    assert await LedgerEntry.filter(kind__in=[LedgerKind.TOP_UP, LedgerKind.RENEWAL]).count() == 0
    assert (await RenewalAttempt.get(mailbox_id=box.id)).failure_reason == FailureReason.CARD_DECLINED


CARD_WORDS = {
    FailureReason.CARD_DECLINED: ("card of Payer was declined", "enregistrez une carte valide pour Payer"),
    FailureReason.CARD_INSUFFICIENT_FUNDS: ("refused for lack of funds", "refusée faute de provision"),
    FailureReason.CARD_EXPIRED: ("card of Payer has expired", "carte de paiement de Payer a expiré"),
}


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (SimulatedGateway.DECLINED, FailureReason.CARD_DECLINED),
        (SimulatedGateway.INSUFFICIENT, FailureReason.CARD_INSUFFICIENT_FUNDS),
        (None, FailureReason.CARD_EXPIRED),
    ],
)
async def test_each_card_outcome_has_its_reason_and_its_notice(
    number: str | None, reason: FailureReason
) -> None:
    org, owner, _, (box,) = await _world(balance=0)
    french = await make_user(language=Language.FR, roles={org: Role.OWNER})
    if number is None:  # a registered card that expired before the business day
        await attach_card(
            org,
            brand="VISA",
            last4="4242",
            exp_month=2,
            exp_year=TODAY.year,  # TODAY is in March
            gateway_token="sim_tok_4242_expired",
            auto_top_up=True,
        )
    else:
        await make_card(org=org, number=number)

    report = await run_sweep(TODAY)

    assert report.failed == {str(reason): 1}
    assert (await RenewalAttempt.get(mailbox_id=box.id)).failure_reason == reason
    assert await LedgerEntry.filter(kind__in=[LedgerKind.TOP_UP, LedgerKind.RENEWAL]).count() == 0
    assert await GatewayCharge.all().count() == (0 if reason is FailureReason.CARD_EXPIRED else 1)
    en = await OutboxMessage.get(kind=MessageKind.RENEWAL_FAILED, user_id=owner.id)
    fr = await OutboxMessage.get(kind=MessageKind.RENEWAL_FAILED, user_id=french.id)
    assert (en.language, fr.language) == ("en", "fr")
    for other, (en_words, fr_words) in CARD_WORDS.items():
        assert (en_words in en.body) is (other is reason), other
        assert (fr_words in fr.body) is (other is reason), other
    assert str(reason) not in en.body
    assert str(reason) not in fr.body


async def test_a_card_without_automatic_top_up_is_not_charged() -> None:
    org, _, _, _ = await _world(balance=0)
    await make_card(org=org, auto_top_up=False)
    report = await run_sweep(TODAY)
    assert report.failed == {"INSUFFICIENT_FUNDS": 1}
    assert await GatewayCharge.all().count() == 0


async def test_a_lost_gateway_answer_is_retried_with_the_same_key_and_charges_once() -> None:
    org, _, _, (box,) = await _world(balance=0)
    await make_card(org=org)
    gateway = get_gateway()
    assert isinstance(gateway, SimulatedGateway)
    gateway.lose_answers = 1  # the card is charged, the answer never comes back

    report = await run_sweep(TODAY)

    assert report.renewed == 1
    assert await GatewayCharge.all().count() == 1
    assert await LedgerEntry.filter(kind=LedgerKind.TOP_UP).count() == 1
    assert (await Mailbox.get(id=box.id)).expires_at > box.expires_at
    assert gateway.lose_answers == 0


async def test_a_payer_no_longer_authorised_is_not_charged() -> None:
    org, _owner, domain, _ = await _world(balance=5000)
    other = await make_org(name="Other payer", balance_cents=5000)
    setter = await make_user(roles={org: Role.ADMIN, other: Role.BILLING})
    box = await make_mailbox(
        domain=domain, expires_at=TODAY + dt.timedelta(days=2), period=RenewalPeriod.YEARLY, payer=other
    )
    await Mailbox.filter(id=box.id).update(auto_renew_set_by_id=setter.id)
    await Membership.filter(user=setter, organization=other).update(role=Role.MEMBER)

    report = await run_sweep(TODAY)

    assert report.failed == {"PAYER_NOT_ALLOWED": 1}
    assert await _balance(other) == 5000


async def test_a_mailbox_of_an_expired_domain_fails_with_domain_expired() -> None:
    await seed_default_prices()
    org = await make_org(balance_cents=5000)
    domain = await make_domain(owner=org, expires_at=TODAY - dt.timedelta(days=1))
    await make_mailbox(
        domain=domain, expires_at=TODAY + dt.timedelta(days=2), period=RenewalPeriod.YEARLY, payer=org
    )

    report = await run_sweep(TODAY)

    assert report.failed == {"DOMAIN_EXPIRED": 1}
    assert (await Domain.get(id=domain.id)).status == "EXPIRED"
    assert await _balance(org) == 5000


async def test_a_domain_renews_by_one_year() -> None:
    await seed_default_prices()
    org = await make_org(balance_cents=5000)
    domain = await make_domain(owner=org, auto_renew_payer=org, expires_at=dt.date(2027, 3, 4))
    await run_sweep(dt.date(2027, 3, 1))
    assert (await Domain.get(id=domain.id)).expires_at == dt.date(2028, 3, 4)
    assert await _balance(org) == 5000 - 1500


async def test_premium_and_monthly_use_their_catalogue_price() -> None:
    await seed_default_prices()
    org = await make_org(balance_cents=10_000)
    domain = await make_domain(owner=org)
    await make_mailbox(
        domain=domain,
        offer=MailboxOffer.PREMIUM,
        expires_at=TODAY + dt.timedelta(days=1),
        period=RenewalPeriod.MONTHLY,
        payer=org,
    )
    report = await run_sweep(TODAY)
    assert report.charged_cents == 500


async def test_fifty_renewals_at_once_against_a_balance_that_covers_ten() -> None:
    org, _, _, _boxes = await _world(balance=10 * MONTHLY_STANDARD, count=50, period=RenewalPeriod.MONTHLY)

    reports = await asyncio.gather(*(run_sweep(TODAY, batch_size=5) for _ in range(5)))

    outcomes = await RenewalAttempt.all().values_list("outcome", "failure_reason")
    assert sorted(outcomes) == sorted(
        [(AttemptOutcome.SUCCEEDED, None)] * 10
        + [(AttemptOutcome.FAILED, FailureReason.INSUFFICIENT_FUNDS)] * 40
    )
    assert sum(r.renewed for r in reports) == 10
    assert await _balance(org) == 0
    assert await LedgerEntry.filter(kind=LedgerKind.RENEWAL).count() == 10


async def test_dry_run_changes_nothing() -> None:
    org, _, _, boxes = await _world(balance=250, count=3, period=RenewalPeriod.MONTHLY)
    await make_mailbox(
        domain=(await Mailbox.get(id=boxes[0].id).prefetch_related("domain")).domain,
        local_part="late",
        expires_at=TODAY + dt.timedelta(days=4),
        period=RenewalPeriod.YEARLY,
        payer=org,
    )

    report = await run_sweep(TODAY, dry_run=True)

    assert (report.renewed, dict(report.failed), report.charged_cents) == (2, {"INSUFFICIENT_FUNDS": 2}, 200)
    assert len(report.planned) == 4
    assert await RenewalAttempt.all().count() == 0
    assert await _balance(org) == 250
    assert await OutboxMessage.all().count() == 0


async def test_dry_run_counts_on_the_card_in_every_batch() -> None:
    org, _, _, _ = await _world(balance=0, count=3, period=RenewalPeriod.MONTHLY)
    await make_card(org=org)

    report = await run_sweep(TODAY, dry_run=True, batch_size=1)

    assert (report.renewed, report.failed_total, report.charged_cents) == (3, 0, 300)
    assert await GatewayCharge.all().count() == 0
