"""The viewer and their organizations: memberships, payer choices, the organizations connection."""

from __future__ import annotations

from mailrenew.accounts.models import Language, Role
from tests.factories import make_org, make_user
from tests.graphql.helpers import gid
from tests.graphql.reads_world import make_tenants


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
