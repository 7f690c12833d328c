"""`mailrenew prices list` and `mailrenew prices set`, run as the real console script.

Like the other CLI tests, the command runs in a subprocess on a temporary SQLite file in both passes (the
service underneath, ``billing.service.set_price``, is covered on both engines in tests/billing/test_prices.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.test_cli import query, run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("prices") / "demo.sqlite3"
    done = run(path, "seed-demo")
    assert done.returncode == 0, done.stderr
    return path


def prices(path: Path) -> list[tuple[object, ...]]:
    return query(path, "SELECT product, offer, period, amount_cents, updated_at FROM prices ORDER BY id")


def test_help_shows_the_commands_and_the_amount_form(tmp_path: Path) -> None:
    done = run(tmp_path / "unused.sqlite3", "prices", "--help")
    assert done.returncode == 0, done.stderr
    assert "list" in done.stdout
    assert "set" in done.stdout
    done = run(tmp_path / "unused.sqlite3", "prices", "set", "--help")
    assert done.returncode == 0, done.stderr
    for text in ("PRODUCT", "OFFER", "PERIOD", "AMOUNT", "1.20", "1,20"):
        assert text in done.stdout, text
    assert not (tmp_path / "unused.sqlite3").exists()


def test_list_is_a_readable_table(demo: Path) -> None:
    done = run(demo, "prices", "list")
    assert done.returncode == 0, done.stderr
    lines = [re.split(r"\s{2,}", line.strip()) for line in done.stdout.splitlines()]
    assert lines[0] == ["PRODUCT", "OFFER", "PERIOD", "AMOUNT", "LAST CHANGE"]
    assert [line[:4] for line in lines[1:]] == [
        ["DOMAIN", "-", "YEARLY", "15.00 EUR"],
        ["MAILBOX", "PREMIUM", "MONTHLY", "5.00 EUR"],
        ["MAILBOX", "PREMIUM", "YEARLY", "50.00 EUR"],
        ["MAILBOX", "STANDARD", "MONTHLY", "1.00 EUR"],
        ["MAILBOX", "STANDARD", "YEARLY", "10.00 EUR"],
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", line[4]) for line in lines[1:])


@pytest.mark.parametrize(
    ("args", "cents", "shown"),
    [
        (("MAILBOX", "STANDARD", "MONTHLY", "1.20"), 120, "MAILBOX STANDARD MONTHLY: 1.20 EUR"),
        (("mailbox", "premium", "yearly", "45,5"), 4550, "MAILBOX PREMIUM YEARLY: 45.50 EUR"),
        (("DOMAIN", "-", "YEARLY", "18"), 1800, "DOMAIN - YEARLY: 18.00 EUR"),
    ],
)
def test_set_changes_one_price_and_records_it(
    tmp_path: Path, args: tuple[str, ...], cents: int, shown: str
) -> None:
    path = tmp_path / "set.sqlite3"
    assert run(path, "seed-demo").returncode == 0
    before = prices(path)
    done = run(path, "prices", "set", *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(shown + " (was ")
    after = prices(path)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    assert changed[0][1][3] == cents
    [(action, target_type, target_id, after_json)] = query(
        path, "SELECT action, target_type, target_id, after FROM audit_events"
    )
    assert (action, target_type) == ("price.set", "price")
    assert json.loads(str(after_json))["amount_cents"] == cents
    assert (
        target_id
        == query(
            path, "SELECT id FROM prices WHERE amount_cents = ? AND product = ?", (cents, shown.split()[0])
        )[0][0]
    )
    listed = run(path, "prices", "list").stdout
    assert f"{cents // 100}.{cents % 100:02d} EUR" in listed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("BOAT", "STANDARD", "MONTHLY", "1.20"),
            "error: unknown product 'BOAT'; choose one of MAILBOX, DOMAIN",
        ),
        (
            ("MAILBOX", "GOLD", "MONTHLY", "1.20"),
            "error: unknown offer 'GOLD' for MAILBOX; choose one of STANDARD, PREMIUM",
        ),
        (
            ("DOMAIN", "STANDARD", "YEARLY", "1.20"),
            "error: unknown offer 'STANDARD' for DOMAIN; choose one of -",
        ),
        (
            ("MAILBOX", "STANDARD", "WEEKLY", "1.20"),
            "error: unknown period 'WEEKLY' for MAILBOX STANDARD; choose one of MONTHLY, YEARLY",
        ),
        (
            ("DOMAIN", "-", "MONTHLY", "1.20"),
            "error: unknown period 'MONTHLY' for DOMAIN -; choose one of YEARLY",
        ),
        (("MAILBOX", "STANDARD", "MONTHLY", "0"), "error: AMOUNT must be more than 0.00, not '0'"),
        (("MAILBOX", "STANDARD", "MONTHLY", "0,00"), "error: AMOUNT must be more than 0.00, not '0,00'"),
        (
            ("MAILBOX", "STANDARD", "MONTHLY", "100000.01"),
            "error: AMOUNT must be at most 100000.00, not '100000.01'",
        ),
        (
            ("MAILBOX", "STANDARD", "MONTHLY", "--", "-1.20"),
            "error: AMOUNT must be euros with at most 2 decimals, e.g. 1.20 or 1,20, not '-1.20'",
        ),
        (
            ("MAILBOX", "STANDARD", "MONTHLY", "1.205"),
            "error: AMOUNT must be euros with at most 2 decimals, e.g. 1.20 or 1,20, not '1.205'",
        ),
        (
            ("MAILBOX", "STANDARD", "MONTHLY", "1.2O"),
            "error: AMOUNT must be euros with at most 2 decimals, e.g. 1.20 or 1,20, not '1.2O'",
        ),
        (
            ("MAILBOX", "STANDARD", "MONTHLY", "1e3"),
            "error: AMOUNT must be euros with at most 2 decimals, e.g. 1.20 or 1,20, not '1e3'",
        ),
        (
            ("MAILBOX", "STANDARD", "MONTHLY", "€1"),
            "error: AMOUNT must be euros with at most 2 decimals, e.g. 1.20 or 1,20, not '€1'",
        ),
    ],
)
def test_each_refusal_is_one_line_exit_2_and_changes_nothing(
    demo: Path, args: tuple[str, ...], message: str
) -> None:
    before = prices(demo)
    done = run(demo, "prices", "set", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [message]
    assert prices(demo) == before
    assert query(demo, "SELECT COUNT(*) FROM audit_events WHERE action = 'price.set'") == [(0,)]
