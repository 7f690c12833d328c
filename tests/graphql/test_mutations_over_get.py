"""Mutations are POST only: over GET, even with the session cookie, they change nothing."""

from __future__ import annotations

import json

import httpx

from tests.graphql.auto_renew_world import BULK_ALL, SET_AUTO_RENEW, make_world, turn_on
from tests.graphql.helpers import OFF, audit_rows, mailbox_settings


async def get_graphql(http: httpx.AsyncClient, headers: dict[str, str], **params: str) -> httpx.Response:
    return await http.get("/graphql", params=params, headers=headers)


async def test_a_mutation_over_get_with_the_session_cookie_changes_nothing(http, signed_in) -> None:
    # given a signed-in OWNER (the session cookie is in the browser, the CSRF token at hand)
    world = await make_world()
    client = await signed_in(world.caller)
    variables = {"id": world.box_id(0), "input": turn_on("YEARLY", world.acme)}
    before = await mailbox_settings()

    # when a link makes the browser GET /graphql?query=mutation…
    response = await get_graphql(http, client.headers, query=SET_AUTO_RENEW, variables=json.dumps(variables))
    bulk = await get_graphql(
        http,
        client.headers,
        query=BULK_ALL,
        variables=json.dumps({"domainId": world.domain_id, "input": turn_on("YEARLY", world.acme)}),
    )

    # then it is refused and nothing changed
    assert response.status_code in (400, 405)
    assert bulk.status_code in (400, 405)
    assert await mailbox_settings() == before
    assert await audit_rows() == []


async def test_a_mutation_picked_by_operation_name_over_get_changes_nothing(http, signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)
    document = "query Harmless { viewer { email } }\n" + SET_AUTO_RENEW
    variables = json.dumps({"id": world.box_id(0), "input": turn_on("YEARLY", world.acme)})

    response = await get_graphql(
        http, client.headers, query=document, variables=variables, operationName="SetAutoRenew"
    )
    harmless = await get_graphql(
        http, client.headers, query=document, variables=variables, operationName="Harmless"
    )

    assert response.status_code in (400, 405)
    assert harmless.json() == {"data": {"viewer": {"email": world.caller.email}}, "extensions": {"cost": 0}}
    assert (await mailbox_settings())[world.boxes[0].id] == OFF
    assert await audit_rows() == []
