"""`mailrenew renew`: the same sweep as the scheduler, for any day, with a dry run and a summary.

The CLI runs in a subprocess on a temporary SQLite file in both passes (the command is the same on any database;
the PostgreSQL pass covers the sweep itself, in tests/renewal).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).with_name("mailrenew")
DAY = "2027-03-01"


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{db}", "TODAY": DAY, "SCHEDULER_ENABLED": "false"}
    return subprocess.run(
        [str(CLI), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("renew") / "demo.sqlite3"
    assert run(db, "seed-demo").returncode == 0
    return db


def counts(db: Path) -> tuple[int, int, int]:
    with sqlite3.connect(db) as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("renewal_attempts", "ledger_entries", "outbox_messages")
        )


def test_dry_run_shows_what_would_be_charged_and_changes_nothing(demo: Path) -> None:
    before = counts(demo)
    result = run(demo, "renew", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "nothing was changed" in result.stdout
    assert "contact@acme.example" in result.stdout
    assert (
        result.stdout.strip()
        .splitlines()[-1]
        .startswith(f"{DAY}: 3 renewed, 0 failed (none); €26.00 would be charged")
    )
    assert counts(demo) == before


def state(db: Path) -> tuple[object, ...]:
    """Everything a sweep may change: attempts, ledger, outbox, card charges, balances, expiry dates."""
    with sqlite3.connect(db) as conn:
        return (
            counts(db),
            conn.execute("SELECT COUNT(*) FROM gateway_charges").fetchone()[0],
            conn.execute("SELECT id, balance_cents FROM prepaid_accounts ORDER BY id").fetchall(),
            conn.execute("SELECT id, expires_at, status FROM mailboxes ORDER BY id").fetchall(),
            conn.execute("SELECT id, expires_at FROM domains ORDER BY id").fetchall(),
        )


def test_a_date_after_today_is_refused_without_simulate(demo: Path) -> None:
    before = state(demo)
    result = run(demo, "renew", "--date", "2027-03-02")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: 2027-03-02 is after today (2027-03-01); use --simulate to see what would happen"
    ]
    assert state(demo) == before


def test_simulate_runs_the_sweep_and_changes_nothing(demo: Path) -> None:
    before = state(demo)
    today = run(demo, "renew", "--simulate")
    assert today.returncode == 0, today.stderr
    assert today.stdout.strip() == (
        f"SIMULATION (nothing was changed): {DAY}: 3 renewed, 0 failed (none); €26.00 were charged; 0 expired"
    )
    future = run(demo, "renew", "--simulate", "--date", "2027-03-04")
    assert future.returncode == 0, future.stderr
    assert future.stdout.startswith("SIMULATION (nothing was changed): 2027-03-04: ")
    assert state(demo) == before


def test_simulate_is_a_flag_and_excludes_dry_run(demo: Path) -> None:
    shown = run(demo, "renew", "--help")
    assert shown.returncode == 0, shown.stderr
    assert "--simulate" in shown.stdout
    assert "<bool>" not in shown.stdout
    both = run(demo, "renew", "--simulate", "--dry-run")
    assert both.returncode == 2
    assert both.stderr.splitlines() == ["error: choose --dry-run or --simulate, not both"]


def test_renew_runs_the_window_once_per_day(demo: Path) -> None:
    first = run(demo, "renew")
    again = run(demo, "renew", "--date", DAY)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"{DAY}: 3 renewed, 0 failed (none); €26.00 were charged; 0 expired"
    assert again.stdout.strip() == f"{DAY}: 0 renewed, 0 failed (none); €0.00 were charged; 0 expired"
    with sqlite3.connect(demo) as conn:
        renewals = conn.execute("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'RENEWAL'").fetchone()[0]
    assert renewals == 3


def test_a_bad_date_is_one_clear_line(demo: Path) -> None:
    result = run(demo, "renew", "--date", "2027-02-30")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: --date must be a date YYYY-MM-DD, not '2027-02-30'"
