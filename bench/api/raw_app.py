"""The raw baseline of the API benchmark: hand-written SQL on asyncpg, orjson, a bare ASGI app.

It answers Q1 and Q2 of ``bench_api.py`` with the same JSON as Mailrenew's ``/graphql`` (same keys, same global
ids, same order), scoped the same way (the bearer token's user, that user's organizations through memberships),
with LATERAL joins for the nested mailboxes: Q2 is one statement (the token lookup, the scope, the domain and its
mailboxes), Q1 two (the viewer's organizations, then the page: see ``VIEWER``). It does not parse GraphQL: the
path names the query, the body's ``variables`` are read.

    RAW_DATABASE_URL=postgres://… uvicorn --app-dir bench/api raw_app:app --port 8001

``POST /q1`` body ``{"variables": {"first": 50, "mailboxes": 5}}``, ``POST /q2`` body
``{"variables": {"fqdn": "big-1.example", "first": 100}}``. Both need ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import asyncpg
import orjson

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

VIEWER_ORGS = """
    viewer AS (
        SELECT t.user_id FROM access_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.is_active
    ),
    orgs AS (SELECT m.organization_id FROM memberships m WHERE m.user_id = (SELECT user_id FROM viewer))
"""

# Q1 is two statements: the viewer's organizations, then the page with ``owner_id = ANY($1)``. In one statement
# the planner cannot know how many organizations the viewer has: with the reseller's 1,000 it fetched all
# 20,000 domains and sorted them (18 ms a request) where walking the fqdn index stops after 50 rows (1.3 ms);
# with the organizations as a parameter and custom plans (``plan_cache_mode``) each viewer gets its plan.
VIEWER = """
SELECT t.user_id, array(SELECT m.organization_id FROM memberships m WHERE m.user_id = t.user_id) AS orgs
FROM access_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.is_active
"""

Q1 = """
WITH page AS (
    SELECT d.id, d.fqdn, d.expires_at, d.auto_renew_enabled FROM domains d
    WHERE d.owner_id = ANY($1::int[])
    ORDER BY d.fqdn LIMIT $2
)
SELECT p.id, p.fqdn, p.expires_at, p.auto_renew_enabled, c.n,
       b.address, b.expires_at AS box_expires_at, b.auto_renew_enabled AS box_enabled, b.auto_renew_period
FROM page p
CROSS JOIN LATERAL (SELECT count(*) AS n FROM mailboxes x WHERE x.domain_id = p.id) c
LEFT JOIN LATERAL (
    SELECT x.address, x.expires_at, x.auto_renew_enabled, x.auto_renew_period FROM mailboxes x
    WHERE x.domain_id = p.id ORDER BY x.address LIMIT $3
) b ON TRUE
ORDER BY p.fqdn, b.address
"""

Q2 = f"""
WITH {VIEWER_ORGS},
dom AS (
    SELECT d.id, d.fqdn FROM domains d
    WHERE d.fqdn = $2 AND d.owner_id IN (SELECT organization_id FROM orgs)
)
SELECT dom.id, dom.fqdn, b.address, b.expires_at, b.auto_renew_enabled, b.auto_renew_period, b.payer_name
FROM dom
LEFT JOIN LATERAL (
    SELECT x.address, x.expires_at, x.auto_renew_enabled, x.auto_renew_period, o.name AS payer_name
    FROM mailboxes x LEFT JOIN organizations o ON o.id = x.auto_renew_payer_id
    WHERE x.domain_id = dom.id ORDER BY x.address LIMIT $3
) b ON TRUE
ORDER BY b.address
"""


def global_id(type_name: str, pk: int) -> str:
    """Mailrenew's global ids (``mailrenew.graphql.relay.to_global_id``)."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def box(address: str, expires: Any, enabled: bool, period: str | None) -> dict[str, Any]:
    return {"address": address, "expiresAt": expires, "autoRenew": {"enabled": enabled, "period": period}}


async def q1(conn: asyncpg.Connection, token_hash: str, variables: dict[str, Any]) -> dict[str, Any]:
    viewer = await conn.fetchrow(VIEWER, token_hash)
    orgs = viewer["orgs"] if viewer else []
    rows = await conn.fetch(Q1, orgs, int(variables.get("first", 50)), int(variables.get("mailboxes", 5)))
    nodes: list[dict[str, Any]] = []
    last = None
    for r in rows:
        if r["id"] != last:
            last = r["id"]
            nodes.append(
                {
                    "id": global_id("Domain", r["id"]),
                    "fqdn": r["fqdn"],
                    "expiresAt": r["expires_at"],
                    "autoRenew": {"enabled": r["auto_renew_enabled"]},
                    "mailboxes": {"totalCount": r["n"], "nodes": []},
                }
            )
        if r["address"] is not None:
            nodes[-1]["mailboxes"]["nodes"].append(
                box(r["address"], r["box_expires_at"], r["box_enabled"], r["auto_renew_period"])
            )
    return {"data": {"domains": {"nodes": nodes}}}


async def q2(conn: asyncpg.Connection, token_hash: str, variables: dict[str, Any]) -> dict[str, Any]:
    rows = await conn.fetch(Q2, token_hash, str(variables["fqdn"]), int(variables.get("first", 100)))
    if not rows:
        return {"data": {"domainByFqdn": None}}
    boxes = []
    for r in rows:
        if r["address"] is not None:
            item = box(r["address"], r["expires_at"], r["auto_renew_enabled"], r["auto_renew_period"])
            item["autoRenew"]["payer"] = {"name": r["payer_name"]} if r["payer_name"] is not None else None
            boxes.append(item)
    domain = {
        "id": global_id("Domain", rows[0]["id"]),
        "fqdn": rows[0]["fqdn"],
        "mailboxes": {"nodes": boxes},
    }
    return {"data": {"domainByFqdn": domain}}


HANDLERS = {"/q1": q1, "/q2": q2}


class RawApp:
    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        handler = HANDLERS.get(scope["path"])
        if scope["type"] != "http" or scope["method"] != "POST" or handler is None:
            await respond(send, 404, b'{"errors":[{"message":"not found"}]}')
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        auth = dict(scope["headers"]).get(b"authorization", b"").decode()
        if not auth.startswith("Bearer "):
            await respond(send, 401, b'{"errors":[{"message":"unauthenticated"}]}')
            return
        token_hash = hashlib.sha256(auth.removeprefix("Bearer ").encode()).hexdigest()
        variables = orjson.loads(body or b"{}").get("variables") or {}
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            answer = await handler(conn, token_hash, variables)
        await respond(send, 200, orjson.dumps(answer))

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool = await asyncpg.create_pool(
                    os.environ["RAW_DATABASE_URL"],
                    min_size=1,
                    max_size=10,
                    reset=no_reset,
                    server_settings={"plan_cache_mode": "force_custom_plan"},
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def no_reset(conn: asyncpg.Connection) -> None:
    """No reset script on release: this app takes no advisory lock, opens no cursor, LISTENs to nothing and
    changes no setting (asyncpg's default would run four more commands per request)."""


async def respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


app = RawApp()
