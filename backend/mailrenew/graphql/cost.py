"""The query cost budget and the page-size check, both decided before anything executes.

**The rule** (GitHub's "node limit"): the cost of an operation is the number of nodes it can return.

- A Relay connection field (its type is a ``…Connection`` with ``edges`` and ``nodes``) returns at most ``first``
  nodes per parent: ``first`` as sent (literal or variable), 50 when absent or null, as ``page_args`` does.
  ``edges { node }`` and ``nodes`` inside it are the same nodes and are not counted again.
- A plain list of objects that is not a connection (``forwards``, ``memberships``, ``payableOrganizations``,
  ``userErrors``, …) counts a fixed estimate, ``LIST_SIZES`` or ``DEFAULT_LIST_SIZE`` (10); ``warnings`` counts 3
  (one per code); ``bulkSetAutoRenew``'s ``mailboxes`` counts the ``mailboxIds`` sent, or ``MAX_BULK_MAILBOXES``
  when they are omitted. Lists of scalars (``destinations``) and single objects count nothing.
- Each list multiplies what is selected under it: ``domains(first: 100) { nodes { mailboxes(first: 100) } }``
  is 100 + 100 * 100 = 10,100. The cost of the operation is the sum over all its fields, fragments and inline
  fragments included (an inline fragment on each member of an abstract type counts all of them: an upper bound),
  fields under ``@skip(if: true)`` / ``@include(if: false)`` left out. Introspection fields count nothing.
- The budget (``GRAPHQL_MAX_COST``, 20,000 by default): an operation costing more is refused whole with
  ``QUERY_TOO_COSTLY`` (``extensions: {code, cost, limit}``), before any resolver or statement runs.
- ``first`` outside 0…100 anywhere in the operation is refused whole with ``BAD_USER_INPUT`` and the message
  ``page_args`` gives, so that a mutation whose payload asks for such a page changes nothing.

``check_limits`` works on a parsed and validated document and the request's raw variables (they are not coerced
yet: a value of the wrong type counts as absent, and the executor refuses it). It is the one entry point for any
executor: the Strawberry extension ``CostLimiter`` below calls it in ``on_execute`` and reports the cost of every
executed operation in the response's ``extensions.cost``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    get_named_type,
    is_composite_type,
    value_from_ast_untyped,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from mailrenew.graphql.relay import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from mailrenew.hosting.service import MAX_BULK_MAILBOXES

DEFAULT_LIST_SIZE = 10
"""Estimated length of a list of objects that is not a connection and has no entry in ``LIST_SIZES``."""

LIST_SIZES: Mapping[tuple[str, str], int] = {
    ("Mailbox", "warnings"): 3,  # the two domain warnings, and BALANCE_SHORT or CARD_EXPIRES_FIRST
    ("RenewalForecast", "items"): 100,
    ("BulkSetAutoRenewPayload", "mailboxes"): MAX_BULK_MAILBOXES,
}
"""(type, field) → estimated length of a plain list of objects."""

SIZED_BY_ARGUMENT: Mapping[tuple[str, str], str] = {("BulkSetAutoRenewPayload", "mailboxes"): "mailboxIds"}
"""A payload list as long as a list argument of the mutation that returns it, when that argument is sent."""

PAGE_SIZE_MESSAGE = f"`first` must be between 0 and {MAX_PAGE_SIZE}."


@dataclass(frozen=True)
class Cost:
    """What an operation may return: ``nodes`` (the cost) and the ``first`` arguments out of range."""

    nodes: int
    argument_errors: tuple[GraphQLError, ...] = ()


@dataclass(frozen=True)
class LimitCheck:
    cost: Cost
    errors: tuple[GraphQLError, ...]
    """Empty when the operation may run; otherwise answer ``{"data": null, "errors": errors}``."""

    @property
    def allowed(self) -> bool:
        return not self.errors


def too_costly(cost: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"This operation could return {cost} nodes, more than the limit of {limit}: ask for smaller pages "
        "(`first`) or fewer nested connections.",
        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": limit},
    )


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> Cost:
    """The cost of the operation the request selects (0 when the document does not select one)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return Cost(nodes=0)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return Cost(nodes=0)
    walk = _Walk(schema, document, operation, variables or {})
    nodes = walk.selection_set(operation.selection_set, root, (), {})
    return Cost(nodes=nodes, argument_errors=tuple(walk.errors))


def check_limits(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    *,
    max_cost: int,
) -> LimitCheck:
    """The verdict before execution: page sizes out of range first, then the cost budget."""
    cost = operation_cost(schema, document, variables, operation_name)
    if cost.argument_errors:
        return LimitCheck(cost=cost, errors=cost.argument_errors)
    if cost.nodes > max_cost:
        return LimitCheck(cost=cost, errors=(too_costly(cost.nodes, max_cost),))
    return LimitCheck(cost=cost, errors=())


def _is_connection(type_: GraphQLNamedType) -> bool:
    return (
        isinstance(type_, GraphQLObjectType)
        and type_.name.endswith("Connection")
        and "edges" in type_.fields
        and "nodes" in type_.fields
    )


def _is_list(type_: GraphQLOutputType) -> bool:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            return True
        type_ = type_.of_type
    return False


@dataclass
class _Walk:
    schema: GraphQLSchema
    document: DocumentNode
    operation: OperationDefinitionNode
    sent: Mapping[str, Any]
    errors: list[GraphQLError] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    memo: dict[tuple[str, str, tuple[tuple[str, int], ...]], int] = field(default_factory=dict)
    expanding: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for definition in self.operation.variable_definitions or ():
            name = definition.variable.name.value
            if name in self.sent:
                self.variables[name] = self.sent[name]
            elif definition.default_value is not None:
                self.variables[name] = value_from_ast_untyped(definition.default_value)
        self.fragments = {
            d.name.value: d for d in self.document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def selection_set(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        path: tuple[str, ...],
        owner_args: Mapping[str, Any],
    ) -> int:
        """Nodes returned under one instance of ``parent`` (the caller multiplies by how many there are)."""
        total = 0
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, path, owner_args)
            elif isinstance(selection, InlineFragmentNode):
                on = self._type(selection.type_condition, parent)
                total += self.selection_set(selection.selection_set, on, path, owner_args)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._spread(selection.name.value, parent, path, owner_args)
        return total

    def _spread(
        self, name: str, parent: GraphQLNamedType, path: tuple[str, ...], owner_args: Mapping[str, Any]
    ) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.expanding:  # unknown or cyclic: refused by validation anyway
            return 0
        on = self._type(fragment.type_condition, parent)
        # A fragment costs the same wherever it is spread (but for list arguments sizing a payload list):
        # computed once, so that fragments spreading fragments cannot make this walk exponential.
        key = (name, on.name, tuple(sorted(_list_lengths(owner_args))))
        if key not in self.memo:
            self.expanding.add(name)
            try:
                self.memo[key] = self.selection_set(fragment.selection_set, on, path, owner_args)
            finally:
                self.expanding.discard(name)
        return self.memo[key]

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType, path: tuple[str, ...], owner_args: Mapping[str, Any]
    ) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        here = (*path, node.alias.value if node.alias else name)
        args = self._arguments(node)
        named = get_named_type(definition.type)
        size: int | None = None  # None: one object per parent, nothing counted here
        if _is_connection(parent) and name in ("edges", "nodes"):
            size = None  # the connection's own nodes, counted on the connection field
        elif _is_connection(named):
            size = self._page_size(node, args, here) if "first" in definition.args else DEFAULT_PAGE_SIZE
        elif _is_list(definition.type) and is_composite_type(named):
            size = self._list_size(parent.name, name, owner_args)
        elif "first" in definition.args:
            self._page_size(node, args, here)  # checked wherever it appears
        under = 0
        if node.selection_set is not None and is_composite_type(named):
            under = self.selection_set(node.selection_set, named, here, args)
        return under if size is None else size * (1 + under)

    def _page_size(self, node: FieldNode, args: Mapping[str, Any], path: tuple[str, ...]) -> int:
        first = args.get("first")
        if isinstance(first, float) and first.is_integer():
            first = int(first)
        if not isinstance(first, int) or isinstance(first, bool):
            return DEFAULT_PAGE_SIZE  # absent or null; a value of another type is refused by the executor
        if 0 <= first <= MAX_PAGE_SIZE:
            return first
        argument = next((a for a in node.arguments or () if a.name.value == "first"), None)
        where: Node = argument if argument is not None else node
        self.errors.append(
            GraphQLError(
                PAGE_SIZE_MESSAGE,
                nodes=[where],
                extensions={"code": "BAD_USER_INPUT", "field": [*path, "first"], "value": first},
            )
        )
        return max(0, min(first, MAX_PAGE_SIZE))

    def _list_size(self, type_name: str, field_name: str, owner_args: Mapping[str, Any]) -> int:
        argument = SIZED_BY_ARGUMENT.get((type_name, field_name))
        if argument is not None and isinstance(owner_args.get(argument), list):
            return len(owner_args[argument])
        return LIST_SIZES.get((type_name, field_name), DEFAULT_LIST_SIZE)

    def _arguments(self, node: FieldNode) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for argument in node.arguments or ():
            value = value_from_ast_untyped(argument.value, self.variables)
            if value is not Undefined:
                values[argument.name.value] = value
        return values

    def _included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode | Any) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = next((a for a in directive.arguments or () if a.name.value == "if"), None)
            value = value_from_ast_untyped(condition.value, self.variables) if condition else Undefined
            if isinstance(value, bool) and value == (name == "skip"):
                return False
        return True

    def _type(self, condition: NamedTypeNode | None, parent: GraphQLNamedType) -> GraphQLNamedType:
        if condition is None:
            return parent
        return self.schema.get_type(condition.name.value) or parent


def _list_lengths(args: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    for name, value in args.items():
        if isinstance(value, list):
            yield name, len(value)


class CostLimiter(SchemaExtension):
    """Refuses an operation over budget or with a page size out of range before it executes (no resolver runs,
    no mutation), and reports the cost of every executed operation in ``extensions.cost``."""

    def __init__(self, *, max_cost: int) -> None:
        self.max_cost = max_cost
        self.cost: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            check = check_limits(
                context.schema._schema,
                context.graphql_document,
                context.variables,
                context.operation_name,
                max_cost=self.max_cost,
            )
            self.cost = check.cost.nodes
            if not check.allowed:
                # Strawberry skips execution when a result is already there.
                context.result = GraphQLExecutionResult(data=None, errors=list(check.errors))
        yield

    def get_results(self) -> dict[str, Any]:
        return {} if self.cost is None else {"cost": self.cost}
