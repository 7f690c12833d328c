"""Notifications: an outbox of messages to the payer's OWNER and BILLING members, delivered by SMTP.

``queue`` is called inside the caller's transaction (the renewal sweep's), so a notice exists exactly when
what it tells happened; the dedupe key makes queuing the same notice twice a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from mailrenew.accounts.access import Action, roles_allowed
from mailrenew.accounts.models import Membership
from mailrenew.config import utcnow
from mailrenew.db import connection, placeholders
from mailrenew.i18n import normalize_language
from mailrenew.notify.models import MessageKind, OutboxMessage
from mailrenew.notify.templates import NoticeParamsError, render

RECIPIENT_ACTION = Action.VIEW_BILLING
"""Who is told: the members who see the organization's billing (OWNER and BILLING)."""

INSERT_COLUMNS = (
    "user_id",
    "organization_id",
    "kind",
    "language",
    "subject",
    "body",
    "dedupe_key",
    "created_at",
    "send_attempts",
)
ROWS_PER_INSERT = 1000
"""9,000 parameters a statement: under SQLite's 32,766 and PostgreSQL's 32,767; one INSERT up to 1,000 rows."""
DEDUPE_KEY_MAX = 200


@dataclass(frozen=True)
class Notice:
    """What to tell the OWNER and BILLING members of ``organization_id``.

    ``key`` identifies the event (e.g. ``receipt:mailbox:12:2027-03-01``); one message per (key, user).
    ``params`` by kind (dates are ``datetime.date``, money integer cents):
      PAYMENT_NOT_COVERED: item, expires_at, amount_cents, shortfall_cents; optional balance_cents
      RENEWAL_RECEIPT: item, amount_cents, new_expires_at; optional period (MONTHLY / YEARLY)
      RENEWAL_FAILED: item, reason (a FailureReason), expires_at; optional final (bool: J-1, no more attempt)
      EXPIRED: item, expired_on
      CARD_EXPIRING: item (the card, e.g. "VISA •••• 4242", item_type "card"), expires_on; optional auto_top_up
    ``item`` is the mailbox address or the domain name (optional ``item_type``: "mailbox" or "domain",
    otherwise an ``@`` tells a mailbox); optional ``currency`` (default EUR).
    """

    kind: MessageKind
    organization_id: int
    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class _Recipient:
    user_id: int
    language: str
    name: str
    organization_name: str


async def queue(notices: Sequence[Notice]) -> int:
    """Insert the messages for every recipient in a constant number of statements; returns how many were new.

    One SELECT for the recipients of all the notices, then one multi-row ``INSERT … ON CONFLICT DO NOTHING``
    (one more per 1,000 messages). Runs on the current connection, the caller's transaction when there is one;
    it never commits. Raises ``NoticeParamsError`` before writing anything when a notice's params are wrong.
    """
    if not notices:
        return 0
    recipients = await _recipients({n.organization_id for n in notices})
    now = utcnow()
    rows: dict[str, list[object]] = {}
    for notice in notices:
        for person in recipients.get(notice.organization_id, []):
            dedupe_key = f"{notice.key}:{person.user_id}"
            if len(dedupe_key) > DEDUPE_KEY_MAX:
                raise NoticeParamsError(
                    f"notice key too long ({len(dedupe_key)} > {DEDUPE_KEY_MAX}): {notice.key}"
                )
            if dedupe_key in rows:
                continue
            text = render(
                notice.kind,
                notice.params,
                language=person.language,
                organization_name=person.organization_name,
                recipient_name=person.name,
            )
            rows[dedupe_key] = [
                person.user_id,
                notice.organization_id,
                str(MessageKind(notice.kind)),
                person.language,
                text.subject,
                text.body,
                dedupe_key,
                now,
                0,
            ]
    values = list(rows.values())
    inserted = 0
    for start in range(0, len(values), ROWS_PER_INSERT):
        inserted += await _insert(values[start : start + ROWS_PER_INSERT])
    return inserted


async def _recipients(organization_ids: set[int]) -> dict[int, list[_Recipient]]:
    rows = (
        await Membership.filter(
            organization_id__in=sorted(organization_ids),
            role__in=list(roles_allowed(RECIPIENT_ACTION)),
            user__is_active=True,
        )
        .order_by("organization_id", "user_id")
        .values("organization_id", "user_id", "user__language", "user__display_name", "organization__name")
    )
    recipients: dict[int, list[_Recipient]] = {}
    for row in rows:
        recipients.setdefault(row["organization_id"], []).append(
            _Recipient(
                user_id=row["user_id"],
                language=normalize_language(str(row["user__language"])),
                name=row["user__display_name"] or "",
                organization_name=row["organization__name"],
            )
        )
    return recipients


async def _insert(values: list[list[object]]) -> int:
    width = len(INSERT_COLUMNS)
    marks = placeholders(width * len(values))
    tuples = ", ".join(f"({', '.join(marks[i * width : (i + 1) * width])})" for i in range(len(values)))
    inserted = await connection().execute_query_dict(
        f"INSERT INTO outbox_messages ({', '.join(INSERT_COLUMNS)}) VALUES {tuples} "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        [value for row in values for value in row],
    )
    return len(inserted)


async def mark_read(user_id: int, message_ids: Sequence[int], *, now: dt.datetime | None = None) -> int:
    """Mark the user's own messages read (others' ids are ignored); returns how many changed."""
    if not message_ids:
        return 0
    return await OutboxMessage.filter(user_id=user_id, id__in=list(message_ids), read_at__isnull=True).update(
        read_at=now or utcnow()
    )
