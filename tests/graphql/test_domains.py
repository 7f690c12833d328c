"""Reading domains, mailboxes and forwards through the API: scoped to the viewer's organizations, filtered,
sorted, paginated, and the warnings that tell a mailbox depends on its domain (SPEC "Managing auto-renew")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from mailrenew.accounts.models import Language, Organization, Role, User
from mailrenew.hosting.models import (
    Domain,
    DomainStatus,
    Forward,
    Mailbox,
    MailboxOffer,
    MailboxStatus,
    RenewalPeriod,
)
from tests.factories import (
    TODAY,
    make_domain,
    make_forward,
    make_mailbox,
    make_mailboxes,
    make_org,
    make_user,
)
from tests.graphql.helpers import MALFORMED_IDS, OUT_OF_RANGE_KEYS, encoded, gid, warning

DOMAINS = """
query Domains($filter: DomainFilter, $orderBy: DomainOrder, $first: Int, $after: String) {
  domains(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id fqdn } }
    nodes { fqdn }
  }
}
"""

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

WARNINGS = """
query Warnings($id: ID!) { mailbox(id: $id) { warnings { code message amountCents } } }
"""


PLENTY = 1_000_000  # a payer's balance that covers any renewal: no BALANCE_SHORT in the warnings tested here


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@dataclass
class Tenants:
    """Two customers that know nothing of each other: Acme (Alice is OWNER) and Globex (Gus is OWNER)."""

    acme: Organization
    globex: Organization
    alice: User
    gus: User
    acme_domain: Domain
    acme_mailbox: Mailbox
    acme_forward: Forward
    globex_domain: Domain
    globex_mailbox: Mailbox
    globex_forward: Forward


async def make_tenants() -> Tenants:
    acme, globex = await make_org(name="Acme"), await make_org(name="Globex")
    acme_domain = await make_domain(owner=acme, fqdn="acme.example")
    globex_domain = await make_domain(owner=globex, fqdn="globex.example")
    return Tenants(
        acme=acme,
        globex=globex,
        alice=await make_user(roles={acme: Role.OWNER}),
        gus=await make_user(roles={globex: Role.OWNER}),
        acme_domain=acme_domain,
        acme_mailbox=await make_mailbox(domain=acme_domain, local_part="contact"),
        acme_forward=await make_forward(domain=acme_domain, source="info"),
        globex_domain=globex_domain,
        globex_mailbox=await make_mailbox(domain=globex_domain, local_part="ceo"),
        globex_forward=await make_forward(domain=globex_domain, source="info"),
    )


async def fqdns(client: Any, **variables: Any) -> list[str]:
    data = await client.execute(DOMAINS, variables)
    return [node["fqdn"] for node in data["domains"]["nodes"]]


async def make_fleet(org: Organization) -> None:
    """Four domains with distinct fqdns, expiry dates and mailbox counts, so that every order is exact."""
    for fqdn, expires_in, boxes in [
        ("bravo.example", 200, 3),
        ("alpha.example", 90, 0),
        ("delta.example", 30, 1),
        ("charlie.example", 400, 2),
    ]:
        domain = await make_domain(owner=org, fqdn=fqdn, expires_at=day(expires_in))
        for n in range(boxes):
            await make_mailbox(domain=domain, local_part=f"box{n}")


# --- scoping -----------------------------------------------------------------------------------------


async def test_a_user_sees_only_the_domains_of_their_organizations(signed_in) -> None:
    # given two customers with a domain each
    world = await make_tenants()

    # when each of them lists their domains
    alice = await signed_in(world.alice)
    alice_sees = await alice.execute(DOMAINS)
    gus = await signed_in(world.gus)
    gus_sees = await gus.execute(DOMAINS)

    # then each sees their own only
    assert [n["fqdn"] for n in alice_sees["domains"]["nodes"]] == ["acme.example"]
    assert alice_sees["domains"]["totalCount"] == 1
    assert [n["fqdn"] for n in gus_sees["domains"]["nodes"]] == ["globex.example"]
    assert gus_sees["domains"]["totalCount"] == 1


async def test_a_member_of_several_organizations_sees_the_domains_of_each(signed_in) -> None:
    # given a user OWNER of one organization and a mere MEMBER of another
    world = await make_tenants()
    both = await make_user(roles={world.acme: Role.OWNER, world.globex: Role.MEMBER})
    await make_domain(owner=await make_org(), fqdn="stranger.example")

    # when they list domains
    client = await signed_in(both)

    # then they see the domains of both, and of no one else
    assert await fqdns(client) == ["acme.example", "globex.example"]


FOREIGN_LOOKUPS = {
    "domain": ("query($id: ID!) { item: domain(id: $id) { fqdn } }", "Domain"),
    "node(domain)": ("query($id: ID!) { item: node(id: $id) { id } }", "Domain"),
    "mailbox": ("query($id: ID!) { item: mailbox(id: $id) { address } }", "Mailbox"),
    "node(mailbox)": ("query($id: ID!) { item: node(id: $id) { id } }", "Mailbox"),
    "node(forward)": ("query($id: ID!) { item: node(id: $id) { id } }", "Forward"),
    "organization": ("query($id: ID!) { item: organization(id: $id) { name } }", "Organization"),
    "node(organization)": ("query($id: ID!) { item: node(id: $id) { id } }", "Organization"),
    "node(user)": ("query($id: ID!) { item: node(id: $id) { id } }", "User"),
}


@pytest.mark.parametrize("lookup", list(FOREIGN_LOOKUPS))
async def test_an_object_of_another_organization_is_null_exactly_like_an_unknown_one(
    signed_in, lookup: str
) -> None:
    # given Alice, and Globex's objects that she cannot see
    world = await make_tenants()
    query, type_name = FOREIGN_LOOKUPS[lookup]
    foreign_pk = {
        "Domain": world.globex_domain.id,
        "Mailbox": world.globex_mailbox.id,
        "Forward": world.globex_forward.id,
        "Organization": world.globex.id,
        "User": world.gus.id,
    }[type_name]
    client = await signed_in(world.alice)

    # when she asks for a foreign one by id, and for one that does not exist
    foreign = await client.post(query, {"id": gid(type_name, foreign_pk)})
    unknown = await client.post(query, {"id": gid(type_name, 999_999)})

    # then both answers are null, and the same: nothing tells them apart
    assert foreign.status_code == unknown.status_code == 200
    assert foreign.json() == unknown.json() == {"data": {"item": None}}


async def test_a_domain_of_another_organization_is_not_found_by_fqdn_either(signed_in) -> None:
    world = await make_tenants()
    client = await signed_in(world.alice)

    data = await client.execute(
        '{ foreign: domainByFqdn(fqdn: "globex.example") { fqdn }'
        ' unknown: domainByFqdn(fqdn: "nowhere.example") { fqdn } }'
    )

    assert data == {"foreign": None, "unknown": None}


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
async def test_a_malformed_id_is_null_everywhere(signed_in, bad_id: str) -> None:
    world = await make_tenants()
    client = await signed_in(world.alice)

    data = await client.execute(
        "query($id: ID!) { domain(id: $id) { fqdn } mailbox(id: $id) { address }"
        " node(id: $id) { id } organization(id: $id) { name } }",
        {"id": bad_id},
    )

    assert data == {"domain": None, "mailbox": None, "node": None, "organization": None}


@pytest.mark.parametrize("pk", OUT_OF_RANGE_KEYS)
async def test_an_id_whose_key_is_out_of_range_is_null_not_an_internal_error(signed_in, pk: int) -> None:
    """A client may forge any id; one no row can have is unknown, never a database error."""
    world = await make_tenants()
    client = await signed_in(world.alice)

    response = await client.post(
        "query($d: ID!, $m: ID!, $f: ID!, $o: ID!) { domain(id: $d) { fqdn } mailbox(id: $m) { address }"
        " nd: node(id: $d) { id } nm: node(id: $m) { id } nf: node(id: $f) { id } organization(id: $o) { name } }",
        {
            "d": gid("Domain", pk),
            "m": gid("Mailbox", pk),
            "f": gid("Forward", pk),
            "o": gid("Organization", pk),
        },
    )

    assert response.json() == {
        "data": {"domain": None, "mailbox": None, "nd": None, "nm": None, "nf": None, "organization": None}
    }


async def test_an_id_of_another_type_is_null(signed_in) -> None:
    # given Alice's own domain, mailbox and organization
    world = await make_tenants()
    client = await signed_in(world.alice)

    # when each id is passed where another type is expected
    data = await client.execute(
        "query($d: ID!, $m: ID!, $o: ID!) { domain(id: $m) { fqdn } mailbox(id: $d) { address }"
        " organization(id: $d) { name } domainFromOrg: domain(id: $o) { fqdn } }",
        {
            "d": gid("Domain", world.acme_domain.id),
            "m": gid("Mailbox", world.acme_mailbox.id),
            "o": gid("Organization", world.acme.id),
        },
    )

    # then nothing is found
    assert data == {"domain": None, "mailbox": None, "organization": None, "domainFromOrg": None}


async def test_own_objects_are_found_by_id_by_fqdn_and_by_node(signed_in) -> None:
    world = await make_tenants()
    client = await signed_in(world.alice)
    domain_id, mailbox_id = gid("Domain", world.acme_domain.id), gid("Mailbox", world.acme_mailbox.id)
    org_id, user_id = gid("Organization", world.acme.id), gid("User", world.alice.id)

    data = await client.execute(
        "query($d: ID!, $m: ID!, $o: ID!, $u: ID!) {"
        ' domain(id: $d) { id fqdn } byFqdn: domainByFqdn(fqdn: "acme.example") { id }'
        " mailbox(id: $m) { id address localPart domain { id fqdn } }"
        " organization(id: $o) { id name viewerRole viewerCanPay }"
        " nd: node(id: $d) { id ... on Domain { fqdn } }"
        " nm: node(id: $m) { id ... on Mailbox { address } }"
        " no: node(id: $o) { id ... on Organization { name } }"
        " nu: node(id: $u) { id ... on User { email } } }",
        {"d": domain_id, "m": mailbox_id, "o": org_id, "u": user_id},
    )

    assert data == {
        "domain": {"id": domain_id, "fqdn": "acme.example"},
        "byFqdn": {"id": domain_id},
        "mailbox": {
            "id": mailbox_id,
            "address": "contact@acme.example",
            "localPart": "contact",
            "domain": {"id": domain_id, "fqdn": "acme.example"},
        },
        "organization": {"id": org_id, "name": "Acme", "viewerRole": "OWNER", "viewerCanPay": True},
        "nd": {"id": domain_id, "fqdn": "acme.example"},
        "nm": {"id": mailbox_id, "address": "contact@acme.example"},
        "no": {"id": org_id, "name": "Acme"},
        "nu": {"id": user_id, "email": world.alice.email},
    }


async def test_domain_by_fqdn_ignores_case_and_surrounding_spaces(signed_in) -> None:
    world = await make_tenants()
    client = await signed_in(world.alice)

    data = await client.execute('{ domainByFqdn(fqdn: "  ACME.Example ") { fqdn } }')

    assert data == {"domainByFqdn": {"fqdn": "acme.example"}}


async def test_domain_by_fqdn_finds_an_idna_domain_by_its_unicode_name(signed_in) -> None:
    """Domains are stored in IDNA form (SPEC "Model"); a customer types the name as they know it."""
    # given a domain stored as xn--caf-dma.example (café.example)
    acme = await make_org()
    await make_domain(owner=acme, fqdn="xn--caf-dma.example")
    client = await signed_in(await make_user(roles={acme: Role.OWNER}))

    # when it is looked up by its Unicode name, in capitals, and by its IDNA name
    data = await client.execute(
        '{ unicode: domainByFqdn(fqdn: "CAFÉ.example") { fqdn }'
        ' ascii: domainByFqdn(fqdn: "xn--caf-dma.example") { fqdn } }'
    )

    # then both find it
    assert data == {"unicode": {"fqdn": "xn--caf-dma.example"}, "ascii": {"fqdn": "xn--caf-dma.example"}}


async def test_node_refetches_a_visible_forward(signed_in) -> None:
    """``Forward`` implements ``Node``: Relay's ``node(id:)`` must refetch it like any other node."""
    world = await make_tenants()
    client = await signed_in(world.alice)
    forward_id = gid("Forward", world.acme_forward.id)

    data = await client.execute(
        "query($id: ID!) { node(id: $id) { id ... on Forward { address destinations } } }", {"id": forward_id}
    )

    assert data == {
        "node": {"id": forward_id, "address": "info@acme.example", "destinations": ["a@example.org"]}
    }


# --- filters -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("has_mailboxes", "expected"),
    [
        (True, ["bravo.example", "charlie.example", "delta.example"]),
        (False, ["alpha.example"]),
        (None, ["alpha.example", "bravo.example", "charlie.example", "delta.example"]),
    ],
)
async def test_has_mailboxes_filter(signed_in, has_mailboxes: bool | None, expected: list[str]) -> None:
    # given four domains, one without mailboxes, and a foreign domain with mailboxes
    acme = await make_org()
    await make_fleet(acme)
    await make_fleet_elsewhere()
    client = await signed_in(await make_user(roles={acme: Role.ADMIN}))

    # when filtering on the presence of mailboxes
    data = await client.execute(DOMAINS, {"filter": {"hasMailboxes": has_mailboxes}})

    # then
    assert [n["fqdn"] for n in data["domains"]["nodes"]] == expected
    assert data["domains"]["totalCount"] == len(expected)


async def make_fleet_elsewhere() -> None:
    other = await make_org(name="Elsewhere")
    for fqdn in ("alpha-foreign.example", "bravo-foreign.example"):
        await make_mailbox(domain=await make_domain(owner=other, fqdn=fqdn))


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("acme", ["acme-shop.example", "acme.example", "shop.acme.org"]),
        ("ACME", ["acme-shop.example", "acme.example", "shop.acme.org"]),
        ("Me-Sh", ["acme-shop.example"]),
        ("  shop ", ["acme-shop.example", "shop.acme.org"]),
        (".ORG", ["shop.acme.org"]),
        ("nothing", []),
        ("%", []),
        ("_", []),
        ("", ["acme-shop.example", "acme.example", "shop.acme.org", "zeta.example"]),
    ],
)
async def test_search_is_a_case_insensitive_substring_of_the_fqdn(
    signed_in, search: str, expected: list[str]
) -> None:
    # given four domains of Acme, and a foreign one that matches every search
    acme = await make_org()
    for fqdn in ("acme.example", "acme-shop.example", "shop.acme.org", "zeta.example"):
        await make_domain(owner=acme, fqdn=fqdn)
    await make_domain(owner=await make_org(), fqdn="acme-shop-foreign.example")
    client = await signed_in(await make_user(roles={acme: Role.MEMBER}))

    # when searching
    data = await client.execute(DOMAINS, {"filter": {"search": search}})

    # then only Acme's matching domains come back (LIKE wildcards are plain characters)
    assert [n["fqdn"] for n in data["domains"]["nodes"]] == expected
    assert data["domains"]["totalCount"] == len(expected)


async def test_organization_filter(signed_in) -> None:
    # given a user of Acme (OWNER) and Globex (BILLING), and a foreign organization
    acme, globex, initech = await make_org(), await make_org(), await make_org()
    await make_domain(owner=acme, fqdn="acme.example")
    await make_domain(owner=acme, fqdn="acme-shop.example")
    await make_domain(owner=globex, fqdn="globex.example")
    await make_domain(owner=initech, fqdn="initech.example")
    client = await signed_in(await make_user(roles={acme: Role.OWNER, globex: Role.BILLING}))

    # when filtering on each organization
    async def of(org_id: str) -> list[str]:
        return await fqdns(client, filter={"organizationId": org_id})

    # then: own organizations give their domains; a foreign, unknown or malformed one gives nothing
    assert await of(gid("Organization", acme.id)) == ["acme-shop.example", "acme.example"]
    assert await of(gid("Organization", globex.id)) == ["globex.example"]
    assert await of(gid("Organization", initech.id)) == []
    assert await of(gid("Organization", 999_999)) == []
    assert await of(gid("Domain", acme.id)) == []
    assert await of("not-an-id") == []


async def test_filters_combine(signed_in) -> None:
    acme, globex = await make_org(), await make_org()
    await make_mailbox(domain=await make_domain(owner=acme, fqdn="mail-acme.example"))
    await make_domain(owner=acme, fqdn="mail-empty.example")
    await make_mailbox(domain=await make_domain(owner=acme, fqdn="other.example"))
    await make_mailbox(domain=await make_domain(owner=globex, fqdn="mail-globex.example"))
    client = await signed_in(await make_user(roles={acme: Role.OWNER, globex: Role.OWNER}))

    found = await fqdns(
        client,
        filter={"hasMailboxes": True, "search": "MAIL", "organizationId": gid("Organization", acme.id)},
    )

    assert found == ["mail-acme.example"]


# --- order and pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        (None, ["alpha.example", "bravo.example", "charlie.example", "delta.example"]),
        (
            {"field": "FQDN", "direction": "ASC"},
            ["alpha.example", "bravo.example", "charlie.example", "delta.example"],
        ),
        (
            {"field": "FQDN", "direction": "DESC"},
            ["delta.example", "charlie.example", "bravo.example", "alpha.example"],
        ),
        (
            {"field": "EXPIRES_AT", "direction": "ASC"},
            ["delta.example", "alpha.example", "bravo.example", "charlie.example"],
        ),
        (
            {"field": "EXPIRES_AT", "direction": "DESC"},
            ["charlie.example", "bravo.example", "alpha.example", "delta.example"],
        ),
        (
            {"field": "MAILBOX_COUNT", "direction": "ASC"},
            ["alpha.example", "delta.example", "charlie.example", "bravo.example"],
        ),
        (
            {"field": "MAILBOX_COUNT", "direction": "DESC"},
            ["bravo.example", "charlie.example", "delta.example", "alpha.example"],
        ),
        ({"field": "MAILBOX_COUNT"}, ["alpha.example", "delta.example", "charlie.example", "bravo.example"]),
    ],
)
async def test_order_by(signed_in, order_by: dict[str, str] | None, expected: list[str]) -> None:
    # given alpha (expires in 90 days, 0 mailboxes), bravo (200, 3), charlie (400, 2), delta (30, 1)
    acme = await make_org()
    await make_fleet(acme)
    client = await signed_in(await make_user(roles={acme: Role.OWNER}))

    # when sorting
    found = await fqdns(client, orderBy=order_by)

    # then the order is exact
    assert found == expected


async def test_cursor_pagination_walks_every_domain_once(signed_in) -> None:
    # given five domains
    acme = await make_org()
    names = [f"d{n}.example" for n in range(5)]
    for fqdn in reversed(names):
        await make_domain(owner=acme, fqdn=fqdn)
    client = await signed_in(await make_user(roles={acme: Role.OWNER}))

    # when walking pages of two, each from the previous page's endCursor
    pages, after = [], None
    while True:
        data = (await client.execute(DOMAINS, {"first": 2, "after": after}))["domains"]
        pages.append(data)
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]

    # then every domain comes once, in order, with the right page info on each page
    assert [[n["fqdn"] for n in p["nodes"]] for p in pages] == [names[0:2], names[2:4], names[4:5]]
    assert [p["totalCount"] for p in pages] == [5, 5, 5]
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True]
    for page in pages:
        assert [e["node"]["fqdn"] for e in page["edges"]] == [n["fqdn"] for n in page["nodes"]]
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    cursors = [e["cursor"] for p in pages for e in p["edges"]]
    assert len(set(cursors)) == 5


async def test_pagination_keeps_the_filter_and_the_order(signed_in) -> None:
    acme = await make_org()
    await make_fleet(acme)
    client = await signed_in(await make_user(roles={acme: Role.OWNER}))
    variables = {"filter": {"hasMailboxes": True}, "orderBy": {"field": "EXPIRES_AT", "direction": "DESC"}}

    first = (await client.execute(DOMAINS, {**variables, "first": 2}))["domains"]
    second = (
        await client.execute(DOMAINS, {**variables, "first": 2, "after": first["pageInfo"]["endCursor"]})
    )["domains"]

    assert [n["fqdn"] for n in first["nodes"]] == ["charlie.example", "bravo.example"]
    assert [n["fqdn"] for n in second["nodes"]] == ["delta.example"]
    assert (first["totalCount"], second["totalCount"]) == (3, 3)
    assert (second["pageInfo"]["hasNextPage"], second["pageInfo"]["hasPreviousPage"]) == (False, True)


async def test_an_empty_list_has_no_cursors(signed_in) -> None:
    client = await signed_in(await make_user(roles={await make_org(): Role.OWNER}))

    data = await client.execute(DOMAINS)

    assert data["domains"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        "edges": [],
        "nodes": [],
    }


PAGED_FIELDS = {
    # (query, data when refused: the error nulls the nearest nullable parent)
    "domains": ("{ domains(first: %d) { totalCount } }", None),
    "organizations": ("{ organizations(first: %d) { totalCount } }", None),
    "mailboxes": (
        '{ domainByFqdn(fqdn: "acme.example") { mailboxes(first: %d) { totalCount } } }',
        {"domainByFqdn": None},
    ),
}


@pytest.mark.parametrize("field", list(PAGED_FIELDS))
async def test_first_above_100_is_a_graphql_error_not_data(signed_in, field: str) -> None:
    # given a signed-in user with a domain
    world = await make_tenants()
    client = await signed_in(world.alice)

    query, refused_data = PAGED_FIELDS[field]

    # when asking for 101 items, then for 100
    too_many = await client.post(query % 101)
    at_most = await client.post(query % 100)

    # then 101 is refused with a GraphQL error that says the limit, and no data for the field; 100 is fine
    body = too_many.json()
    assert too_many.status_code == 200
    assert len(body["errors"]) == 1
    assert "100" in body["errors"][0]["message"]
    assert body["data"] == refused_data
    assert "errors" not in at_most.json()


async def test_a_negative_first_is_a_graphql_error(signed_in) -> None:
    world = await make_tenants()
    client = await signed_in(world.alice)

    body = (await client.post("{ domains(first: -1) { totalCount } }")).json()

    assert body["data"] is None
    assert len(body["errors"]) == 1


async def test_a_cursor_that_is_not_ours_is_a_graphql_error(signed_in) -> None:
    world = await make_tenants()
    client = await signed_in(world.alice)

    body = (await client.post('{ domains(after: "garbage") { totalCount } }')).json()

    assert body["data"] is None
    assert len(body["errors"]) == 1


CONNECTIONS = {
    "domains": "query($after: String) { page: domains(after: $after) { totalCount nodes { id } } }",
    "mailboxes": 'query($after: String) { domainByFqdn(fqdn: "acme.example") {'
    " page: mailboxes(after: $after) { totalCount nodes { id } } } }",
    "organizations": "query($after: String) { page: organizations(after: $after) { totalCount nodes { id } } }",
}


@pytest.mark.parametrize("offset", [str(10**6), str(2**63), str(10**30), "\u00b2", "\u0661"])
@pytest.mark.parametrize("field", list(CONNECTIONS))
async def test_a_forged_cursor_is_never_an_internal_error(signed_in, field: str, offset: str) -> None:
    """Cursors are opaque but easy to forge (huge offsets, Unicode digits): a bad cursor is the client's mistake."""
    world = await make_tenants()
    client = await signed_in(world.alice)

    body = (await client.post(CONNECTIONS[field], {"after": encoded(f"offset:{offset}")})).json()

    # then either an empty page past the end, or a readable BAD_USER_INPUT error: never a masked one
    if "errors" in body:
        assert [e.get("extensions", {}).get("code") for e in body["errors"]] == ["BAD_USER_INPUT"], body
    else:
        page = body["data"]["domainByFqdn"]["page"] if field == "mailboxes" else body["data"]["page"]
        assert page["nodes"] == []


@pytest.mark.parametrize("text", ["acme\x00", "\x00"])
async def test_a_nul_character_in_a_search_or_an_fqdn_finds_nothing(signed_in, text: str) -> None:
    """PostgreSQL text cannot hold NUL: the API must answer "nothing found", not fail inside."""
    world = await make_tenants()
    client = await signed_in(world.alice)

    response = await client.post(
        "query($s: String!) { domains(filter: {search: $s}) { totalCount } domainByFqdn(fqdn: $s) { fqdn } }",
        {"s": text},
    )

    assert response.json() == {"data": {"domains": {"totalCount": 0}, "domainByFqdn": None}}


async def test_first_defaults_to_50(signed_in) -> None:
    # given 51 domains, the first of which has 51 mailboxes
    acme = await make_org()
    domains = [await make_domain(owner=acme, fqdn=f"d{n:02d}.example") for n in range(51)]
    await make_mailboxes(domain=domains[0], count=51)
    client = await signed_in(await make_user(roles={acme: Role.OWNER}))

    # when listing without `first`
    data = await client.execute(
        "{ domains { totalCount pageInfo { hasNextPage } nodes { fqdn }"
        " edges { node { mailboxes { totalCount pageInfo { hasNextPage } nodes { address } } } } } }"
    )

    # then pages of 50
    assert data["domains"]["totalCount"] == 51
    assert data["domains"]["pageInfo"]["hasNextPage"] is True
    assert len(data["domains"]["nodes"]) == 50
    first_mailboxes = data["domains"]["edges"][0]["node"]["mailboxes"]
    assert first_mailboxes["totalCount"] == 51
    assert first_mailboxes["pageInfo"]["hasNextPage"] is True
    assert len(first_mailboxes["nodes"]) == 50


# --- a domain's tab: mailboxes and forwards ----------------------------------------------------------


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


# --- the viewer and their organizations --------------------------------------------------------------


async def test_viewer_memberships_and_payer_choices(signed_in) -> None:
    # given a user with each role in a different organization, and an organization they are not in
    orgs = {role: await make_org(name=f"{role.value.title()} Org") for role in Role}
    await make_org(name="Stranger Org")
    user = await make_user(
        email="alice@acme.example", language=Language.FR, roles={o: r for r, o in orgs.items()}
    )
    client = await signed_in(user)

    # when the console asks who is signed in
    data = await client.execute(
        "{ viewer { id email displayName language memberships { role organization { name viewerRole } }"
        " payableOrganizations { id name viewerCanPay } manageableOrganizations { name } } }"
    )

    # then: every membership; payer choices are the OWNER and BILLING organizations only
    viewer = data["viewer"]
    assert viewer["id"] == gid("User", user.id)
    assert (viewer["email"], viewer["displayName"], viewer["language"]) == (
        "alice@acme.example",
        "Test User",
        "FR",
    )
    assert sorted(viewer["memberships"], key=lambda m: m["role"]) == [
        {"role": "ADMIN", "organization": {"name": "Admin Org", "viewerRole": "ADMIN"}},
        {"role": "BILLING", "organization": {"name": "Billing Org", "viewerRole": "BILLING"}},
        {"role": "MEMBER", "organization": {"name": "Member Org", "viewerRole": "MEMBER"}},
        {"role": "OWNER", "organization": {"name": "Owner Org", "viewerRole": "OWNER"}},
    ]
    assert viewer["payableOrganizations"] == [
        {"id": gid("Organization", orgs[Role.BILLING].id), "name": "Billing Org", "viewerCanPay": True},
        {"id": gid("Organization", orgs[Role.OWNER].id), "name": "Owner Org", "viewerCanPay": True},
    ]
    assert viewer["manageableOrganizations"] == [{"name": "Admin Org"}, {"name": "Owner Org"}]


async def test_organizations_connection_lists_the_viewer_organizations_only(signed_in) -> None:
    # given a user of three organizations, and one they are not in
    mine = [await make_org(name=name) for name in ("Charlie", "Alpha", "Bravo")]
    await make_org(name="Aaa Stranger")
    client = await signed_in(await make_user(roles=dict.fromkeys(mine, Role.MEMBER)))
    query = (
        "query($after: String) { organizations(first: 2, after: $after) { totalCount"
        " pageInfo { hasNextPage hasPreviousPage endCursor } nodes { name } } }"
    )

    # when paging through them
    first = (await client.execute(query))["organizations"]
    second = (await client.execute(query, {"after": first["pageInfo"]["endCursor"]}))["organizations"]

    # then by name, two then one
    assert [n["name"] for n in first["nodes"]] == ["Alpha", "Bravo"]
    assert [n["name"] for n in second["nodes"]] == ["Charlie"]
    assert (first["totalCount"], second["totalCount"]) == (3, 3)
    assert first["pageInfo"]["hasNextPage"] is True
    assert (second["pageInfo"]["hasNextPage"], second["pageInfo"]["hasPreviousPage"]) == (False, True)


async def test_organization_by_id(signed_in) -> None:
    world = await make_tenants()
    client = await signed_in(world.alice)

    data = await client.execute(
        "query($own: ID!, $foreign: ID!) { own: organization(id: $own) { name viewerRole }"
        " foreign: organization(id: $foreign) { name } }",
        {"own": gid("Organization", world.acme.id), "foreign": gid("Organization", world.globex.id)},
    )

    assert data == {"own": {"name": "Acme", "viewerRole": "OWNER"}, "foreign": None}


# --- warnings: mailboxes depend on their domain ------------------------------------------------------


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


# --- personal access tokens --------------------------------------------------------------------------


async def test_a_bearer_token_reads_the_same_scoped_data(with_token) -> None:
    # given a script of Alice's, authenticated by a personal access token
    world = await make_tenants()
    client = await with_token(world.alice)

    # when it lists domains and asks for a foreign mailbox
    data = await client.execute(
        "query($foreign: ID!) { viewer { email } domains { totalCount nodes { fqdn mailboxes { nodes { address } } } }"
        " mailbox(id: $foreign) { address } }",
        {"foreign": gid("Mailbox", world.globex_mailbox.id)},
    )

    # then it sees what Alice sees, and no more
    assert data == {
        "viewer": {"email": world.alice.email},
        "domains": {
            "totalCount": 1,
            "nodes": [
                {"fqdn": "acme.example", "mailboxes": {"nodes": [{"address": "contact@acme.example"}]}}
            ],
        },
        "mailbox": None,
    }
