"""The prepaid accounts' ledger: the only code that changes a balance.

Every movement is a ledger entry carrying its balance after and a unique idempotency key, written in the same
database transaction that updates the balance, with the account rows locked in id order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailrenew.accounts.models import Organization
from mailrenew.billing.errors import IdempotencyKeyReused, InsufficientFunds, InvalidAmount
from mailrenew.billing.models import LedgerEntry, LedgerKind, PrepaidAccount
from mailrenew.config import utcnow
from mailrenew.db import atomic, insert_rows, update_by_id
from mailrenew.errors import NotFound


async def open_account(organization: Organization, *, opening_cents: int = 0) -> PrepaidAccount:
    """Create the organization's prepaid account; a non-zero opening balance is a ledger entry."""
    if opening_cents < 0:
        raise InvalidAmount(field="opening_cents")
    async with atomic():
        account, created = await PrepaidAccount.get_or_create(organization=organization)
        if created and opening_cents:
            await _append(
                account, LedgerKind.OPENING, opening_cents, f"opening:{organization.id}", "Opening balance"
            )
    return account


async def _append(
    account: PrepaidAccount, kind: LedgerKind, amount: int, key: str, reference: str
) -> LedgerEntry:
    """One movement inside the caller's transaction (the account row is locked by the caller)."""
    new_balance = account.balance_cents + amount
    if new_balance < 0:
        raise InsufficientFunds(field="amount")
    entry = await LedgerEntry.create(
        account=account,
        kind=kind,
        amount_cents=amount,
        balance_after_cents=new_balance,
        reference=reference,
        idempotency_key=key,
    )
    account.balance_cents = new_balance
    await account.save(update_fields=["balance_cents", "updated_at"])
    return entry


async def _locked_account(organization_id: int) -> PrepaidAccount:
    account = await PrepaidAccount.filter(organization_id=organization_id).select_for_update().first()
    if account is None:
        raise NotFound(field="organization")
    return account


async def credit(
    organization_id: int, amount_cents: int, *, key: str, kind: LedgerKind, reference: str
) -> LedgerEntry:
    """Credit once per key: a second call with the same key returns the first entry (same amount required)."""
    if amount_cents <= 0:
        raise InvalidAmount(field="amount")
    async with atomic():
        # Lock first, then look for the key: a concurrent credit with the same key has committed by then.
        account = await _locked_account(organization_id)
        existing = await LedgerEntry.get_or_none(idempotency_key=key)
        if existing is not None:
            if existing.amount_cents != amount_cents:
                raise IdempotencyKeyReused(field="idempotency_key")
            return existing
        return await _append(account, kind, amount_cents, key, reference)


@dataclass(frozen=True)
class Debit:
    organization_id: int
    amount_cents: int
    key: str
    reference: str
    kind: LedgerKind = LedgerKind.RENEWAL


@dataclass(frozen=True)
class DebitOutcome:
    debit: Debit
    entry_id: int | None  # None: refused for lack of funds
    balance_after_cents: int

    @property
    def paid(self) -> bool:
        return self.entry_id is not None

    @property
    def paid_entry_id(self) -> int:
        """The ledger entry of a debit that was paid (an error to ask for one that was refused)."""
        if self.entry_id is None:
            raise ValueError(f"debit {self.debit.key} was refused: no ledger entry")
        return self.entry_id


async def debit_many(debits: Sequence[Debit]) -> list[DebitOutcome]:
    """Debit in order, inside the caller's transaction, in a constant number of statements.

    Locks the accounts (id order), refuses a debit the balance does not cover (the others go on), writes every
    ledger entry in one INSERT and every balance in one UPDATE. A key already in the ledger aborts the whole
    transaction (the unique index): a term is never paid twice.
    """
    if not debits:
        return []
    org_ids = sorted({d.organization_id for d in debits})
    accounts = {
        a.organization_id: a
        for a in await PrepaidAccount.filter(organization_id__in=org_ids).order_by("id").select_for_update()
    }
    balances = {org_id: account.balance_cents for org_id, account in accounts.items()}
    rows: list[tuple[Debit, int]] = []
    outcomes: list[tuple[Debit, bool, int]] = []
    for debit in debits:
        if debit.amount_cents < 0:
            raise InvalidAmount(field="amount")
        balance = balances.get(debit.organization_id)
        if balance is None or balance < debit.amount_cents:
            outcomes.append((debit, False, balance or 0))
            continue
        balances[debit.organization_id] = balance - debit.amount_cents
        rows.append((debit, balances[debit.organization_id]))
        outcomes.append((debit, True, balances[debit.organization_id]))
    ids = await _insert_entries(accounts, rows)
    await _write_balances(accounts, balances)
    return [
        DebitOutcome(debit, ids[debit.key] if paid else None, balance_after)
        for debit, paid, balance_after in outcomes
    ]


async def _insert_entries(
    accounts: dict[int, PrepaidAccount], rows: list[tuple[Debit, int]]
) -> dict[str, int]:
    now = utcnow()
    inserted = await insert_rows(
        "ledger_entries",
        [
            "account_id",
            "kind",
            "amount_cents",
            "balance_after_cents",
            "reference",
            "idempotency_key",
            "created_at",
        ],
        [
            [
                accounts[debit.organization_id].id,
                str(debit.kind),
                -debit.amount_cents,
                balance_after,
                debit.reference[:200],
                debit.key,
                now,
            ]
            for debit, balance_after in rows
        ],
        returning="id, idempotency_key",
    )
    return {row["idempotency_key"]: row["id"] for row in inserted}


async def _write_balances(accounts: dict[int, PrepaidAccount], balances: dict[int, int]) -> None:
    changed = {
        accounts[org].id: cents for org, cents in balances.items() if accounts[org].balance_cents != cents
    }
    await update_by_id("prepaid_accounts", "balance_cents", "BIGINT", changed, updated_at=utcnow())
    for org, cents in balances.items():
        accounts[org].balance_cents = cents
