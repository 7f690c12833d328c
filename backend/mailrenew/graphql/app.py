"""``/graphql`` over HTTP: sign-in first, then Strawberry; GraphiQL from the bundled console build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from mailrenew.accounts.service import load_actor
from mailrenew.config import Settings, business_today
from mailrenew.db import connection, dialect
from mailrenew.graphql import compiled
from mailrenew.graphql.context import Context
from mailrenew.graphql.cost import check_limits
from mailrenew.graphql.loaders import Loaders
from mailrenew.graphql.schema import build_schema
from mailrenew.logs import get_logger
from mailrenew.webauth import Authenticated, AuthError, authenticate

log = get_logger(__name__)


class _StrawberryApp(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        self.built = build_schema(settings)
        super().__init__(self.built, graphql_ide=None, allow_queries_via_get=True)
        self.settings = settings

    async def get_context(self, request: Any, response: Any) -> Context:
        auth: Authenticated = request.scope["state"]["auth"]
        actor = await load_actor(auth.user)
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            user=auth.user,
            actor=actor,
            loaders=Loaders(actor=actor, today=business_today(self.settings)),
        )


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the already read body over once more, then the original's messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _unauthenticated(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status
    )


class GraphQLEndpoint:
    """Authenticates every operation (cookie + CSRF, or Bearer token) before Strawberry sees it."""

    def __init__(self, settings: Settings, dist: Path) -> None:
        self.settings = settings
        self.graphiql = dist / "graphiql.html"
        self.strawberry = _StrawberryApp(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._gate(request)
        if response is not None:
            await response(scope, receive, send)
            return
        if self.settings.graphql_compiled and request.method == "POST":
            body = await request.body()
            answer = await self._compiled(request, body)
            if answer is not None:
                await answer(scope, receive, send)
                return
            receive = _replay(body, receive)
        await self.strawberry(scope, receive, send)

    async def _compiled(self, request: Request, body: bytes) -> Response | None:
        """The compiled path's answer, or None when the standard executor must serve the request."""
        if not request.headers.get("content-type", "").startswith("application/json"):
            return None
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict) or not isinstance(query := payload.get("query"), str):
            return None
        operation_name = payload.get("operationName")
        variables = payload.get("variables")
        if not (operation_name is None or isinstance(operation_name, str)) or not (
            variables is None or isinstance(variables, dict)
        ):
            return None
        plan = compiled.PLANS.get(query, operation_name)
        if plan is None:
            return None
        schema = self.strawberry.built._schema
        limits = check_limits(
            schema, plan.document, variables, operation_name, max_cost=self.settings.graphql_max_cost
        )
        if not limits.allowed:
            return None
        auth: Authenticated = request.scope["state"]["auth"]
        try:
            sql, params = compiled.render(schema, plan, variables, viewer_id=auth.user.id, dialect=dialect())
        except compiled.Unsupported:
            return None
        try:
            rows = await connection().execute_query_dict(sql, params)
        except Exception:  # the standard executor answers (and masks) what the database said
            log.exception("graphql.compiled_failed", operation_name=operation_name)
            return None
        data = rows[0]["data"]
        cost = limits.cost.nodes
        compiled.PLANS.served += 1
        return Response(
            b'{"data":' + data.encode() + b',"extensions":{"cost":' + str(cost).encode() + b"}}",
            media_type="application/json",
        )

    async def _gate(self, request: Request) -> Response | None:
        if (
            request.method == "GET"
            and "text/html" in request.headers.get("accept", "")
            and not request.query_params
        ):
            return self._explorer()
        if request.method not in ("GET", "POST"):
            return PlainTextResponse("Method Not Allowed", status_code=405)
        try:
            auth = await authenticate(request, self.settings, write=request.method == "POST")
        except AuthError as exc:
            return _unauthenticated(
                exc.status, "UNAUTHENTICATED" if exc.status == 401 else "FORBIDDEN", exc.text
            )
        if auth is None:
            return _unauthenticated(
                401, "UNAUTHENTICATED", "Sign in (POST /auth/login) or send Authorization: Bearer <token>."
            )
        request.scope.setdefault("state", {})["auth"] = auth
        return None

    def _explorer(self) -> Response:
        if not self.graphiql.exists():
            return PlainTextResponse(
                "GraphiQL is not built: run `make run` (it builds frontend/).", status_code=503
            )
        return HTMLResponse(self.graphiql.read_text(encoding="utf-8"), headers={"Cache-Control": "no-cache"})


def graphql_routes(settings: Settings, dist: Path) -> list[Route]:
    return [Route("/graphql", GraphQLEndpoint(settings, dist), methods=["GET", "POST"])]
