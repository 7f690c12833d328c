"""No N+1: the console's domain page costs the same few statements for 1, 10 and 50 domains."""

from __future__ import annotations

import pytest

from mailrenew.accounts.models import Role
from mailrenew.hosting.models import RenewalPeriod
from tests.factories import make_domain, make_forward, make_mailbox, make_org, make_user
from tests.querycount import count_statements

DOMAIN_PAGE = """
query DomainPage($first: Int!) {
  viewer { email memberships { role organization { name } } payableOrganizations { id name } }
  domains(first: $first, filter: {hasMailboxes: true}, orderBy: {field: FQDN, direction: ASC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id fqdn expiresAt status mailboxCount viewerCanManage
      owner { id name }
      autoRenew { enabled payer { id name } }
      forwards { address destinations }
      mailboxes(first: 5) {
        totalCount
        nodes {
          id address offer status expiresAt viewerCanManage
          autoRenew { enabled period payer { id name } }
          warnings { code message }
          domain { fqdn }
        }
      }
    } }
  }
}
"""


async def _world(domains: int) -> object:
    acme, globex = await make_org(name="Acme"), await make_org(name="Globex")
    user = await make_user(roles={acme: Role.OWNER, globex: Role.BILLING})
    for n in range(domains):
        domain = await make_domain(
            owner=acme, fqdn=f"d{n:03d}.example", auto_renew_payer=acme if n % 2 else None
        )
        await make_forward(domain=domain)
        for k in range(7):
            await make_mailbox(
                domain=domain,
                local_part=f"m{k}",
                period=RenewalPeriod.YEARLY if k % 2 else None,
                payer=globex if k % 3 else acme,
            )
    return user


@pytest.mark.parametrize("domains", [1, 10, 50])
async def test_domain_page_costs_a_constant_number_of_statements(signed_in, domains: int) -> None:
    client = await signed_in(await _world(domains))
    with count_statements() as statements:
        data = await client.execute(DOMAIN_PAGE, {"first": 50})
    assert data["domains"]["totalCount"] == domains
    assert len(data["domains"]["edges"]) == domains
    assert all(len(e["node"]["mailboxes"]["nodes"]) == 5 for e in data["domains"]["edges"])
    # Authentication (session + memberships), the page and its count, then one statement per relation:
    # organizations (owners and payers, cached), mailbox counts, forwards, mailbox pages, and the payers'
    # forecast behind BALANCE_SHORT (upcoming renewals, the price table, the payers' standing), and their cards
    # (behind CARD_EXPIRES_FIRST).
    assert statements.count == EXPECTED_STATEMENTS, str(statements)


EXPECTED_STATEMENTS = 12


async def test_totals_are_counted_only_when_selected(signed_in) -> None:
    """A page without ``totalCount`` sends no COUNT; ``hasNextPage`` comes from reading one row more."""
    client = await signed_in(await _world(3))
    query = "{ domains(first: 2) { %s pageInfo { hasNextPage } nodes { mailboxes(first: 5) { %s nodes { id } } } } }"
    with count_statements() as without:
        data = await client.execute(query % ("", ""))
    with count_statements() as with_totals:
        counted = await client.execute(query % ("totalCount", "totalCount"))
    assert data["domains"]["pageInfo"]["hasNextPage"] is True
    assert all(len(d["mailboxes"]["nodes"]) == 5 for d in data["domains"]["nodes"])
    assert not any("COUNT(" in s.upper() for s in without.sql), str(without)
    assert counted["domains"]["totalCount"] == 3
    assert [d["mailboxes"]["totalCount"] for d in counted["domains"]["nodes"]] == [7, 7]
    assert with_totals.count == without.count + 2  # the domains' count, the mailboxes' counts (one, batched)
