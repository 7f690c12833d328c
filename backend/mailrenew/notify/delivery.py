"""SMTP delivery of the outbox, safe with several processes sending at once.

A message is *claimed* before it is sent: one short transaction picks due messages (``FOR UPDATE SKIP LOCKED``
on PostgreSQL; under SQLite's ``BEGIN IMMEDIATE`` write lock), adds one to ``send_attempts`` and sets
``next_attempt_at`` to a lease in the future, so no other process picks them while this one sends. Once the
server accepted a message, ``sent_at`` is set and the message is never picked again. A refused message keeps
``last_error`` and waits ``next_attempt_at`` (a growing backoff); after ``MAX_ATTEMPTS`` claims it stays unsent.

The one window left is a process killed between the server's acceptance and the ``sent_at`` update: the
message is sent again after its lease (at least once, never lost); its ``Message-ID`` is stable so that mail
clients can fold the copies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib

from mailrenew.accounts.models import User
from mailrenew.config import Settings, SmtpTarget, parse_smtp_url, utcnow
from mailrenew.db import atomic, connection, dialect, placeholders
from mailrenew.logs import get_logger
from mailrenew.notify.models import OutboxMessage

log = get_logger("mailrenew.notify")

MAX_ATTEMPTS = 8
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=3),
    dt.timedelta(hours=6),
    dt.timedelta(hours=12),
)
"""Wait after the 1st, 2nd, … failed attempt (the last one repeats)."""
SMTP_TIMEOUT_SECONDS = 30.0
CLAIM_BATCH = 10
LEASE = dt.timedelta(minutes=10)
"""How long a claim keeps other processes off a message: ``CLAIM_BATCH`` sends at the timeout, and margin."""
JOB_LIMIT = 500
ERROR_MAX = 1000


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(self.sent + other.sent, self.failed + other.failed)


@dataclass(frozen=True)
class Claimed:
    id: int
    user_id: int
    to: str
    subject: str
    body: str
    language: str
    dedupe_key: str
    attempts: int


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


async def claim(now: dt.datetime, limit: int) -> list[Claimed]:
    """Take up to ``limit`` due messages for this process (one short transaction); oldest first."""
    async with atomic():
        lease_mark, max_mark, now_mark, limit_mark = placeholders(4)
        lock = " FOR UPDATE SKIP LOCKED" if dialect() != "sqlite" else ""
        rows = await connection().execute_query_dict(
            f"UPDATE outbox_messages SET send_attempts = send_attempts + 1, next_attempt_at = {lease_mark} "
            "WHERE id IN ("
            "SELECT id FROM outbox_messages WHERE sent_at IS NULL "
            f"AND send_attempts < {max_mark} AND (next_attempt_at IS NULL OR next_attempt_at <= {now_mark}) "
            f"ORDER BY id LIMIT {limit_mark}{lock}"
            ") RETURNING id, user_id, subject, body, language, dedupe_key, send_attempts",
            [now + LEASE, MAX_ATTEMPTS, now, limit],
        )
    if not rows:
        return []
    emails = dict(await User.filter(id__in=sorted({r["user_id"] for r in rows})).values_list("id", "email"))
    return [
        Claimed(
            id=r["id"],
            user_id=r["user_id"],
            to=str(emails.get(r["user_id"], "")),
            subject=r["subject"],
            body=r["body"],
            language=r["language"],
            dedupe_key=r["dedupe_key"],
            attempts=r["send_attempts"],
        )
        for r in sorted(rows, key=lambda r: r["id"])
    ]


def build_email(message: Claimed, *, sender: str, now: dt.datetime) -> EmailMessage:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "mailrenew.invalid"
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = f"<{hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:32]}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)  # clears Content-* headers: set Content-Language after it
    email["Content-Language"] = message.language
    return email


async def deliver_pending(
    settings: Settings, *, limit: int = 100, now: dt.datetime | None = None
) -> DeliveryReport:
    """Send up to ``limit`` due messages when ``SMTP_URL`` is set; without it, send nothing.

    ``now`` fixes the clock (tests); otherwise each claim reads the time.
    """
    if not settings.smtp_url:
        return DeliveryReport()
    target = parse_smtp_url(settings.smtp_url)
    report = DeliveryReport()
    remaining = limit
    while remaining > 0:
        batch = await claim(now or utcnow(), min(CLAIM_BATCH, remaining))
        if not batch:
            break
        remaining -= len(batch)
        outcome, server_down = await _send(settings, target, batch, now)
        report += outcome
        if server_down:
            break
    return report


async def _send(
    settings: Settings, target: SmtpTarget, batch: Sequence[Claimed], now: dt.datetime | None
) -> tuple[DeliveryReport, bool]:
    """Send a claimed batch over one connection; (report, whether the server is unreachable)."""
    claimed_at = time.monotonic()
    smtp = aiosmtplib.SMTP(
        hostname=target.hostname,
        port=target.port,
        username=target.username,
        password=target.password,
        use_tls=target.use_tls,
        start_tls=target.start_tls,
        timeout=SMTP_TIMEOUT_SECONDS,
        local_hostname="mailrenew.localhost",
    )
    try:
        await smtp.connect()
    except (aiosmtplib.SMTPException, OSError) as exc:
        await _failed(batch, _describe(exc), now)
        return DeliveryReport(failed=len(batch)), True
    sent = failed = 0
    try:
        for index, message in enumerate(batch):
            if time.monotonic() - claimed_at > (LEASE.total_seconds() - SMTP_TIMEOUT_SECONDS):
                break  # the lease is running out: leave the rest to a later claim rather than race one
            try:
                if not message.to:
                    raise ValueError("the recipient has no e-mail address")
                await smtp.send_message(build_email(message, sender=settings.smtp_from, now=now or utcnow()))
            except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError) as exc:
                rest = batch[index:]
                await _failed(rest, _describe(exc), now)
                return DeliveryReport(sent=sent, failed=failed + len(rest)), True
            except (aiosmtplib.SMTPException, ValueError) as exc:
                await _failed([message], _describe(exc), now)
                failed += 1
            else:
                await OutboxMessage.filter(id=message.id, sent_at__isnull=True).update(
                    sent_at=now or utcnow(), last_error=None, next_attempt_at=None
                )
                sent += 1
    finally:
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()
    return DeliveryReport(sent=sent, failed=failed), False


async def _failed(messages: Sequence[Claimed], error: str, now: dt.datetime | None) -> None:
    """Record the error and the backoff; one statement per attempts count (a batch has one or two)."""
    at = now or utcnow()
    by_attempts: dict[int, list[int]] = {}
    for message in messages:
        by_attempts.setdefault(message.attempts, []).append(message.id)
    for attempts, ids in by_attempts.items():
        await OutboxMessage.filter(id__in=ids, sent_at__isnull=True).update(
            last_error=error[:ERROR_MAX], next_attempt_at=at + backoff(attempts)
        )
    log.warning("notify.send_failed", messages=[m.id for m in messages], error=error)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(_describe(r) for r in exc.recipients) or "recipients refused"
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}".strip()
    return f"{type(exc).__name__}: {exc}".strip()


async def deliver_job(settings: Settings) -> None:
    """The scheduler's entry point (every few minutes): send what is due, log the outcome, never raise."""
    if not settings.smtp_url:
        return
    try:
        report = await deliver_pending(settings, limit=JOB_LIMIT)
    except Exception:
        log.exception("notify.delivery_error")
        return
    if report.sent or report.failed:
        log.info("notify.delivered", sent=report.sent, failed=report.failed)
