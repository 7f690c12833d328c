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
