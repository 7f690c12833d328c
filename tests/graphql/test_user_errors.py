"""The GraphQL edge of domain errors: each mutation's domain fields → input paths, and unknown errors masked.

The services are replaced by stubs that raise, so that every field a mutation maps is exercised whatever the
data; the paths are written out here (the contract), not imported from the backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import structlog

from mailrenew.accounts.models import Role
from mailrenew.accounts.service import RateLimited
from mailrenew.billing import service as billing
from mailrenew.billing.errors import (
    CardDeclined,
    GatewayUnavailable,
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidAmount,
    NoCard,
)
from mailrenew.errors import DomainError, InvalidInput, NotAllowed, NotFound, ValidationErrors
from mailrenew.hosting import service as hosting
from mailrenew.hosting.errors import MailboxNotInDomain, PayerNotAllowed, PayerRequired, PeriodRequired
from tests.factories import make_org, make_user
from tests.graphql.helpers import gid

ORG = gid("Organization", 1)
BOX_A, BOX_B = gid("Mailbox", 1), gid("Mailbox", 2)
DOMAIN = gid("Domain", 1)


@dataclass(frozen=True)
class Case:
    module: Any
    function: str
    document: str
    variables: dict[str, Any]
    empty: dict[str, Any]  # the payload's other fields when it carries userErrors
    raised: list[DomainError]
    answered: list[tuple[str, list[str] | None]]


CASES = {
    "setAutoRenew": Case(
        hosting,
        "set_auto_renew",
        """mutation($id: ID!, $org: ID!) {
          setAutoRenew(mailboxId: $id, input: {enabled: true, period: YEARLY, payerOrganizationId: $org}) {
            mailbox { id } userErrors { field code message } } }""",
        {"id": BOX_A, "org": ORG},
        {"mailbox": None},
        [
            NotFound(field="mailbox"),
            NotAllowed(field="mailbox"),
            PeriodRequired(field="period"),
            PayerRequired(field="payer"),
            PayerNotAllowed(field="payer"),
        ],
        [
            ("NOT_FOUND", ["mailboxId"]),
            ("NOT_ALLOWED", ["mailboxId"]),
            ("PERIOD_REQUIRED", ["input", "period"]),
            ("PAYER_REQUIRED", ["input", "payerOrganizationId"]),
            ("PAYER_NOT_ALLOWED", ["input", "payerOrganizationId"]),
        ],
    ),
    "bulkSetAutoRenew": Case(
        hosting,
        "bulk_set_auto_renew",
        """mutation($d: ID!, $ids: [ID!], $org: ID!) {
          bulkSetAutoRenew(domainId: $d, mailboxIds: $ids,
                           input: {enabled: true, period: MONTHLY, payerOrganizationId: $org}) {
            mailboxes { id } updatedCount userErrors { field code message } } }""",
        {"d": DOMAIN, "ids": [BOX_A, BOX_B], "org": ORG},
        {"mailboxes": [], "updatedCount": 0},
        [
            NotFound(field="domain"),
            NotAllowed(field="domain"),
            InvalidInput("EMPTY_SELECTION", field="mailbox_ids"),
            InvalidInput("TOO_MANY", field="mailbox_ids", max=3),
            MailboxNotInDomain(field="mailbox_ids", index=1, id=2),
            PeriodRequired(field="period"),
            PayerRequired(field="payer"),
            PayerNotAllowed(field="payer"),
        ],
        [
            ("NOT_FOUND", ["domainId"]),
            ("NOT_ALLOWED", ["domainId"]),
            ("EMPTY_SELECTION", ["mailboxIds"]),
            ("TOO_MANY", ["mailboxIds"]),
            ("MAILBOX_NOT_IN_DOMAIN", ["mailboxIds", "1"]),
            ("PERIOD_REQUIRED", ["input", "period"]),
            ("PAYER_REQUIRED", ["input", "payerOrganizationId"]),
            ("PAYER_NOT_ALLOWED", ["input", "payerOrganizationId"]),
        ],
    ),
    "setDomainAutoRenew": Case(
        hosting,
        "set_domain_auto_renew",
        """mutation($d: ID!, $org: ID!) {
          setDomainAutoRenew(domainId: $d, input: {enabled: true, payerOrganizationId: $org}) {
            domain { id } userErrors { field code message } } }""",
        {"d": DOMAIN, "org": ORG},
        {"domain": None},
        [
            NotFound(field="domain"),
            NotAllowed(field="domain"),
            PayerRequired(field="payer"),
            PayerNotAllowed(field="payer"),
        ],
        [
            ("NOT_FOUND", ["domainId"]),
            ("NOT_ALLOWED", ["domainId"]),
            ("PAYER_REQUIRED", ["input", "payerOrganizationId"]),
            ("PAYER_NOT_ALLOWED", ["input", "payerOrganizationId"]),
        ],
    ),
    "topUp": Case(
        billing,
        "top_up",
        """mutation($org: ID!) {
          topUp(organizationId: $org, amountCents: 500, idempotencyKey: "k1") {
            organization { id } ledgerEntry { amountCents } userErrors { field code message } } }""",
        {"org": ORG},
        {"organization": None, "ledgerEntry": None},
        [
            NotFound(field="organization"),
            NotAllowed(field="organization"),
            InvalidAmount(field="amount", max=10),
            InsufficientFunds(field="amount"),
            InvalidInput(field="idempotency_key"),
            IdempotencyKeyReused(field="idempotency_key"),
            NoCard(field="organization"),
            CardDeclined(reason="DECLINED"),
            GatewayUnavailable(),
        ],
        [
            ("NOT_FOUND", ["organizationId"]),
            ("NOT_ALLOWED", ["organizationId"]),
            ("INVALID_AMOUNT", ["amountCents"]),
            ("INSUFFICIENT_FUNDS", ["amountCents"]),
            ("INVALID", ["idempotencyKey"]),
            ("IDEMPOTENCY_KEY_REUSED", ["idempotencyKey"]),
            ("NO_CARD", ["organizationId"]),
            ("CARD_DECLINED", None),
            ("GATEWAY_UNAVAILABLE", None),
        ],
    ),
    "registerCard": Case(
        billing,
        "register_card",
        """mutation($org: ID!) {
          registerCard(organizationId: $org,
                       input: {number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123"}) {
            organization { id } card { last4 } userErrors { field code message } } }""",
        {"org": ORG},
        {"organization": None, "card": None},
        [
            NotFound(field="organization"),
            NotAllowed(field="organization"),
            InvalidInput("CARD_INVALID", field="card_number"),
            InvalidInput("CARD_EXPIRED", field="card_number"),
            GatewayUnavailable(),
        ],
        [
            ("NOT_FOUND", ["organizationId"]),
            ("NOT_ALLOWED", ["organizationId"]),
            ("CARD_INVALID", ["input", "number"]),
            ("CARD_EXPIRED", ["input", "number"]),
            ("GATEWAY_UNAVAILABLE", None),
        ],
    ),
    "setAutoTopUp": Case(
        billing,
        "set_auto_top_up",
        """mutation($org: ID!) {
          setAutoTopUp(organizationId: $org, enabled: true) {
            organization { id } card { last4 } userErrors { field code message } } }""",
        {"org": ORG},
        {"organization": None, "card": None},
        [NotFound(field="organization"), NotAllowed(field="organization"), NoCard(field="organization")],
        [
            ("NOT_FOUND", ["organizationId"]),
            ("NOT_ALLOWED", ["organizationId"]),
            ("NO_CARD", ["organizationId"]),
        ],
    ),
}


def raising(error: Exception):
    async def stub(*args: object, **kwargs: object) -> None:
        raise error

    return stub


async def _client(with_token):
    org = await make_org()
    return await with_token(await make_user(roles={org: Role.OWNER}))


@pytest.mark.parametrize("name", list(CASES))
async def test_each_domain_field_answers_the_input_path_of_its_mutation(
    with_token, monkeypatch, name
) -> None:
    case = CASES[name]
    client = await _client(with_token)
    monkeypatch.setattr(case.module, case.function, raising(ValidationErrors(case.raised)))

    payload = (await client.execute(case.document, case.variables))[name]

    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == case.answered
    assert all(e["message"] for e in payload["userErrors"])
    assert {k: v for k, v in payload.items() if k != "userErrors"} == case.empty


async def test_an_error_about_one_listed_id_names_it_as_the_client_sent_it(with_token, monkeypatch) -> None:
    case = CASES["bulkSetAutoRenew"]
    client = await _client(with_token)
    monkeypatch.setattr(
        hosting, "bulk_set_auto_renew", raising(MailboxNotInDomain(field="mailbox_ids", index=1, id=2))
    )

    payload = (await client.execute(case.document, case.variables))["bulkSetAutoRenew"]

    assert payload["userErrors"] == [
        {
            "field": ["mailboxIds", "1"],
            "code": "MAILBOX_NOT_IN_DOMAIN",
            "message": f"Mailbox {BOX_B} does not belong to this domain: bulk changes are limited to one domain.",
        }
    ]


def unregistered_code() -> Exception:
    """What a service raising ``DomainError("NOT_A_CODE")`` raises: construction itself fails."""
    try:
        DomainError("NOT_A_CODE")
    except ValueError as exc:
        return exc
    raise AssertionError("an unregistered code was accepted")


@pytest.mark.parametrize(
    ("error", "logged"),
    [
        pytest.param(unregistered_code(), "NOT_A_CODE", id="unregistered code"),
        pytest.param(RateLimited(), "RATE_LIMITED", id="code of another edge"),
        pytest.param(NotFound(field="fqdn"), "fqdn", id="domain field without a path"),
    ],
)
async def test_an_error_the_edge_cannot_answer_is_masked_and_logged(
    with_token, monkeypatch, error, logged
) -> None:
    case = CASES["setAutoRenew"]
    client = await _client(with_token)
    monkeypatch.setattr(hosting, "set_auto_renew", raising(error))

    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        response = await client.post(case.document, case.variables)

    body = response.json()
    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == ["Internal server error."]
    internal = [entry for entry in logs if entry["event"] == "graphql.internal_error"]
    assert len(internal) == 1
    assert logged in internal[0]["error"]
    assert internal[0]["request_id"] == response.headers["x-request-id"]
