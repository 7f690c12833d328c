"""The compiled read path: a validated query rendered as ONE SQL statement that builds the whole JSON answer.

Python's per-field execution costs ~20 us a field; a console page selects ~1,000 fields. PostGraphile and Hasura
compile an operation into one statement instead; this module does the same for the hot reads, so a request
costs its authentication and one statement, and Python never touches a field.

**Coverage.** The root fields ``domains``, ``domain``, ``domainByFqdn`` and ``mailbox``, and below them
``Domain``, ``Mailbox``, ``AutoRenew``, ``DomainAutoRenew``, ``Forward``, the Relay connections of domains and
mailboxes (``totalCount``, ``nodes``, ``edges``, ``pageInfo``) and referenced organizations (``id``, ``name``,
``currency``); ``COVERED`` lists every field. Anything else in an operation (``warnings``, ``renewalAttempts``,
``viewer``, a directive, a mutation, a fragment on another type) sends the whole request to the standard
Strawberry executor, and so does any request that could answer an error (a bad cursor, a page out of range,
a cost over budget, variables that do not coerce): errors keep one home.

**The same rules.** Scoping is ``accounts.access.organizations_sql`` (the subquery on memberships of the
standard loaders), ``viewerCanManage`` is ``accounts.access.may_sql`` (the rule of ``Actor.may``), ids and
cursors are the Relay encodings of ``graphql.relay``, orders and filters those of ``hosting.queries``. A
differential test runs the suite's documents, the console's and generated ones through both paths, on SQLite
and PostgreSQL, and requires identical answers.

**When.** A document is compiled once the standard executor has served it without error (so it passed every
validation rule and limit), then its plan is cached (``PLANS``); the setting ``GRAPHQL_COMPILED=false`` turns
the path off.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.type import get_named_type
from strawberry.extensions import SchemaExtension

from mailrenew.accounts import access
from mailrenew.accounts.access import Action
from mailrenew.db import SQLParams
from mailrenew.errors import InvalidInput
from mailrenew.graphql.relay import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decode_cursor, encode_cursor, pk_of
from mailrenew.hosting.service import normalize_fqdn

COVERED: Mapping[str, frozenset[str]] = {
    "Query": frozenset({"domains", "domain", "domainByFqdn", "mailbox"}),
    "Domain": frozenset(
        {
            "id",
            "fqdn",
            "expiresAt",
            "status",
            "owner",
            "autoRenew",
            "mailboxCount",
            "mailboxes",
            "forwards",
            "viewerCanManage",
        }
    ),
    "Mailbox": frozenset(
        {
            "id",
            "address",
            "localPart",
            "offer",
            "status",
            "expiresAt",
            "autoRenew",
            "domain",
            "viewerCanManage",
        }
    ),
    "AutoRenew": frozenset({"enabled", "period", "payer"}),
    "DomainAutoRenew": frozenset({"enabled", "payer"}),
    "Organization": frozenset({"id", "name", "currency"}),
    "Forward": frozenset({"id", "source", "address", "destinations"}),
    "DomainConnection": frozenset({"totalCount", "nodes", "edges", "pageInfo"}),
    "MailboxConnection": frozenset({"totalCount", "nodes", "edges", "pageInfo"}),
    "DomainEdge": frozenset({"cursor", "node"}),
    "MailboxEdge": frozenset({"cursor", "node"}),
    "PageInfo": frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}),
}
"""Every field the compiled path serves, by type (``__typename`` too); a test keeps it in step with the schema."""

DOMAIN_ORDER = {"fqdn": "t.fqdn", "expires_at": "t.expires_at"}
MAILBOX_ORDER = {"address": "t.address", "expires_at": "t.expires_at", "status": "t.status"}


class Unsupported(Exception):
    """The compiled path does not serve this request; the standard executor does."""


# --- the selection, fragments flattened -------------------------------------------------------------------


@dataclass
class Selected:
    """One response key: the field nodes merged under it (GraphQL merges same-key fields)."""

    key: str
    name: str
    nodes: list[FieldNode] = field(default_factory=list)


def _collect(
    selection_sets: Sequence[SelectionSetNode],
    type_name: str,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> list[Selected]:
    """The fields selected on ``type_name``, in response order, fragments of that same type flattened."""
    found: OrderedDict[str, Selected] = OrderedDict()

    def visit(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise Unsupported("directives")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                entry = found.setdefault(key, Selected(key, selection.name.value))
                entry.nodes.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is not None and condition.name.value != type_name:
                    raise Unsupported("a fragment on another type")
                visit(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                if fragment.type_condition.name.value != type_name:
                    raise Unsupported("a fragment on another type")
                visit(fragment.selection_set)

    for selection_set in selection_sets:
        visit(selection_set)
    return list(found.values())


def _children(selected: Selected) -> list[SelectionSetNode]:
    return [node.selection_set for node in selected.nodes if node.selection_set is not None]


# --- SQL dialects ----------------------------------------------------------------------------------------


class Dialect:
    """How JSON is built in SQL: PostgreSQL's ``json_build_object``/``json_agg`` or SQLite's JSON1."""

    def __init__(self, name: str) -> None:
        self.postgres = name != "sqlite"

    def obj(self, pairs: Sequence[tuple[str, str]]) -> str:
        function = "json_build_object" if self.postgres else "json_object"
        return f"{function}({', '.join(f'{_literal(k)}, {v}' for k, v in pairs)})"

    def sub(self, select: str) -> str:
        """A scalar subquery producing JSON (SQLite would take its text for a string without ``json()``)."""
        return f"({select})" if self.postgres else f"json(({select}))"

    def agg(self, value: str, order: str) -> str:
        """A JSON array of ``value`` over the rows (``[]`` for none); SQLite follows the subquery's order."""
        if self.postgres:
            return f"coalesce(json_agg({value} ORDER BY {order}), '[]'::json)"
        return f"json_group_array(json({value}))"

    def boolean(self, condition: str) -> str:
        return (
            condition if self.postgres else f"CASE WHEN {condition} THEN json('true') ELSE json('false') END"
        )

    def b64(self, text: str) -> str:
        """URL-safe base64 without padding, as ``relay.to_global_id`` and ``encode_cursor`` write it."""
        if self.postgres:
            return f"rtrim(translate(encode(convert_to({text}, 'UTF8'), 'base64'), '+/', '-_'), '=')"
        return f"mr_b64({text})"

    def text(self, column: str) -> str:
        return f"CAST({column} AS TEXT)"

    def json_column(self, column: str) -> str:
        return column if self.postgres else f"json({column})"


def _literal(text: str) -> str:
    """A SQL string literal for text the plan itself chose (response keys, type names, encoded cursors)."""
    return "'" + text.replace("'", "''") + "'"


# --- rendering ---------------------------------------------------------------------------------------


@dataclass
class Render:
    """One request's rendering: dialect, parameters (in text order), the viewer, coerced variables."""

    schema: GraphQLSchema
    dialect: Dialect
    fragments: Mapping[str, FragmentDefinitionNode]
    viewer_id: int
    variables: VariableValues
    p: SQLParams
    _aliases: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def alias(self) -> str:
        return f"t{next(self._aliases)}"

    def arguments(self, parent: str, selected: Selected) -> dict[str, Any]:
        definition: GraphQLField = _object_type(self.schema, parent).fields[selected.name]
        node = selected.nodes[0]
        if any(n.arguments != node.arguments for n in selected.nodes[1:]):
            raise Unsupported("merged fields with different arguments")
        return get_argument_values(definition, node, self.variables)

    def fields(self, type_name: str, selected: Selected) -> list[Selected]:
        return _collect(_children(selected), type_name, self.fragments)

    def scope(self, owner: str) -> str:
        """The viewer's organizations, as the standard path scopes (``access.organizations``)."""
        return f"{owner} IN ({access.organizations_sql(self.viewer_id, Action.VIEW, self.p)})"


def _object_type(schema: GraphQLSchema, name: str) -> GraphQLObjectType:
    found = schema.get_type(name)
    assert isinstance(found, GraphQLObjectType)
    return found


def _typename(selected: Selected, type_name: str) -> str | None:
    return _literal(type_name) if selected.name == "__typename" else None


def _organization(r: Render, selected: Selected, id_expr: str) -> str:
    a = r.alias()
    pairs = []
    for f in r.fields("Organization", selected):
        if (name := _typename(f, "Organization")) is not None:
            value = name
        elif f.name == "id":
            value = r.dialect.b64(f"'Organization:' || {r.dialect.text(f'{a}.id')}")
        elif f.name == "name":
            value = f"{a}.name"
        elif f.name == "currency":
            value = "'EUR'"
        else:
            raise Unsupported(f"Organization.{f.name}")
        pairs.append((f.key, value))
    return r.dialect.sub(f"SELECT {r.dialect.obj(pairs)} FROM organizations {a} WHERE {a}.id = {id_expr}")


def _auto_renew(r: Render, selected: Selected, t: str, type_name: str) -> str:
    pairs = []
    for f in r.fields(type_name, selected):
        if (name := _typename(f, type_name)) is not None:
            value = name
        elif f.name == "enabled":
            value = r.dialect.boolean(f"{t}.auto_renew_enabled")
        elif f.name == "period" and type_name == "AutoRenew":
            value = f"{t}.auto_renew_period"
        elif f.name == "payer":
            value = _organization(r, f, f"{t}.auto_renew_payer_id")
        else:
            raise Unsupported(f"{type_name}.{f.name}")
        pairs.append((f.key, value))
    return r.dialect.obj(pairs)


def _can_manage(r: Render, owner: str) -> str:
    return r.dialect.boolean(access.may_sql(r.viewer_id, Action.MANAGE_SERVICES, owner, r.p))


def _domain(r: Render, selected: Selected, t: str) -> str:
    """A ``Domain`` object from the row ``t`` of ``domains``."""
    d = r.dialect
    pairs = []
    for f in r.fields("Domain", selected):
        if (name := _typename(f, "Domain")) is not None:
            value = name
        elif f.name == "id":
            value = d.b64(f"'Domain:' || {d.text(f'{t}.id')}")
        elif f.name == "fqdn":
            value = f"{t}.fqdn"
        elif f.name == "expiresAt":
            value = d.text(f"{t}.expires_at")
        elif f.name == "status":
            value = f"{t}.status"
        elif f.name == "owner":
            value = _organization(r, f, f"{t}.owner_id")
        elif f.name == "autoRenew":
            value = _auto_renew(r, f, t, "DomainAutoRenew")
        elif f.name == "mailboxCount":
            value = f"(SELECT count(*) FROM mailboxes WHERE domain_id = {t}.id)"
        elif f.name == "mailboxes":
            value = _mailbox_connection(r, f, t)
        elif f.name == "forwards":
            value = _forwards(r, f, t)
        elif f.name == "viewerCanManage":
            value = _can_manage(r, f"{t}.owner_id")
        else:
            raise Unsupported(f"Domain.{f.name}")
        pairs.append((f.key, value))
    return d.obj(pairs)


def _mailbox(r: Render, selected: Selected, t: str) -> str:
    """A ``Mailbox`` object from the row ``t`` of ``mailboxes``."""
    d = r.dialect
    pairs = []
    for f in r.fields("Mailbox", selected):
        if (name := _typename(f, "Mailbox")) is not None:
            value = name
        elif f.name == "id":
            value = d.b64(f"'Mailbox:' || {d.text(f'{t}.id')}")
        elif f.name in ("address", "status", "offer"):
            value = f"{t}.{f.name}"
        elif f.name == "localPart":
            value = f"{t}.local_part"
        elif f.name == "expiresAt":
            value = d.text(f"{t}.expires_at")
        elif f.name == "autoRenew":
            value = _auto_renew(r, f, t, "AutoRenew")
        elif f.name == "domain":
            a = r.alias()
            value = d.sub(f"SELECT {_domain(r, f, a)} FROM domains {a} WHERE {a}.id = {t}.domain_id")
        elif f.name == "viewerCanManage":
            value = _can_manage(r, f"(SELECT owner_id FROM domains WHERE id = {t}.domain_id)")
        else:
            raise Unsupported(f"Mailbox.{f.name}")
        pairs.append((f.key, value))
    return d.obj(pairs)


def _forwards(r: Render, selected: Selected, t: str) -> str:
    d = r.dialect
    a = r.alias()
    pairs = []
    for f in r.fields("Forward", selected):
        if (name := _typename(f, "Forward")) is not None:
            value = name
        elif f.name == "id":
            value = d.b64(f"'Forward:' || {d.text(f'{a}.id')}")
        elif f.name == "source":
            value = f"{a}.source"
        elif f.name == "address":
            value = f"{a}.source || '@' || {t}.fqdn"
        elif f.name == "destinations":
            value = d.json_column(f"{a}.destinations")
        else:
            raise Unsupported(f"Forward.{f.name}")
        pairs.append((f.key, value))
    rows = f"SELECT * FROM forwards WHERE domain_id = {t}.id ORDER BY source, id"
    return d.sub(f"SELECT {d.agg(d.obj(pairs), f'{a}.source, {a}.id')} FROM ({rows}) {a}")


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def _page(args: Mapping[str, Any]) -> Page:
    """``first``/``after`` as ``relay.page_args`` reads them; anything it would refuse is not for this path."""
    first = args.get("first")
    limit = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= limit <= MAX_PAGE_SIZE:
        raise Unsupported("page size out of range")
    after = args.get("after")
    try:
        offset = decode_cursor(after) + 1 if after else 0
    except GraphQLError:
        raise Unsupported("bad cursor") from None
    return Page(limit, offset)


def _connection(
    r: Render,
    selected: Selected,
    type_name: str,
    *,
    table: str,
    where: Callable[[str], str],
    order: Callable[[str], str],
    page: Page,
    node: Callable[[Render, Selected, str], str],
) -> str:
    """A Relay connection over ``table`` rows matching ``where``, ordered by ``order`` (both take the alias).

    One subquery: the page's rows (numbered in order, so each row's cursor is its position) aggregated into
    ``nodes``/``edges``; ``totalCount`` (and ``hasNextPage``) count the matching rows only when selected.
    """
    d = r.dialect
    p = r.alias()

    def total() -> str:
        c = r.alias()
        return f"(SELECT count(*) FROM {table} {c} WHERE {where(c)})"

    def cursor_of(position: str) -> str:
        return d.b64(f"'offset:' || {d.text(position)}")

    pairs = []
    for f in r.fields(type_name, selected):
        if (name := _typename(f, type_name)) is not None:
            value = name
        elif f.name == "totalCount":
            value = total()
        elif f.name == "nodes":
            value = d.agg(node(r, f, p), f"{p}.mr_rn")
        elif f.name == "edges":
            edge_type = type_name.replace("Connection", "Edge")
            edge_pairs = []
            for e in r.fields(edge_type, f):
                if (name := _typename(e, edge_type)) is not None:
                    edge_pairs.append((e.key, name))
                elif e.name == "cursor":
                    edge_pairs.append((e.key, cursor_of(f"{p}.mr_rn - 1")))
                elif e.name == "node":
                    edge_pairs.append((e.key, node(r, e, p)))
                else:
                    raise Unsupported(f"{edge_type}.{e.name}")
            value = d.agg(d.obj(edge_pairs), f"{p}.mr_rn")
        elif f.name == "pageInfo":
            info_pairs = []
            for i in r.fields("PageInfo", f):
                if (name := _typename(i, "PageInfo")) is not None:
                    info_pairs.append((i.key, name))
                elif i.name == "hasNextPage":
                    info_pairs.append((i.key, d.boolean(f"{page.offset} + count(*) < {total()}")))
                elif i.name == "hasPreviousPage":
                    info_pairs.append((i.key, d.boolean("1 = 1" if page.offset > 0 else "1 = 0")))
                elif i.name == "startCursor":
                    first = _literal(encode_cursor(page.offset))
                    info_pairs.append((i.key, f"CASE WHEN count(*) > 0 THEN {first} END"))
                elif i.name == "endCursor":
                    info_pairs.append(
                        (i.key, f"CASE WHEN count(*) > 0 THEN {cursor_of(f'max({p}.mr_rn) - 1')} END")
                    )
                else:
                    raise Unsupported(f"PageInfo.{i.name}")
            value = d.obj(info_pairs)
        else:
            raise Unsupported(f"{type_name}.{f.name}")
        pairs.append((f.key, value))
    rows_alias = r.alias()
    rows = (
        f"SELECT {rows_alias}.*, row_number() OVER (ORDER BY {order(rows_alias)}) AS mr_rn "
        f"FROM {table} {rows_alias} WHERE {where(rows_alias)} ORDER BY {order(rows_alias)} "
        f"LIMIT {page.limit} OFFSET {page.offset}"
    )
    # An aggregate (count) makes it one row even for an empty page.
    return d.sub(f"SELECT CASE WHEN count(*) >= 0 THEN {d.obj(pairs)} END FROM ({rows}) {p}")


def _direction(order_by: Mapping[str, Any] | None) -> tuple[str, str]:
    field_value = getattr((order_by or {}).get("field"), "value", None)
    direction = getattr((order_by or {}).get("direction"), "value", "ASC")
    return str(field_value) if field_value is not None else "", "DESC" if direction == "DESC" else "ASC"


def _mailbox_connection(r: Render, selected: Selected, t: str) -> str:
    args = r.arguments("Domain", selected)
    sort, direction = _direction(args.get("orderBy"))
    column = MAILBOX_ORDER.get(sort or "address")
    if column is None:
        raise Unsupported("mailbox order")
    return _connection(
        r,
        selected,
        "MailboxConnection",
        table="mailboxes",
        where=lambda a: f"{a}.domain_id = {t}.id",
        order=lambda a: f"{column.replace('t.', a + '.')} {direction}, {a}.id {direction}",
        page=_page(args),
        node=_mailbox,
    )


def _domains(r: Render, selected: Selected) -> str:
    args = r.arguments("Query", selected)
    page = _page(args)
    where_filter = args.get("filter") or {}
    sort, direction = _direction(args.get("orderBy"))
    search = where_filter.get("search")
    if search and "\x00" in search:
        raise Unsupported("a NUL in the search")
    owner = where_filter.get("organizationId")
    has_mailboxes = where_filter.get("hasMailboxes")

    def where(a: str) -> str:
        # Values are handed to the parameters in text order (SQLite's "?").
        text = r.scope(f"{a}.owner_id")
        if owner is not None:
            text += f" AND {a}.owner_id = {r.p(pk_of(owner, 'Organization') or -1)}"
        if search:
            pattern = "%" + _escape_like(search.strip().lower()) + "%"
            text += f" AND UPPER(CAST({a}.fqdn AS VARCHAR)) LIKE UPPER({r.p(pattern)}) ESCAPE '\\'"
        if has_mailboxes is not None:
            text += f" AND {a}.id {'IN' if has_mailboxes else 'NOT IN'} (SELECT domain_id FROM mailboxes)"
        return text

    def order(a: str) -> str:
        if sort == "mailbox_count":
            count = f"(SELECT count(*) FROM mailboxes WHERE domain_id = {a}.id)"
            return f"{count} {direction}, {a}.fqdn {direction}"
        column = DOMAIN_ORDER.get(sort or "fqdn")
        if column is None:
            raise Unsupported("domain order")
        return f"{column.replace('t.', a + '.')} {direction}, {a}.id {direction}"

    return _connection(
        r, selected, "DomainConnection", table="domains", where=where, order=order, page=page, node=_domain
    )


def _escape_like(value: str) -> str:
    """As Tortoise escapes ``icontains`` (the standard path's search)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _root(r: Render, selected: Selected) -> str:
    d = r.dialect
    if selected.name == "domains":
        return _domains(r, selected)
    args = r.arguments("Query", selected)
    a = r.alias()
    if selected.name == "mailbox":
        mailbox_pk = pk_of(args["id"], "Mailbox")
        if mailbox_pk is None:
            return "NULL"
        # Rendered in text order: SQLite's "?" parameters follow the text.
        mailbox = _mailbox(r, selected, a)
        where = f"{a}.id = {r.p(mailbox_pk)} AND {a}.domain_id IN (SELECT d.id FROM domains d WHERE {r.scope('d.owner_id')})"
        return d.sub(f"SELECT {mailbox} FROM mailboxes {a} WHERE {where}")
    key: int | str | None  # the domain's id, or its fqdn
    if selected.name == "domain":
        key = pk_of(args["id"], "Domain")
        if key is None:
            return "NULL"
    elif selected.name == "domainByFqdn":
        try:
            key = normalize_fqdn(args["fqdn"])
        except InvalidInput:
            return "NULL"
    else:
        raise Unsupported(f"Query.{selected.name}")
    # Rendered in text order: SQLite's "?" parameters follow the text.
    domain = _domain(r, selected, a)
    column = "id" if selected.name == "domain" else "fqdn"
    where = f"{a}.{column} = {r.p(key)} AND {r.scope(f'{a}.owner_id')}"
    return d.sub(f"SELECT {domain} FROM domains {a} WHERE {where}")


# --- plans --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A document the compiled path serves: its operation and fragments, checked once against ``COVERED``."""

    document: DocumentNode
    operation: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]


def plan(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> Plan:
    """Check that the compiled path covers the operation (raises ``Unsupported`` otherwise)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        raise Unsupported("not a query")
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    _check(schema, "Query", [operation.selection_set], fragments)
    return Plan(document, operation, fragments)


def _check(
    schema: GraphQLSchema,
    type_name: str,
    selection_sets: Sequence[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> None:
    for selected in _collect(selection_sets, type_name, fragments):
        if selected.name == "__typename" and type_name != "Query":
            continue
        if selected.name not in COVERED.get(type_name, frozenset()):
            raise Unsupported(f"{type_name}.{selected.name}")
        field_type = get_named_type(_object_type(schema, type_name).fields[selected.name].type)
        if isinstance(field_type, GraphQLObjectType):
            _check(schema, field_type.name, _children(selected), fragments)


def render(
    schema: GraphQLSchema,
    compiled: Plan,
    raw_variables: Mapping[str, Any] | None,
    *,
    viewer_id: int,
    dialect: str,
) -> tuple[str, list[object]]:
    """The statement answering ``{"data": …}`` for this request: (SQL, parameters), or ``Unsupported``."""
    coerced = get_variable_values(
        schema, compiled.operation.variable_definitions or [], dict(raw_variables or {})
    )
    if isinstance(coerced, list):
        raise Unsupported("variables that do not coerce")
    r = Render(schema, Dialect(dialect), compiled.fragments, viewer_id, coerced, SQLParams())
    pairs = [
        (selected.key, _root(r, selected))
        for selected in _collect([compiled.operation.selection_set], "Query", compiled.fragments)
    ]
    data = r.dialect.obj(pairs)
    return f"SELECT {data}::text AS data" if r.dialect.postgres else f"SELECT {data} AS data", r.p.values


class Plans:
    """Compiled plans by (document text, operation name): a bounded LRU, shared by the process's requests."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.served = 0  # answers given by the compiled path (tests and benchmarks read it)
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()

    def get(self, query: str, operation_name: str | None) -> Plan | None:
        key = (query, operation_name)
        found = self._plans.get(key)
        if found is not None:
            self._plans.move_to_end(key)
        return found

    def known(self, query: str, operation_name: str | None) -> bool:
        return (query, operation_name) in self._plans

    def learn(
        self, schema: GraphQLSchema, query: str, operation_name: str | None, document: DocumentNode
    ) -> None:
        """Remember a document the standard executor served without error: its plan, or None if not covered."""
        try:
            found: Plan | None = plan(schema, document, operation_name)
        except Unsupported:
            found = None
        self._plans[(query, operation_name)] = found
        self._plans.move_to_end((query, operation_name))
        while len(self._plans) > self.size:
            self._plans.popitem(last=False)


PLANS = Plans()


class LearnPlans(SchemaExtension):
    """Once the standard executor has answered a query without error, the compiled path may serve it."""

    def on_execute(self) -> Iterator[None]:
        yield
        context = self.execution_context
        result = context.result
        if (
            context.graphql_document is not None
            and context.query is not None
            and result is not None
            and not result.errors
            and not PLANS.known(context.query, context.operation_name)
        ):
            PLANS.learn(
                context.schema._schema, context.query, context.operation_name, context.graphql_document
            )
