"""Two processes can write to one embedded SQLite file: the server beside the CLI, and racing transactions.

Tortoise's own SQLite engine opens deferred transactions; a transaction that reads, then writes after another
process wrote, fails at once with "database is locked" whatever the busy timeout. ``mailrenew.sqlite_backend``
starts them with ``BEGIN IMMEDIATE`` instead; the negative control below shows the stock engine failing the
same race, so the positive test can fail.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.sqlite_only

BIN = Path(sys.executable).parent
MAILRENEW = BIN / "mailrenew"
WORKER = Path(__file__).with_name("sqlite_race_worker.py")
DEMO_PASSWORD = "race-demo-password"


def env_for(path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=f"sqlite://{path}", DEMO_PASSWORD=DEMO_PASSWORD, NO_COLOR="1", LOG_JSON="false")
    return env


async def run(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str, float, float]:
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *args, env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode(), started, time.monotonic()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scalar(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def test_server_and_cli_write_to_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    env = env_for(path)
    for command in (["migrate"], ["seed-demo"]):
        code, _, err, _, _ = await run(str(MAILRENEW), *command, env=env, cwd=tmp_path)
        assert code == 0, err
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = await asyncio.create_subprocess_exec(
        str(MAILRENEW),
        "serve",
        "--port",
        str(port),
        "--no-migrate",
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for _ in range(200):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.returncode is None, (tmp_path / "server.log").read_text()
                await asyncio.sleep(0.05)
            else:
                pytest.fail("the server did not start: " + (tmp_path / "server.log").read_text())

            statuses: list[int] = []
            login_times: list[float] = []
            cli_done = asyncio.Event()

            async def sign_in_repeatedly() -> None:
                # at least 40 sign-ins, and keep going until every CLI call is over (so they overlap)
                while len(statuses) < 40 or not cli_done.is_set():
                    response = await http.post(
                        "/auth/login", json={"email": "owner@acme.example", "password": DEMO_PASSWORD}
                    )
                    statuses.append(response.status_code)
                    login_times.append(time.monotonic())

            logins = asyncio.gather(*(sign_in_repeatedly() for _ in range(3)))
            try:
                results = await asyncio.gather(
                    *(
                        run(
                            str(MAILRENEW),
                            "tokens",
                            "create",
                            "--user",
                            "owner@acme.example",
                            "--name",
                            f"t{n}",
                            env=env,
                            cwd=tmp_path,
                        )
                        for n in range(10)
                    )
                )
            finally:
                cli_done.set()
                await asyncio.wait_for(logins, timeout=60)
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=15)
        log.close()

    for code, out, err, _, _ in results:
        assert code == 0, err
        assert out.startswith("mr_")
        assert "locked" not in err
    assert len(statuses) >= 40
    assert set(statuses) == {200}
    first_cli, last_cli = min(r[3] for r in results), max(r[4] for r in results)
    assert any(first_cli <= t <= last_cli for t in login_times), "the sign-ins ran while the CLI wrote"
    assert scalar(path, "SELECT COUNT(*) FROM access_tokens") == 10
    assert scalar(path, "SELECT COUNT(*) FROM user_sessions") == len(statuses)
    assert scalar(path, "SELECT COUNT(*) FROM login_attempts WHERE succeeded = 1") == len(statuses)
    assert "database is locked" not in (tmp_path / "server.log").read_text()


async def race(tmp_path: Path, engine: str, iterations: int = 50) -> tuple[int, list[dict[str, object]]]:
    path = tmp_path / f"race-{engine}.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE race_counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
        conn.execute("INSERT INTO race_counter (id, value) VALUES (1, 0)")
    start_at = time.time() + 1.5  # both workers are imported and connected by then
    outcomes = await asyncio.gather(
        *(
            run(
                sys.executable,
                str(WORKER),
                f"sqlite://{path}",
                str(iterations),
                str(start_at),
                engine,
                env=env_for(path),
                cwd=tmp_path,
            )
            for _ in range(2)
        )
    )
    reports = []
    for code, out, err, _, _ in outcomes:
        assert code == 0, err
        reports.append(json.loads(out))
    return scalar(path, "SELECT value FROM race_counter WHERE id = 1"), reports


async def test_read_then_write_transactions_of_two_processes_serialize(tmp_path: Path) -> None:
    counter, reports = await race(tmp_path, "immediate")
    assert [report["errors"] for report in reports] == [[], []]
    assert [report["committed"] for report in reports] == [50, 50]
    assert counter == 100


async def test_negative_control_stock_engine_fails_the_same_race(tmp_path: Path) -> None:
    counter, reports = await race(tmp_path, "stock")
    errors = [error for report in reports for error in report["errors"]]  # type: ignore[attr-defined]
    assert errors, "the stock engine should have hit 'database is locked'"
    assert any("database is locked" in error for error in errors), errors[:3]
    committed = sum(int(report["committed"]) for report in reports)  # type: ignore[call-overload]
    assert counter == committed < 100
