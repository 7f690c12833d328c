"""Settings: safe defaults, one clear line per bad value, and the CLI turning it into ``error: …`` and exit 2."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailrenew.config import Settings, SettingsError, business_today, load_settings

MAILRENEW = Path(sys.executable).with_name("mailrenew")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No setting comes from the environment (the suite's conftest sets a few)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults(clean_env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite://./mailrenew.sqlite3"
    assert settings.is_sqlite is True
    assert settings.timezone == "Europe/Paris"
    assert settings.zone == ZoneInfo("Europe/Paris")
    assert settings.renewal_time == "06:00"
    assert settings.renewal_clock_time == dt.time(6, 0)
    assert settings.smtp_url is None
    assert settings.secret_is_default is True
    assert settings.secret_key.startswith("dev-insecure-")
    assert settings.login_max_failures_per_account == 5
    assert settings.login_max_failures_per_ip == 20
    assert settings.login_window_seconds == 900
    assert settings.session_max_age_seconds == 14 * 24 * 3600
    assert settings.cookie_secure is False
    assert settings.scheduler_enabled is True
    assert settings.demo_password == "demo-password"
    assert settings.today is None
    assert settings.log_level == "INFO"


def test_environment_is_read(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("TIMEZONE", "America/New_York")
    clean_env.setenv("RENEWAL_TIME", "23:15")
    clean_env.setenv("DATABASE_URL", "postgresql://u@db.example:5432/mr")
    clean_env.setenv("SECRET_KEY", "s3cret")
    settings = load_settings()
    assert settings.zone == ZoneInfo("America/New_York")
    assert settings.renewal_clock_time == dt.time(23, 15)
    assert settings.is_sqlite is False
    assert settings.secret_is_default is False


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("TIMEZONE", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("RENEWAL_TIME", "25:99", "'25:99' is not a time of day HH:MM"),
        ("RENEWAL_TIME", "six", "'six' is not a time of day HH:MM"),
        ("DATABASE_URL", "mysql://root@localhost/db", "must start with sqlite:// or postgres://"),
    ],
)
def test_bad_value_is_one_line_naming_the_variable(
    clean_env: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    clean_env.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(f"invalid setting {variable}: ")
    assert problem in text


def test_several_bad_values_are_reported_together(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(timezone="Nowhere/Land", renewal_time="later")
    text = str(caught.value)
    assert "\n" not in text
    assert "TIMEZONE: " in text
    assert "RENEWAL_TIME: " in text


def test_business_today_uses_the_configured_zone(clean_env: pytest.MonkeyPatch) -> None:
    late_evening_utc = dt.datetime(2027, 3, 1, 23, 30, tzinfo=dt.UTC)
    assert business_today(load_settings(), now=late_evening_utc) == dt.date(2027, 3, 2)  # Paris: 00:30
    assert business_today(load_settings(timezone="America/New_York"), now=late_evening_utc) == dt.date(
        2027, 3, 1
    )
    fixed = load_settings(today="2027-12-31")
    assert business_today(fixed, now=late_evening_utc) == dt.date(2027, 12, 31)


def test_cli_reports_a_bad_time_zone_in_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
        "TIMEZONE": "Mars/Olympus",
        "NO_COLOR": "1",
    }
    done = subprocess.run(
        [str(MAILRENEW), "migrate"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: invalid setting TIMEZONE: unknown time zone 'Mars/Olympus'")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "cli.sqlite3").exists()  # refused before touching the database


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example", "SMTP_URL must start with"),
        ("smtp://", "no host"),
        ("smtp://h:99999", "invalid port"),
    ],
)
def test_a_bad_smtp_url_is_one_clear_line(url: str, problem: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(smtp_url=url)
    assert str(error.value).startswith("invalid setting SMTP_URL: ")
    assert problem in str(error.value)
    assert "\n" not in str(error.value)


def test_an_empty_smtp_url_means_no_delivery() -> None:
    assert load_settings(smtp_url="").smtp_url is None
