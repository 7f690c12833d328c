"""The query cost budget: the cost of a document computed exactly, and the refusals before anything executes."""

from __future__ import annotations

import gc
import time
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, parse

from mailrenew.accounts.models import Role
from mailrenew.audit.models import AuditEvent
from mailrenew.config import Settings
from mailrenew.graphql.cost import check_limits, operation_cost
from mailrenew.graphql.schema import build_schema
from mailrenew.hosting.models import Mailbox
from mailrenew.web import create_app
from tests.factories import make_domain, make_forward, make_mailbox, make_org, make_user
from tests.graphql.helpers import gid
from tests.querycount import count_statements

NESTED = (
    "{ domains(first: 100) { nodes { mailboxes(first: 100) { nodes { domain {"
    " mailboxes(first: 100) { nodes { address } } } } } } } }"
)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings())._schema


def cost(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None) -> int:
    result = operation_cost(schema, parse(query), variables, None)
    assert result.argument_errors == ()
    return result.nodes


# --- the rule, on documents ----------------------------------------------------------------------------


def test_three_nested_connections_multiply(schema: GraphQLSchema) -> None:
    # 100 domains + 100 * 100 mailboxes + 100 * 100 * 100 mailboxes of their domains
    assert cost(schema, NESTED) == 100 + 100 * 100 + 100 * 100 * 100


def test_an_operation_without_lists_costs_nothing(schema: GraphQLSchema) -> None:
    assert cost(schema, '{ viewer { email } domainByFqdn(fqdn: "a.example") { fqdn owner { name } } }') == 0


def test_first_defaults_to_50_and_edges_and_nodes_are_the_same_nodes(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ domains { totalCount } }") == 50
    assert (
        cost(schema, "{ domains(first: 10) { edges { node { id } } nodes { id } pageInfo { hasNextPage } } }")
        == 10
    )
    assert cost(schema, "{ outbox(first: 0, unreadOnly: true) { totalCount } }") == 0


def test_variables_and_their_defaults(schema: GraphQLSchema) -> None:
    query = (
        "query($n: Int = 3, $m: Int) { domains(first: $n) { nodes { mailboxes(first: $m) { totalCount } } } }"
    )
    assert cost(schema, query) == 3 + 3 * 50
    assert cost(schema, query, {"n": 7, "m": 2}) == 7 + 7 * 2
    assert (
        cost(schema, query, {"n": None}) == 50 + 50 * 50
    )  # null is the connection's default, as page_args does


def test_fragments_and_plain_lists(schema: GraphQLSchema) -> None:
    query = """
    query { ...Top }
    fragment Top on Query { domains(first: 5) { nodes { ...Row } } }
    fragment Row on Domain { mailboxes(first: 4) { nodes { id } } forwards { id } }
    """
    # 5 domains, each with 4 mailboxes and an estimated 10 forwards
    assert cost(schema, query) == 5 + 5 * (4 + 10)
    # the viewer's lists are estimated at 10 each; scalar lists count nothing
    assert (
        cost(schema, "{ viewer { memberships { role organization { name } } payableOrganizations { id } } }")
        == 20
    )
    assert cost(schema, '{ domain(id: "x") { forwards { destinations } } }') == 10


def test_inline_fragments_on_an_interface_count_every_branch(schema: GraphQLSchema) -> None:
    query = """{ node(id: "x") {
      ... on Domain { mailboxes(first: 2) { nodes { warnings { code } } } }
      ... on Mailbox { renewalAttempts(first: 3) { totalCount } }
    } }"""
    # 2 mailboxes with at most 3 warnings each, plus 3 attempts
    assert cost(schema, query) == 2 * (1 + 3) + 3


def test_skip_and_include_are_honoured(schema: GraphQLSchema) -> None:
    query = """query($skip: Boolean!) {
      domains(first: 5) @skip(if: $skip) { totalCount }
      organizations(first: 2) @include(if: false) { totalCount }
      outbox(first: 1) @include(if: true) { totalCount }
    }"""
    assert cost(schema, query, {"skip": True}) == 1
    assert cost(schema, query, {"skip": False}) == 5 + 1


def test_a_bulk_payload_counts_the_mailboxes_sent(schema: GraphQLSchema) -> None:
    query = """mutation($ids: [ID!]) {
      bulkSetAutoRenew(domainId: "d", mailboxIds: $ids, input: {enabled: false}) {
        mailboxes { warnings { code } } userErrors { code }
      }
    }"""
    assert cost(schema, query, {"ids": ["a", "b", "c"]}) == 3 * (1 + 3) + 10
    # omitted: every mailbox of the domain, estimated at the bulk maximum
    assert cost(schema, query) == 10_000 * (1 + 3) + 10


def test_fragments_spreading_fragments_are_walked_once(schema: GraphQLSchema) -> None:
    levels = 40
    fragments = ["fragment F0 on Query { outbox(first: 1) { totalCount } }"]
    fragments += [f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, levels + 1)]
    query = f"{{ ...F{levels} }} " + " ".join(fragments)
    started = time.perf_counter()
    assert cost(schema, query) == 2**levels
    assert time.perf_counter() - started < 0.1


def test_pages_out_of_range_are_found_everywhere(schema: GraphQLSchema) -> None:
    query = """query($n: Int) {
      outbox(first: -1) { totalCount }
      a: domains { nodes { mailboxes(first: $n) { totalCount } } }
    }"""
    result = operation_cost(schema, parse(query), {"n": 1000}, None)
    assert [(e.message, e.extensions) for e in result.argument_errors] == [
        (
            "`first` must be between 0 and 100.",
            {"code": "BAD_USER_INPUT", "field": ["outbox", "first"], "value": -1},
        ),
        (
            "`first` must be between 0 and 100.",
            {"code": "BAD_USER_INPUT", "field": ["a", "nodes", "mailboxes", "first"], "value": 1000},
        ),
    ]


def test_the_budget_allows_its_limit_and_refuses_one_more(schema: GraphQLSchema) -> None:
    document = parse("{ domains(first: 100) { nodes { mailboxes(first: 99) { totalCount } } } }")  # 10,000
    assert check_limits(schema, document, None, None, max_cost=10_000).allowed
    refused = check_limits(schema, document, None, None, max_cost=9_999)
    assert [e.extensions for e in refused.errors] == [
        {"code": "QUERY_TOO_COSTLY", "cost": 10_000, "limit": 9_999}
    ]


def test_the_operation_picked_by_name_is_the_one_counted(schema: GraphQLSchema) -> None:
    document = parse("query Small { outbox(first: 1) { totalCount } } query Big { domains { totalCount } }")
    assert operation_cost(schema, document, None, "Small").nodes == 1
    assert operation_cost(schema, document, None, "Big").nodes == 50


# --- over HTTP -------------------------------------------------------------------------------------------


async def _owner() -> tuple[Any, Any, Mailbox]:
    org = await make_org()
    user = await make_user(roles={org: Role.OWNER})
    domain = await make_domain(owner=org)
    await make_forward(domain=domain)
    return user, org, await make_mailbox(domain=domain)


async def test_a_three_level_nested_query_is_refused_before_it_runs(with_token) -> None:
    client = await with_token((await _owner())[0])
    for _ in range(2):  # warm up: the first requests pay for imports and caches
        await client.post("{ viewer { email } }")

    gc.collect()  # a full collection of the suite's garbage can take 200 ms: not this request's work
    gc.disable()
    try:
        with count_statements() as refused_statements:
            started = time.perf_counter()
            response = await client.post(NESTED)
            elapsed = time.perf_counter() - started
    finally:
        gc.enable()
    with count_statements() as invalid_statements:
        await client.post("{ viewer { nope } }")  # refused by validation: authentication alone

    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None
    assert [e["extensions"] for e in body["errors"]] == [
        {"code": "QUERY_TOO_COSTLY", "cost": 1_010_100, "limit": 20_000}
    ]
    assert "1010100" in body["errors"][0]["message"]
    assert body["extensions"] == {"cost": 1_010_100}
    assert elapsed < 0.05, f"refused in {elapsed * 1000:.1f} ms"
    assert refused_statements.count == invalid_statements.count, str(refused_statements)
    assert not any("domains" in sql or "mailboxes" in sql for sql in refused_statements.sql)


async def test_a_console_query_reports_its_cost(signed_in) -> None:
    user, _, _ = await _owner()
    client = await signed_in(user)
    query = """
    query Domains($first: Int) {
      domains(first: $first) { totalCount pageInfo { hasNextPage endCursor } nodes { ...DomainRowFields } }
    }
    fragment DomainRowFields on Domain {
      id fqdn expiresAt status mailboxCount viewerCanManage
      owner { ...OrganizationRef } autoRenew { enabled payer { ...OrganizationRef } }
    }
    fragment OrganizationRef on Organization { id name }
    """

    body = (await client.post(query, {"first": 20})).json()

    assert "errors" not in body
    assert body["data"]["domains"]["totalCount"] == 1
    assert body["extensions"] == {"cost": 20}


SET_AUTO_RENEW_WITH_ATTEMPTS = """
mutation($id: ID!, $payer: ID!, $first: Int) {
  setAutoRenew(mailboxId: $id, input: {enabled: true, period: YEARLY, payerOrganizationId: $payer}) {
    mailbox { autoRenew { enabled } renewalAttempts(first: $first) { totalCount } }
    userErrors { code }
  }
}"""


@pytest.mark.parametrize("first", [-1, 101, 1000])
async def test_a_mutation_asking_for_a_page_out_of_range_changes_nothing(with_token, first: int) -> None:
    user, org, box = await _owner()
    client = await with_token(user)
    ids = {"id": gid("Mailbox", box.id), "payer": gid("Organization", org.id)}

    by_variable = (await client.post(SET_AUTO_RENEW_WITH_ATTEMPTS, {**ids, "first": first})).json()
    literal = SET_AUTO_RENEW_WITH_ATTEMPTS.replace(", $first: Int", "").replace("$first", str(first))
    by_literal = (await client.post(literal, ids)).json()

    for body in (by_variable, by_literal):
        assert body["data"] is None, body
        assert [
            (e["message"], e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]
        ] == [
            (
                "`first` must be between 0 and 100.",
                "BAD_USER_INPUT",
                ["setAutoRenew", "mailbox", "renewalAttempts", "first"],
            )
        ]
    assert not (await Mailbox.get(id=box.id)).auto_renew_enabled
    assert await AuditEvent.all().count() == 0
    # and the same mutation with a page in range does change it
    done = await client.execute(SET_AUTO_RENEW_WITH_ATTEMPTS, {**ids, "first": 100})
    assert done["setAutoRenew"]["mailbox"]["autoRenew"] == {"enabled": True}


async def test_a_page_out_of_range_is_refused_over_get_too(http, with_token) -> None:
    client = await with_token((await _owner())[0])
    response = await http.get(
        "/graphql", params={"query": "{ domains(first: 1000) { totalCount } }"}, headers=client.headers
    )
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_budget_is_a_setting(settings: Settings) -> None:
    from mailrenew.accounts.service import create_token

    user, _, _ = await _owner()
    _, secret = await create_token(user.email)
    app = create_app(settings.model_copy(update={"graphql_max_cost": 100}), manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        headers = {"Authorization": f"Bearer {secret}"}
        at_limit = (
            await http.post(
                "/graphql", json={"query": "{ domains(first: 100) { totalCount } }"}, headers=headers
            )
        ).json()
        over = (
            await http.post(
                "/graphql",
                json={"query": "{ domains(first: 100) { nodes { forwards { id } } } }"},
                headers=headers,
            )
        ).json()
    assert at_limit == {"data": {"domains": {"totalCount": 1}}, "extensions": {"cost": 100}}
    assert over["data"] is None
    assert over["errors"][0]["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 1100, "limit": 100}
