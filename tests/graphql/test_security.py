"""The API is closed by default: sign-in, CSRF, query limits, masked internal errors, no batching."""

from __future__ import annotations

import httpx
import pytest
import structlog

from mailrenew.accounts.models import Role
from mailrenew.config import Settings
from mailrenew.graphql.relay import to_global_id
from mailrenew.hosting import service
from mailrenew.hosting.models import Mailbox
from mailrenew.web import create_app
from tests.factories import make_domain, make_mailbox, make_org, make_user

SET_AUTO_RENEW = """
mutation($id: ID!, $payer: ID!) {
  setAutoRenew(mailboxId: $id, input: {enabled: true, period: YEARLY, payerOrganizationId: $payer}) {
    mailbox { autoRenew { enabled } } userErrors { code }
  }
}"""


async def _owner_with_mailbox():
    org = await make_org()
    user = await make_user(roles={org: Role.OWNER})
    box = await make_mailbox(domain=await make_domain(owner=org))
    return user, org, box


def _vars(box: Mailbox, org) -> dict[str, str]:
    return {"id": to_global_id("Mailbox", box.id), "payer": to_global_id("Organization", org.id)}


async def test_anonymous_requests_are_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ viewer { email } }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_cookie_post_without_csrf_token_changes_nothing(http, signed_in) -> None:
    user, org, box = await _owner_with_mailbox()
    await signed_in(user)  # the cookie is now in the client's jar
    response = await http.post("/graphql", json={"query": SET_AUTO_RENEW, "variables": _vars(box, org)})
    assert response.status_code == 403
    assert not (await Mailbox.get(id=box.id)).auto_renew_enabled


async def test_cookie_post_from_a_foreign_origin_changes_nothing(http, signed_in) -> None:
    user, org, box = await _owner_with_mailbox()
    client = await signed_in(user)
    response = await http.post(
        "/graphql",
        json={"query": SET_AUTO_RENEW, "variables": _vars(box, org)},
        headers={**client.headers, "Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert not (await Mailbox.get(id=box.id)).auto_renew_enabled


async def test_bearer_token_needs_no_csrf_token(with_token) -> None:
    user, org, box = await _owner_with_mailbox()
    client = await with_token(user)
    data = await client.execute(SET_AUTO_RENEW, _vars(box, org))
    assert data["setAutoRenew"] == {"mailbox": {"autoRenew": {"enabled": True}}, "userErrors": []}


async def test_mutation_over_get_is_refused(http, with_token) -> None:
    user, org, box = await _owner_with_mailbox()
    client = await with_token(user)
    response = await http.get(
        "/graphql",
        params={"query": SET_AUTO_RENEW, "variables": __import__("json").dumps(_vars(box, org))},
        headers=client.headers,
    )
    assert response.status_code in (400, 405)
    assert not (await Mailbox.get(id=box.id)).auto_renew_enabled


async def test_query_over_get_works_with_a_token(http, with_token) -> None:
    user, _, _ = await _owner_with_mailbox()
    client = await with_token(user)
    response = await http.get("/graphql", params={"query": "{ viewer { email } }"}, headers=client.headers)
    assert response.json() == {"data": {"viewer": {"email": user.email}}, "extensions": {"cost": 0}}


async def test_batched_operations_are_refused(http, with_token) -> None:
    user, _, _ = await _owner_with_mailbox()
    client = await with_token(user)
    response = await http.post(
        "/graphql",
        json=[{"query": "{ viewer { email } }"}, {"query": "{ viewer { email } }"}],
        headers=client.headers,
    )
    assert response.status_code == 400


def _nested(depth: int) -> str:
    inner = "fqdn"
    for _ in range(depth):
        inner = f"mailboxes(first: 1) {{ nodes {{ domain {{ {inner} }} }} }}"
    return f"{{ domains(first: 1) {{ nodes {{ {inner} }} }} }}"


async def test_query_depth_is_limited(with_token) -> None:
    client = await with_token((await _owner_with_mailbox())[0])
    shallow = (await client.post(_nested(2))).json()
    deep = (await client.post(_nested(6))).json()
    assert "errors" not in shallow
    assert "exceeds maximum operation depth" in deep["errors"][0]["message"]
    assert deep.get("data") is None


async def test_aliases_are_limited_even_through_fragment_spreads(with_token) -> None:
    client = await with_token((await _owner_with_mailbox())[0])

    def fragment(count: int) -> str:
        return (
            "fragment Many on Query { " + " ".join(f"a{n}: viewer {{ email }}" for n in range(count)) + " }"
        )

    allowed = (await client.post(f"query {{ ...Many }} {fragment(30)}")).json()
    refused = (await client.post(f"query {{ ...Many }} {fragment(31)}")).json()
    assert "errors" not in allowed
    assert refused["errors"][0]["message"] == "31 aliases found. Allowed: 30"
    assert refused.get("data") is None


async def test_token_count_is_limited(with_token) -> None:
    client = await with_token((await _owner_with_mailbox())[0])
    huge = "{ " + " ".join("viewer { email }" for _ in range(2000)) + " }"
    body = (await client.post(huge)).json()
    assert "more than 5000 tokens" in body["errors"][0]["message"]


async def test_page_size_is_capped_at_100(with_token) -> None:
    client = await with_token((await _owner_with_mailbox())[0])
    body = (await client.post("{ domains(first: 101) { totalCount } }")).json()
    assert body["data"] is None
    assert "between 0 and 100" in body["errors"][0]["message"]
    ok = (await client.post("{ domains(first: 100) { totalCount } }")).json()
    assert ok == {"data": {"domains": {"totalCount": 1}}, "extensions": {"cost": 100}}


async def test_internal_errors_are_masked_and_logged_with_the_request_id(with_token, monkeypatch) -> None:
    user, org, box = await _owner_with_mailbox()
    client = await with_token(user)

    async def broken(*args, **kwargs):
        raise RuntimeError("secret detail: password=hunter2")

    monkeypatch.setattr(service, "set_auto_renew", broken)
    with structlog.testing.capture_logs() as logs:
        response = await client.post(SET_AUTO_RENEW, _vars(box, org))
    body = response.json()
    assert body["errors"][0]["message"] == "Internal server error."
    assert "hunter2" not in response.text
    errors = [entry for entry in logs if entry["event"] == "graphql.internal_error"]
    assert len(errors) == 1
    assert "hunter2" in errors[0]["error"]
    assert response.headers["x-request-id"]


async def test_validation_errors_stay_readable(with_token) -> None:
    client = await with_token((await _owner_with_mailbox())[0])
    body = (await client.post("{ viewer { nope } }")).json()
    assert "Cannot query field 'nope' on type 'User'" in body["errors"][0]["message"]


async def test_introspection_can_be_turned_off(settings: Settings) -> None:
    user, _, _ = await _owner_with_mailbox()
    from mailrenew.accounts.service import create_token

    _, secret = await create_token(user.email)
    closed = create_app(settings.model_copy(update={"graphql_introspection": False}), manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=closed), base_url="http://testserver"
    ) as http:
        headers = {"Authorization": f"Bearer {secret}"}
        body = (
            await http.post(
                "/graphql", json={"query": "{ __schema { queryType { name } } }"}, headers=headers
            )
        ).json()
        allowed = (
            await http.post("/graphql", json={"query": "{ viewer { email } }"}, headers=headers)
        ).json()
    assert "introspection has been disabled" in body["errors"][0]["message"].lower()
    assert allowed == {"data": {"viewer": {"email": user.email}}, "extensions": {"cost": 0}}


async def test_loaders_never_leak_rows_between_requests(with_token) -> None:
    """Two users in turn on the same app: the second must not get the first one's cached domain."""
    alice, _, box = await _owner_with_mailbox()
    mallory = await make_user(roles={await make_org(): Role.OWNER})
    query = "query($id: ID!) { node(id: $id) { id } mailbox(id: $id) { address } }"
    mailbox_id = to_global_id("Mailbox", box.id)
    seen = await (await with_token(alice)).execute(query, {"id": mailbox_id})
    leaked = await (await with_token(mallory)).execute(query, {"id": mailbox_id})
    assert seen == {"node": {"id": mailbox_id}, "mailbox": {"address": box.address}}
    assert leaked == {"node": None, "mailbox": None}


@pytest.mark.parametrize("path", ["/graphql", "/auth/session"])
async def test_a_revoked_token_is_refused(http, path: str) -> None:
    from mailrenew.accounts.service import create_token, revoke_token

    user, _, _ = await _owner_with_mailbox()
    token, secret = await create_token(user.email)
    await revoke_token(token_id=token.id)
    response = (
        await http.post(
            path, json={"query": "{ viewer { email } }"}, headers={"Authorization": f"Bearer {secret}"}
        )
        if path == "/graphql"
        else await http.get(path, headers={"Authorization": f"Bearer {secret}"})
    )
    assert response.status_code == 401


async def test_a_spread_of_an_unknown_fragment_is_a_clear_validation_error(signed_in) -> None:
    """Not an internal error: the depth limit used to look the fragment up before validation reported it."""
    from tests.factories import make_user

    client = await signed_in(await make_user())
    response = await client.post("query { ...Many }")
    assert response.status_code == 200
    assert [e["message"] for e in response.json()["errors"]] == ["Unknown fragment 'Many'."]
