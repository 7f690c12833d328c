"""What the browser tests share: the running app (with its database and API), sign-in, screenshots, axe-core."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "demo-password"
BADGE_FR = "Renouvellement automatique activé"


@dataclass
class App:
    """One running ``mailrenew serve`` on its own copy of the demo database."""

    base_url: str
    database: Path
    log: Path
    _sessions: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def rows(self, sql: str, *params: object) -> list[sqlite3.Row]:
        """Reads the app's database file directly (read-only)."""
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=5)
        connection.row_factory = sqlite3.Row
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def mailboxes(self, fqdn: str) -> dict[str, dict[str, Any]]:
        """address → auto-renew settings of a domain's mailboxes, from the database."""
        rows = self.rows(
            """SELECT m.address, m.auto_renew_enabled, m.auto_renew_period, o.name AS payer
               FROM mailboxes m JOIN domains d ON d.id = m.domain_id
               LEFT JOIN organizations o ON o.id = m.auto_renew_payer_id
               WHERE d.fqdn = ? ORDER BY m.address""",
            fqdn,
        )
        return {
            row["address"]: {
                "enabled": bool(row["auto_renew_enabled"]),
                "period": row["auto_renew_period"],
                "payer": row["payer"],
            }
            for row in rows
        }

    async def graphql(
        self, email: str, query: str, variables: dict[str, Any] | None = None, *, language: str = "en"
    ) -> dict[str, Any]:
        """Runs an operation through the API as ``email`` (signed in over /auth/login like the console)."""
        client = self._sessions.get(email)
        if client is None:
            client = httpx.AsyncClient(base_url=self.base_url, timeout=10)
            response = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
            assert response.status_code == 200, response.text
            client.headers["X-CSRF-Token"] = response.json()["csrfToken"]
            self._sessions[email] = client
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Accept-Language": language},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    async def close(self) -> None:
        for client in self._sessions.values():
            await client.aclose()


async def run_cli(app: App, *args: str) -> str:
    """Runs ``mailrenew <args>`` on the test's database, with the environment the app was started with (the
    fixture's); returns its output and fails the test when it exits non-zero."""
    from tests.e2e import conftest  # here, not at the top: conftest imports this module

    process = await asyncio.create_subprocess_exec(
        str(conftest.MAILRENEW),
        *args,
        env=conftest._server_env(app.database),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        pytest.fail(f"mailrenew {' '.join(args)} exited {process.returncode}:\n{output.decode()}")
    return output.decode()


async def sign_in(page: Page, app: App, email: str, *, next_path: str = "") -> None:
    """Signs in through the sign-in page and waits for the console (the domain list, or ``next_path``)."""
    await page.goto(app.url(next_path or "/login"))
    await page.wait_for_url("**/login**")
    await page.locator("#login-email").fill(email)
    await page.locator("#login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(lambda url: "/login" not in url)
    await page.locator("main h1").first.wait_for()


async def shot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Saves a screenshot to tests/e2e/screenshots/ (git-ignored) for a person to look at."""
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=path, full_page=full_page)
    return path


async def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Runs axe-core on the page as it is; returns the violations of the given impacts, readable."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `cd frontend && npm ci`.")
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        """async () => {
            const r = await window.axe.run(document, { resultTypes: ['violations'] });
            return r.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + n.failureSummary),
            }));
        }"""
    )
    return [json.dumps(v, ensure_ascii=False) for v in result if v["impact"] in impacts]


async def eventually(check: Callable[[], bool], *, within: float = 5.0) -> None:
    """Waits until ``check()`` is true (a write the page triggered without waiting for its answer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            pytest.fail(f"condition still false after {within:.1f} s")
        await asyncio.sleep(0.05)
