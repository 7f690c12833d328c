"""The payment gateway interface, and the simulated gateway shipped as the embedded default.

Every charge carries an idempotency key: asking again with the same key returns the first result and
never charges twice, which is what makes a retry after a lost answer (timeout) safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Protocol

from tortoise.exceptions import IntegrityError

from mailrenew.billing.models import GatewayCharge


class ChargeStatus(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    DECLINED = "DECLINED"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"


@dataclass(frozen=True)
class ChargeResult:
    status: ChargeStatus
    amount_cents: int
    reference: str

    @property
    def succeeded(self) -> bool:
        return self.status is ChargeStatus.SUCCEEDED


@dataclass(frozen=True)
class TokenizedCard:
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    token: str


class GatewayError(Exception):
    """The gateway could not be reached or did not answer: the charge may or may not have happened."""


class CardRejected(Exception):
    """The card cannot be registered (bad number, expired)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


class PaymentGateway(Protocol):
    async def tokenize(
        self, number: str, exp_month: int, exp_year: int, cvc: str, *, today: dt.date
    ) -> TokenizedCard: ...

    async def charge(
        self, token: str, amount_cents: int, currency: str, idempotency_key: str
    ) -> ChargeResult: ...

    async def lookup(self, idempotency_key: str) -> ChargeResult | None:
        """The charge made with this key, or None if the gateway never made one (it never charges)."""
        ...


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in reversed(number)]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def _brand(number: str) -> str:
    if number.startswith("4"):
        return "VISA"
    if number[:2] in {"51", "52", "53", "54", "55"} or (
        number[:4].isdigit() and 2221 <= int(number[:4]) <= 2720
    ):
        return "MASTERCARD"
    if number[:2] in {"34", "37"}:
        return "AMEX"
    return "CARD"


class SimulatedGateway:
    """A deterministic gateway for the embedded default and the tests.

    Test cards (any future expiry, any CVC): ``4242 4242 4242 4242`` succeeds, ``4000 0000 0000 0002`` is
    declined, ``4000 0000 0000 9995`` fails for lack of funds. Charges are kept in ``gateway_charges`` (the
    "remote" side), written in their own statement outside the caller's transaction. ``lose_answers`` makes the
    next N charges happen but raise ``GatewayError`` as if the answer were lost on the way back.
    """

    SUCCEEDS = "4242424242424242"
    DECLINED = "4000000000000002"
    INSUFFICIENT = "4000000000009995"

    def __init__(self) -> None:
        self.lose_answers = 0

    async def tokenize(
        self, number: str, exp_month: int, exp_year: int, cvc: str, *, today: dt.date
    ) -> TokenizedCard:
        digits = "".join(c for c in number if c.isdigit())
        if not 12 <= len(digits) <= 19 or not _luhn_ok(digits):
            raise CardRejected("CARD_INVALID")
        if not 1 <= exp_month <= 12 or (exp_year, exp_month) < (today.year, today.month):
            raise CardRejected("CARD_EXPIRED")
        if not (cvc.isdigit() and 3 <= len(cvc) <= 4):
            raise CardRejected("CARD_INVALID")
        token = "sim_tok_" + digits[-4:] + "_" + hashlib.sha256(digits.encode()).hexdigest()[:16]
        return TokenizedCard(_brand(digits), digits[-4:], exp_month, exp_year, token)

    OUTCOMES: ClassVar[dict[str, ChargeStatus]] = {
        DECLINED[-4:]: ChargeStatus.DECLINED,
        INSUFFICIENT[-4:]: ChargeStatus.INSUFFICIENT_FUNDS,
    }

    def _outcome(self, token: str) -> ChargeStatus:
        """Tokens read ``sim_tok_<last 4>…``: the last four digits decide, as with a real test mode."""
        return self.OUTCOMES.get(token.removeprefix("sim_tok_")[:4], ChargeStatus.SUCCEEDED)

    async def charge(
        self, token: str, amount_cents: int, currency: str, idempotency_key: str
    ) -> ChargeResult:
        if amount_cents <= 0:
            raise ValueError("a charge must be positive")
        existing = await GatewayCharge.get_or_none(idempotency_key=idempotency_key)
        if existing is None:
            status = self._outcome(token)
            try:
                existing = await GatewayCharge.create(
                    idempotency_key=idempotency_key,
                    token=token,
                    amount_cents=amount_cents,
                    currency=currency,
                    status=status,
                )
            except IntegrityError:  # the same key at the same instant from another process
                existing = await GatewayCharge.get(idempotency_key=idempotency_key)
        if self.lose_answers > 0:
            self.lose_answers -= 1
            raise GatewayError("no answer from the gateway (timeout)")
        return self._result(existing)

    async def lookup(self, idempotency_key: str) -> ChargeResult | None:
        existing = await GatewayCharge.get_or_none(idempotency_key=idempotency_key)
        return None if existing is None else self._result(existing)

    @staticmethod
    def _result(charge: GatewayCharge) -> ChargeResult:
        return ChargeResult(ChargeStatus(charge.status), charge.amount_cents, f"sim_ch_{charge.id}")


_gateway: PaymentGateway = SimulatedGateway()


def get_gateway() -> PaymentGateway:
    return _gateway


def set_gateway(gateway: PaymentGateway) -> None:
    global _gateway
    _gateway = gateway
