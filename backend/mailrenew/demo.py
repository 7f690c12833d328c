"""The demo data of API.md's "Demo data" section, loaded by ``mailrenew seed-demo`` (idempotent)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mailrenew.accounts import service as accounts
from mailrenew.accounts.models import Language, Organization, Role, User
from mailrenew.billing import service as billing
from mailrenew.db import atomic
from mailrenew.hosting import service as hosting
from mailrenew.hosting.models import Domain, Forward, MailboxOffer, RenewalPeriod

ORGANIZATIONS = {"Acme SARL": 5000, "Globex": 200, "Initech": 10000}

USERS: list[tuple[str, str, Language, list[tuple[str, Role]]]] = [
    ("owner@acme.example", "Alice Owner", Language.FR, [("Acme SARL", Role.OWNER), ("Globex", Role.BILLING)]),
    ("admin@acme.example", "Adam Admin", Language.EN, [("Acme SARL", Role.ADMIN)]),
    ("billing@acme.example", "Bella Billing", Language.FR, [("Acme SARL", Role.BILLING)]),
    ("member@acme.example", "Max Member", Language.EN, [("Acme SARL", Role.MEMBER)]),
    ("owner@initech.example", "Ines Initech", Language.EN, [("Initech", Role.OWNER)]),
]

ACME_MAILBOXES = [
    # (local part, offer, days until expiry, auto-renew period or None)
    ("contact", MailboxOffer.STANDARD, 2, RenewalPeriod.YEARLY),
    ("sales", MailboxOffer.PREMIUM, 4, None),
    ("support", MailboxOffer.STANDARD, 5, RenewalPeriod.MONTHLY),
    ("jobs", MailboxOffer.STANDARD, 1, None),
    ("alice", MailboxOffer.PREMIUM, 40, RenewalPeriod.YEARLY),
    ("adam", MailboxOffer.STANDARD, 95, None),
    ("billing", MailboxOffer.STANDARD, 200, RenewalPeriod.MONTHLY),
    ("press", MailboxOffer.STANDARD, 330, None),
    ("noreply", MailboxOffer.STANDARD, 12, None),
]

# (fqdn, owner, days until expiry, domain auto-renew, mailboxes: [(local part, offer, days)])
OTHER_DOMAINS: list[tuple[str, str, int, bool, list[tuple[str, MailboxOffer, int]]]] = [
    ("acme-shop.example", "Acme SARL", 300, True, []),
    (
        "globex.example",
        "Globex",
        60,
        True,
        [
            ("hello", MailboxOffer.STANDARD, 3),
            ("ceo", MailboxOffer.PREMIUM, 25),
            ("ops", MailboxOffer.STANDARD, 150),
        ],
    ),
    (
        "initech.example",
        "Initech",
        120,
        True,
        [
            ("peter", MailboxOffer.STANDARD, 4),
            ("milton", MailboxOffer.STANDARD, 60),
            ("bill", MailboxOffer.PREMIUM, 90),
        ],
    ),
    ("globex-labs.example", "Globex", 210, False, [("lab", MailboxOffer.STANDARD, 45)]),
    ("initech-tps.example", "Initech", 33, False, []),
]
for n, days in enumerate(
    [20, 45, 70, 90, 110, 130, 150, 170, 190, 220, 240, 260, 280, 310, 340, 365, 15, 8, 3, 400, 55, 75, 95]
):
    OTHER_DOMAINS.append(
        (
            f"acme-{n + 1:02d}.example",
            "Acme SARL",
            days,
            n % 3 == 0,
            [(f"box{k}", MailboxOffer.STANDARD, days + 10 * k) for k in range(n % 4)],
        )
    )
BIG_DOMAIN_MAILBOXES = 250


@dataclass
class SeedReport:
    created: bool
    password: str
    users: list[str]


async def seed_demo(*, today: dt.date, password: str) -> SeedReport:
    """Load the demo data into an empty database; on a database that has it already, change nothing."""
    if await User.filter(email="owner@acme.example").exists():
        return SeedReport(created=False, password=password, users=[u[0] for u in USERS])
    async with atomic():
        await billing.seed_default_prices()
        orgs: dict[str, Organization] = {}
        for name, opening in ORGANIZATIONS.items():
            orgs[name] = await accounts.create_organization(name)
            await billing.open_account(orgs[name], opening_cents=opening)
        await billing.attach_card(
            orgs["Acme SARL"],
            brand="VISA",
            last4="4242",
            exp_month=12,
            exp_year=today.year + 3,
            gateway_token="sim_tok_4242424242424242",
            auto_top_up=True,
        )
        for email, name, language, roles in USERS:
            user = await accounts.create_user(email, password, display_name=name, language=language)
            for org_name, role in roles:
                await accounts.add_member(user, orgs[org_name], role)
        acme = orgs["Acme SARL"]

        main = await hosting.create_domain("acme.example", acme, today + dt.timedelta(days=180))
        await Domain.filter(id=main.id).update(auto_renew_enabled=True, auto_renew_payer_id=acme.id)
        boxes = await hosting.create_mailboxes(
            main,
            [(local, offer, today + dt.timedelta(days=days)) for local, offer, days, _ in ACME_MAILBOXES],
        )
        for box, (_, _, _, period) in zip(boxes, ACME_MAILBOXES, strict=True):
            if period is not None:
                box.auto_renew_enabled, box.auto_renew_period, box.auto_renew_payer_id = True, period, acme.id
                await box.save(
                    update_fields=["auto_renew_enabled", "auto_renew_period", "auto_renew_payer_id"]
                )
        await hosting.create_forward(main, "info", ["contact@acme.example", "sales@acme.example"])
        await hosting.create_forward(main, "hello", ["alice@acme.example"])
        await hosting.create_forward(main, "careers", ["jobs@acme.example", "alice@example.org"])

        big = await hosting.create_domain("acme-big.example", acme, today + dt.timedelta(days=400))
        await hosting.create_mailboxes(
            big,
            [
                (
                    f"user{n:03d}",
                    MailboxOffer.PREMIUM if n % 10 == 0 else MailboxOffer.STANDARD,
                    today + dt.timedelta(days=3 + (n * 7) % 360),
                )
                for n in range(1, BIG_DOMAIN_MAILBOXES + 1)
            ],
        )
        for fqdn, owner, days, auto_renew, mailboxes in OTHER_DOMAINS:
            domain = await hosting.create_domain(fqdn, orgs[owner], today + dt.timedelta(days=days))
            if auto_renew:
                await Domain.filter(id=domain.id).update(
                    auto_renew_enabled=True, auto_renew_payer_id=orgs[owner].id
                )
            if mailboxes:
                await hosting.create_mailboxes(
                    domain, [(local, offer, today + dt.timedelta(days=d)) for local, offer, d in mailboxes]
                )
        await Forward.get_or_create(
            domain=await Domain.get(fqdn="globex.example"),
            source="info",
            defaults={"destinations": ["hello@globex.example"]},
        )
    return SeedReport(created=True, password=password, users=[u[0] for u in USERS])
