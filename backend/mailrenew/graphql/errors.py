"""Errors at the GraphQL edge: ``userErrors`` for expected failures, masked GraphQL errors for the rest.

Mutations declare how their domain errors become ``userErrors`` with ``@user_errors_as(Payload, paths)``: the
payload to answer with, and where each domain field a service may name sits in the mutation's arguments.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from enum import Enum
from typing import Any, Final, ParamSpec, TypeVar, cast

import strawberry
from graphql import GraphQLError
from strawberry.utils.str_converters import to_camel_case

from mailrenew.errors import CATALOGUE, SPECS, DomainError, ValidationErrors
from mailrenew.i18n import message


class PublicError(GraphQLError):
    """A GraphQL error whose message is safe to show (bad arguments, not signed in); never masked."""

    def __init__(self, text: str, *, code: str = "BAD_USER_INPUT") -> None:
        super().__init__(text, extensions={"code": code})


def _user_error_codes() -> type[Enum]:
    """The ``graphql`` codes of the table, in its order."""
    members = [(spec.code, spec.code) for spec in CATALOGUE if spec.graphql]
    return cast("type[Enum]", Enum("UserErrorCode", members))  # the functional API, typed as an instance


UserErrorCode = strawberry.enum(_user_error_codes(), description="Why a mutation changed nothing.")


@strawberry.type(
    description="An expected failure of a mutation; the payload that carries it changed nothing."
)
class UserError:
    field: list[str] | None = strawberry.field(description="Path of the input field concerned, if any.")
    code: UserErrorCode  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    message: str = strawberry.field(description="In the caller's language.")


FieldPaths = Mapping[str, tuple[str, ...]]
"""Domain field (as services name it) → path of the mutation's argument or input field it comes from."""

AUTO_RENEW_INPUT: Final[FieldPaths] = {
    "period": ("input", "period"),
    "payer": ("input", "payerOrganizationId"),
}
"""The domain fields of ``AutoRenewInput`` / ``DomainAutoRenewInput`` passed as ``input``."""


class UnmappedError(LookupError):
    """A domain error the edge has no answer for: a bug, masked and logged like any internal error."""


def user_errors(
    exc: DomainError, language: str, paths: FieldPaths, arguments: Mapping[str, Any] | None = None
) -> list[UserError]:
    """The ``userErrors`` of a domain error (each of a ``ValidationErrors``).

    ``arguments`` are the mutation's arguments by GraphQL name: an error about item ``index`` of a list argument
    names that item as the client sent it (``{id}`` in the message), since the service only knows its own key.
    """
    errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    return [_user_error(e, language, paths, arguments or {}) for e in errors]


def _user_error(
    error: DomainError, language: str, paths: FieldPaths, arguments: Mapping[str, Any]
) -> UserError:
    spec = SPECS.get(error.code)
    if spec is None or not spec.graphql:
        raise UnmappedError(f"{error.code!r} is not a UserErrorCode") from error
    params = dict(error.params)
    field: list[str] | None = None
    if error.field is not None:
        if error.field not in paths:
            raise UnmappedError(f"no input path for the domain field {error.field!r}") from error
        field = list(paths[error.field])
        if error.index is not None:
            field.append(str(error.index))
            sent = arguments.get(field[0])
            if len(field) == 2 and isinstance(sent, list) and 0 <= error.index < len(sent):
                params["id"] = sent[error.index]
    return UserError(
        field=field, code=UserErrorCode[error.code], message=message(error.code, language, **params)
    )


P = TypeVar("P")
A = ParamSpec("A")


def user_errors_as(
    payload: Callable[..., P], paths: FieldPaths
) -> Callable[[Callable[A, Awaitable[P]]], Callable[A, Awaitable[P]]]:
    """The one handler of domain errors in mutations: the resolver returns its payload on success; a domain
    error answers ``payload(user_errors=[...])``, whose other fields keep their empty defaults.

    Put it under ``@strawberry.mutation``; the resolver takes ``info`` (Strawberry passes it by name).
    """

    def decorate(resolver: Callable[A, Awaitable[P]]) -> Callable[A, Awaitable[P]]:
        @functools.wraps(resolver)
        async def resolve(*args: A.args, **kwargs: A.kwargs) -> P:
            try:
                return await resolver(*args, **kwargs)
            except DomainError as exc:
                arguments = {to_camel_case(name): value for name, value in kwargs.items()}
                info: Any = kwargs["info"]
                errors = user_errors(exc, info.context.language, paths, arguments)
                return payload(user_errors=errors)

        return resolve

    return decorate
