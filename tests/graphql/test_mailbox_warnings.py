"""The warnings that tell a mailbox depends on its domain (SPEC "Managing auto-renew"), in the viewer's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mailrenew.accounts.models import Language, Role, User
from mailrenew.hosting.models import Domain, DomainStatus, Mailbox, RenewalPeriod
from tests.factories import make_domain, make_mailbox, make_org, make_user
from tests.graphql.helpers import gid, warning
from tests.graphql.reads_world import PLENTY, day

WARNINGS = """
query Warnings($id: ID!) { mailbox(id: $id) { warnings { code message amountCents } } }
"""


async def warnings_of(signed_in, user: User, mailbox: Mailbox) -> list[dict[str, Any]]:
    client = await signed_in(user)
    data = await client.execute(WARNINGS, {"id": gid("Mailbox", mailbox.id)})
    return data["mailbox"]["warnings"]


async def test_warns_when_the_mailbox_renews_but_its_domain_does_not(signed_in) -> None:
    # given a mailbox on monthly auto-renew (next term ends in two months) on a domain that is off but
    # expires long after that
    acme = await make_org(balance_cents=PLENTY)
    domain = await make_domain(owner=acme, fqdn="acme.example", expires_at=day(300))
    box = await make_mailbox(domain=domain, expires_at=day(30), period=RenewalPeriod.MONTHLY, payer=acme)

    # when its warnings are read
    found = await warnings_of(signed_in, await make_user(roles={acme: Role.OWNER}), box)

    # then the domain's auto-renew is said to be off, and nothing else
    assert found == [{**warning("DOMAIN_AUTO_RENEW_OFF", fqdn="acme.example"), "amountCents": None}]


async def test_warns_when_the_domain_expires_before_the_mailbox_next_term_ends(signed_in) -> None:
    # given a yearly mailbox whose next term ends on 2028-03-31, on a domain off that expires before that
    acme = await make_org(balance_cents=PLENTY)
    domain = await make_domain(owner=acme, fqdn="acme.example", expires_at=dt.date(2028, 3, 30))
    box = await make_mailbox(
        domain=domain, expires_at=dt.date(2027, 3, 31), period=RenewalPeriod.YEARLY, payer=acme
    )

    found = await warnings_of(signed_in, await make_user(roles={acme: Role.OWNER}), box)

    assert found == [
        {**warning("DOMAIN_AUTO_RENEW_OFF", fqdn="acme.example"), "amountCents": None},
        {**warning("DOMAIN_EXPIRES_FIRST", fqdn="acme.example", date="2028-03-30"), "amountCents": None},
    ]


async def test_a_domain_expiring_the_day_the_mailbox_term_ends_does_not_expire_first(signed_in) -> None:
    # given a monthly mailbox expiring on 31 January: its next term ends on 28 February (not 3 March)
    acme = await make_org(balance_cents=PLENTY)
    on_time = await make_domain(owner=acme, fqdn="on-time.example", expires_at=dt.date(2028, 2, 29))
    early = await make_domain(owner=acme, fqdn="early.example", expires_at=dt.date(2028, 2, 28))
    args = {"expires_at": dt.date(2028, 1, 31), "period": RenewalPeriod.MONTHLY, "payer": acme}
    box_on_time = await make_mailbox(domain=on_time, **args)
    box_early = await make_mailbox(domain=early, **args)
    user = await make_user(roles={acme: Role.OWNER})

    # then: a domain that lasts until the term's end is fine; one that lapses a day before is not
    assert [w["code"] for w in await warnings_of(signed_in, user, box_on_time)] == ["DOMAIN_AUTO_RENEW_OFF"]
    assert [w["code"] for w in await warnings_of(signed_in, user, box_early)] == [
        "DOMAIN_AUTO_RENEW_OFF",
        "DOMAIN_EXPIRES_FIRST",
    ]


async def test_no_warning_when_the_mailbox_auto_renew_is_off(signed_in) -> None:
    # given a mailbox off on a domain that is off and expires tomorrow
    acme = await make_org(balance_cents=PLENTY)
    domain = await make_domain(owner=acme, expires_at=day(1))
    box = await make_mailbox(domain=domain, expires_at=day(30))

    assert await warnings_of(signed_in, await make_user(roles={acme: Role.OWNER}), box) == []


async def test_no_warning_when_the_domain_renews_itself(signed_in) -> None:
    # given a yearly mailbox on a domain on auto-renew that expires first: it will renew in its own window
    acme = await make_org(balance_cents=PLENTY)
    domain = await make_domain(owner=acme, expires_at=day(100), auto_renew_payer=acme)
    box = await make_mailbox(domain=domain, expires_at=day(30), period=RenewalPeriod.YEARLY, payer=acme)

    assert await warnings_of(signed_in, await make_user(roles={acme: Role.OWNER}), box) == []


async def test_a_domain_whose_renewal_failed_expires_first_even_on_auto_renew(signed_in) -> None:
    acme = await make_org(balance_cents=PLENTY)
    domain = await make_domain(owner=acme, fqdn="failed.example", expires_at=day(3), auto_renew_payer=acme)
    await Domain.filter(id=domain.id).update(status=DomainStatus.RENEWAL_FAILED)
    box = await make_mailbox(domain=domain, expires_at=day(30), period=RenewalPeriod.MONTHLY, payer=acme)

    found = await warnings_of(signed_in, await make_user(roles={acme: Role.OWNER}), box)

    assert found == [
        {
            **warning("DOMAIN_EXPIRES_FIRST", fqdn="failed.example", date=day(3).isoformat()),
            "amountCents": None,
        }
    ]


async def test_warnings_are_in_french_for_a_french_user(signed_in) -> None:
    acme = await make_org(balance_cents=PLENTY)
    domain = await make_domain(owner=acme, fqdn="acme.example", expires_at=dt.date(2028, 3, 30))
    box = await make_mailbox(
        domain=domain, expires_at=dt.date(2027, 3, 31), period=RenewalPeriod.YEARLY, payer=acme
    )
    french = await make_user(language=Language.FR, roles={acme: Role.MEMBER})

    found = await warnings_of(signed_in, french, box)

    assert [{"code": w["code"], "message": w["message"]} for w in found] == [
        warning("DOMAIN_AUTO_RENEW_OFF", language="fr", fqdn="acme.example"),
        warning("DOMAIN_EXPIRES_FIRST", language="fr", fqdn="acme.example", date="30/03/2028"),
    ]
    assert found[0]["message"] == (
        "Le domaine acme.example n'est pas en renouvellement automatique : la boîte mail en dépend."
    )
