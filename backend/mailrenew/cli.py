"""The operators' command line (Typer): serve, migrate, seed-demo, renew, prices, users, tokens.

Every command reads the same settings as the server; an error is printed as one line on stderr with a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperOption

from mailrenew import db
from mailrenew.billing.gateway import ChargeResult, SimulatedGateway
from mailrenew.config import Settings, SettingsError, business_today, load_settings
from mailrenew.errors import DomainError

if TYPE_CHECKING:
    from mailrenew.renewal.sweep import SweepReport

T = TypeVar("T")


def _flags_without_type(option: TyperOption, ctx: Any) -> str | None:  # ctx: Typer's vendored click Context
    """Typer 0.29 shows every flag as ``--flag <bool>`` in help; a flag takes no value, so show none."""
    return None if option.is_flag else _typer_display_type_rich(option, ctx)


_typer_display_type_rich = TyperOption.display_type_rich
TyperOption.display_type_rich = _flags_without_type  # type: ignore[method-assign,assignment]

app = typer.Typer(
    name="mailrenew",
    help="Mailrenew: mailbox and domain auto-renewal. Settings come from the environment (DATABASE_URL, "
    "TIMEZONE, SECRET_KEY, SMTP_URL, RENEWAL_TIME).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage personal access tokens (Authorization: Bearer).", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
prices_app = typer.Typer(
    help="The price catalogue: what the next renewals cost (past ledger entries never change).",
    no_args_is_help=True,
)
app.add_typer(prices_app, name="prices")


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise fail(str(exc), 2) from None


def run_with_db(work: Callable[[], Awaitable[T]], *, migrate_first: bool = False) -> T:
    """Open the database, run ``work``, close; domain and database errors become one line."""
    config = settings()

    async def main() -> T:
        if migrate_first:
            await db.migrate(config.database_url)
        await db.open_db(config.database_url)
        try:
            return await work()
        finally:
            await db.close_db()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        raise fail(exc.detail or exc.code) from None
    except typer.Exit:
        raise
    except (OSError, ConnectionError) as exc:
        raise fail(f"cannot reach the database at {_safe_url(config.database_url)}: {exc}") from None
    except Exception as exc:  # the last resort of a CLI: one clear line, the type included
        raise fail(f"{type(exc).__name__}: {exc}") from None


def _safe_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return scheme + sep + rest


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", envvar="PORT")] = 8000,
    migrate: Annotated[bool, typer.Option(help="Apply pending migrations before serving.")] = True,
) -> None:
    """Serve the API, the console and GraphiQL (and run the daily renewal window)."""
    import uvicorn

    from mailrenew.logs import configure_logging

    config = settings()
    configure_logging(config.log_level, json=config.log_json)
    if migrate:
        run_with_db(lambda: asyncio.sleep(0), migrate_first=True)
    if config.is_sqlite:
        typer.echo("Embedded SQLite: run one serving process; several need PostgreSQL.", err=True)
    typer.echo(f"Mailrenew on http://{host}:{port}  (GraphiQL: http://{host}:{port}/graphql)", err=True)
    uvicorn.run(
        "mailrenew.web:create_app", factory=True, host=host, port=port, log_level="warning", access_log=False
    )


@app.command()
def migrate() -> None:
    """Apply pending database migrations (Tortoise's native migrations)."""

    def progress(stage: str, app_label: str, name: str) -> None:
        if stage == "apply_done":  # Tortoise's executor emits apply_start / apply_done
            typer.echo(f"applied {app_label}.{name}")

    config = settings()

    async def work() -> None:
        try:
            await db.migrate(config.database_url, progress=progress)
        finally:
            await db.close_db()  # an open aiosqlite connection's thread would keep the process alive

    try:
        asyncio.run(work())
    except (OSError, ConnectionError) as exc:
        raise fail(f"cannot reach the database at {_safe_url(config.database_url)}: {exc}") from None
    typer.echo("database is up to date")


@app.command("seed-demo")
def seed_demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Say nothing when the demo data is there.")
    ] = False,
) -> None:
    """Load the demo organizations, users, domains and mailboxes (idempotent: never loads twice)."""
    from mailrenew.demo import seed_demo as load

    config = settings()
    report = run_with_db(
        lambda: load(today=business_today(config), password=config.demo_password), migrate_first=True
    )
    if report.created:
        typer.echo("Demo data loaded. Sign in with any of these (password: " + report.password + "):")
    elif not if_empty:
        typer.echo("Demo data is already loaded. Demo sign-ins (password: " + report.password + "):")
    else:
        typer.echo("Demo sign-ins (password: " + report.password + "):")
    for email in report.users:
        typer.echo(f"  {email}")


@app.command()
def renew(
    date: Annotated[
        str | None, typer.Option("--date", help="Business day YYYY-MM-DD (default: today in TIMEZONE).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be charged; change nothing.")
    ] = False,
    simulate: Annotated[
        bool,
        typer.Option(
            "--simulate",
            help="Run the real sweep (any date, future ones included) in a transaction rolled back at the end; "
            "card top-ups are not charged (the simulated gateway answers, nothing is sent to the card); "
            "prints the summary of a real run.",
        ),
    ] = False,
) -> None:
    """Run the renewal window for one day: items expiring in 1 to 5 days are renewed from the payer's account.

    A --date after today is refused unless --simulate (or --dry-run).
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from mailrenew.i18n import format_cents
    from mailrenew.renewal.sweep import count_due, run_sweep

    config = settings()
    try:
        day = dt.date.fromisoformat(date) if date else business_today(config)
    except ValueError:
        raise fail(f"--date must be a date YYYY-MM-DD, not {date!r}") from None
    if dry_run and simulate:
        raise fail("choose --dry-run or --simulate, not both", 2)
    today = business_today(config)
    if day > today and not (simulate or dry_run):
        raise fail(
            f"{day.isoformat()} is after today ({today.isoformat()}); use --simulate to see what would happen",
            2,
        )
    console = Console(stderr=True)

    async def work() -> SweepReport:
        if simulate:
            return await simulated_sweep(day, batch_size=config.renewal_batch_size)
        if dry_run:
            return await run_sweep(day, dry_run=True, batch_size=config.renewal_batch_size)
        total = await count_due(day)
        with Progress(
            TextColumn("renewing"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
        ) as bar:
            task = bar.add_task("renew", total=total)
            return await run_sweep(
                day, batch_size=config.renewal_batch_size, progress=lambda n: bar.advance(task, n)
            )

    report = run_with_db(work)
    if dry_run:
        table = Table(title=f"Dry run for {day.isoformat()}: nothing was changed")
        for column in ("item", "expires", "payer", "amount", "outcome"):
            table.add_column(column)
        for plan in report.planned:
            outcome = "would renew" if plan.reason is None else f"would fail: {plan.reason}"
            table.add_row(
                plan.item.label,
                plan.item.expires_at.isoformat(),
                report.payer_names.get(plan.item.payer_id, str(plan.item.payer_id)),
                format_cents(plan.amount_cents),
                outcome,
            )
        Console().print(table)
    failed = ", ".join(f"{reason} {count}" for reason, count in sorted(report.failed.items())) or "none"
    verb = "would be" if dry_run else "were"
    typer.echo(
        ("SIMULATION (nothing was changed): " if simulate else "")
        + f"{day.isoformat()}: {report.renewed} renewed, {report.failed_total} failed ({failed}); "
        f"{format_cents(report.charged_cents)} {verb} charged"
        + ("" if dry_run else f"; {report.expired} expired")
    )


@app.command()
def reconcile(
    older_than: Annotated[
        int,
        typer.Option(
            "--older-than",
            min=0,
            help="Minutes a card charge must have been pending (default 10: younger ones may be in flight).",
        ),
    ] = 10,
) -> None:
    """Settle card charges left pending by a crash or a lost connection: credit what the gateway charged, void
    what it never saw (each exactly once; the scheduler runs this too)."""
    from mailrenew.billing import charges

    report = run_with_db(lambda: charges.reconcile(older_than=dt.timedelta(minutes=older_than)))
    typer.echo(f"card charges: {report}")


class _RollBack(Exception):
    """Raised at the end of a simulation so that its transaction rolls back."""


async def simulated_sweep(day: dt.date, *, batch_size: int) -> SweepReport:
    """The real sweep for ``day`` inside one transaction that is rolled back; no card is charged.

    The sweep's own transactions become savepoints of this one. Card top-ups go to a gateway that answers as
    the simulated gateway would (by test card) without charging or recording anything.
    """
    from mailrenew.billing import gateway
    from mailrenew.db import atomic
    from mailrenew.renewal.sweep import run_sweep

    reports: list[SweepReport] = []
    previous = gateway.get_gateway()
    gateway.set_gateway(_NoChargeGateway())
    try:
        async with atomic():
            reports.append(await run_sweep(day, batch_size=batch_size))
            raise _RollBack
    except _RollBack:
        pass
    finally:
        gateway.set_gateway(previous)
    return reports[0]


class _NoChargeGateway(SimulatedGateway):
    """Answers a charge as the simulated gateway would (by test card), charging and recording nothing."""

    async def charge(
        self, token: str, amount_cents: int, currency: str, idempotency_key: str
    ) -> ChargeResult:
        return ChargeResult(self._outcome(token), amount_cents, "simulation")


# --- prices ---------------------------------------------------------------------------------------

AMOUNT = re.compile(r"(\d{1,6})(?:[.,](\d{1,2}))?")
NO_OFFER = "-"


def parse_amount(text: str) -> int:
    """Euros with a dot or a comma and at most 2 decimals (``1.20``, ``1,2``, ``15``) → cents."""
    from mailrenew.billing.service import MAX_PRICE_CENTS

    match = AMOUNT.fullmatch(text.strip())
    if match is None:
        raise fail(f"AMOUNT must be euros with at most 2 decimals, e.g. 1.20 or 1,20, not {text!r}", 2)
    cents = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if cents <= 0:
        raise fail(f"AMOUNT must be more than 0.00, not {text!r}", 2)
    if cents > MAX_PRICE_CENTS:
        raise fail(f"AMOUNT must be at most {MAX_PRICE_CENTS // 100}.00, not {text!r}", 2)
    return cents


def _choices(values: list[str]) -> str:
    return ", ".join(dict.fromkeys(v or NO_OFFER for v in values))


def catalogue_key(product: str, offer: str, period: str) -> tuple[str, str, str]:
    """The catalogue entry these arguments name (case-insensitive, ``-`` for no offer), or one clear error."""
    from mailrenew.billing.service import catalogue_keys

    keys = catalogue_keys()
    product, period = product.strip().upper(), period.strip().upper()
    offer = "" if offer.strip() == NO_OFFER else offer.strip().upper()
    if product not in {k[0] for k in keys}:
        raise fail(f"unknown product {product!r}; choose one of {_choices([k[0] for k in keys])}", 2)
    offers = [k[1] for k in keys if k[0] == product]
    if offer not in offers:
        raise fail(f"unknown offer {offer or NO_OFFER!r} for {product}; choose one of {_choices(offers)}", 2)
    periods = [k[2] for k in keys if k[:2] == (product, offer)]
    if period not in periods:
        raise fail(
            f"unknown period {period!r} for {product} {offer or NO_OFFER}; choose one of {_choices(periods)}",
            2,
        )
    return product, offer, period


def _money(cents: int, currency: str) -> str:
    return f"{cents // 100}.{cents % 100:02d} {currency}"


@prices_app.command("list")
def prices_list() -> None:
    """Show the catalogue: product, offer, period, amount and last change (UTC)."""
    from mailrenew.billing.models import Price

    async def work() -> list[Price]:
        return await Price.all().order_by("product", "offer", "period")

    rows = [
        (
            str(p.product),
            p.offer or NO_OFFER,
            p.period,
            _money(p.amount_cents, p.currency),
            f"{p.updated_at:%Y-%m-%d %H:%M} UTC",
        )
        for p in run_with_db(work)
    ]
    if not rows:
        typer.echo("no prices yet (seed-demo loads the default catalogue)")
        return
    header = ("PRODUCT", "OFFER", "PERIOD", "AMOUNT", "LAST CHANGE")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [
            cell.rjust(w) if i == 3 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        typer.echo("  ".join(cells).rstrip())


@prices_app.command("set")
def prices_set(
    product: Annotated[str, typer.Argument(metavar="PRODUCT", help="MAILBOX or DOMAIN.")],
    offer: Annotated[
        str, typer.Argument(metavar="OFFER", help="STANDARD or PREMIUM for a mailbox, - for a domain.")
    ],
    period: Annotated[str, typer.Argument(metavar="PERIOD", help="MONTHLY or YEARLY (a domain: YEARLY).")],
    amount: Annotated[
        str,
        typer.Argument(
            metavar="AMOUNT", help="Euros, a dot or a comma and at most 2 decimals: 1.20 or 1,20 (not cents)."
        ),
    ],
) -> None:
    """Change one price: terms renewed from now on pay it; past ledger entries never change (audited)."""
    from mailrenew.billing.service import set_price

    key = catalogue_key(product, offer, period)
    cents = parse_amount(amount)

    async def work() -> tuple[int | None, str]:
        from mailrenew.billing.models import Price

        old = await Price.get_or_none(product=key[0], offer=key[1], period=key[2])
        price = await set_price(*key, cents)
        return (None if old is None else old.amount_cents), price.currency

    before, currency = run_with_db(work)
    was = "" if before is None else f" (was {_money(before, currency)})"
    typer.echo(f"{key[0]} {key[1] or NO_OFFER} {key[2]}: {_money(cents, currency)}{was}")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="The user's e-mail, used to sign in.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    language: Annotated[str, typer.Option(help="fr or en.")] = "en",
    organization: Annotated[
        str | None, typer.Option("--org", help="Add the user to this organization (created if missing).")
    ] = None,
    role: Annotated[str, typer.Option(help="Role in --org: OWNER, ADMIN, BILLING or MEMBER.")] = "MEMBER",
    password: Annotated[
        str | None,
        typer.Option(help="Password; prompted for (hidden) when omitted.", envvar="MAILRENEW_PASSWORD"),
    ] = None,
) -> None:
    """Create a user (and optionally a membership)."""
    from mailrenew.accounts import service as accounts
    from mailrenew.accounts.models import Language, Organization, Role

    if language not in ("fr", "en"):
        raise fail("--language must be fr or en")
    if role.upper() not in Role.__members__:
        raise fail("--role must be one of OWNER, ADMIN, BILLING, MEMBER")
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def work() -> None:
        user = await accounts.create_user(email, password, display_name=name, language=Language(language))
        if organization:
            org = await Organization.filter(name=organization).first() or await accounts.create_organization(
                organization
            )
            await accounts.add_member(user, org, Role(role.upper()))
        typer.echo(f"created user {user.email} (id {user.id})")

    run_with_db(work)


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option("--user", help="E-mail of the user the token acts as.")],
    name: Annotated[str, typer.Option(help="A label to recognise the token by.")] = "cli",
) -> None:
    """Create a personal access token and print it alone on stdout (it is shown only once)."""
    from mailrenew.accounts import service as accounts

    async def work() -> str:
        token, secret = await accounts.create_token(user, name)
        typer.echo(f"token {token.id} ({token.name}) created for {user}; it is shown only once", err=True)
        return secret

    sys.stdout.write(run_with_db(work) + "\n")


@tokens_app.command("revoke")
def tokens_revoke(
    token: Annotated[str, typer.Argument(help="The token's id (see `tokens list`) or the token itself.")],
) -> None:
    """Revoke a personal access token; requests carrying it are refused from now on."""
    from mailrenew.accounts import service as accounts

    async def work() -> None:
        if token.isdigit():
            row = await accounts.revoke_token(token_id=int(token))
        else:
            row = await accounts.revoke_token(secret=token)
        typer.echo(f"token {row.id} ({row.name}) revoked")

    run_with_db(work)


@tokens_app.command("list")
def tokens_list(user: Annotated[str, typer.Option("--user", help="E-mail of the user.")]) -> None:
    """List a user's tokens (id, name, prefix, created, revoked)."""
    from mailrenew.accounts import service as accounts

    async def work() -> None:
        for token in await accounts.list_tokens(user):
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            typer.echo(f"{token.id}\t{token.name}\t{token.prefix}…\t{token.created_at:%Y-%m-%d}\t{state}")

    run_with_db(work)


def main() -> None:
    app()
