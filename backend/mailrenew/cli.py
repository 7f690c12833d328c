"""The operators' command line (Typer): serve, migrate, seed-demo, users, tokens.

Every command reads the same settings as the server; an error is printed as one line on stderr with a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from mailrenew import db
from mailrenew.config import Settings, SettingsError, business_today, load_settings
from mailrenew.errors import DomainError

T = TypeVar("T")

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
) -> None:
    """Run the renewal window for one day: items expiring in 1 to 5 days are renewed from the payer's account."""
    import datetime as dt

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from mailrenew.i18n import format_cents
    from mailrenew.renewal.sweep import SweepReport, count_due, run_sweep

    config = settings()
    try:
        day = dt.date.fromisoformat(date) if date else business_today(config)
    except ValueError:
        raise fail(f"--date must be a date YYYY-MM-DD, not {date!r}") from None
    console = Console(stderr=True)

    async def work() -> SweepReport:
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
                str(plan.item.payer_id),
                format_cents(plan.amount_cents),
                outcome,
            )
        Console().print(table)
    failed = ", ".join(f"{reason} {count}" for reason, count in sorted(report.failed.items())) or "none"
    verb = "would be" if dry_run else "were"
    typer.echo(
        f"{day.isoformat()}: {report.renewed} renewed, {report.failed_total} failed ({failed}); "
        f"{format_cents(report.charged_cents)} {verb} charged"
        + ("" if dry_run else f"; {report.expired} expired")
    )


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
