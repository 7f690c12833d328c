"""``schema.graphql`` at the repo root is the exported SDL: any drift fails (run `make schema`)."""

from __future__ import annotations

from pathlib import Path

from graphql import FieldDefinitionNode, InputValueDefinitionNode, ObjectTypeDefinitionNode, parse, print_ast

from mailrenew.graphql.export import sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"

CORE_NAMES = [
    "viewer: User!",
    "organizations(first: Int = null, after: String = null): OrganizationConnection!",
    "domains(filter: DomainFilter = null, orderBy: DomainOrder = null, first: Int = null, after: String = null): DomainConnection!",
    "domainByFqdn(fqdn: String!): Domain",
    "mailbox(id: ID!): Mailbox",
    "setAutoRenew(mailboxId: ID!, input: AutoRenewInput!): SetAutoRenewPayload!",
    "bulkSetAutoRenew(domainId: ID!, input: AutoRenewInput!, mailboxIds: [ID!] = null): BulkSetAutoRenewPayload!",
    "setDomainAutoRenew(domainId: ID!, input: DomainAutoRenewInput!): SetDomainAutoRenewPayload!",
    "hasMailboxes: Boolean",
    "warnings: [AutoRenewWarning!]!",
    "userErrors: [UserError!]!",
]


def test_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == sdl(), "schema.graphql is stale: run `make schema`"


def _root_fields(text: str) -> dict[str, FieldDefinitionNode]:
    """The fields of the root types (Query, Mutation) of an SDL, by name."""
    return {
        field.name.value: field
        for definition in parse(text).definitions
        if isinstance(definition, ObjectTypeDefinitionNode) and definition.name.value in ("Query", "Mutation")
        for field in definition.fields or ()
    }


def _signature(argument: InputValueDefinitionNode) -> str:
    """An argument as written in the contract: name, type and default, without its description."""
    default = f" = {print_ast(argument.default_value)}" if argument.default_value else ""
    return f"{argument.name.value}: {print_ast(argument.type)}{default}"


def test_schema_keeps_the_core_names_of_the_contract() -> None:
    """Each core field keeps its arguments and type; arguments added after them must have a default, so that
    every request written against the contract stays valid."""
    text = sdl()
    roots = _root_fields(text)
    missing, changed = [], []
    for name in CORE_NAMES:
        if "(" not in name:
            if name not in text:
                missing.append(name)
            continue
        core = parse(f"type Query {{ {name} }}").definitions[0]
        assert isinstance(core, ObjectTypeDefinitionNode)
        assert core.fields
        wanted = core.fields[0]
        found = roots.get(wanted.name.value)
        if found is None:
            missing.append(name)
            continue
        core_args = [_signature(a) for a in wanted.arguments or ()]
        args = list(found.arguments or ())
        if (
            [_signature(a) for a in args[: len(core_args)]] != core_args
            or any(a.default_value is None for a in args[len(core_args) :])
            or print_ast(found.type) != print_ast(wanted.type)
        ):
            changed.append(name)
    assert (missing, changed) == ([], [])
