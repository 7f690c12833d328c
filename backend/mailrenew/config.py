"""Settings from the environment (pydantic-settings) and the business clock.

Every setting has a safe default for the embedded SQLite set-up; a bad value is reported as one clear
line by ``load_settings`` (the CLI prints it and exits non-zero) instead of a traceback.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "dev-insecure-" + secrets.token_hex(16)


SCHEMES = {
    "smtp": (25, False, False),
    "smtp+starttls": (587, False, True),
    "smtps": (465, True, False),
}
"""scheme → (default port, implicit TLS, required STARTTLS)."""


@dataclass(frozen=True)
class SmtpTarget:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://user:pass@host:port`` (plain), ``smtp+starttls://…`` (STARTTLS required), ``smtps://…`` (TLS)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"SMTP_URL must start with {', '.join(f'{s}://' for s in SCHEMES)}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("SMTP_URL has an invalid port") from None
    if not parts.hostname:
        raise ValueError("SMTP_URL has no host")
    default_port, use_tls, start_tls = SCHEMES[scheme]
    return SmtpTarget(
        hostname=parts.hostname,
        port=port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=use_tls,
        start_tls=start_tls,
    )


class SettingsError(Exception):
    """A setting has a bad value; ``str()`` is one line naming the variable and the problem."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str = "sqlite://./mailrenew.sqlite3"
    timezone: str = "Europe/Paris"
    secret_key: str = _DEV_SECRET
    smtp_url: str | None = None
    smtp_from: str = "Mailrenew <no-reply@mailrenew.example>"
    renewal_time: str = "06:00"
    scheduler_enabled: bool = True
    renewal_batch_size: Annotated[int, Field(ge=1, le=5000)] = 200
    graphql_introspection: bool = True
    renewal_grace_days: Annotated[int, Field(ge=0, le=365)] = 30  # an expired item may be renewed by hand
    graphql_compiled: bool = True  # the compiled read path (graphql/compiled.py); off: every request executes
    graphql_max_depth: Annotated[int, Field(ge=2, le=50)] = 12
    graphql_max_aliases: Annotated[int, Field(ge=1, le=1000)] = 30
    graphql_max_tokens: Annotated[int, Field(ge=100)] = 5000
    graphql_max_cost: Annotated[int, Field(ge=1)] = 20_000
    """Most nodes an operation may return (``mailrenew.graphql.cost``)."""
    max_body_bytes: Annotated[int, Field(ge=1024)] = 256 * 1024
    """Largest request body accepted (``/graphql``, ``/auth/*``); more is answered 413."""
    session_max_age_seconds: Annotated[int, Field(ge=60)] = 14 * 24 * 3600
    cookie_secure: bool = False
    allowed_origins: list[str] = []
    login_max_failures_per_account: Annotated[int, Field(ge=1)] = 5
    login_max_failures_per_ip: Annotated[int, Field(ge=1)] = 20
    login_window_seconds: Annotated[int, Field(ge=1)] = 900
    log_level: str = "INFO"
    log_json: bool = True
    demo_password: str = "demo-password"
    frontend_dist: str | None = None
    today: dt.date | None = None
    """Fixes the business date (demos and tests); unset in production."""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)") from None
        return value

    @field_validator("renewal_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        try:
            dt.time.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a time of day HH:MM") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise ValueError("must start with sqlite:// or postgres://")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parse_smtp_url(value)  # raises ValueError with a readable message
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return value.upper()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def renewal_clock_time(self) -> dt.time:
        return dt.time.fromisoformat(self.renewal_time)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")

    @property
    def secret_is_default(self) -> bool:
        return self.secret_key == _DEV_SECRET


def load_settings(**overrides: object) -> Settings:
    """Read the environment; raise ``SettingsError`` with one readable line on a bad value."""
    try:
        # Values are checked by pydantic at run time (that is the point); their static types are not known here.
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]).upper() or "settings"
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise SettingsError("invalid setting " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def business_today(settings: Settings | None = None, *, now: dt.datetime | None = None) -> dt.date:
    """Today's business date in the configured time zone (the one clock the domain uses)."""
    settings = settings or get_settings()
    if settings.today is not None:
        return settings.today
    instant = now or dt.datetime.now(dt.UTC)
    return instant.astimezone(settings.zone).date()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
