"""``schema.graphql`` at the repo root is the exported SDL: any drift fails (run `make schema`)."""

from __future__ import annotations

from pathlib import Path

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


def test_schema_keeps_the_core_names_of_the_contract() -> None:
    text = sdl()
    missing = [name for name in CORE_NAMES if name not in text]
    assert missing == []
