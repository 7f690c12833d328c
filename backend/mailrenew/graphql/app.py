"""``/graphql`` over HTTP: sign-in first, then Strawberry; GraphiQL from the bundled console build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from mailrenew.accounts.service import load_actor
from mailrenew.config import Settings, business_today
from mailrenew.graphql.context import Context
from mailrenew.graphql.loaders import Loaders
from mailrenew.graphql.schema import build_schema
from mailrenew.webauth import Authenticated, AuthError, authenticate


class _StrawberryApp(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(build_schema(settings), graphql_ide=None, allow_queries_via_get=True)
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
        await self.strawberry(scope, receive, send)

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
