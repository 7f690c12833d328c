"""Browser tests: the real app in a subprocess, with the demo data, driven through Debian's Chromium.

Once per run, ``mailrenew migrate`` and ``mailrenew seed-demo`` build a template SQLite file in a temporary
folder. Every test then gets its own copy of it and its own ``mailrenew serve`` on a free port, so each test
starts from the seeded demo whatever the others changed. Chromium is launched once per run (from
``/usr/bin/chromium``: Playwright downloads no browser here); each test gets a fresh context (no cookies, no
``localStorage``), in French like the help page.

These tests run in the SQLite pass only (see ``tests/conftest.py``). A missing Chromium or an unbuilt console
fails them: CI installs Chromium (``.ci/run``) and ``make test`` builds the console first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright, expect

from tests.e2e.support import REPO, SCREENSHOTS, App

_NEXT_TO_PYTHON = Path(sys.executable).with_name("mailrenew")
MAILRENEW = _NEXT_TO_PYTHON if _NEXT_TO_PYTHON.exists() else REPO / ".venv" / "bin" / "mailrenew"
DIST = REPO / "frontend" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SECRET_KEY = "e2e-fixed-secret-key-not-for-production"
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)
_FAILED = pytest.StashKey[bool]()


def _server_env(database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DEMO_PASSWORD", "PORT"}}
    env.update(
        DATABASE_URL=f"sqlite://{database}",
        SECRET_KEY=SECRET_KEY,
        SCHEDULER_ENABLED="false",
        FRONTEND_DIST=str(DIST),
        LOG_JSON="false",
    )
    return env


async def _run(*args: str, env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        str(MAILRENEW), *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        pytest.fail(f"mailrenew {' '.join(args)} exited {process.returncode}:\n{output.decode()}")


def _require_build() -> None:
    if not (DIST / "index.html").exists():
        pytest.fail(f"The console is not built ({DIST}): run `cd frontend && npm ci && npm run build`.")
    if not MAILRENEW.exists():
        pytest.fail(f"{MAILRENEW} not found: install the project (`make install`).")


def _open_log(path: Path) -> IO[bytes]:
    return path.open("wb")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-5000:]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
async def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file holding the demo data, copied for each test."""
    _require_build()
    template = tmp_path_factory.mktemp("e2e-template") / "demo.sqlite3"
    env = _server_env(template)
    await _run("migrate", env=env)
    await _run("seed-demo", env=env)
    return template


@pytest.fixture
async def app(demo_template: Path, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[App]:
    """The real app on a fresh copy of the demo database, on a free port, until the test ends (its log is
    printed when the test fails)."""
    database = tmp_path / "mailrenew.sqlite3"
    shutil.copyfile(demo_template, database)
    port = _free_port()
    log = tmp_path / "serve.log"
    with _open_log(log) as out:
        process = await asyncio.create_subprocess_exec(
            str(MAILRENEW),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-migrate",
            env=_server_env(database),
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    running = App(base_url=f"http://127.0.0.1:{port}", database=database, log=log)
    try:
        async with httpx.AsyncClient(timeout=1) as client:
            for _ in range(300):
                if process.returncode is not None:
                    pytest.fail(f"mailrenew serve exited {process.returncode}:\n{_tail(log)}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(running.url("/healthz"))).status_code == 200:
                        break
                await asyncio.sleep(0.05)
            else:
                pytest.fail(f"mailrenew serve gave no /healthz in 15 s:\n{_tail(log)}")
        yield running
        if request.node.stash.get(_FAILED, False):
            print(f"--- mailrenew serve log ({log}) ---\n{_tail(log)}")
    finally:
        await running.close()
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()


def _require_chromium() -> None:
    """Fails (never skips): CI installs Debian's chromium, and a developer must too."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install chromium)."
        )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for stale in SCREENSHOTS.glob("FAILED-*.png"):
        stale.unlink()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    _require_chromium()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture
async def page(browser: Browser, app: App, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    """A fresh French browser context; uncaught page errors fail the test, a failure leaves a screenshot."""
    context = await browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    new_page = await context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda error: errors.append(str(error)))

    def on_console(message: ConsoleMessage) -> None:
        # The console reports its own failures through toasts; a console error that is not a refused request
        # (the wrong-password test expects a 401) is a bug.
        if message.type == "error" and "Failed to load resource" not in message.text:
            errors.append(message.text)

    new_page.on("console", on_console)
    try:
        yield new_page
        if request.node.stash.get(_FAILED, False):
            await new_page.screenshot(path=SCREENSHOTS / f"FAILED-{request.node.name}.png", full_page=True)
        assert errors == [], f"errors in the page: {errors}"
    finally:
        await context.close()
