"""The error table: every code has its texts in both languages, and an error outside the table cannot exist."""

from __future__ import annotations

import string

import pytest

from mailrenew.billing.errors import InvalidAmount
from mailrenew.errors import CATALOGUE, SPECS, DomainError, InvalidInput, NotFound, ValidationErrors
from mailrenew.graphql.errors import UserErrorCode
from mailrenew.hosting.errors import MailboxNotInDomain, PeriodRequired
from mailrenew.i18n import LANGUAGES, MESSAGES, TEXTS, message


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("code", list(MESSAGES))
def test_every_text_is_written_in_french_and_in_english(code: str) -> None:
    texts = MESSAGES[code]
    assert set(texts) == set(LANGUAGES)
    assert texts["en"].strip(), f"{code} has no English text"
    assert texts["fr"].strip(), f"{code} has no French text"
    assert texts["fr"] != texts["en"], f"{code}: the French text is the English one"
    assert placeholders(texts["fr"]) == placeholders(texts["en"]), f"{code}: placeholders differ"


def test_each_code_is_defined_once() -> None:
    codes = [spec.code for spec in CATALOGUE]
    assert len(codes) == len(set(codes))
    assert not set(codes) & set(TEXTS), "a code is both an error and another text"
    assert set(MESSAGES) == set(codes) | set(TEXTS)


def test_the_graphql_enum_is_the_table_in_its_order() -> None:
    assert [m.value for m in UserErrorCode] == [spec.code for spec in CATALOGUE if spec.graphql]  # type: ignore[attr-defined]
    assert {"INVALID_CREDENTIALS", "RATE_LIMITED"} <= {spec.code for spec in CATALOGUE if not spec.graphql}


def test_an_unregistered_code_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="NOT_A_CODE"):
        DomainError("NOT_A_CODE")
    with pytest.raises(ValueError, match="NOT_A_CODE"):
        InvalidInput("NOT_A_CODE", field="name")


def test_a_subclass_with_an_unregistered_code_fails_when_defined() -> None:
    with pytest.raises(ValueError, match="NOT_A_CODE"):

        class Strange(DomainError):
            code = "NOT_A_CODE"


def test_services_name_domain_fields_not_paths() -> None:
    with pytest.raises(TypeError):
        NotFound(field=["input", "period"])  # type: ignore[arg-type]


def test_a_code_with_a_fixed_field_names_it_by_default() -> None:
    assert PeriodRequired().field == "period"
    listed = MailboxNotInDomain(index=2, id=7)
    assert (listed.field, listed.index) == ("mailbox_ids", 2)
    assert InvalidAmount(field="opening_cents").field == "opening_cents"
    assert NotFound().field is None
    assert SPECS["NOT_FOUND"].field is None


def test_validation_errors_keep_each_error() -> None:
    errors = ValidationErrors([PeriodRequired(), NotFound(field="payer")])
    assert [(e.code, e.field) for e in errors.errors] == [
        ("PERIOD_REQUIRED", "period"),
        ("NOT_FOUND", "payer"),
    ]


def test_messages_fill_their_parameters_in_the_callers_language() -> None:
    assert message("TOO_MANY", "fr", max=3) == "Au plus 3 éléments à la fois."
    assert message("TOO_MANY", "en-GB", max=3) == "At most 3 items at once."
    with pytest.raises(KeyError):
        message("NOT_A_CODE", "en")
