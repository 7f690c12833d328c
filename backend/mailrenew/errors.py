"""Typed domain errors: a stable code, the input field it concerns and parameters for the message.

Services raise them; the edges (GraphQL ``userErrors``, the CLI, the auth routes) turn them into text in the
caller's language with ``mailrenew.i18n.message``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class DomainError(Exception):
    code: str = "INVALID"

    def __init__(
        self,
        code: str | None = None,
        *,
        field: Sequence[str] | None = None,
        detail: str | None = None,
        **params: Any,
    ) -> None:
        self.code = code or self.code
        self.field = list(field) if field else None
        self.params = params
        self.detail = detail
        super().__init__(detail or self.code)


class NotFound(DomainError):
    """Unknown id, or one the caller may not see: the two are never told apart."""

    code = "NOT_FOUND"


class NotAllowed(DomainError):
    code = "NOT_ALLOWED"


class InvalidInput(DomainError):
    code = "INVALID"


class ValidationErrors(DomainError):
    """Several problems with one input, reported together; nothing was changed."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        self.errors = list(errors)
        super().__init__(self.errors[0].code if self.errors else "INVALID")
