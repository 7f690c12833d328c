"""Errors of billing (their codes, fields and messages: mailrenew.errors.CATALOGUE)."""

from __future__ import annotations

from mailrenew.errors import DomainError


class InsufficientFunds(DomainError):
    code = "INSUFFICIENT_FUNDS"


class IdempotencyKeyReused(DomainError):
    code = "IDEMPOTENCY_KEY_REUSED"


class NoCard(DomainError):
    code = "NO_CARD"


class CardDeclined(DomainError):
    code = "CARD_DECLINED"


class CardInsufficientFunds(DomainError):
    code = "CARD_INSUFFICIENT_FUNDS"


class CardExpired(DomainError):
    code = "CARD_EXPIRED"


class GatewayUnavailable(DomainError):
    code = "GATEWAY_UNAVAILABLE"


class InvalidAmount(DomainError):
    code = "INVALID_AMOUNT"


class TopUpCapReached(DomainError):
    code = "TOP_UP_CAP_REACHED"
