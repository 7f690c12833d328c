"""A domain's page: its mailboxes (ordered, paged) and forwards, and the fields the console's views read."""

from __future__ import annotations

import pytest

from mailrenew.accounts.models import Organization, Role
from mailrenew.hosting.models import Domain, DomainStatus, Mailbox, MailboxOffer, MailboxStatus, RenewalPeriod
from tests.factories import make_domain, make_forward, make_mailbox, make_org, make_user
from tests.graphql.helpers import gid
from tests.graphql.reads_world import PLENTY, day, make_fleet

MAILBOXES = """
query Mailboxes($id: ID!, $first: Int, $after: String, $orderBy: MailboxOrder) {
  domain(id: $id) {
    mailboxes(first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      nodes { address }
    }
  }
}
"""


async def test_mailbox_count(signed_in) -> None:
    acme = await make_org()
    await make_fleet(acme)
    client = await signed_in(await make_user(roles={acme: Role.OWNER}))

    data = await client.execute("{ domains { nodes { fqdn mailboxCount } } }")

    assert data["domains"]["nodes"] == [
        {"fqdn": "alpha.example", "mailboxCount": 0},
        {"fqdn": "bravo.example", "mailboxCount": 3},
        {"fqdn": "charlie.example", "mailboxCount": 2},
        {"fqdn": "delta.example", "mailboxCount": 1},
    ]


async def make_tab(org: Organization) -> Domain:
    """A domain with four mailboxes of distinct expiry dates and statuses, next to another domain's."""
    domain = await make_domain(owner=org, fqdn="acme.example")
    for local, expires_in, status in [
        ("bob", 40, MailboxStatus.RENEWAL_FAILED),
        ("alice", 20, MailboxStatus.ACTIVE),
        ("dave", 10, MailboxStatus.EXPIRED),
        ("carol", 30, MailboxStatus.ACTIVE),
    ]:
        box = await make_mailbox(domain=domain, local_part=local, expires_at=day(expires_in))
        await Mailbox.filter(id=box.id).update(status=status)
    await make_mailbox(domain=await make_domain(owner=org, fqdn="other.example"), local_part="aaron")
    return domain


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        (None, ["alice", "bob", "carol", "dave"]),
        ({"field": "ADDRESS", "direction": "ASC"}, ["alice", "bob", "carol", "dave"]),
        ({"field": "ADDRESS", "direction": "DESC"}, ["dave", "carol", "bob", "alice"]),
        ({"field": "EXPIRES_AT", "direction": "ASC"}, ["dave", "alice", "carol", "bob"]),
        ({"field": "EXPIRES_AT", "direction": "DESC"}, ["bob", "carol", "alice", "dave"]),
        # by status, ties by id in the same direction: alice (ACTIVE, created before carol)
        ({"field": "STATUS", "direction": "ASC"}, ["alice", "carol", "dave", "bob"]),
        ({"field": "STATUS", "direction": "DESC"}, ["bob", "dave", "carol", "alice"]),
    ],
)
async def test_mailboxes_of_a_domain_in_order(
    signed_in, order_by: dict[str, str] | None, expected: list[str]
) -> None:
    acme = await make_org()
    domain = await make_tab(acme)
    client = await signed_in(await make_user(roles={acme: Role.MEMBER}))

    data = await client.execute(MAILBOXES, {"id": gid("Domain", domain.id), "orderBy": order_by})

    assert [n["address"] for n in data["domain"]["mailboxes"]["nodes"]] == [
        f"{local}@acme.example" for local in expected
    ]
    assert data["domain"]["mailboxes"]["totalCount"] == 4


async def test_mailboxes_of_a_domain_page_by_cursor(signed_in) -> None:
    acme = await make_org()
    domain = await make_tab(acme)
    client = await signed_in(await make_user(roles={acme: Role.OWNER}))
    order = {"field": "EXPIRES_AT", "direction": "ASC"}

    pages, after = [], None
    for _ in range(3):
        page = (
            await client.execute(
                MAILBOXES, {"id": gid("Domain", domain.id), "first": 3, "after": after, "orderBy": order}
            )
        )["domain"]["mailboxes"]
        pages.append(page)
        after = page["pageInfo"]["endCursor"]

    assert [[n["address"].split("@")[0] for n in p["nodes"]] for p in pages] == [
        ["dave", "alice", "carol"],
        ["bob"],
        [],
    ]
    assert [(p["pageInfo"]["hasNextPage"], p["pageInfo"]["hasPreviousPage"]) for p in pages] == [
        (True, False),
        (False, True),
        (False, True),
    ]
    assert [p["totalCount"] for p in pages] == [4, 4, 4]


async def test_forwards_are_listed_with_their_full_address_and_destinations(signed_in) -> None:
    acme = await make_org()
    domain = await make_domain(owner=acme, fqdn="acme.example")
    await make_forward(domain=domain, source="info", destinations=["contact@acme.example", "x@example.org"])
    await make_forward(domain=domain, source="careers", destinations=["jobs@acme.example"])
    await make_forward(domain=await make_domain(owner=acme, fqdn="other.example"), source="info")
    client = await signed_in(await make_user(roles={acme: Role.MEMBER}))

    data = await client.execute(
        "query($id: ID!) { domain(id: $id) { forwards { source address destinations } } }",
        {"id": gid("Domain", domain.id)},
    )

    assert data["domain"]["forwards"] == [
        {"source": "careers", "address": "careers@acme.example", "destinations": ["jobs@acme.example"]},
        {
            "source": "info",
            "address": "info@acme.example",
            "destinations": ["contact@acme.example", "x@example.org"],
        },
    ]


async def test_advanced_view_fields(signed_in) -> None:
    # given a domain on auto-renew paid by Globex, and one off
    acme, globex = await make_org(name="Acme"), await make_org(name="Globex")
    on = await make_domain(owner=acme, fqdn="a-on.example", expires_at=day(10), auto_renew_payer=globex)
    await make_mailbox(domain=on)
    off = await make_domain(owner=acme, fqdn="b-off.example", expires_at=day(300))
    await Domain.filter(id=off.id).update(status=DomainStatus.EXPIRED)
    client = await signed_in(await make_user(roles={acme: Role.ADMIN}))

    # when the advanced view asks for its columns
    data = await client.execute(
        "{ domains { nodes { fqdn expiresAt status mailboxCount viewerCanManage"
        " autoRenew { enabled payer { name } } owner { name } } } }"
    )

    # then
    assert data["domains"]["nodes"] == [
        {
            "fqdn": "a-on.example",
            "expiresAt": day(10).isoformat(),
            "status": "ACTIVE",
            "mailboxCount": 1,
            "viewerCanManage": True,
            "autoRenew": {"enabled": True, "payer": {"name": "Globex"}},
            "owner": {"name": "Acme"},
        },
        {
            "fqdn": "b-off.example",
            "expiresAt": day(300).isoformat(),
            "status": "EXPIRED",
            "mailboxCount": 0,
            "viewerCanManage": True,
            "autoRenew": {"enabled": False, "payer": None},
            "owner": {"name": "Acme"},
        },
    ]


async def test_mailbox_fields(signed_in) -> None:
    acme = await make_org(name="Acme", balance_cents=PLENTY)
    domain = await make_domain(owner=acme, fqdn="acme.example", auto_renew_payer=acme)
    box = await make_mailbox(
        domain=domain,
        local_part="sales",
        offer=MailboxOffer.PREMIUM,
        expires_at=day(12),
        period=RenewalPeriod.MONTHLY,
        payer=acme,
    )
    client = await signed_in(await make_user(roles={acme: Role.MEMBER}))

    data = await client.execute(
        "query($id: ID!) { mailbox(id: $id) { address localPart offer status expiresAt viewerCanManage"
        " autoRenew { enabled period payer { id name } } warnings { code } } }",
        {"id": gid("Mailbox", box.id)},
    )

    assert data["mailbox"] == {
        "address": "sales@acme.example",
        "localPart": "sales",
        "offer": "PREMIUM",
        "status": "ACTIVE",
        "expiresAt": day(12).isoformat(),
        "viewerCanManage": False,
        "autoRenew": {
            "enabled": True,
            "period": "MONTHLY",
            "payer": {"id": gid("Organization", acme.id), "name": "Acme"},
        },
        "warnings": [],
    }
