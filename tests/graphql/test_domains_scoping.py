"""Reading through the API is scoped to the viewer's organizations: what a user sees, and that an id
they cannot see, an unknown one and a malformed one all read as null (SPEC "Managing auto-renew")."""

from __future__ import annotations

import pytest

from mailrenew.accounts.models import Role
from tests.factories import make_domain, make_org, make_user
from tests.graphql.helpers import MALFORMED_IDS, OUT_OF_RANGE_KEYS, gid
from tests.graphql.reads_world import DOMAINS, fqdns, make_tenants

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
    assert foreign.json() == unknown.json() == {"data": {"item": None}, "extensions": {"cost": 0}}


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
        "data": {"domain": None, "mailbox": None, "nd": None, "nm": None, "nf": None, "organization": None},
        "extensions": {"cost": 0},
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
