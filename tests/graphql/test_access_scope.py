"""Scoping is a subquery on memberships: a reseller in many organizations sends the very same statements as a
customer in one (no list of organization ids pasted into the SQL), and sees exactly their organizations."""

from __future__ import annotations

from mailrenew.accounts.models import Membership, Organization, Role
from tests.factories import make_domain, make_mailbox, make_org, make_user
from tests.querycount import count_statements

PAGE = """
query {
  organizations(first: 5) { totalCount nodes { name } }
  domains(first: 10, orderBy: {field: FQDN, direction: ASC}) {
    totalCount
    nodes { fqdn mailboxes(first: 3) { totalCount nodes { address } } }
  }
}
"""


async def test_a_reseller_and_a_customer_send_the_same_statements(signed_in) -> None:
    own = await make_org(name="Customer")
    customer = await make_user(roles={own: Role.OWNER})
    for n in range(3):  # the same page shape as the reseller's
        await make_mailbox(domain=await make_domain(owner=own, fqdn=f"customer-{n}.example"))
    await Organization.bulk_create([Organization(name=f"Client {n:03d}") for n in range(300)])
    many = list(await Organization.filter(name__startswith="Client ").order_by("id"))
    reseller = await make_user()
    await Membership.bulk_create([Membership(user=reseller, organization=o, role=Role.OWNER) for o in many])
    for org in many[:3]:
        await make_mailbox(domain=await make_domain(owner=org, fqdn=f"{org.name.split()[1]}.example"))
    stranger = await make_org(name="Stranger")
    await make_domain(owner=stranger, fqdn="stranger.example")

    with count_statements() as small:
        one = await (await signed_in(customer)).execute(PAGE)
    with count_statements() as large:
        all_of_them = await (await signed_in(reseller)).execute(PAGE)

    assert one["organizations"]["totalCount"] == 1
    assert [d["fqdn"] for d in one["domains"]["nodes"]] == [f"customer-{n}.example" for n in range(3)]
    assert all_of_them["organizations"]["totalCount"] == 300
    assert [d["fqdn"] for d in all_of_them["domains"]["nodes"]] == [
        "000.example",
        "001.example",
        "002.example",
    ]
    assert small.sql == large.sql  # same statements, word for word: the scope is a subquery
    domain_list = [s for s in large.sql if 'FROM "domains"' in s and "LIMIT" in s]
    assert len(domain_list) == 1
    assert '"owner_id" IN (SELECT "organization_id"' in domain_list[0]
    assert 'FROM "memberships" WHERE "user_id"=' in domain_list[0]
