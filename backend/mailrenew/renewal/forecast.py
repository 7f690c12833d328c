"""What the coming days will charge each payer, and whether its balance (or its card) covers it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mailrenew.billing import service as billing
from mailrenew.db import SQLParams, connection
from mailrenew.notify import service as notify
from mailrenew.notify.models import MessageKind
from mailrenew.renewal.calendar import WINDOW_CLOSES_DAYS_BEFORE, WINDOW_OPENS_DAYS_BEFORE

NOT_COVERED_NOTICE_DAYS = 7  # tell the payer this many days before the expiry date


@dataclass(frozen=True)
class ForecastItem:
    kind: str  # "mailbox" | "domain"
    id: int
    label: str
    expires_at: dt.date
    charge_on: dt.date
    amount_cents: int
    payer_id: int


@dataclass
class Forecast:
    organization_id: int
    balance_cents: int = 0
    covered_by_card: bool = False
    items: list[ForecastItem] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(i.amount_cents for i in self.items)

    @property
    def shortfall_cents(self) -> int:
        return max(0, self.total_cents - self.balance_cents)

    def uncovered(self) -> list[ForecastItem]:
        """Items the balance will not cover, in charge order (none when a card tops up automatically)."""
        if self.covered_by_card:
            return []
        left, missing = self.balance_cents, []
        for item in sorted(self.items, key=lambda i: (i.charge_on, i.kind, i.id)):
            if item.amount_cents <= left:
                left -= item.amount_cents
            else:
                missing.append(item)
        return missing


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


async def _upcoming_rows(
    organization_ids: Sequence[int] | None, day: dt.date, days: int
) -> list[dict[str, Any]]:
    """Items on auto-renewal whose window opens within ``days`` and that have not expired (one statement)."""
    first = day + dt.timedelta(days=WINDOW_CLOSES_DAYS_BEFORE)
    last = day + dt.timedelta(days=days + WINDOW_OPENS_DAYS_BEFORE)
    p = SQLParams()

    def where() -> str:
        # Markers are handed out in text order: with SQLite's "?" the values must follow the text.
        text = f"t.auto_renew_enabled = TRUE AND t.status <> 'EXPIRED' AND t.expires_at >= {p(first)} "
        text += f"AND t.expires_at <= {p(last)}"
        if organization_ids is not None:
            text += f" AND t.auto_renew_payer_id IN ({p.many(organization_ids)})"
        return text

    sql = (
        "SELECT 'mailbox' AS kind, t.id, t.address AS label, t.expires_at, t.auto_renew_payer_id AS payer_id, "
        "p.amount_cents FROM mailboxes t JOIN prices p ON p.product = 'MAILBOX' AND p.offer = t.offer "
        f"AND p.period = t.auto_renew_period WHERE {where()} "
        "UNION ALL "
        "SELECT 'domain' AS kind, t.id, t.fqdn AS label, t.expires_at, t.auto_renew_payer_id AS payer_id, "
        "p.amount_cents FROM domains t JOIN prices p ON p.product = 'DOMAIN' AND p.offer = '' "
        f"AND p.period = 'YEARLY' WHERE {where()}"
    )
    return await connection().execute_query_dict(sql, p.values)


async def forecast(organization_ids: Sequence[int] | None, day: dt.date, days: int) -> dict[int, Forecast]:
    """Per payer: the charges of the next ``days`` days, the balance and whether a card tops up (4 statements)."""
    rows = await _upcoming_rows(organization_ids, day, days)
    payers = sorted(set(organization_ids or []) | {row["payer_id"] for row in rows})
    balances = await billing.balances_of(payers)
    cards = await billing.cards_with_auto_top_up(payers)
    result = {org: Forecast(org, balances.get(org, 0), org in cards) for org in payers}
    for row in rows:
        expires_at = _as_date(row["expires_at"])
        charge_on = max(day, expires_at - dt.timedelta(days=WINDOW_OPENS_DAYS_BEFORE))
        result[row["payer_id"]].items.append(
            ForecastItem(
                row["kind"],
                row["id"],
                row["label"],
                expires_at,
                charge_on,
                row["amount_cents"],
                row["payer_id"],
            )
        )
    for item_forecast in result.values():
        item_forecast.items.sort(key=lambda i: (i.charge_on, i.label))
    return result


async def notify_not_covered(day: dt.date) -> int:
    """Tell payers, once per item and term, about renewals of the coming days their balance will not cover."""
    notices = [
        notify.Notice(
            MessageKind.PAYMENT_NOT_COVERED,
            item.payer_id,
            f"not_covered:{item.kind}:{item.id}:{item.expires_at.isoformat()}",
            {
                "item": item.label,
                "expires_at": item.expires_at,
                "amount_cents": item.amount_cents,
                "balance_cents": payer.balance_cents,
                "shortfall_cents": payer.shortfall_cents,
            },
        )
        for payer in (await forecast(None, day, NOT_COVERED_NOTICE_DAYS - WINDOW_OPENS_DAYS_BEFORE)).values()
        for item in payer.uncovered()
    ]
    return await notify.queue(notices) if notices else 0
