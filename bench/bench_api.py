"""GraphQL API throughput: Mailrenew's ``/graphql`` against a raw asyncpg baseline and PostGraphile, same data.

1. A world shaped like a large hosting customer base is seeded once (COPY) into a database migrated by the
   application's own migrations, then ANALYZEd: the template. Each run works on copies of it.
2. Targets, each ONE server process on a free loopback port, on the same copy: Mailrenew (``mailrenew serve``,
   a bearer token), the raw baseline (``bench/api/raw_app.py``: hand-written SQL on asyncpg, orjson),
   PostGraphile 4.14 and, when it runs on this Node, PostGraphile 5 (npm-installed into a throwaway folder,
   serving plain views of the same tables scoped by a JWT claim).
3. Answers are checked equal before any load (same domains in the same order, counts, addresses, payers).
4. wrk (``-t2 -c16``) drives every target with the same script: a warm-up, then rounds alternating targets
   (A, B, C, A, B, C…). Per round: req/s, latency percentiles, server CPU (utime+stime from /proc) ÷ requests.
5. A separate counting pass on a fresh copy with ``log_statement = 'all'`` counts the SQL statements
   PostgreSQL executes per request (pg_stat_statements is used when it is loaded), then ``bulkSetAutoRenew``
   on a 2,000-mailbox domain is timed (on the timing copy) and counted (on the counting copy).

Everything is dropped at the end (databases, servers, the npm folder), also on Ctrl-C or an error.

Environment: ``BENCH_API_SCALE`` (1.0: 1,000 organizations, 20,000 domains, 200,000 mailboxes),
``BENCH_API_ROUNDS`` (3), ``BENCH_API_SECONDS`` (8 per round), ``BENCH_API_WARMUP`` (3 s), ``BENCH_API_CONNECTIONS``
(16), ``BENCH_API_THREADS`` (2), ``BENCH_API_TARGETS`` (``mailrenew,raw,postgraphile4,postgraphile5``),
``BENCH_API_COUNT_REQUESTS`` (5 per query in the counting pass), ``BENCH_API_PG_LOG`` (the PostgreSQL server
log, found when unset), ``BENCH_API_README`` (1: write the table into bench/README.md), ``DATABASE_URL_PG``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from tortoise import Tortoise

from mailrenew import db
from mailrenew.accounts.service import create_token
from mailrenew.billing.service import seed_default_prices

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCALE = float(os.environ.get("BENCH_API_SCALE", "1"))
ROUNDS = max(1, int(os.environ.get("BENCH_API_ROUNDS", "3")))
SECONDS = int(os.environ.get("BENCH_API_SECONDS", "8"))
WARMUP = int(os.environ.get("BENCH_API_WARMUP", "3"))
CONNECTIONS = int(os.environ.get("BENCH_API_CONNECTIONS", "16"))
THREADS = int(os.environ.get("BENCH_API_THREADS", "2"))
TARGETS = [
    t.strip()
    for t in os.environ.get("BENCH_API_TARGETS", "mailrenew,raw,postgraphile4,postgraphile5").split(",")
    if t.strip()
]
COUNT_REQUESTS = int(os.environ.get("BENCH_API_COUNT_REQUESTS", "5"))
WRITE_README = os.environ.get("BENCH_API_README", "1") == "1"
PG_URL = os.environ.get("DATABASE_URL_PG", "postgres://postgres@127.0.0.1:5432/test")
RUN_ID = uuid.uuid4().hex[:8]
SEED = 20270301
JWT_SECRET = "bench-" + RUN_ID
BIG = [f"big-{n}.example" for n in range(1, 6)]
FIRST = [
    "anna",
    "bruno",
    "chloe",
    "david",
    "emma",
    "farid",
    "giulia",
    "hugo",
    "ines",
    "jules",
    "karim",
    "lea",
]
LAST = ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy", "moreau"]
WORDS = [
    "atelier",
    "boulangerie",
    "cabinet",
    "studio",
    "garage",
    "agence",
    "hotel",
    "ferme",
    "clinique",
    "cafe",
]


def say(text: str = "") -> None:
    print(text, flush=True)


# --- the world ------------------------------------------------------------------------------------------------


@dataclass
class World:
    tables: dict[str, tuple[list[str], list[Any]]]
    reseller_email: str
    customer_email: str
    reseller_id: int
    customer_id: int
    big_size: int
    big1_id: int
    big1_owner: int
    big1_first_box: int  # the id of big-1's first mailbox by address (Q4)
    summary: str


def mailbox_sizes(rng: random.Random, domains: int, total: int) -> list[int]:
    """Power-law sizes for ``domains`` domains summing to ``total``: most with 1-4 mailboxes, a few hundred
    with 100 or more (per 12,000: 8,230 with 1-4, 2,500 with 5-19, 1,000 with 20-99, 265 with 100-1,500)."""
    buckets = [(8230, 1, 4), (2500, 5, 19), (1000, 20, 99), (265, 100, 1500)]
    counts = [max(1, round(domains * n / 11995)) for n, _, _ in buckets]
    counts[0] = max(1, domains - sum(counts[1:]))

    def log_uniform(lo: int, hi: int) -> int:
        return min(hi, int(math.exp(rng.uniform(math.log(lo), math.log(hi + 1)))))

    sizes = [[log_uniform(lo, hi) for _ in range(n)] for n, (_, lo, hi) in zip(counts, buckets, strict=True)]
    large, lo, hi = sizes[3], buckets[3][1], buckets[3][2]
    factor = max(0.05, (sum(large) + total - sum(map(sum, sizes))) / sum(large))
    sizes[3] = large = [min(hi, max(lo, round(s * factor))) for s in large]
    diff = total - sum(map(sum, sizes))
    flat = [s for bucket in sizes for s in bucket]
    bounds = [(lo, hi) for n, (_, lo, hi) in zip(counts, buckets, strict=True) for _ in range(n)]
    i = len(flat) - 1
    guard = 0
    while diff and guard < 10 * total:  # nudge the largest buckets first, within their bounds
        step = 1 if diff > 0 else -1
        lo, hi = bounds[i]
        if lo <= flat[i] + step <= hi:
            flat[i] += step
            diff -= step
        i = i - 1 if i > 0 else len(flat) - 1
        guard += 1
    rng.shuffle(flat)
    return flat


def plan_world(scale: float) -> World:
    rng = random.Random(SEED)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    n_orgs = max(10, round(1000 * scale))
    n_domains = max(50, round(20000 * scale))
    n_with = max(20, round(12000 * scale))
    n_boxes = max(200, round(200000 * scale))
    big_size = max(20, round(2000 * min(1.0, scale)))
    orgs = list(range(1, n_orgs + 1))
    users = [(1, "reseller@bench.example", "-", "Reseller", "en", True, now)]
    users += [
        (o + 1, f"owner{o}@bench.example", "-", f"Owner {o}", "fr" if o % 2 else "en", True, now)
        for o in orgs
    ]
    reseller_id, customer_id = 1, 2  # the customer is the owner of organization 1 (which owns big-1.example)
    users[1] = (2, "customer@bench.example", "-", "Customer", "fr", True, now)
    memberships = [(o, 1, o, "OWNER", now) for o in orgs] + [
        (n_orgs + o, o + 1, o, "OWNER", now) for o in orgs
    ]
    accounts, ledger = [], []
    for o in orgs:
        balance = 0 if rng.random() < 0.3 else rng.randrange(100, 100_000)
        accounts.append((o, o, balance, "EUR", now))
        if balance:
            ledger.append((o, "OPENING", balance, balance, "Opening balance", f"opening:{o}", now))

    names: set[str] = set(BIG)
    fqdns = list(BIG)
    while len(fqdns) < n_domains:
        name = f"{rng.choice(WORDS)}-{rng.randrange(16**6):06x}.example"
        if name not in names:
            names.add(name)
            fqdns.append(name)
    domains = []
    owners: dict[int, int] = {}
    for i, fqdn in enumerate(fqdns, start=1):
        owner = 1 if fqdn == BIG[0] else rng.choice(orgs)
        owners[i] = owner
        enabled = rng.random() < 0.5
        expires = today + dt.timedelta(days=rng.randrange(10, 720))
        domains.append(
            (i, fqdn, owner, expires, "ACTIVE", enabled, owner if enabled else None, reseller_id if enabled else None,
             now)
        )  # fmt: skip
    with_boxes = list(range(1, len(BIG) + 1)) + rng.sample(
        range(len(BIG) + 1, n_domains + 1), n_with - len(BIG)
    )
    sizes = [big_size] * len(BIG) + mailbox_sizes(rng, n_with - len(BIG), n_boxes - big_size * len(BIG))
    boxes: list[list[object]] = []
    for domain_id, size in zip(with_boxes, sizes, strict=True):
        fqdn, owner = fqdns[domain_id - 1], owners[domain_id]
        for j in range(size):
            local = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{j}"
            offer = "PREMIUM" if rng.random() < 0.25 else "STANDARD"
            roll = rng.random()
            status = "EXPIRED" if roll < 0.02 else "RENEWAL_FAILED" if roll < 0.05 else "ACTIVE"
            expires = today + dt.timedelta(days=rng.randrange(-20, 365))
            enabled = rng.random() < 0.6
            period = ("YEARLY" if rng.random() < 0.4 else "MONTHLY") if enabled else None
            payer = (owner if rng.random() < 0.85 else rng.choice(orgs)) if enabled else None
            boxes.append(
                [0, domain_id, local, f"{local}@{fqdn}", offer, status, expires, enabled, period, payer,
                 reseller_id if enabled else None, now, now]
            )  # fmt: skip
    rng.shuffle(boxes)  # hashed order: a domain's rows spread over the whole table
    for box_id, row in enumerate(boxes, start=1):
        row[0] = box_id
    big1_boxes = sorted((str(r[3]), int(str(r[0]))) for r in boxes if r[1] == 1)
    forwards: list[tuple[object, ...]] = []
    for domain_id in range(1, n_domains + 1):
        count = 3 if domain_id <= len(BIG) else (1 if rng.random() < 0.05 else 0)
        for k in range(count):
            source = ["contact", "sales", "support"][k]
            dest = json.dumps([f"{source}.{domain_id}@example.net"])
            forwards.append((len(forwards) + 1, domain_id, source, dest, now))
    big_count = sum(1 for s in sizes if s >= 100)
    small = sum(1 for s in sizes if s <= 4)
    summary = (
        f"{n_orgs:,} organizations, {n_domains:,} domains ({n_with:,} with mailboxes: {small:,} with 1-4, "
        f"{big_count} with 100+, {', '.join(BIG)} with {big_size:,} each), {len(boxes):,} mailboxes"
    )
    tables: dict[str, tuple[list[str], list[Any]]] = {
        "organizations": (["id", "name", "created_at"], [(o, f"Org {o:04d}", now) for o in orgs]),
        "users": (["id", "email", "password_hash", "display_name", "language", "is_active", "created_at"], users),
        "memberships": (["id", "user_id", "organization_id", "role", "created_at"], memberships),
        "prepaid_accounts": (["id", "organization_id", "balance_cents", "currency", "updated_at"], accounts),
        "ledger_entries": (
            ["account_id", "kind", "amount_cents", "balance_after_cents", "reference", "idempotency_key",
             "created_at"],
            ledger,
        ),
        "domains": (
            ["id", "fqdn", "owner_id", "expires_at", "status", "auto_renew_enabled", "auto_renew_payer_id",
             "auto_renew_set_by_id", "created_at"],
            domains,
        ),
        "mailboxes": (
            ["id", "domain_id", "local_part", "address", "offer", "status", "expires_at", "auto_renew_enabled",
             "auto_renew_period", "auto_renew_payer_id", "auto_renew_set_by_id", "created_at", "updated_at"],
            [tuple(r) for r in boxes],
        ),
        "forwards": (["id", "domain_id", "source", "destinations", "created_at"], forwards),
    }  # fmt: skip
    return World(
        tables, "reseller@bench.example", "customer@bench.example", reseller_id, customer_id, big_size, 1, 1,
        big1_boxes[0][1], summary,
    )  # fmt: skip


# PostGraphile serves these views: the same tables, scoped to the JWT's user through memberships, with smart
# comments giving the keys and relations a view does not have.
PGL_SCHEMA = """
CREATE SCHEMA pgl;
CREATE VIEW pgl.organizations AS SELECT o.id, o.name FROM public.organizations o;
CREATE VIEW pgl.domains AS
    SELECT d.id, d.fqdn, d.expires_at, d.status, d.owner_id, d.auto_renew_enabled, d.auto_renew_payer_id
    FROM public.domains d
    WHERE d.owner_id IN (SELECT m.organization_id FROM public.memberships m
                         WHERE m.user_id = nullif(current_setting('jwt.claims.user_id', true), '')::int);
CREATE VIEW pgl.mailboxes AS
    SELECT b.id, b.domain_id, b.address, b.local_part, b.offer, b.status, b.expires_at, b.auto_renew_enabled,
           b.auto_renew_period, b.auto_renew_payer_id
    FROM public.mailboxes b WHERE b.domain_id IN (SELECT id FROM pgl.domains);
CREATE VIEW pgl.forwards AS
    SELECT f.id, f.domain_id, f.source, f.destinations FROM public.forwards f
    WHERE f.domain_id IN (SELECT id FROM pgl.domains);
COMMENT ON VIEW pgl.organizations IS E'@primaryKey id';
COMMENT ON VIEW pgl.domains IS E'@primaryKey id\\n@unique fqdn\\n@foreignKey (owner_id) references pgl.organizations (id)\\n@foreignKey (auto_renew_payer_id) references pgl.organizations (id)';
COMMENT ON VIEW pgl.mailboxes IS E'@primaryKey id\\n@foreignKey (domain_id) references pgl.domains (id)\\n@foreignKey (auto_renew_payer_id) references pgl.organizations (id)';
COMMENT ON VIEW pgl.forwards IS E'@primaryKey id\\n@foreignKey (domain_id) references pgl.domains (id)';
"""


class Databases:
    """Throwaway databases next to DATABASE_URL_PG, all dropped by ``drop_all``."""

    def __init__(self) -> None:
        self.base = PG_URL.rpartition("/")[0]
        self.prefix = f"mailrenew_benchapi_{RUN_ID}_"

    def name(self, role: str) -> str:
        return self.prefix + role

    def url(self, role: str) -> str:
        return f"{self.base}/{self.name(role)}"

    async def admin(self, *statements: str) -> list[Any]:
        conn = await asyncpg.connect(PG_URL, timeout=10)
        try:
            out = []
            for sql in statements:
                out.append(await conn.fetch(sql))
            return out
        finally:
            await conn.close()

    async def create(self, role: str, template: str | None = None) -> None:
        tail = f' TEMPLATE "{self.name(template)}" STRATEGY FILE_COPY' if template else ""
        await self.admin(f'CREATE DATABASE "{self.name(role)}"{tail}')

    async def drop_all(self) -> None:
        conn = await asyncpg.connect(PG_URL, timeout=10)
        try:
            rows = await conn.fetch(
                "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", self.prefix
            )
            for row in rows:
                await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
        finally:
            await conn.close()


async def build_template(dbs: Databases, world: World) -> dict[str, str]:
    """The migrated, seeded, analyzed template; returns the viewers' bearer tokens."""
    await dbs.create("world")
    url = dbs.url("world")
    await db.migrate(url)
    await Tortoise.close_connections()
    await db.open_db(url)
    try:
        await seed_default_prices()
    finally:
        await db.close_db()
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            for table, (columns, rows) in world.tables.items():
                await conn.copy_records_to_table(table, records=rows, columns=columns)
            for table, (columns, _) in world.tables.items():
                if "id" in columns:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
            await conn.execute(PGL_SCHEMA)
        bad = await conn.fetchval(
            "SELECT count(*) FROM prepaid_accounts p WHERE p.balance_cents <> "
            "(SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries l WHERE l.account_id = p.id)"
        )
        if bad:
            raise RuntimeError(f"{bad} prepaid accounts whose ledger does not sum to their balance")
    finally:
        await conn.close()
    await db.open_db(url)
    try:
        tokens = {
            "reseller": (await create_token(world.reseller_email, "bench"))[1],
            "customer": (await create_token(world.customer_email, "bench"))[1],
        }
    finally:
        await db.close_db()
        await Tortoise.close_connections()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return tokens


# --- servers ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def jwt(claims: dict[str, object]) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = b64(hmac.new(JWT_SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"


@dataclass
class Server:
    name: str
    label: str
    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    graphql_path: str = "/graphql"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The server process and its descendants."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields_ = stat.read_text().rpartition(")")[2].split()
                children.setdefault(int(fields_[1]), []).append(int(stat.parent.name))
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo += children.get(pid, [])
        return out

    def cpu_seconds(self) -> float:
        ticks = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                parts = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                ticks += int(parts[11]) + int(parts[12])  # utime, stime (fields 14 and 15)
        return ticks / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        peak = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        return peak / 1024

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


def start(name: str, label: str, argv: list[str], env: dict[str, str], port: int, workdir: Path) -> Server:
    log = workdir / f"{name}-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
    return Server(name, label, proc, port, log)


def wait_ready(server: Server, probe: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.label} exited ({server.proc.returncode}): {tail(server.log)}")
        with contextlib.suppress(httpx.HTTPError):
            if probe():
                return
        time.sleep(0.3)
    raise RuntimeError(f"{server.label} not ready after {timeout:.0f} s: {tail(server.log)}")


def tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def npm_install(spec: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel=error", spec],
        check=True,
        capture_output=True,
        timeout=600,
    )


# PostGraphile 5 declares node >= 22 and calls Promise.withResolvers (Node 22): on an older Node every query
# fails ("Cannot read properties of undefined (reading 'items')"). This polyfill, loaded with ``node --require``
# only when Node is older than 22, is the only change; the table's label says so.
WITH_RESOLVERS_POLYFILL = """
if (!Promise.withResolvers) {
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new this((a, b) => { resolve = a; reject = b; });
    return { promise, resolve, reject };
  };
}
"""

PGL5_CONFIG = """
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makeV4Preset } from "postgraphile/presets/v4";
import { PgLazyJWTPreset } from "postgraphile/presets/lazy-jwt";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset, makeV4Preset({ dynamicJson: true, ignoreIndexes: true, disableDefaultMutations: true }), PgLazyJWTPreset],
  pgServices: [makePgService({ connectionString: process.env.PGL_URL, schemas: ["pgl"], poolConfig: { max: 10 } })],
  grafserv: { port: Number(process.env.PGL_PORT), host: "127.0.0.1", graphiql: false, pgJwtSecret: process.env.PGL_JWT_SECRET },
  schema: { pgJwtSecret: process.env.PGL_JWT_SECRET },
};
"""


class Launcher:
    """Starts each target against a given database; the npm folders are made once."""

    def __init__(self, workdir: Path, tokens: dict[str, str], world: World) -> None:
        self.workdir = workdir
        self.tokens = tokens
        self.world = world
        self.node_dirs: dict[str, Path] = {}
        self.unavailable: dict[str, str] = {}

    def auth(self, target: str, viewer: str) -> str:
        if target.startswith("postgraphile"):
            user = self.world.reseller_id if viewer == "reseller" else self.world.customer_id
            return "Bearer " + jwt({"aud": "postgraphile", "user_id": user})
        return "Bearer " + self.tokens[viewer]

    def prepare(self) -> None:
        for target, spec in (("postgraphile4", "postgraphile@4.14"), ("postgraphile5", "postgraphile@5")):
            if target not in TARGETS:
                continue
            folder = self.workdir / target
            started = time.perf_counter()
            try:
                npm_install(spec, folder)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
                detail = getattr(exc, "stderr", b"") or b""
                self.unavailable[target] = (
                    f"npm install {spec} failed: {detail.decode(errors='replace')[-300:]}"
                )
                continue
            version = json.loads((folder / "node_modules/postgraphile/package.json").read_text())["version"]
            say(f"  npm install {spec}: {version} in {time.perf_counter() - started:.0f} s")
            self.node_dirs[target] = folder
            if target == "postgraphile5":
                (folder / "graphile.config.mjs").write_text(PGL5_CONFIG)
                (folder / "polyfill.cjs").write_text(WITH_RESOLVERS_POLYFILL)

    def start(self, target: str, url: str) -> Server:
        port = free_port()
        if target == "mailrenew":
            server = start(
                target,
                "Mailrenew",
                [str(ROOT / ".venv/bin/mailrenew"), "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--no-migrate"],
                {"DATABASE_URL": url, "SCHEDULER_ENABLED": "false", "LOG_LEVEL": "WARNING"},
                port,
                self.workdir,
            )  # fmt: skip
            probe_auth = self.auth(target, "reseller")
        elif target == "raw":
            server = start(
                target,
                "raw asyncpg",
                [sys.executable, "-m", "uvicorn", "--app-dir", str(HERE / "api"), "raw_app:app", "--host",
                 "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                {"RAW_DATABASE_URL": url},
                port,
                self.workdir,
            )  # fmt: skip
            server.graphql_path = ""
            ready = server
            wait_ready(ready, lambda: httpx.post(f"{ready.base}/q1", timeout=5).status_code == 401)
            return server
        elif target == "postgraphile4":
            folder = self.node_dirs[target]
            server = start(
                target,
                "PostGraphile 4",
                ["node", str(folder / "node_modules/postgraphile/cli.js"), "-c", url, "-s", "pgl", "--host",
                 "127.0.0.1", "--port", str(port), "--disable-graphiql", "--disable-query-log", "--dynamic-json",
                 "--disable-default-mutations", "--jwt-secret", JWT_SECRET, "--max-pool-size", "10"],
                {"NODE_ENV": "production"},
                port,
                self.workdir,
            )  # fmt: skip
            probe_auth = self.auth(target, "reseller")
        elif target == "postgraphile5":
            folder = self.node_dirs[target]
            old_node = node_major() < 22
            server = start(
                target,
                "PostGraphile 5" + (" (+polyfill)" if old_node else ""),
                ["node", *(["--require", str(folder / "polyfill.cjs")] if old_node else []),
                 str(folder / "node_modules/postgraphile/dist/cli-run.js"), "-C", str(folder / "graphile.config.mjs")],
                {"NODE_ENV": "production", "GRAPHILE_ENV": "production", "PGL_URL": url, "PGL_PORT": str(port),
                 "PGL_JWT_SECRET": JWT_SECRET},
                port,
                self.workdir,
            )  # fmt: skip
            probe_auth = self.auth(target, "reseller")
        else:
            raise SystemExit(f"unknown target {target!r}")
        ready = server
        wait_ready(
            ready,
            lambda: (
                httpx.post(
                    f"{ready.base}/graphql",
                    json={"query": "{ __typename }"},
                    headers={"Authorization": probe_auth},
                    timeout=5,
                ).status_code
                == 200
            ),
        )
        return server


# --- the queries --------------------------------------------------------------------------------------------------

Q1 = (
    "query { domains(orderBy: {field: FQDN, direction: ASC}, first: 50) { nodes { id fqdn expiresAt autoRenew "
    "{ enabled } mailboxes(first: 5, orderBy: {field: ADDRESS, direction: ASC}) { totalCount nodes { address "
    "expiresAt autoRenew { enabled period } } } } } }"
)
Q2 = (
    'query { domainByFqdn(fqdn: "big-1.example") { id fqdn mailboxes(first: 100, orderBy: {field: ADDRESS, '
    "direction: ASC}) { nodes { address expiresAt autoRenew { enabled period payer { name } } } } } }"
)
PGL_Q1 = (
    "query { allDomains(orderBy: FQDN_ASC, first: 50) { nodes { id fqdn expiresAt autoRenewEnabled "
    "mailboxesByDomainId(first: 5, orderBy: ADDRESS_ASC) { totalCount nodes { address expiresAt autoRenewEnabled "
    "autoRenewPeriod } } } } }"
)
PGL_Q2 = (
    'query { domainByFqdn(fqdn: "big-1.example") { id fqdn mailboxesByDomainId(first: 100, orderBy: ADDRESS_ASC) '
    "{ nodes { address expiresAt autoRenewEnabled autoRenewPeriod organizationByAutoRenewPayerId { name } } } } }"
)
PGL_Q3 = (
    "query DomainPage($fqdn: String!, $first: Int) { domainByFqdn(fqdn: $fqdn) { id fqdn expiresAt status "
    "owner: organizationByOwnerId { id name } autoRenewEnabled payer: organizationByAutoRenewPayerId { id name } "
    "count: mailboxesByDomainId { totalCount } "
    "mailboxesByDomainId(first: $first, orderBy: ADDRESS_ASC) { totalCount pageInfo { hasNextPage endCursor } "
    "nodes { id address localPart offer status expiresAt autoRenewEnabled autoRenewPeriod "
    "payer: organizationByAutoRenewPayerId { id name } } } "
    "forwardsByDomainId { nodes { id source destinations } } } }"
)
BULK = (
    "mutation Bulk($domainId: ID!, $input: AutoRenewInput!) { bulkSetAutoRenew(domainId: $domainId, "
    "input: $input) { updatedCount userErrors { code message } } }"
)


def console_document(operation: str) -> str:
    """An operation of the console's documents, with the fragments it uses (transitively)."""
    folder = ROOT / "frontend/src/lib/api/documents"
    text = "\n".join(p.read_text() for p in sorted(folder.glob("*.graphql")))
    blocks: dict[str, str] = {}
    for match in re.finditer(r"^(query|mutation|fragment) (\w+)[^{]*\{", text, re.M):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        blocks[match.group(2)] = text[match.start() : i]
    wanted, todo = [operation], [operation]
    while todo:
        for spread in re.findall(r"\.\.\.(\w+)", blocks[todo.pop()]):
            if spread not in wanted:
                wanted.append(spread)
                todo.append(spread)
    return "\n".join(blocks[name] for name in wanted)


def gid(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def _boxes(nodes: list[dict[str, Any]], keys: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [tuple(n.get(k) for k in keys) for n in nodes]


def norm_mr_q1(answer: dict[str, Any]) -> Any:
    return [
        (d["fqdn"], d["expiresAt"], d["autoRenew"]["enabled"], d["mailboxes"]["totalCount"],
         [(b["address"], b["expiresAt"], b["autoRenew"]["enabled"], b["autoRenew"]["period"])
          for b in d["mailboxes"]["nodes"]])
        for d in answer["data"]["domains"]["nodes"]
    ]  # fmt: skip


def norm_pgl_q1(answer: dict[str, Any]) -> Any:
    return [
        (d["fqdn"], d["expiresAt"], d["autoRenewEnabled"], d["mailboxesByDomainId"]["totalCount"],
         _boxes(d["mailboxesByDomainId"]["nodes"], ("address", "expiresAt", "autoRenewEnabled", "autoRenewPeriod")))
        for d in answer["data"]["allDomains"]["nodes"]
    ]  # fmt: skip


def norm_mr_q2(answer: dict[str, Any]) -> Any:
    d = answer["data"]["domainByFqdn"]
    return (
        d["fqdn"],
        [(b["address"], b["expiresAt"], b["autoRenew"]["enabled"], b["autoRenew"]["period"],
          (b["autoRenew"]["payer"] or {}).get("name")) for b in d["mailboxes"]["nodes"]],
    )  # fmt: skip


def norm_pgl_q2(answer: dict[str, Any]) -> Any:
    d = answer["data"]["domainByFqdn"]
    return (
        d["fqdn"],
        [(b["address"], b["expiresAt"], b["autoRenewEnabled"], b["autoRenewPeriod"],
          (b["organizationByAutoRenewPayerId"] or {}).get("name")) for b in d["mailboxesByDomainId"]["nodes"]],
    )  # fmt: skip


def norm_mr_q3(answer: dict[str, Any]) -> Any:
    d = answer["data"]["domainByFqdn"]
    return (
        d["fqdn"], d["expiresAt"], d["status"], d["owner"]["name"], d["autoRenew"]["enabled"],
        (d["autoRenew"]["payer"] or {}).get("name"), d["mailboxCount"], d["mailboxes"]["totalCount"],
        d["mailboxes"]["pageInfo"]["hasNextPage"],
        [(b["address"], b["localPart"], b["offer"], b["status"], b["expiresAt"], b["autoRenew"]["enabled"],
          b["autoRenew"]["period"], (b["autoRenew"]["payer"] or {}).get("name")) for b in d["mailboxes"]["nodes"]],
        sorted((f["source"], tuple(f["destinations"])) for f in d["forwards"]),
    )  # fmt: skip


def norm_pgl_q3(answer: dict[str, Any]) -> Any:
    d = answer["data"]["domainByFqdn"]
    page = d["mailboxesByDomainId"]
    return (
        d["fqdn"], d["expiresAt"], d["status"], d["owner"]["name"], d["autoRenewEnabled"],
        (d["payer"] or {}).get("name"), d["count"]["totalCount"], page["totalCount"],
        page["pageInfo"]["hasNextPage"],
        [(b["address"], b["localPart"], b["offer"], b["status"], b["expiresAt"], b["autoRenewEnabled"],
          b["autoRenewPeriod"], (b["payer"] or {}).get("name")) for b in page["nodes"]],
        sorted((f["source"], tuple(f["destinations"])) for f in d["forwardsByDomainId"]["nodes"]),
    )  # fmt: skip


@dataclass
class Case:
    key: str
    viewer: str
    mailrenew: dict[str, Any]
    raw: tuple[str, dict[str, Any]] | None
    pgl: dict[str, Any] | None
    norm_mr: Callable[[dict[str, Any]], Any] | None = None
    norm_pgl: Callable[[dict[str, Any]], Any] | None = None
    note: str = ""

    def request(self, target: str) -> tuple[str, dict[str, Any]] | None:
        """(path, JSON body) for a target, None when it has no equivalent of this query."""
        if target == "mailrenew":
            return "/graphql", self.mailrenew
        if target == "raw":
            return self.raw
        return ("/graphql", self.pgl) if self.pgl is not None else None


def cases(world: World) -> list[Case]:
    page = {"fqdn": BIG[0], "first": 50}
    return [
        Case("Q1 domains (reseller)", "reseller", {"query": Q1}, ("/q1", {"variables": {"first": 50, "mailboxes": 5}}),
             {"query": PGL_Q1}, norm_mr_q1, norm_pgl_q1),
        Case("Q1 domains (customer)", "customer", {"query": Q1}, ("/q1", {"variables": {"first": 50, "mailboxes": 5}}),
             {"query": PGL_Q1}, norm_mr_q1, norm_pgl_q1),
        Case("Q2 big-1 mailboxes (reseller)", "reseller", {"query": Q2},
             ("/q2", {"variables": {"fqdn": BIG[0], "first": 100}}), {"query": PGL_Q2}, norm_mr_q2, norm_pgl_q2),
        Case("Q3 console DomainPage big-1 (customer)", "customer",
             {"query": console_document("DomainPage"), "variables": page, "operationName": "DomainPage"}, None,
             {"query": PGL_Q3, "variables": page}, norm_mr_q3, norm_pgl_q3,
             "PostGraphile: the same rows without viewerCanManage (no such column); raw: not written"),
        Case("Q4 console MailboxPage (customer)", "customer",
             {"query": console_document("MailboxPage"), "variables": {"id": gid("Mailbox", world.big1_first_box)},
              "operationName": "MailboxPage"}, None, None,
             note="Mailrenew only: its warnings (the payer's renewal forecast) have no plain-schema equivalent"),
    ]  # fmt: skip


def post(server: Server, path: str, body: dict[str, Any], auth: str, timeout: float = 60) -> dict[str, Any]:
    response = httpx.post(f"{server.base}{path}", json=body, headers={"Authorization": auth}, timeout=timeout)
    if response.status_code != 200:
        raise RuntimeError(f"{server.label} {path}: HTTP {response.status_code}: {response.text[:300]}")
    answer: dict[str, Any] = response.json()
    if answer.get("errors"):
        raise RuntimeError(f"{server.label}: errors {json.dumps(answer['errors'])[:500]}")
    return answer


def check_answers(servers: dict[str, Server], launcher: Launcher, all_cases: list[Case]) -> list[str]:
    """Every target's answer to each query, compared with Mailrenew's before any load; returns the problems."""
    problems = []
    for case in all_cases:
        mr = servers["mailrenew"]
        reference = post(mr, "/graphql", case.mailrenew, launcher.auth("mailrenew", case.viewer))
        facts = ""
        if case.norm_mr is not None:
            normalized = case.norm_mr(reference)
            facts = (
                f"{len(normalized)} items" if isinstance(normalized, list) else f"{len(normalized[-1])} items"
            )
        for target, server in servers.items():
            if target == "mailrenew":
                continue
            request = case.request(target)
            if request is None:
                continue
            answer = post(server, request[0], request[1], launcher.auth(target, case.viewer))
            if target == "raw":
                same = answer["data"] == reference["data"]  # Mailrenew adds extensions (the query's cost)
                if not same:
                    problems.append(
                        f"{case.key}: raw answer differs from Mailrenew's: {diff(answer['data'], reference['data'])}"
                    )
            else:
                assert case.norm_mr is not None
                assert case.norm_pgl is not None
                mine, theirs = case.norm_mr(reference), case.norm_pgl(answer)
                same = mine == theirs
                if not same:
                    problems.append(
                        f"{case.key}: {server.label} differs from Mailrenew: {diff(theirs, mine)}"
                    )
            say(
                f"  check {case.key}: {server.label} {'same answer' if same else 'DIFFERENT answer'} ({facts})"
            )
    return problems


def diff(a: Any, b: Any, path: str = "") -> str:
    """The first place where two JSON-like values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return diff(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return diff(x, y, f"{path}[{i}]")
        if len(a) != len(b):
            return f"{path}: {len(a)} items against {len(b)}"
    return f"{path or 'value'}: {str(a)[:160]} against {str(b)[:160]}"


# --- load --------------------------------------------------------------------------------------------------------


@dataclass
class WrkRun:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms_per_req: float


def lua_script(path: Path, body: dict[str, Any], auth: str) -> Path:
    text = json.dumps(body)
    script = path.with_suffix(".lua")
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [==[{text}]==]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "{auth}"\n'
    )
    return script


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(server: Server, path: str, script: Path, seconds: int) -> WrkRun:
    cpu0 = server.cpu_seconds()
    out = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "30s", "-s",
         str(script), f"{server.base}{path}"],
        check=True, capture_output=True, text=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    cpu = server.cpu_seconds() - cpu0
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    return WrkRun(requests, rps, p50, p99, errors, 1000 * cpu / max(1, requests))


@dataclass
class Figures:
    runs: list[WrkRun] = field(default_factory=list)
    statements: float | None = None
    kinds: Counter[str] = field(default_factory=Counter)
    rss_mb: float = 0.0

    @property
    def rps(self) -> float:
        return statistics.fmean(r.rps for r in self.runs) if self.runs else 0.0


def run_load(
    servers: dict[str, Server], launcher: Launcher, all_cases: list[Case], workdir: Path
) -> dict[tuple[str, str], Figures]:
    results: dict[tuple[str, str], Figures] = {}
    for case in all_cases:
        plan = []
        for target, server in servers.items():
            request = case.request(target)
            if request is not None:
                name = re.sub(r"\W+", "-", f"{case.key}-{target}")
                script = lua_script(workdir / name, request[1], launcher.auth(target, case.viewer))
                plan.append((target, server, request[0], script))
                results[(case.key, target)] = Figures()
        say(f"  {case.key}: warm-up {WARMUP} s each, then {ROUNDS} rounds of {SECONDS} s alternating "
            f"{', '.join(s.label for _, s, _, _ in plan)}")  # fmt: skip
        for _, server, path, script in plan:
            wrk(server, path, script, WARMUP)
        for round_ in range(ROUNDS):
            line = []
            for target, server, path, script in plan:
                run = wrk(server, path, script, SECONDS)
                results[(case.key, target)].runs.append(run)
                line.append(
                    f"{server.label} {run.rps:,.0f}/s" + (f" ({run.errors} ERRORS)" if run.errors else "")
                )
            say(f"    round {round_ + 1}: " + ", ".join(line))
    for (_, target), figures in results.items():
        figures.rss_mb = servers[target].peak_rss_mb()
    return results


# --- statements as PostgreSQL counts them ---------------------------------------------------------------------------

LOG_ENTRY = re.compile(r"^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[\d+\] ")
LOG_STATEMENT = re.compile(r"@(\S+) LOG:  (statement|execute [^:]*): (.*)$")
ASYNCPG_RESET = ("SELECT PG_ADVISORY_UNLOCK_ALL()", "CLOSE ALL", "UNLISTEN *", "RESET ALL")


def statement_kinds(database: str, text: str) -> Counter[str]:
    """Statements executed for ``database`` in a stretch of PostgreSQL's log (``log_statement = 'all'``).

    An ``execute`` line is one execution of a prepared statement (an ``executemany`` of N rows logs N of them);
    a simple-protocol ``statement`` line may carry several commands separated by ``;`` (asyncpg's pool runs
    ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;`` when a connection goes back to the
    pool), each counted, as pg_stat_statements would. Kinds are the commands' first words; asyncpg's reset
    commands are the kind ``pool-reset``."""
    entries: list[tuple[str, str]] = []
    for line in text.splitlines():
        if LOG_ENTRY.match(line):
            m = LOG_STATEMENT.search(line)
            entries.append((m.group(2), m.group(3)) if m and m.group(1) == database else ("", ""))
        elif line.startswith("\t") and entries and entries[-1][0]:
            protocol, sql = entries[-1]
            entries[-1] = (protocol, sql + "\n" + line[1:])
    kinds: Counter[str] = Counter()
    for protocol, sql in entries:
        if not protocol:
            continue
        commands = [c.strip() for c in sql.split(";")] if protocol == "statement" else [sql.strip()]
        for command in filter(None, commands):
            if command.upper() in ASYNCPG_RESET:
                kinds["pool-reset"] += 1
            else:
                kinds[command.split()[0].upper()] += 1
    return kinds


def pg_log_path(settings: dict[str, str]) -> Path | None:
    if os.environ.get("BENCH_API_PG_LOG"):
        return Path(os.environ["BENCH_API_PG_LOG"])
    if settings.get("logging_collector") == "on" and settings.get("current_logfile"):
        candidate = Path(settings["current_logfile"])
        return candidate if candidate.is_absolute() else Path(settings["data_directory"]) / candidate
    version = settings.get("server_version_num", "")[:2]
    logs = sorted(
        Path("/var/log/postgresql").glob(f"postgresql-{version}-*.log"), key=lambda p: p.stat().st_mtime
    )
    return logs[-1] if logs else None


class StatementCounter:
    """Counts what PostgreSQL executes for one database: ``log_statement = 'all'`` set on that database only
    (new sessions), lines read back from the server log between two offsets."""

    def __init__(self, log: Path, database: str) -> None:
        self.log, self.database = log, database
        self.offset = 0

    def mark(self) -> None:
        self.offset = self.log.stat().st_size

    def read(self) -> Counter[str]:
        time.sleep(0.5)  # let the server write
        with self.log.open("rb") as f:
            f.seek(self.offset)
            text = f.read().decode(errors="replace")
        return statement_kinds(self.database, text)


def count_statements(
    dbs: Databases,
    launcher: Launcher,
    all_cases: list[Case],
    results: dict[tuple[str, str], Figures],
    log: Path,
) -> tuple[Counter[str], int] | None:
    """The counting pass on its own copy; returns the bulk mutation's statements and updated count."""
    counter = StatementCounter(log, dbs.name("count"))
    bulk: tuple[Counter[str], int] | None = None
    for target in [t for t in TARGETS if t in launcher_targets(launcher)]:
        server = launcher.start(target, dbs.url("count"))
        try:
            for case in all_cases:
                request = case.request(target)
                if request is None or (case.key, target) not in results:
                    continue
                auth = launcher.auth(target, case.viewer)
                for _ in range(2):  # warm: connections opened, statements prepared, caches filled
                    post(server, request[0], request[1], auth)
                counter.mark()
                for _ in range(COUNT_REQUESTS):
                    post(server, request[0], request[1], auth)
                kinds = counter.read()
                figures = results[(case.key, target)]
                figures.statements = sum(kinds.values()) / COUNT_REQUESTS
                figures.kinds = kinds
            if target == "mailrenew":
                counter.mark()
                updated = bulk_set(server, launcher)[1]
                bulk = (counter.read(), updated)
        finally:
            server.stop()
    return bulk


def launcher_targets(launcher: Launcher) -> list[str]:
    return [t for t in TARGETS if t not in launcher.unavailable]


def bulk_set(server: Server, launcher: Launcher) -> tuple[float, int]:
    """``bulkSetAutoRenew`` on every mailbox of big-1.example (the reseller, yearly, paid by its owner)."""
    variables = {
        "domainId": gid("Domain", launcher.world.big1_id),
        "input": {"enabled": True, "period": "YEARLY", "payerOrganizationId": gid("Organization", 1)},
    }
    started = time.perf_counter()
    answer = post(
        server, "/graphql", {"query": BULK, "variables": variables}, launcher.auth("mailrenew", "reseller")
    )
    seconds = time.perf_counter() - started
    payload = answer["data"]["bulkSetAutoRenew"]
    if payload["userErrors"]:
        raise RuntimeError(f"bulkSetAutoRenew refused: {payload['userErrors']}")
    return seconds, int(payload["updatedCount"])


# --- report --------------------------------------------------------------------------------------------------------


def render(results: dict[tuple[str, str], Figures], all_cases: list[Case], labels: dict[str, str]) -> str:
    out = []
    for case in all_cases:
        rows = [(t, f) for (k, t), f in results.items() if k == case.key]
        if not rows:
            continue
        pgl = results.get((case.key, "postgraphile4"))
        raw = results.get((case.key, "raw"))
        head = ("target", "req/s per round", "mean", "x PGL4", "x raw", "p50 ms", "p99 ms", "CPU ms/req",
                "peak RSS MB", "SQL/req")  # fmt: skip
        table = [head]
        for target, f in rows:
            table.append((
                labels[target],
                " ".join(f"{r.rps:,.0f}" for r in f.runs),
                f"{f.rps:,.0f}",
                f"{f.rps / pgl.rps:.2f}x" if pgl and pgl.rps else "-",
                f"{f.rps / raw.rps:.2f}x" if raw and raw.rps else "-",
                f"{statistics.fmean(r.p50_ms for r in f.runs):.1f}",
                f"{statistics.fmean(r.p99_ms for r in f.runs):.1f}",
                f"{statistics.fmean(r.cpu_ms_per_req for r in f.runs):.2f}",
                f"{f.rss_mb:.0f}",
                f"{f.statements:.1f}" if f.statements is not None else "n/a",
            ))  # fmt: skip
        widths = [max(len(r[i]) for r in table) for i in range(len(head))]
        out.append(case.key + (f"  ({case.note})" if case.note else ""))
        for i, row in enumerate(table):
            out.append(
                "  ".join(
                    c.ljust(w) if j < 2 else c.rjust(w)
                    for j, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )
            if i == 0:
                out.append("  ".join("-" * w for w in widths))
        errors = [
            f"{labels[t]}: {sum(r.errors for r in f.runs)} failed requests"
            for t, f in rows
            if any(r.errors for r in f.runs)
        ]
        if errors:
            out.append("  ERRORS " + "; ".join(errors))
        kinds = [
            f"{labels[t]}: " + ", ".join(f"{k} {v / COUNT_REQUESTS:g}" for k, v in f.kinds.most_common())
            for t, f in rows
            if f.kinds
        ]
        if kinds:
            out.append("  statements/req by kind: " + " | ".join(kinds))
        out.append("")
    return "\n".join(out)


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB"
    return f"{platform.node()}: {os.cpu_count()} cores {cpu}{mem}, Python {platform.python_version()}, {node_version()}"


def node_version() -> str:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        return (
            "Node "
            + subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
        )
    return "no Node"


def node_major() -> int:
    found = re.search(r"v(\d+)", node_version())
    return int(found.group(1)) if found else 0


def write_readme(report: str) -> None:
    path = HERE / "README.md"
    text = path.read_text()
    start_marker, end_marker = "<!-- bench_api:latest -->", "<!-- /bench_api:latest -->"
    block = f"{start_marker}\n```\n{report.rstrip()}\n```\n{end_marker}"
    if start_marker in text and end_marker in text:
        before, rest = text.split(start_marker, 1)
        after = rest.split(end_marker, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


# --- main ------------------------------------------------------------------------------------------------------------


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("  installing Debian's wrk")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, capture_output=True)
        return
    raise SystemExit("the API benchmark needs wrk: apt-get install wrk")


@contextlib.contextmanager
def interrupts_as_exceptions() -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main() -> int:
    ensure_wrk()
    dbs = Databases()
    servers: dict[str, Server] = {}
    workdir = Path(tempfile.mkdtemp(prefix="mailrenew-benchapi-"))
    failed = False
    started = time.perf_counter()
    with interrupts_as_exceptions():
        try:
            world = plan_world(SCALE)
            say(f"API benchmark (scale {SCALE}): {world.summary}; wrk -t{THREADS} -c{CONNECTIONS}, {ROUNDS} rounds "
                f"of {SECONDS} s after {WARMUP} s warm-up; targets {', '.join(TARGETS)}")  # fmt: skip
            t0 = time.perf_counter()
            tokens = asyncio.run(build_template(dbs, world))
            asyncio.run(dbs.create("serve", template="world"))
            say(f"  template seeded, analyzed and copied in {time.perf_counter() - t0:.1f} s")
            launcher = Launcher(workdir, tokens, world)
            launcher.prepare()
            if (
                "postgraphile5" in TARGETS
                and "postgraphile5" not in launcher.unavailable
                and node_major() < 22
            ):
                say(
                    f"  PostGraphile 5 declares node >= 22 and needs Promise.withResolvers, this is {node_version()}: "
                    "run with a Promise.withResolvers polyfill (node --require), labelled (+polyfill)"
                )
            for target in TARGETS:
                if target in launcher.unavailable:
                    continue
                try:
                    servers[target] = launcher.start(target, dbs.url("serve"))
                except RuntimeError as exc:
                    if target == "mailrenew":
                        raise
                    launcher.unavailable[target] = str(exc).splitlines()[0][:300]
                    say(f"  {target}: not included: {launcher.unavailable[target]}")
            labels = {t: s.label for t, s in servers.items()}
            all_cases = cases(world)
            for case in all_cases:  # a target that cannot answer a query is left out of it, said why
                for target, server in list(servers.items()):
                    request = case.request(target)
                    if request is None or target == "mailrenew":
                        continue
                    try:
                        post(server, request[0], request[1], launcher.auth(target, case.viewer))
                    except (RuntimeError, httpx.HTTPError) as exc:
                        say(f"  {case.key}: {server.label} cannot answer: {str(exc)[:300]}")
                        say("    its log: " + tail(server.log, 8).replace("\n", "\n    "))
                        if target == "postgraphile5":
                            launcher.unavailable[target] = str(exc)[:300]
                            servers.pop(target).stop()
            problems = check_answers(servers, launcher, all_cases)
            for problem in problems:
                say(f"  MISMATCH {problem}")
            failed = bool(problems)
            results = run_load(servers, launcher, all_cases, workdir)
            bulk_s, bulk_updated = bulk_set(servers["mailrenew"], launcher)
            for server in servers.values():
                server.stop()
            servers.clear()

            settings = {
                r["name"]: r["setting"]
                for r in asyncio.run(
                    dbs.admin(
                        "SELECT name, setting FROM pg_settings WHERE name IN ('shared_preload_libraries', "
                        "'logging_collector', 'data_directory', 'server_version_num') "
                        "UNION ALL SELECT 'current_logfile', pg_current_logfile()"
                    )
                )[0]
            }
            log = pg_log_path(settings)
            bulk_count: tuple[Counter[str], int] | None = None
            count_note = ""
            if "pg_stat_statements" in settings.get("shared_preload_libraries", ""):
                count_note = "pg_stat_statements is loaded, but the server log is what this bench reads"
            else:
                count_note = (
                    "pg_stat_statements is not loaded (shared_preload_libraries): counted from the server log"
                )
            if log is None or not os.access(log, os.R_OK):
                count_note = (
                    f"statements not counted: PostgreSQL's log {log} cannot be read (BENCH_API_PG_LOG)"
                )
            else:
                asyncio.run(dbs.create("count", template="world"))
                asyncio.run(dbs.admin(f"ALTER DATABASE \"{dbs.name('count')}\" SET log_statement = 'all'"))
                say(f"  counting statements: {COUNT_REQUESTS} requests per query and target, log_statement = 'all' "
                    f"on a fresh copy, read from {log}")  # fmt: skip
                bulk_count = count_statements(dbs, launcher, all_cases, results, log)
                count_note += f" ({log}, {COUNT_REQUESTS} requests each after 2 warm ones)"

            report = [
                f"API benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}",
                f"world: {world.summary}",
                f"wrk -t{THREADS} -c{CONNECTIONS}, {ROUNDS} rounds x {SECONDS} s after {WARMUP} s warm-up, "
                "targets alternating; p50/p99 are the rounds' mean; CPU = server process utime+stime / requests",
                f"SQL/req: {count_note}",
                "",
                render(results, all_cases, labels),
            ]
            bulk_line = f"bulkSetAutoRenew on big-1.example ({world.big_size:,} mailboxes): {bulk_s:.2f} s"
            if bulk_count is not None:
                kinds, updated = bulk_count
                bulk_line += (
                    f", {sum(kinds.values()):,} statement executions ("
                    + ", ".join(f"{k} {v:,}" for k, v in kinds.most_common())
                    + f"), updatedCount {bulk_updated:,} / {updated:,}"
                )
            report.append(bulk_line)
            for target, why in launcher.unavailable.items():
                report.append(f"{target}: not included: {why}")
            if problems:
                report.append("answer mismatches:")
                report += [f"  {p}" for p in problems]
            text = "\n".join(report)
            say()
            say(text)
            if WRITE_README:
                write_readme(text)
                say(f"(written to {HERE / 'README.md'})")
        except KeyboardInterrupt:
            say("interrupted: stopping the servers and dropping the databases")
            failed = True
        finally:
            for server in servers.values():
                server.stop()
            with contextlib.suppress(Exception):
                asyncio.run(dbs.drop_all())
            shutil.rmtree(workdir, ignore_errors=True)
            say(f"(the whole run took {time.perf_counter() - started:.0f} s; databases dropped)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
