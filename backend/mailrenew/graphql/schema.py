"""The root schema, composed from the domain modules, with its limits and error masking."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError, ValidationContext
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from mailrenew.config import Settings
from mailrenew.graphql.accounts.queries import AccountsMutation, AccountsQuery
from mailrenew.graphql.accounts.types import Organization, User, load_member_organization
from mailrenew.graphql.billing.mutations import BillingMutation
from mailrenew.graphql.compiled import LearnPlans
from mailrenew.graphql.context import Info
from mailrenew.graphql.cost import CostLimiter
from mailrenew.graphql.errors import PublicError
from mailrenew.graphql.hosting.mutations import HostingMutation
from mailrenew.graphql.hosting.queries import (
    HostingQuery,
    load_visible_domain,
    load_visible_forward,
    load_visible_mailbox,
)
from mailrenew.graphql.hosting.types import Domain, Forward, Mailbox
from mailrenew.graphql.notify.mutations import NotifyMutation
from mailrenew.graphql.notify.queries import NotifyQuery
from mailrenew.graphql.relay import Node, from_global_id
from mailrenew.graphql.renewal.mutations import RenewalMutation
from mailrenew.graphql.renewal.queries import RenewalQuery
from mailrenew.logs import get_logger

log = get_logger("mailrenew.graphql")


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when the viewer cannot see it.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        decoded = from_global_id(id)
        if decoded is None:
            return None
        type_name, pk = decoded
        if type_name == "Domain":
            return await load_visible_domain(info, pk)
        if type_name == "Mailbox":
            return await load_visible_mailbox(info, pk)
        if type_name == "Forward":
            return await load_visible_forward(info, pk)
        if type_name == "Organization":
            return await load_member_organization(info, pk)
        if type_name == "User" and pk == info.context.user.id:
            return User.from_row(info.context.user)
        return None


Query = merge_types("Query", (AccountsQuery, HostingQuery, RenewalQuery, NotifyQuery, NodeQuery))
Mutation = merge_types(
    "Mutation", (AccountsMutation, HostingMutation, BillingMutation, RenewalMutation, NotifyMutation)
)


def should_mask(error: GraphQLError) -> bool:
    """Mask what the code did not mean to say: errors raised while resolving, except ``PublicError``.

    Validation and syntax errors (no original error) are the client's own mistakes and stay readable.
    """
    original = error.original_error
    return not (original is None or isinstance(original, PublicError | GraphQLError))


class MailrenewSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if should_mask(error):
                log.error(
                    "graphql.internal_error",
                    path=error.path,
                    error=repr(error.original_error),
                    exc_info=error.original_error,
                )
            else:
                log.info("graphql.client_error", message=error.message, path=error.path)


PARSED_DOCUMENTS_CACHED = 256


class DepthLimiter(QueryDepthLimiter):
    """Strawberry's depth limit, whose rule looks every spread fragment up when it starts: a spread of an
    undefined fragment raised ``KeyError`` (an internal error) instead of graphql-core's own clear validation
    error ("Unknown fragment …"), which this lets through."""

    def __init__(self, *, max_depth: int) -> None:
        super().__init__(max_depth=max_depth)
        self.validation_rules = [_tolerating_unknown_fragments(rule) for rule in self.validation_rules]


def _tolerating_unknown_fragments(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    class Rule(rule):  # type: ignore[valid-type,misc]  # a subclass of a class built at run time
        def __init__(self, context: ValidationContext) -> None:
            try:
                super().__init__(context)
            except KeyError:  # an undefined fragment: NoUndefinedFragmentsRule reports it
                ASTValidationRule.__init__(self, context)

    return Rule


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories, so that each request gets fresh extension instances.
    extensions: list[Any] = [
        lambda: DepthLimiter(max_depth=settings.graphql_max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        # Parsed and validated documents are cached (bounded LRU, shared across requests): the console and the
        # scripts send the same few documents again and again.
        lambda: ParserCache(maxsize=PARSED_DOCUMENTS_CACHED),
        lambda: ValidationCache(maxsize=PARSED_DOCUMENTS_CACHED),
        lambda: CostLimiter(max_cost=settings.graphql_max_cost),
        lambda: MaskErrors(should_mask_error=should_mask, error_message="Internal server error."),
    ]
    if not settings.graphql_introspection:
        extensions.append(DisableIntrospection)
    if settings.graphql_compiled:
        extensions.append(LearnPlans)
    return MailrenewSchema(
        query=Query,
        mutation=Mutation,
        types=[Domain, Mailbox, Forward, Organization, User],
        extensions=extensions,
    )
