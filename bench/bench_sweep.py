"""Renewal-sweep throughput: ``run_sweep`` against a hand-written raw-SQL batch baseline, same world, same run.

For each backend (a temporary SQLite file; a throwaway PostgreSQL database when PostgreSQL answers):
1. a world is built once with bulk SQL (COPY on PostgreSQL, ``executemany`` on SQLite) into a template;
2. two identical copies are made (file copy / ``CREATE DATABASE … TEMPLATE``);
3. ``run_sweep(day)`` renews every due mailbox of the first copy (timed), then the result is checked;
4. the baseline does the same logical work on the second copy with raw driver calls (timed), then is checked;
5. both end states are compared (balances, ledger, expiry dates, attempts, receipts must be identical).

Each backend runs in a child process (``bench_sweep.py BACKEND RESULT_FILE``), stopped after ``BENCH_TIMEOUT``.

Environment: ``BENCH_ITEMS`` (default 100000), ``BENCH_PAYERS`` (200), ``BENCH_BATCH`` (the sweep's
``BATCH_SIZE``), ``BENCH_BACKENDS`` (``sqlite,postgres``), ``BENCH_BASELINE`` (``ids`` or ``keyset``, see
``baseline``), ``BENCH_TIMEOUT`` (600 s per backend), ``DATABASE_URL_PG`` (an existing database used to create
and drop the throwaway ones), ``BENCH_PROFILE`` (a directory: the sweep runs under cProfile and a
``sweep-<backend>.prof`` is written there; its timing is then not comparable). See bench/README.md.

Exit status: 1 when a correctness check fails or a backend did not finish (a ratio under the target only
prints "not met").
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
from tortoise import Tortoise

from mailrenew import db
from mailrenew.billing.service import price_table, seed_default_prices
from mailrenew.config import utcnow
from mailrenew.i18n import normalize_language
from mailrenew.notify.templates import render
from mailrenew.renewal import sweep as sweep_module
from mailrenew.renewal.calendar import next_term_end
from mailrenew.renewal.sweep import BATCH_SIZE, run_sweep
from mailrenew.renewal.window import WINDOW_CLOSES_DAYS_BEFORE, WINDOW_OPENS_DAYS_BEFORE

DAY = dt.date(2027, 3, 1)
FIRST_DUE = DAY + dt.timedelta(days=WINDOW_CLOSES_DAYS_BEFORE)  # J-1 seen from the item: expires tomorrow
LAST_DUE = DAY + dt.timedelta(days=WINDOW_OPENS_DAYS_BEFORE)  # J-5
ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))
PAYERS = int(os.environ.get("BENCH_PAYERS", "200"))
BATCH = int(os.environ.get("BENCH_BATCH", str(BATCH_SIZE)))
BACKENDS = [b.strip() for b in os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",") if b.strip()]
PG_URL = os.environ.get("DATABASE_URL_PG", "postgres://postgres@127.0.0.1:5432/test")
PROFILE_DIR = os.environ.get("BENCH_PROFILE")
BASELINE_MODE = os.environ.get("BENCH_BASELINE", "ids")  # or "keyset" (the sweep's own due query)
TIMEOUT_S = float(os.environ.get("BENCH_TIMEOUT", "600"))  # per backend, world and checks included
RUN_ID = os.environ.get("BENCH_RUN_ID") or uuid.uuid4().hex[:8]  # names the throwaway PostgreSQL databases
TARGET = 0.5
DOMAINS_PER_PAYER = 5
MARGIN_CENTS = 10_000  # what each payer has left once all its items are renewed
SQLITE_PRAGMAS = {  # the application's (mailrenew.db.connection_config and Tortoise's defaults)
    "journal_mode": "WAL",
    "journal_size_limit": 16384,
    "foreign_keys": "ON",
    "busy_timeout": db.SQLITE_BUSY_TIMEOUT_MS,
    "synchronous": "NORMAL",
}


def say(text: str = "") -> None:
    print(text, flush=True)


# --- a raw connection, either dialect ---------------------------------------------------------------------


class Raw:
    """A driver connection without the ORM: asyncpg, or aiosqlite with the application's pragmas.

    SQL is written with ``?`` markers; on PostgreSQL they become ``$1 … $n`` (in order).
    """

    def __init__(self, dialect: str, conn: Any) -> None:
        self.dialect = dialect
        self.conn = conn
        self._numbered: dict[str, str] = {}

    @classmethod
    async def open(cls, url: str) -> Raw:
        if url.startswith("sqlite://"):
            conn = await aiosqlite.connect(url.removeprefix("sqlite://"), isolation_level=None)
            conn.row_factory = aiosqlite.Row
            for pragma, value in SQLITE_PRAGMAS.items():
                await conn.execute(f"PRAGMA {pragma}={value}")
            return cls("sqlite", conn)
        return cls("postgres", await asyncpg.connect(url))

    @property
    def pg(self) -> bool:
        return self.dialect == "postgres"

    def sql(self, text: str) -> str:
        if not self.pg:
            return text
        if text not in self._numbered:
            counter = iter(range(1, 10_000))
            self._numbered[text] = re.sub(r"\?", lambda _: f"${next(counter)}", text)
        return self._numbered[text]

    async def fetch(self, text: str, *args: object) -> list[Any]:
        if self.pg:
            return list(await self.conn.fetch(self.sql(text), *args))
        return list(await self.conn.execute_fetchall(text, args))

    async def execute(self, text: str, *args: object) -> None:
        if self.pg:
            await self.conn.execute(self.sql(text), *args)
        else:
            await self.conn.execute(text, args)

    async def executemany(self, text: str, rows: Sequence[Sequence[object]]) -> None:
        if rows:
            await self.conn.executemany(self.sql(text), rows)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A transaction; on SQLite it takes the write lock at once, as the application does."""
        if self.pg:
            async with self.conn.transaction():
                yield
            return
        await self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            await self.conn.execute("ROLLBACK")
            raise
        await self.conn.execute("COMMIT")

    async def close(self) -> None:
        await self.conn.close()


def marks(count: int) -> str:
    return ", ".join("?" * count)


# --- the world ----------------------------------------------------------------------------------------------


@dataclass
class World:
    """The rows to load, and what a correct renewal of all of them must leave behind."""

    prices: dict[tuple[str, str, str], int]
    tables: dict[str, tuple[list[str], list[tuple[object, ...]]]] = field(default_factory=dict)
    new_expiry: dict[int, dt.date] = field(default_factory=dict)
    final_balance: dict[int, int] = field(default_factory=dict)
    charged_cents: int = 0

    @property
    def items(self) -> int:
        return len(self.new_expiry)


def plan_world(items: int, payers: int, prices: dict[tuple[str, str, str], int]) -> World:
    """``payers`` organizations (one OWNER each, a prepaid account opened by a ledger entry, some domains) and
    ``items`` mailboxes on auto-renewal expiring within J-5 … J-1, spread at random over payers, offers,
    periods and days; each payer's balance covers all its renewals plus ``MARGIN_CENTS`` (no card path)."""
    rng = random.Random(20270301)
    now = utcnow()
    world = World(prices=prices)
    charge = dict.fromkeys(range(1, payers + 1), 0)
    domains = []
    for org in range(1, payers + 1):
        for n in range(DOMAINS_PER_PAYER):
            domain_id = (org - 1) * DOMAINS_PER_PAYER + n + 1
            expires = DAY + dt.timedelta(days=200 + rng.randrange(160))
            domains.append(
                (domain_id, f"d{domain_id}.bench.example", org, expires, "ACTIVE", False, None, None, now)
            )
    mailboxes = []
    for box_id in range(1, items + 1):
        org = rng.randrange(payers) + 1
        domain_id = (org - 1) * DOMAINS_PER_PAYER + rng.randrange(DOMAINS_PER_PAYER) + 1
        offer = "PREMIUM" if rng.random() < 0.25 else "STANDARD"
        period = "YEARLY" if rng.random() < 0.4 else "MONTHLY"
        expires = FIRST_DUE + dt.timedelta(days=rng.randrange((LAST_DUE - FIRST_DUE).days + 1))
        local = f"box{box_id}"
        mailboxes.append(
            (box_id, domain_id, local, f"{local}@d{domain_id}.bench.example", offer, "ACTIVE", expires, True,
             period, org, org, now, now)
        )  # fmt: skip
        charge[org] += prices[("MAILBOX", offer, period)]
        world.new_expiry[box_id] = next_term_end(expires, period)
    opening = {org: cents + MARGIN_CENTS for org, cents in charge.items()}
    world.final_balance = {org: MARGIN_CENTS for org in charge}
    world.charged_cents = sum(charge.values())
    orgs = range(1, payers + 1)
    world.tables = {
        "organizations": (["id", "name", "created_at"], [(o, f"Payer {o}", now) for o in orgs]),
        "users": (
            ["id", "email", "password_hash", "display_name", "language", "is_active", "created_at"],
            [(o, f"owner{o}@bench.example", "-", f"Owner {o}", "fr" if o % 2 else "en", True, now) for o in orgs],
        ),
        "memberships": (
            ["id", "user_id", "organization_id", "role", "created_at"],
            [(o, o, o, "OWNER", now) for o in orgs],
        ),
        "prepaid_accounts": (
            ["id", "organization_id", "balance_cents", "currency", "updated_at"],
            [(o, o, opening[o], "EUR", now) for o in orgs],
        ),
        "ledger_entries": (
            ["account_id", "kind", "amount_cents", "balance_after_cents", "reference", "idempotency_key", "created_at"],
            [(o, "OPENING", opening[o], opening[o], "Opening balance", f"opening:{o}", now) for o in orgs],
        ),
        "domains": (
            ["id", "fqdn", "owner_id", "expires_at", "status", "auto_renew_enabled", "auto_renew_payer_id",
             "auto_renew_set_by_id", "created_at"],
            domains,
        ),
        "mailboxes": (
            ["id", "domain_id", "local_part", "address", "offer", "status", "expires_at", "auto_renew_enabled",
             "auto_renew_period", "auto_renew_payer_id", "auto_renew_set_by_id", "created_at", "updated_at"],
            mailboxes,
        ),
    }  # fmt: skip
    return world


async def load_world(raw: Raw, world: World) -> None:
    """Bulk-load the world in one transaction, then move the id sequences past it and gather statistics."""
    async with raw.transaction():
        for table, (columns, rows) in world.tables.items():
            if raw.pg:
                await raw.conn.copy_records_to_table(table, records=rows, columns=columns)
            else:
                await raw.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(len(columns))})", rows
                )
        if raw.pg:
            for table, (columns, _) in world.tables.items():
                if "id" in columns:
                    await raw.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
    if raw.pg:
        await raw.execute("VACUUM ANALYZE")
    else:
        await raw.execute("ANALYZE")
        await raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- the baseline: the same work in hand-written SQL ------------------------------------------------------

DUE_WHERE = (  # the sweep's window predicate (renewal.sweep._due_where), mailboxes
    "m.auto_renew_enabled = TRUE AND m.status <> 'EXPIRED' AND m.expires_at >= ? AND m.expires_at <= ? "
    "AND NOT EXISTS (SELECT 1 FROM renewal_attempts a WHERE a.mailbox_id = m.id AND a.business_day = ?)"
)
DUE_COLUMNS = (
    "SELECT m.id, m.address, m.expires_at, m.auto_renew_period AS period, m.offer, m.auto_renew_payer_id AS payer_id, "
    "CASE WHEN d.status = 'EXPIRED' OR d.expires_at <= ? THEN 1 ELSE 0 END AS domain_expired, "
    "CASE WHEN m.auto_renew_set_by_id IS NULL THEN CASE WHEN m.auto_renew_payer_id = d.owner_id THEN 1 ELSE 0 END "
    "WHEN EXISTS (SELECT 1 FROM memberships ms WHERE ms.user_id = m.auto_renew_set_by_id "
    "AND ms.organization_id = m.auto_renew_payer_id AND ms.role IN ('OWNER', 'BILLING')) THEN 1 ELSE 0 END AS allowed "
    "FROM mailboxes m JOIN domains d ON d.id = m.domain_id "
)
DUE_IDS = f"SELECT m.id FROM mailboxes m WHERE {DUE_WHERE} ORDER BY m.id"
DUE_KEYSET = f"{DUE_COLUMNS} WHERE {DUE_WHERE} AND m.id > ? ORDER BY m.id LIMIT ?"  # the sweep's own query

PG_LEDGER = (
    "INSERT INTO ledger_entries (account_id, kind, amount_cents, balance_after_cents, reference, idempotency_key, "
    "created_at) SELECT a, 'RENEWAL', amt, bal, ref, k, $6 "
    "FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::text[], $5::text[]) AS t(a, amt, bal, ref, k) "
    "RETURNING id, idempotency_key"
)
PG_BALANCES = (
    "UPDATE prepaid_accounts p SET balance_cents = v.b, updated_at = $3 "
    "FROM unnest($1::int[], $2::bigint[]) AS v(id, b) WHERE p.id = v.id"
)
PG_EXPIRY = (
    "UPDATE mailboxes m SET expires_at = v.e, status = 'ACTIVE' "
    "FROM unnest($1::int[], $2::date[]) AS v(id, e) WHERE m.id = v.id"
)
PG_ATTEMPTS = (
    "INSERT INTO renewal_attempts (mailbox_id, business_day, term_expires_at, new_expires_at, payer_id, outcome, "
    "amount_cents, ledger_entry_id, created_at, finished_at) "
    "SELECT m, $1, t, n, p, 'SUCCEEDED', amt, l, $7, $7 "
    "FROM unnest($2::int[], $3::date[], $4::date[], $5::int[], $6::bigint[], $8::bigint[]) AS x(m, t, n, p, amt, l)"
)
PG_OUTBOX = (
    "INSERT INTO outbox_messages (user_id, organization_id, kind, language, subject, body, dedupe_key, created_at, "
    "send_attempts) SELECT u, o, 'RENEWAL_RECEIPT', lang, s, b, k, $7, 0 "
    "FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(u, o, lang, s, b, k) "
    "ON CONFLICT (dedupe_key) DO NOTHING"
)
LEDGER_COLUMNS = "account_id, kind, amount_cents, balance_after_cents, reference, idempotency_key, created_at"
SQLITE_LEDGER_ROWS = 1000  # 7 parameters a row, well under SQLite's 32,766


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@dataclass
class BaselineRun:
    renewed: int = 0
    due_s: float = 0.0  # time spent selecting the due items


async def baseline(raw: Raw, batch_size: int) -> BaselineRun:
    """Renew every due mailbox in batches of ``batch_size``, each in one transaction, with raw SQL.

    ``ids`` (default): the due ids are read once, in id order, then each batch re-reads its rows by id under
    the same predicate, locked (skipping locked rows) on PostgreSQL. ``keyset`` (``BENCH_BASELINE=keyset``):
    the sweep's own query, ``id > last ORDER BY id LIMIT n`` under the predicate, for a like-for-like run.
    """
    run = BaselineRun()
    prices = {
        (r["offer"], r["period"]): r["amount_cents"]
        for r in await raw.fetch("SELECT offer, period, amount_cents FROM prices WHERE product = 'MAILBOX'")
    }
    lock = " FOR UPDATE OF m SKIP LOCKED" if raw.pg else ""
    if BASELINE_MODE == "keyset":
        after = 0
        while True:
            async with raw.transaction():
                started = time.perf_counter()
                items = await raw.fetch(DUE_KEYSET + lock, DAY, FIRST_DUE, LAST_DUE, DAY, after, batch_size)
                run.due_s += time.perf_counter() - started
                if not items:
                    return run
                after = items[-1]["id"]
                run.renewed += await _baseline_batch(raw, items, prices)
    started = time.perf_counter()
    due = [row["id"] for row in await raw.fetch(DUE_IDS, FIRST_DUE, LAST_DUE, DAY)]
    run.due_s += time.perf_counter() - started
    for start in range(0, len(due), batch_size):
        ids = due[start : start + batch_size]
        in_ids = "m.id = ANY(?::int[])" if raw.pg else f"m.id IN ({marks(len(ids))})"
        ids_args = [ids] if raw.pg else ids
        async with raw.transaction():
            started = time.perf_counter()
            items = await raw.fetch(
                f"{DUE_COLUMNS} WHERE {in_ids} AND {DUE_WHERE} ORDER BY m.id{lock}",
                DAY, *ids_args, FIRST_DUE, LAST_DUE, DAY,
            )  # fmt: skip
            run.due_s += time.perf_counter() - started
            if items:
                run.renewed += await _baseline_batch(raw, items, prices)
    return run


async def _baseline_batch(raw: Raw, items: list[Any], prices: dict[tuple[str, str], int]) -> int:
    now = utcnow()
    payers = sorted({row["payer_id"] for row in items})
    lock = " FOR UPDATE" if raw.pg else ""
    accounts = await raw.fetch(
        f"SELECT id, organization_id, balance_cents FROM prepaid_accounts WHERE organization_id IN "
        f"({marks(len(payers))}) ORDER BY id{lock}",
        *payers,
    )
    account_of = {a["organization_id"]: a["id"] for a in accounts}
    balance = {a["organization_id"]: a["balance_cents"] for a in accounts}
    recipients: dict[int, list[Any]] = {}
    for r in await raw.fetch(
        "SELECT ms.organization_id, u.id AS user_id, u.language, u.display_name, o.name FROM memberships ms "
        "JOIN users u ON u.id = ms.user_id JOIN organizations o ON o.id = ms.organization_id "
        f"WHERE ms.organization_id IN ({marks(len(payers))}) AND ms.role IN ('OWNER', 'BILLING') "
        "AND u.is_active = TRUE ORDER BY ms.organization_id, u.id",
        *payers,
    ):
        recipients.setdefault(r["organization_id"], []).append(r)

    # Decide in memory, in id order: price, payer allowed, domain alive, enough balance (running per account).
    debits = []  # (item, price, term expiry, new expiry, key, balance after)
    for row in items:
        price = prices.get((row["offer"], row["period"]))
        if price is None or row["domain_expired"] or not row["allowed"]:
            raise RuntimeError(f"the bench world has no failing item, got {dict(row)}")  # not implemented
        payer = row["payer_id"]
        if balance[payer] < price:
            raise RuntimeError(f"the bench world has no uncovered item, got {dict(row)}")  # not implemented
        balance[payer] -= price
        expires = _date(row["expires_at"])
        debits.append(
            (row, price, expires, next_term_end(expires, row["period"]),
             f"renewal:mailbox:{row['id']}:{expires.isoformat()}", balance[payer])
        )  # fmt: skip

    refs = [
        f"Renewal of {r['address']} until {new.isoformat()} ({r['period']})"[:200]
        for r, _, _, new, _, _ in debits
    ]
    if raw.pg:
        ledger_rows = await raw.conn.fetch(
            PG_LEDGER,
            [account_of[r["payer_id"]] for r, *_ in debits],
            [-price for _, price, *_ in debits],
            [after for *_, after in debits],
            refs,
            [key for *_, key, _ in debits],
            now,
        )
    else:
        ledger_rows = []
        for start in range(0, len(debits), SQLITE_LEDGER_ROWS):
            chunk = debits[start : start + SQLITE_LEDGER_ROWS]
            values = []
            for (r, price, _, _, key, after), ref in zip(chunk, refs[start:], strict=False):
                values += [account_of[r["payer_id"]], "RENEWAL", -price, after, ref, key, now]
            ledger_rows += await raw.fetch(
                f"INSERT INTO ledger_entries ({LEDGER_COLUMNS}) VALUES "
                f"{', '.join(['(' + marks(7) + ')'] * len(chunk))} RETURNING id, idempotency_key",
                *values,
            )
    entry_id = {r["idempotency_key"]: r["id"] for r in ledger_rows}

    changed = [(account_of[org], cents) for org, cents in balance.items()]
    renewed = [(r["id"], new) for r, _, _, new, _, _ in debits]
    attempts = [
        (r["id"], expires, new, r["payer_id"], price, entry_id[key])
        for r, price, expires, new, key, _ in debits
    ]
    receipts = []  # user, organization, language, subject, body, dedupe key
    for r, price, expires, new, _, _ in debits:
        for person in recipients.get(r["payer_id"], []):
            language = normalize_language(str(person["language"]))
            text = render(
                "RENEWAL_RECEIPT",
                {"item": r["address"], "amount_cents": price, "period": r["period"], "new_expires_at": new},
                language=language,
                organization_name=person["name"],
                recipient_name=person["display_name"] or "",
            )
            receipts.append(
                (person["user_id"], r["payer_id"], language, text.subject, text.body,
                 f"receipt:mailbox:{r['id']}:{expires.isoformat()}:{person['user_id']}")
            )  # fmt: skip

    if raw.pg:
        await raw.conn.execute(PG_BALANCES, *map(list, zip(*changed, strict=True)), now)
        await raw.conn.execute(PG_EXPIRY, *map(list, zip(*renewed, strict=True)))
        cols = list(map(list, zip(*attempts, strict=True)))
        await raw.conn.execute(PG_ATTEMPTS, DAY, *cols[:5], now, cols[5])
        if receipts:
            await raw.conn.execute(PG_OUTBOX, *map(list, zip(*receipts, strict=True)), now)
    else:
        await raw.executemany(
            "UPDATE prepaid_accounts SET balance_cents = ?, updated_at = ? WHERE id = ?",
            [(cents, now, account) for account, cents in changed],
        )
        await raw.executemany(
            "UPDATE mailboxes SET expires_at = ?, status = 'ACTIVE' WHERE id = ?",
            [(new, i) for i, new in renewed],
        )
        await raw.executemany(
            "INSERT INTO renewal_attempts (mailbox_id, business_day, term_expires_at, new_expires_at, payer_id, "
            "outcome, amount_cents, ledger_entry_id, created_at, finished_at) "
            "VALUES (?, ?, ?, ?, ?, 'SUCCEEDED', ?, ?, ?, ?)",
            [(m, DAY, t, n, p, amt, entry, now, now) for m, t, n, p, amt, entry in attempts],
        )
        await raw.executemany(
            "INSERT INTO outbox_messages (user_id, organization_id, kind, language, subject, body, dedupe_key, "
            "created_at, send_attempts) VALUES (?, ?, 'RENEWAL_RECEIPT', ?, ?, ?, ?, ?, 0) "
            "ON CONFLICT (dedupe_key) DO NOTHING",
            [(*receipt, now) for receipt in receipts],
        )
    return len(debits)


# --- checks --------------------------------------------------------------------------------------------------


async def check(raw: Raw, world: World) -> list[str]:
    """What is wrong after renewing the world (empty: every item renewed exactly once, ledgers balance)."""
    problems = []
    (attempts,) = await raw.fetch(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT mailbox_id) AS items, "
        "SUM(CASE WHEN outcome = 'SUCCEEDED' THEN 1 ELSE 0 END) AS ok FROM renewal_attempts WHERE business_day = ?",
        DAY,
    )
    if not attempts["n"] == attempts["items"] == attempts["ok"] == world.items:
        problems.append(f"attempts {dict(attempts)} for {world.items} items")
    (ledger,) = await raw.fetch(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT idempotency_key) AS keys, COALESCE(-SUM(amount_cents), 0) AS charged "
        "FROM ledger_entries WHERE kind = 'RENEWAL'"
    )
    if not ledger["n"] == ledger["keys"] == world.items or int(ledger["charged"]) != world.charged_cents:
        problems.append(
            f"renewal debits {dict(ledger)}, expected {world.items} for {world.charged_cents} cents"
        )
    expiry = {
        r["id"]: _date(r["expires_at"]) for r in await raw.fetch("SELECT id, expires_at FROM mailboxes")
    }
    wrong = sum(1 for box_id, new in world.new_expiry.items() if expiry.get(box_id) != new)
    if wrong:
        problems.append(f"{wrong} mailboxes without their new expiry date")
    accounts = await raw.fetch(
        "SELECT a.organization_id, a.balance_cents, COALESCE(SUM(e.amount_cents), 0) AS ledger_sum, "
        "COALESCE(MIN(e.balance_after_cents), 0) AS lowest FROM prepaid_accounts a "
        "LEFT JOIN ledger_entries e ON e.account_id = a.id GROUP BY a.organization_id, a.balance_cents"
    )
    unbalanced = [
        dict(a) for a in accounts if int(a["balance_cents"]) != int(a["ledger_sum"]) or a["lowest"] < 0
    ]
    if unbalanced:
        problems.append(
            f"{len(unbalanced)} accounts whose ledger sum differs from the balance: {unbalanced[:3]}"
        )
    off = [
        a["organization_id"]
        for a in accounts
        if a["balance_cents"] != world.final_balance[a["organization_id"]]
    ]
    if off:
        problems.append(f"{len(off)} accounts with an unexpected final balance")
    (receipts,) = await raw.fetch("SELECT COUNT(*) AS n FROM outbox_messages WHERE kind = 'RENEWAL_RECEIPT'")
    if receipts["n"] != world.items:  # one OWNER per payer
        problems.append(f"{receipts['n']} receipts queued for {world.items} renewals")
    return problems


FINGERPRINTS = {
    "balances": "SELECT organization_id, balance_cents FROM prepaid_accounts ORDER BY organization_id",
    "mailboxes": "SELECT id, expires_at, status FROM mailboxes ORDER BY id",
    "ledger": "SELECT idempotency_key, account_id, amount_cents, balance_after_cents, reference FROM ledger_entries "
    "ORDER BY idempotency_key",
    "attempts": "SELECT mailbox_id, business_day, term_expires_at, new_expires_at, payer_id, outcome, failure_reason, "
    "amount_cents FROM renewal_attempts ORDER BY mailbox_id",
    "outbox": "SELECT dedupe_key, user_id, organization_id, kind, language, subject, body FROM outbox_messages "
    "ORDER BY dedupe_key",
}


async def fingerprint(raw: Raw) -> dict[str, str]:
    """A digest per table of what the renewal produced (ids of new rows and timestamps left out)."""
    digests = {}
    for name, sql in FINGERPRINTS.items():
        digest = hashlib.sha256()
        for row in await raw.fetch(sql):
            digest.update(repr(tuple(str(v) for v in row)).encode())
        digests[name] = digest.hexdigest()
    return digests


# --- one backend ----------------------------------------------------------------------------------------------


@dataclass
class Result:
    backend: str
    items: int
    sweep_s: float
    baseline_s: float
    sweep_due_s: float  # of which selecting the due items (renewal.sweep._due_ids/_due_items)
    baseline_due_s: float
    problems: list[str]
    same: list[str]  # tables that differ between the two end states (empty: identical)
    warnings: list[str]

    @property
    def sweep_rate(self) -> float:
        return self.items / self.sweep_s

    @property
    def baseline_rate(self) -> float:
        return self.items / self.baseline_s

    @property
    def ratio(self) -> float:
        return self.baseline_s / self.sweep_s


class Backend:
    """Where the template, the sweep's copy and the baseline's copy live, per dialect."""

    name = ""

    async def setup(self) -> None: ...
    def url(self, role: str) -> str: ...
    async def create(self, role: str) -> None: ...
    async def copy(self, source: str, role: str) -> None: ...
    async def teardown(self) -> None: ...


class SQLiteBackend(Backend):
    name = "sqlite"

    async def setup(self) -> None:
        workdir = os.environ.get("BENCH_WORKDIR")
        self.dir = Path(workdir) / "sqlite" if workdir else Path(tempfile.mkdtemp(prefix="mailrenew-bench-"))
        self.dir.mkdir(parents=True, exist_ok=True)

    def url(self, role: str) -> str:
        return f"sqlite://{self.dir / role}.sqlite3"

    async def create(self, role: str) -> None:
        pass  # created on first connection

    async def copy(self, source: str, role: str) -> None:
        shutil.copyfile(self.dir / f"{source}.sqlite3", self.dir / f"{role}.sqlite3")

    async def teardown(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresBackend(Backend):
    name = "postgresql"

    async def setup(self) -> None:
        self.base = PG_URL.rpartition("/")[0]
        self.created: list[str] = []

    def _db(self, role: str) -> str:
        return f"{pg_prefix(RUN_ID)}{role}"

    def url(self, role: str) -> str:
        return f"{self.base}/{self._db(role)}"

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def create(self, role: str) -> None:
        await self._admin(f'CREATE DATABASE "{self._db(role)}"')
        self.created.append(self._db(role))

    async def copy(self, source: str, role: str) -> None:
        await self._admin(
            f'CREATE DATABASE "{self._db(role)}" TEMPLATE "{self._db(source)}" STRATEGY FILE_COPY'
        )
        self.created.append(self._db(role))  # a file copy: same pages, statistics and visibility map

    async def teardown(self) -> None:
        for name in reversed(self.created):
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_prefix(run_id: str) -> str:
    return f"mailrenew_bench_{run_id}_"


async def drop_pg_databases(run_id: str) -> None:
    """Drop what a killed benchmark process left behind (a CREATE DATABASE it started may still finish)."""
    conn = await asyncpg.connect(PG_URL, timeout=5)
    try:
        for _ in range(10):
            rows = await conn.fetch(
                "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", pg_prefix(run_id)
            )
            for row in rows:
                await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
            if not rows:
                return
            await asyncio.sleep(1)
    finally:
        await conn.close()


async def schema_warnings(raw: Raw) -> list[str]:
    """What in the migrated schema the sweep relies on for speed (and at-most-once per day) is missing."""
    if raw.pg:
        rows = await raw.fetch(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'renewal_attempts' AND indexdef LIKE 'CREATE UNIQUE%'"
        )
        found = any("(mailbox_id, business_day)" in r["indexdef"] for r in rows)
    else:
        found = False
        for index in await raw.fetch("PRAGMA index_list('renewal_attempts')"):
            columns = [c["name"] for c in await raw.fetch(f"PRAGMA index_info('{index['name']}')")]
            found = found or (bool(index["unique"]) and columns == ["mailbox_id", "business_day"])
    if found:
        return []
    return [
        "renewal_attempts has no unique index on (mailbox_id, business_day): an item is no longer attempted at "
        "most once a day by the schema, and the due query's NOT EXISTS scans the whole table for every candidate"
    ]


async def pg_answers() -> bool:
    try:
        conn = await asyncpg.connect(PG_URL, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


class Progress:
    """Prints the sweep's progress every tenth of the items, with the time since it started."""

    def __init__(self, name: str, items: int) -> None:
        self.name, self.items, self.done, self.next = name, items, 0, 0.1
        self.started = time.perf_counter()

    def __call__(self, count: int) -> None:
        self.done += count
        if self.items and self.done / self.items >= self.next and self.done < self.items:
            say(
                f"  {self.name}: run_sweep {self.done:,}/{self.items:,} after {time.perf_counter() - self.started:.1f} s"
            )
            while self.next <= self.done / self.items:
                self.next += 0.1


class DueTimer:
    """Wall time spent selecting due items (``renewal.sweep._due_ids`` and ``_due_items``) while active."""

    NAMES = ("_due_ids", "_due_items")

    def __init__(self) -> None:
        self.seconds = 0.0
        self._originals = {name: getattr(sweep_module, name) for name in self.NAMES}

    def __enter__(self) -> DueTimer:
        for name, original in self._originals.items():
            setattr(sweep_module, name, self._timed(original))
        return self

    def _timed(self, original: Any) -> Any:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed

    def __exit__(self, *exc: object) -> None:
        for name, original in self._originals.items():
            setattr(sweep_module, name, original)


def dump_profile(profiler: cProfile.Profile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(path)


async def bench_backend(backend: Backend, items: int) -> Result:
    started = time.perf_counter()
    await backend.create("world")
    await db.migrate(backend.url("world"))
    await Tortoise.close_connections()
    await db.open_db(backend.url("world"))
    try:
        await seed_default_prices()
        world = plan_world(items, PAYERS, await price_table())
    finally:
        await db.close_db()
    raw = await Raw.open(backend.url("world"))
    try:
        warnings = await schema_warnings(raw)
        await load_world(raw, world)
    finally:
        await raw.close()
    for warning in warnings:
        say(f"  {backend.name}: SCHEMA WARNING: {warning}")
    await backend.copy("world", "sweep")
    await backend.copy("world", "baseline")
    say(f"  {backend.name}: world of {items:,} due mailboxes, {PAYERS} payers built and copied "
        f"in {time.perf_counter() - started:.1f} s")  # fmt: skip

    await db.open_db(backend.url("sweep"))
    due_timer = DueTimer()
    try:
        profiler = cProfile.Profile() if PROFILE_DIR else None
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        with due_timer:
            report = await run_sweep(DAY, batch_size=BATCH, progress=Progress(backend.name, items))
        if profiler:
            profiler.disable()
        sweep_s = time.perf_counter() - t0
        if profiler and PROFILE_DIR:
            dump_profile(profiler, Path(PROFILE_DIR) / f"sweep-{backend.name}.prof")
        again = await run_sweep(DAY, batch_size=BATCH)
    finally:
        await db.close_db()
    say(f"  {backend.name}: run_sweep renewed {report.renewed:,} in {sweep_s:.2f} s, {due_timer.seconds:.2f} s of "
        f"it selecting due items (failed {report.failed_total}; a second run renewed {again.renewed})")  # fmt: skip
    problems = []
    if report.renewed != items or report.failed_total or again.renewed or again.failed_total:
        problems.append(
            f"sweep report: renewed {report.renewed}, failed {dict(report.failed)}, rerun {again.renewed}"
        )

    raw = await Raw.open(backend.url("sweep"))
    try:
        problems += await check(raw, world)
        sweep_print = await fingerprint(raw)
    finally:
        await raw.close()

    raw = await Raw.open(backend.url("baseline"))
    try:
        t0 = time.perf_counter()
        done = await baseline(raw, BATCH)
        baseline_s = time.perf_counter() - t0
        rerun = await baseline(raw, BATCH)
        say(f"  {backend.name}: baseline ({BASELINE_MODE}) renewed {done.renewed:,} in {baseline_s:.2f} s, "
            f"{done.due_s:.2f} s of it selecting due items (a second run renewed {rerun.renewed})")  # fmt: skip
        if done.renewed != items or rerun.renewed:
            problems.append(f"baseline renewed {done.renewed}, rerun {rerun.renewed}")
        problems += [f"baseline: {p}" for p in await check(raw, world)]
        baseline_print = await fingerprint(raw)
    finally:
        await raw.close()
    differ = [name for name in FINGERPRINTS if sweep_print[name] != baseline_print[name]]
    return Result(
        backend.name, items, sweep_s, baseline_s, due_timer.seconds, done.due_s, problems, differ, warnings
    )


# --- report --------------------------------------------------------------------------------------------------


def table(results: Iterable[Result]) -> str:
    head = ("backend", "items", "sweep s", "sweep items/s", "baseline s", "baseline items/s", "ratio",
            f"target >= {TARGET}x")  # fmt: skip
    rows = [head] + [
        (r.backend, f"{r.items:,}", f"{r.sweep_s:.2f}", f"{r.sweep_rate:,.0f}", f"{r.baseline_s:.2f}",
         f"{r.baseline_rate:,.0f}", f"{r.ratio:.2f}x", "met" if r.ratio >= TARGET else "not met")
        for r in results
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


async def bench_one(name: str) -> Result | None:
    """One backend, in its own process (Tortoise keeps per-model SQL built for the first dialect it saw)."""
    backend: Backend
    if name == "sqlite":
        backend = SQLiteBackend()
    elif name in ("postgres", "postgresql"):
        if not await pg_answers():
            say(f"  postgresql: skipped, PostgreSQL does not answer at {PG_URL}")
            return None
        backend = PostgresBackend()
    else:
        raise SystemExit(f"unknown backend {name!r} (sqlite, postgres)")
    await backend.setup()
    try:
        return await bench_backend(backend, ITEMS)
    finally:
        await Tortoise.close_connections()
        await backend.teardown()


def main() -> int:
    if len(sys.argv) == 3:  # the child: bench_sweep.py BACKEND RESULT_FILE
        result = asyncio.run(bench_one(sys.argv[1]))
        if result is not None:
            Path(sys.argv[2]).write_text(json.dumps(asdict(result)))
        return 0
    say(f"Renewal sweep benchmark: {ITEMS:,} due mailboxes, {PAYERS} payers, batches of {BATCH}, day {DAY}, "
        f"baseline {BASELINE_MODE}" + (f" (profiled into {PROFILE_DIR}: timings not comparable)" if PROFILE_DIR else ""))  # fmt: skip
    results: list[Result] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="mailrenew-bench-") as tmp:
        env = {**os.environ, "BENCH_RUN_ID": RUN_ID, "BENCH_WORKDIR": tmp}
        for name in BACKENDS:
            out = Path(tmp) / f"{name}.json"
            try:
                child = subprocess.run(
                    [sys.executable, __file__, name, str(out)], check=False, env=env, timeout=TIMEOUT_S
                )
            except subprocess.TimeoutExpired:
                say(f"  {name}: stopped after {TIMEOUT_S:.0f} s (BENCH_TIMEOUT): no figures for this backend")
                failed = True
                if name.startswith("postgres"):
                    asyncio.run(drop_pg_databases(RUN_ID))
                continue
            if child.returncode:
                say(f"  {name}: the benchmark process failed (exit status {child.returncode})")
                failed = True
            elif out.exists():
                results.append(Result(**json.loads(out.read_text())))
    say()
    say(table(results) if results else "no figures")
    say()
    for r in results:
        rest_sweep, rest_baseline = r.sweep_s - r.sweep_due_s, r.baseline_s - r.baseline_due_s
        say(f"time {r.backend}: selecting due items: sweep {r.sweep_due_s:.2f} s ({r.sweep_due_s / r.sweep_s:.0%}), "
            f"baseline {r.baseline_due_s:.2f} s ({r.baseline_due_s / r.baseline_s:.0%}); everything else: "
            f"sweep {rest_sweep:.2f} s, baseline {rest_baseline:.2f} s ({rest_baseline / rest_sweep:.2f}x)")  # fmt: skip
    say()
    for r in results:
        for warning in r.warnings:
            say(f"schema {r.backend}: WARNING: {warning}")
        same = "identical end state" if not r.same else f"end states differ in {', '.join(r.same)}"
        if r.problems or r.same:
            failed = True
            say(f"correctness {r.backend}: FAILED ({same})")
            for problem in r.problems:
                say(f"  - {problem}")
        else:
            say(f"correctness {r.backend}: ok: each of {r.items:,} items renewed once (attempt, debit, new expiry, "
                f"receipt), every ledger sums to its balance; sweep and baseline reach an {same}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
