"""The order of the domain list and its Relay pages: cursors, page sizes and their limits, forged cursors."""

from __future__ import annotations

import pytest

from mailrenew.accounts.models import Role
from tests.factories import make_domain, make_mailboxes, make_org, make_user
from tests.graphql.helpers import encoded
from tests.graphql.reads_world import DOMAINS, fqdns, make_fleet, make_tenants


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
    # (query, data when refused: none, the whole operation is refused before it runs)
    "domains": ("{ domains(first: %d) { totalCount } }", None),
    "organizations": ("{ organizations(first: %d) { totalCount } }", None),
    "mailboxes": ('{ domainByFqdn(fqdn: "acme.example") { mailboxes(first: %d) { totalCount } } }', None),
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

    assert response.json() == {
        "data": {"domains": {"totalCount": 0}, "domainByFqdn": None},
        "extensions": {"cost": 50},
    }


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
