"""GraphQL over HTTP: the real ASGI app through httpx, signed in with a session cookie or a Bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from mailrenew.accounts.models import User
from mailrenew.accounts.service import create_token
from tests.factories import PASSWORD


@dataclass
class GraphQLClient:
    http: httpx.AsyncClient
    headers: dict[str, str]

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers
        )

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run an operation that must succeed: HTTP 200, no GraphQL errors; returns ``data``."""
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


@pytest.fixture
def signed_in(http: httpx.AsyncClient):
    """``await signed_in(user)`` → a GraphQLClient with the session cookie and CSRF header of that user."""

    async def sign_in(user: User) -> GraphQLClient:
        response = await http.post("/auth/login", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return GraphQLClient(http=http, headers={"X-CSRF-Token": response.json()["csrfToken"]})

    return sign_in


@pytest.fixture
def with_token(http: httpx.AsyncClient):
    """``await with_token(user)`` → a GraphQLClient authenticated by a personal access token."""

    async def bearer(user: User) -> GraphQLClient:
        _, secret = await create_token(user.email, "tests")
        return GraphQLClient(
            http=httpx.AsyncClient(transport=http._transport, base_url="http://testserver"),
            headers={"Authorization": f"Bearer {secret}"},
        )

    return bearer
