"""Request bodies over MAX_BODY_BYTES are answered 413 before anything parses them, declared or chunked."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mailrenew.config import Settings
from mailrenew.web import BodyLimitMiddleware, create_app
from tests.querycount import count_statements

LIMIT = 256 * 1024


def _assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.json() == {
        "errors": [
            {
                "message": f"The request body is larger than {LIMIT} bytes.",
                "extensions": {"code": "PAYLOAD_TOO_LARGE", "limit": LIMIT},
            }
        ]
    }


@pytest.mark.parametrize("path", ["/graphql", "/auth/login"])
async def test_a_300_kb_body_is_refused_quickly(http: httpx.AsyncClient, path: str) -> None:
    body = b'{"query": "' + b" " * 300_000 + b'{ viewer { email } }"}'
    with count_statements() as statements:
        started = time.perf_counter()
        response = await http.post(path, content=body, headers={"Content-Type": "application/json"})
        elapsed = time.perf_counter() - started
    _assert_too_large(response)
    assert statements.count == 0
    assert elapsed < 0.05, f"{elapsed * 1000:.1f} ms"


async def test_a_chunked_body_without_content_length_is_counted(http: httpx.AsyncClient) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"query": "'
        for _ in range(100):  # 6.4 MB if read to the end
            sent += 1
            yield b" " * 64 * 1024

    response = await http.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})

    _assert_too_large(response)
    assert sent <= 6, "the body was read past the limit"


async def test_a_body_under_the_limit_goes_through(http: httpx.AsyncClient) -> None:
    padding = "x" * 200_000  # an unused variable: the request is large but allowed
    response = await http.post(
        "/graphql", json={"query": "{ viewer { email } }", "variables": {"pad": padding}}
    )
    assert response.status_code == 401  # it reached the sign-in gate, past the size check


async def test_the_limit_is_a_setting(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"max_body_bytes": 2048}), manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        refused = await http.post("/auth/login", json={"email": "a@example.org", "password": "x" * 3000})
        allowed = await http.post("/auth/login", json={"email": "a@example.org", "password": "x" * 100})
    assert refused.status_code == 413
    assert refused.json()["errors"][0]["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "limit": 2048}
    assert allowed.status_code != 413


async def _run(
    middleware: BodyLimitMiddleware, headers: list[tuple[bytes, bytes]], messages: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """Drive the middleware as a server would; returns what it sent and how many messages it received."""
    incoming = iter(messages)
    received = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        received += 1
        return next(incoming, {"type": "http.disconnect"})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": headers, "query_string": b""}
    await middleware(scope, receive, send)  # type: ignore[arg-type]
    return sent, received


async def test_a_content_length_that_lies_does_not_get_a_larger_body_through() -> None:
    reached: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append((await receive())["body"])

    chunk = {"type": "http.request", "body": b"x" * 100_000, "more_body": True}
    sent, received = await _run(BodyLimitMiddleware(app, LIMIT), [(b"content-length", b"10")], [chunk] * 10)

    assert reached == []
    assert (sent[0]["type"], sent[0]["status"]) == ("http.response.start", 413)
    assert received == 3  # stopped reading at the first chunk over the limit


async def test_the_app_gets_the_whole_body_it_was_allowed() -> None:
    reached: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(await receive())

    parts = [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"c"},
    ]
    await _run(BodyLimitMiddleware(app, LIMIT), [], parts)

    assert reached == [{"type": "http.request", "body": b"abc", "more_body": False}]
