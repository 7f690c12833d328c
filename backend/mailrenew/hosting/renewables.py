"""Mailboxes and domains as renewable items: the batched reads and writes the renewal window asks hosting for.

Hosting owns these tables; ``renewal`` decides what is due (it passes its window as a SQL predicate) and asks
here to read, lock, extend, fail or lapse items, many ids per statement so that the sweep stays fast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mailrenew.db import SQLParams, SqlPredicate, connection, dialect, update_by_id


class ItemKind(StrEnum):
    DOMAIN = "domain"
    MAILBOX = "mailbox"


_TABLES = {ItemKind.DOMAIN: "domains", ItemKind.MAILBOX: "mailboxes"}

_SELECT = {
    ItemKind.MAILBOX: (
        "SELECT 'mailbox' AS kind, t.id, t.address AS label, t.expires_at, t.status, t.auto_renew_enabled, "
        "t.auto_renew_period AS period, t.offer, t.auto_renew_payer_id AS payer_id, "
        "t.auto_renew_set_by_id AS set_by_id, d.owner_id, d.status AS domain_status, "
        "d.expires_at AS domain_expires_at FROM mailboxes t JOIN domains d ON d.id = t.domain_id"
    ),
    ItemKind.DOMAIN: (
        "SELECT 'domain' AS kind, t.id, t.fqdn AS label, t.expires_at, t.status, t.auto_renew_enabled, "
        "'YEARLY' AS period, '' AS offer, t.auto_renew_payer_id AS payer_id, "
        "t.auto_renew_set_by_id AS set_by_id, t.owner_id, t.status AS domain_status, "
        "t.expires_at AS domain_expires_at FROM domains t"
    ),
}


@dataclass(slots=True)  # thousands per sweep: a plain slotted class is the cheapest to build
class RenewableRow:
    """An item as the window sees it, with its domain's state (a domain is its own domain)."""

    kind: ItemKind
    id: int
    label: str  # the mailbox address or the fqdn
    expires_at: dt.date
    status: str
    auto_renew_enabled: bool
    period: str | None
    offer: str
    payer_id: int | None
    set_by_id: int | None
    owner_id: int
    domain_status: str
    domain_expires_at: dt.date


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _row(row: Mapping[str, Any]) -> RenewableRow:
    return RenewableRow(
        kind=ItemKind(row["kind"]),
        id=row["id"],
        label=row["label"],
        expires_at=_as_date(row["expires_at"]),
        status=str(row["status"]),
        auto_renew_enabled=bool(row["auto_renew_enabled"]),
        period=row["period"],
        offer=row["offer"] or "",
        payer_id=row["payer_id"],
        set_by_id=row["set_by_id"],
        owner_id=row["owner_id"],
        domain_status=str(row["domain_status"]),
        domain_expires_at=_as_date(row["domain_expires_at"]),
    )


async def ids_where(kind: ItemKind, where: SqlPredicate) -> list[int]:
    """Ids of the items matching ``where`` (rendered on alias ``t``), in id order (one statement)."""
    p = SQLParams()
    rows = await connection().execute_query_dict(
        f"SELECT t.id FROM {_TABLES[kind]} t WHERE {where('t', p)} ORDER BY t.id", p.values
    )
    return [row["id"] for row in rows]


async def rows_where(
    kind: ItemKind, where: SqlPredicate, *, ids: Sequence[int] | None = None, lock: bool = False
) -> list[RenewableRow]:
    """These items (or all) if they match ``where`` now; locked, skipping rows another process holds, if asked.

    Locking takes the item rows only (``FOR UPDATE OF t SKIP LOCKED`` on PostgreSQL; SQLite's ``BEGIN
    IMMEDIATE`` already serializes writers).
    """
    if ids is not None and not ids:
        return []
    p = SQLParams()
    sql = f"{_SELECT[kind]} WHERE {where('t', p)}"
    if ids is not None:
        sql += f" AND t.id IN ({p.many(ids)})"
    sql += " ORDER BY t.id"
    if lock and dialect() != "sqlite":
        sql += " FOR UPDATE OF t SKIP LOCKED"
    return [_row(row) for row in await connection().execute_query_dict(sql, p.values)]


async def upcoming(where: SqlPredicate, payer_ids: Sequence[int] | None) -> list[RenewableRow]:
    """Mailboxes and domains matching ``where``, optionally only those paid by ``payer_ids`` (one statement)."""
    p = SQLParams()

    def clause() -> str:
        # Markers are handed out in text order: with SQLite's "?" the values must follow the text.
        text = where("t", p)
        if payer_ids is not None:
            text += f" AND t.auto_renew_payer_id IN ({p.many(payer_ids)})"
        return text

    sql = (
        f"{_SELECT[ItemKind.MAILBOX]} WHERE {clause()} UNION ALL {_SELECT[ItemKind.DOMAIN]} WHERE {clause()}"
    )
    return [_row(row) for row in await connection().execute_query_dict(sql, p.values)]


async def lock(kind: ItemKind, item_id: int) -> None:
    """Wait for (and take) one item's row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes."""
    if dialect() != "sqlite":
        p = SQLParams()
        await connection().execute_query(
            f"SELECT id FROM {_TABLES[kind]} WHERE id = {p(item_id)} FOR UPDATE", p.values
        )


async def extend(kind: ItemKind, new_expiry_by_id: Mapping[int, dt.date]) -> None:
    """Renewed: each item's new expiry date, status back to ACTIVE (one statement)."""
    await update_by_id(_TABLES[kind], "expires_at", "DATE", new_expiry_by_id, status="ACTIVE")


async def mark_renewal_failed(kind: ItemKind, ids: Sequence[int]) -> None:
    """The last attempt before expiry failed: status RENEWAL_FAILED (one statement)."""
    if ids:
        p = SQLParams()
        await connection().execute_query(
            f"UPDATE {_TABLES[kind]} SET status = 'RENEWAL_FAILED' WHERE id IN ({p.many(ids)})", p.values
        )


@dataclass(frozen=True)
class Lapsed:
    kind: ItemKind
    id: int
    label: str
    expires_at: dt.date
    organization_id: int  # the payer, or the owner when none was set


async def lapse(expired_on_or_before: dt.date) -> list[Lapsed]:
    """Items whose expiry date has come become EXPIRED (one statement per kind); returns those changed now."""
    lapsed: list[Lapsed] = []
    for kind, label, owner in (
        (ItemKind.DOMAIN, "fqdn", "owner_id"),
        (ItemKind.MAILBOX, "address", "(SELECT owner_id FROM domains d WHERE d.id = mailboxes.domain_id)"),
    ):
        p = SQLParams()
        rows = await connection().execute_query_dict(
            f"UPDATE {_TABLES[kind]} SET status = 'EXPIRED' WHERE expires_at <= {p(expired_on_or_before)} "
            f"AND status <> 'EXPIRED' "
            f"RETURNING id, {label} AS label, expires_at, COALESCE(auto_renew_payer_id, {owner}) AS org_id",
            p.values,
        )
        lapsed += [
            Lapsed(kind, row["id"], row["label"], _as_date(row["expires_at"]), row["org_id"]) for row in rows
        ]
    return lapsed
