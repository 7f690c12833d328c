"""Card charges: recorded before the gateway is called, settled after it, reconciled after a crash.

1. ``card_charges`` gets a ``PENDING`` row (unique idempotency key) in its own committed transaction, after the
   monthly cap is checked under the account's lock;
2. the gateway is called, outside any transaction, with the same key (a retry gets the first charge back);
3. the row is settled and, if the card was charged, the prepaid account credited with the same key, in one
   transaction.

A crash, a killed process or a dropped connection between 2 and 3 leaves the row ``PENDING``: ``reconcile``
asks the gateway by key (it never charges) and credits or voids the row. Settling locks the row and the ledger
key is unique, so a charge is credited exactly once whoever settles it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mailrenew.billing.errors import GatewayUnavailable, IdempotencyKeyReused, TopUpCapReached
from mailrenew.billing.gateway import ChargeResult, ChargeStatus, GatewayError, get_gateway
from mailrenew.billing.ledger import credit
from mailrenew.billing.models import CardCharge, ChargePurpose, ChargeState, LedgerKind, PrepaidAccount
from mailrenew.config import utcnow
from mailrenew.db import SQLParams, atomic, connection
from mailrenew.errors import NotFound
from mailrenew.logs import get_logger

GATEWAY_RETRIES = 3
RECONCILE_AFTER = dt.timedelta(
    minutes=10
)  # far longer than a gateway call: a younger charge may be in flight
FINAL = (ChargeState.SUCCEEDED, ChargeState.DECLINED, ChargeState.INSUFFICIENT_FUNDS)
_STATES = {
    ChargeStatus.SUCCEEDED: ChargeState.SUCCEEDED,
    ChargeStatus.DECLINED: ChargeState.DECLINED,
    ChargeStatus.INSUFFICIENT_FUNDS: ChargeState.INSUFFICIENT_FUNDS,
}
log = get_logger(__name__)


@dataclass(frozen=True)
class ChargeRequest:
    organization_id: int
    card_token: str
    amount_cents: int
    key: str
    purpose: ChargePurpose
    day: dt.date  # the business day it belongs to
    reference: str  # the ledger entry's reference when credited
    same_amount: bool = True  # a second request with this key must ask the same amount (else the first wins)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


async def auto_charged_in_month(organization_id: int, day: dt.date) -> int:
    """Automatic top-ups charged (or pending) in ``day``'s calendar month, in cents: what the cap counts."""
    first, after = month_of(day)
    p = SQLParams()
    rows = await connection().execute_query_dict(
        "SELECT COALESCE(SUM(amount_cents), 0) AS total FROM card_charges "
        f"WHERE organization_id = {p(organization_id)} AND purpose = {p(str(ChargePurpose.AUTO_TOP_UP))} "
        f"AND state IN ({p(str(ChargeState.PENDING))}, {p(str(ChargeState.SUCCEEDED))}) "
        f"AND charged_on >= {p(first)} AND charged_on < {p(after)}",
        p.values,
    )
    return int(rows[0]["total"])


async def record_pending(request: ChargeRequest) -> CardCharge:
    """The charge's row, created ``PENDING`` (cap checked under the account lock) or the one the key has."""
    async with atomic():
        account = (
            await PrepaidAccount.filter(organization_id=request.organization_id).select_for_update().first()
        )
        if account is None:
            raise NotFound(field="organization")
        existing = await CardCharge.get_or_none(idempotency_key=request.key)
        if existing is not None:
            if request.same_amount and existing.amount_cents != request.amount_cents:
                raise IdempotencyKeyReused(field="idempotency_key")
            return existing
        cap = account.monthly_top_up_cap_cents
        if request.purpose is ChargePurpose.AUTO_TOP_UP and cap is not None:
            spent = await auto_charged_in_month(request.organization_id, request.day)
            if spent + request.amount_cents > cap:
                raise TopUpCapReached(cap_cents=cap, spent_cents=spent)
        return await CardCharge.create(
            organization_id=request.organization_id,
            idempotency_key=request.key,
            purpose=request.purpose,
            amount_cents=request.amount_cents,
            charged_on=request.day,
            card_token=request.card_token,
        )


async def charge(request: ChargeRequest) -> CardCharge:
    """Charge the card once per key and credit the prepaid account; returns the settled row.

    A row already settled is returned as it is (no gateway call). ``GatewayUnavailable`` leaves the row
    ``PENDING`` for reconciliation; so does a crash before the settlement commits.
    """
    row = await record_pending(request)
    if row.state in FINAL:
        return row
    result = await charge_token(row.card_token, row.amount_cents, row.idempotency_key)
    return await settle(row.id, result, reference=request.reference)


async def charge_token(token: str, amount_cents: int, key: str) -> ChargeResult:
    """Call the gateway, retrying a lost answer with the same key (which never charges twice)."""
    last_error: GatewayError | None = None
    for _ in range(GATEWAY_RETRIES):
        try:
            return await get_gateway().charge(token, amount_cents, "EUR", key)
        except GatewayError as exc:
            last_error = exc
    raise GatewayUnavailable(detail=str(last_error))


async def settle(charge_id: int, result: ChargeResult, *, reference: str | None = None) -> CardCharge:
    """Record the gateway's answer once: credit the account if charged (same key), in one transaction."""
    async with atomic():
        row = await CardCharge.filter(id=charge_id).select_for_update().get()
        if row.state in FINAL:
            return row
        row.state = _STATES[result.status]
        row.gateway_reference = result.reference[:64]
        row.settled_at = utcnow()
        if result.succeeded:
            entry = await credit(
                row.organization_id,
                result.amount_cents,
                key=row.idempotency_key,
                kind=LedgerKind.TOP_UP,
                reference=reference or f"Card top-up (card {result.reference})",
            )
            row.ledger_entry_id = entry.id
        await row.save(update_fields=["state", "gateway_reference", "settled_at", "ledger_entry_id"])
    return row


@dataclass
class ReconcileReport:
    credited: int = 0
    failed: int = 0  # the gateway had refused it
    voided: int = 0  # the gateway never charged it
    unreachable: int = 0  # left pending: the gateway did not answer

    def __str__(self) -> str:
        return (
            f"{self.credited} credited, {self.failed} refused, {self.voided} voided, "
            f"{self.unreachable} left pending (gateway unreachable)"
        )


async def reconcile(
    *, older_than: dt.timedelta = RECONCILE_AFTER, now: dt.datetime | None = None
) -> ReconcileReport:
    """Settle every charge left ``PENDING`` for longer than ``older_than``, asking the gateway by key.

    A charge the gateway made is credited (once: the ledger key), one it refused is marked so, one it never
    saw is voided; one voided here that its own process settles later is still credited by ``settle``.
    """
    report = ReconcileReport()
    cutoff = (now or utcnow()) - older_than
    for row in await CardCharge.filter(state=ChargeState.PENDING, created_at__lte=cutoff).order_by("id"):
        try:
            result = await get_gateway().lookup(row.idempotency_key)
        except GatewayError:
            report.unreachable += 1
            continue
        if result is None:
            if await _void(row.id):
                report.voided += 1
            continue
        settled = await settle(row.id, result)
        if settled.state is ChargeState.SUCCEEDED:
            report.credited += 1
        else:
            report.failed += 1
        log.info("card charge reconciled", charge_id=row.id, state=str(settled.state))
    return report


async def _void(charge_id: int) -> bool:
    async with atomic():
        row = await CardCharge.filter(id=charge_id).select_for_update().get()
        if row.state is not ChargeState.PENDING:
            return False
        row.state, row.settled_at = ChargeState.VOID, utcnow()
        await row.save(update_fields=["state", "settled_at"])
    return True
