"""The domain list's filters: has mailboxes, search, organization, and their combination."""

from __future__ import annotations

import pytest

from mailrenew.accounts.models import Role
from tests.factories import make_domain, make_mailbox, make_org, make_user
from tests.graphql.helpers import gid
from tests.graphql.reads_world import DOMAINS, fqdns, make_fleet


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
