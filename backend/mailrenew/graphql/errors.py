"""Errors at the GraphQL edge: ``userErrors`` for expected failures, masked GraphQL errors for the rest."""

from __future__ import annotations

from enum import Enum

import strawberry
from graphql import GraphQLError

from mailrenew.errors import DomainError, ValidationErrors
from mailrenew.i18n import message


class PublicError(GraphQLError):
    """A GraphQL error whose message is safe to show (bad arguments, not signed in); never masked."""

    def __init__(self, text: str, *, code: str = "BAD_USER_INPUT") -> None:
        super().__init__(text, extensions={"code": code})


@strawberry.enum(description="Why a mutation changed nothing.")
class UserErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    NOT_ALLOWED = "NOT_ALLOWED"
    PAYER_NOT_ALLOWED = "PAYER_NOT_ALLOWED"
    PERIOD_REQUIRED = "PERIOD_REQUIRED"
    PAYER_REQUIRED = "PAYER_REQUIRED"
    MAILBOX_NOT_IN_DOMAIN = "MAILBOX_NOT_IN_DOMAIN"
    EMPTY_SELECTION = "EMPTY_SELECTION"
    TOO_MANY = "TOO_MANY"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    NO_CARD = "NO_CARD"
    CARD_DECLINED = "CARD_DECLINED"
    CARD_INVALID = "CARD_INVALID"
    CARD_EXPIRED = "CARD_EXPIRED"
    GATEWAY_UNAVAILABLE = "GATEWAY_UNAVAILABLE"
    INVALID = "INVALID"


@strawberry.type(
    description="An expected failure of a mutation; the payload that carries it changed nothing."
)
class UserError:
    field: list[str] | None = strawberry.field(description="Path of the input field concerned, if any.")
    code: UserErrorCode
    message: str = strawberry.field(description="In the caller's language.")


def user_error(code: str, language: str, *, field: list[str] | None = None, **params: object) -> UserError:
    known = code if code in UserErrorCode.__members__ else "INVALID"
    return UserError(field=field, code=UserErrorCode[known], message=message(code, language, **params))


def user_errors(exc: DomainError, language: str) -> list[UserError]:
    """One mapping from domain errors to ``userErrors``."""
    errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    return [user_error(e.code, language, field=e.field, **e.params) for e in errors]
