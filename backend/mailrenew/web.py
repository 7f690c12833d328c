"""The Starlette app: /graphql, /auth, the console's static files, health, metrics, and the lifespan."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mailrenew import db, webauth
from mailrenew.config import Settings, get_settings
from mailrenew.logs import get_logger

log = get_logger("mailrenew.web")

DEFAULT_DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mailrenew_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mailrenew_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
        )


class RequestContextMiddleware:
    """Gives each request an id (logged, returned as X-Request-ID) and records its metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", None) or "other"
            self.metrics.requests.labels(scope["method"], name, str(status)).inc()
            self.metrics.latency.labels(scope["method"], name).observe(time.perf_counter() - started)
            structlog.contextvars.unbind_contextvars("request_id")


class BodyLimitMiddleware:
    """Answers 413 to a request body over ``limit`` bytes, before any route parses it.

    A declared ``Content-Length`` over the limit is refused without reading; otherwise the body is read here (at
    most ``limit`` bytes are kept, whatever the header says or when it is chunked) and replayed to the app.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        log.info("http.body_too_large", path=scope.get("path"), limit=self.limit)
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": f"The request body is larger than {self.limit} bytes.",
                        "extensions": {"code": "PAYLOAD_TOO_LARGE", "limit": self.limit},
                    }
                ]
            },
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    try:
        await db.ping()
    except Exception as exc:  # any failure means "not ready"
        log.warning("readyz.failed", error=str(exc))
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


async def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def _console_routes(dist: Path) -> list[Route | Mount]:
    index = dist / "index.html"
    if not index.exists():

        async def not_built(request: Request) -> Response:
            return PlainTextResponse(
                "The console is not built: run `make run` (or `cd frontend && npm ci && npm run build`).",
                status_code=503,
            )

        return [Route("/", not_built)]

    async def console(request: Request) -> Response:
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    routes: list[Route | Mount] = []
    if (dist / "assets").is_dir():
        routes.append(Mount("/assets", StaticFiles(directory=dist / "assets"), name="assets"))
    routes.append(Route("/", console))
    routes.append(Route("/{path:path}", console, methods=["GET"]))
    return routes


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """Build the app. ``manage_db=False`` leaves opening the database to the caller (tests)."""
    settings = settings or get_settings()
    dist = Path(settings.frontend_dist) if settings.frontend_dist else DEFAULT_DIST

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await db.open_db(settings.database_url)
        scheduler = None
        if settings.scheduler_enabled:
            from mailrenew.scheduler import build_scheduler

            scheduler = build_scheduler(settings)
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            if manage_db:
                await db.close_db()

    from mailrenew.graphql.app import graphql_routes

    routes: list[Route | Mount] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        *webauth.routes,
        *graphql_routes(settings, dist),
        *_console_routes(dist),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    return app
