"""The text of the messages: money and dates per language, failure reasons in words, and what to do."""

from __future__ import annotations

import datetime as dt

import pytest

from mailrenew.notify.models import MessageKind
from mailrenew.notify.templates import NoticeParamsError, render

E = dt.date(2027, 3, 6)
ORG = "Boulangerie Dupont"


def text(kind: MessageKind, language: str, **params: object) -> tuple[str, str]:
    rendered = render(kind, params, language=language, organization_name=ORG, recipient_name="Marie")
    return rendered.subject, rendered.body


def test_payment_not_covered_says_how_much_is_missing_and_until_when_to_top_up() -> None:
    params = {
        "item": "contact@shop.example",
        "expires_at": E,
        "amount_cents": 500,
        "balance_cents": 120,
        "shortfall_cents": 380,
    }
    fr_subject, fr = text(MessageKind.PAYMENT_NOT_COVERED, "fr", **params)
    en_subject, en = text(MessageKind.PAYMENT_NOT_COVERED, "en", **params)

    assert fr_subject == "Renouvellement de contact@shop.example non couvert : il manque 3,80\u00a0€"
    assert en_subject == "Renewal of contact@shop.example not covered: €3.80 missing"
    assert fr.startswith("Bonjour Marie,\n\nLa boîte mail contact@shop.example expire le 06/03/2027.")
    assert "coûte 5,00\u00a0€" in fr
    assert "ne contient que 1,20\u00a0€" in fr
    assert "créditez le compte prépayé de Boulangerie Dupont d'au moins 3,80\u00a0€" in fr
    assert "le 05/03/2027" in fr
    assert en.startswith("Hello Marie,\n\nThe mailbox contact@shop.example expires on 2027-03-06.")
    assert "top up the prepaid account of Boulangerie Dupont by at least €3.80" in en
    assert "register a payment card with automatic top-up" in en
    assert "last renewal attempt on 2027-03-05" in en


def test_receipt_gives_the_amount_the_term_and_the_new_expiry_date() -> None:
    params = {
        "item": "shop.example",
        "amount_cents": 1500,
        "period": "YEARLY",
        "new_expires_at": dt.date(2028, 3, 6),
    }
    fr_subject, fr = text(MessageKind.RENEWAL_RECEIPT, "fr", **params)
    en_subject, en = text(MessageKind.RENEWAL_RECEIPT, "en", **params)

    assert fr_subject == "Reçu : shop.example renouvelé jusqu'au 06/03/2028"
    assert "Le domaine shop.example a été renouvelé pour 1 an." in fr
    assert "Montant débité du compte prépayé de Boulangerie Dupont : 15,00\u00a0€." in fr
    assert en_subject == "Receipt: shop.example renewed until 2028-03-06"
    assert "The domain shop.example has been renewed for 1 year." in en
    assert "Amount charged to the prepaid account of Boulangerie Dupont: €15.00." in en


@pytest.mark.parametrize(
    ("reason", "en_words", "en_todo", "fr_todo"),
    [
        (
            "INSUFFICIENT_FUNDS",
            "does not hold enough money",
            "top up the prepaid account of Boulangerie Dupont",
            "créditez le compte prépayé",
        ),
        (
            "CARD_DECLINED",
            "card of Boulangerie Dupont was declined",
            "register a valid card",
            "enregistrez une carte",
        ),
        (
            "CARD_INSUFFICIENT_FUNDS",
            "card of Boulangerie Dupont was refused for lack of funds",
            "check the balance or limit of the card",
            "vérifiez le solde ou le plafond de la carte",
        ),
        (
            "CARD_EXPIRED",
            "card of Boulangerie Dupont has expired",
            "register a new card",
            "enregistrez une nouvelle carte",
        ),
        (
            "GATEWAY_UNAVAILABLE",
            "the payment service did not answer",
            "nothing on your side",
            "rien à faire de votre côté",
        ),
        (
            "PAYER_NOT_ALLOWED",
            "no longer allowed to pay",
            "check the paying organization",
            "vérifiez l'organisation",
        ),
        (
            "DOMAIN_EXPIRED",
            "its domain has expired",
            "renew the domain first",
            "renouvelez d'abord le domaine",
        ),
        ("PRICE_MISSING", "no price is set", "contact our support", "contactez notre support"),
        ("SOMETHING_NEW", "an unexpected error occurred", "contact our support", "contactez notre support"),
    ],
)
def test_failure_reasons_are_told_in_words_with_what_to_do(
    reason: str, en_words: str, en_todo: str, fr_todo: str
) -> None:
    params = {"item": "contact@shop.example", "reason": reason, "expires_at": E, "final": False}
    _, en = text(MessageKind.RENEWAL_FAILED, "en", **params)
    _, fr = text(MessageKind.RENEWAL_FAILED, "fr", **params)

    assert en_words in en
    assert f"What to do: {en_todo}" in en
    assert f"Que faire : {fr_todo}" in fr
    assert reason not in en
    assert reason not in fr


def test_a_failure_says_whether_another_attempt_comes() -> None:
    params = {"item": "contact@shop.example", "reason": "INSUFFICIENT_FUNDS", "expires_at": E}
    retry_subject, retry = text(MessageKind.RENEWAL_FAILED, "en", **params, final=False)
    last_subject, last = text(MessageKind.RENEWAL_FAILED, "en", **params, final=True)
    fr_last_subject, fr_last = text(MessageKind.RENEWAL_FAILED, "fr", **params, final=True)

    assert retry_subject == "Renewal of contact@shop.example failed"
    assert "We will try again tomorrow; the last attempt is on 2027-03-05." in retry
    assert last_subject == "Renewal of contact@shop.example failed: it expires on 2027-03-06"
    assert "That was the last attempt" in last
    assert fr_last_subject == "Échec du renouvellement de contact@shop.example : expiration le 06/03/2027"
    assert "C'était la dernière tentative" in fr_last


def test_expiry_message_agrees_with_the_item_in_french() -> None:
    _, mailbox = text(MessageKind.EXPIRED, "fr", item="contact@shop.example", expired_on=E)
    _, domain = text(MessageKind.EXPIRED, "fr", item="shop.example", expired_on=E)
    subject, english = text(MessageKind.EXPIRED, "en", item="shop.example", expired_on="2027-03-06")

    assert (
        "La boîte mail contact@shop.example a expiré le 06/03/2027 : elle n'a pas été renouvelée." in mailbox
    )
    assert "Le domaine shop.example a expiré le 06/03/2027 : il n'a pas été renouvelé." in domain
    assert subject == "shop.example has expired"
    assert "The domain shop.example expired on 2027-03-06" in english
    assert '"Renew now"' in english
    assert "grace period" in english


def test_every_message_names_why_the_recipient_gets_it() -> None:
    _, fr = text(MessageKind.EXPIRED, "fr", item="shop.example", expired_on=E)
    _, en = text(MessageKind.EXPIRED, "en", item="shop.example", expired_on=E)

    assert fr.endswith("gestionnaire de facturation de Boulangerie Dupont.\nMailrenew\n")
    assert en.endswith("owner or billing manager of Boulangerie Dupont.\nMailrenew\n")


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"item": "shop.example"}, "lacks expired_on"),
        ({"item": "shop.example", "expired_on": "6 March"}, "must be a date"),
        ({"item": "shop.example", "expired_on": dt.datetime(2027, 3, 6, tzinfo=dt.UTC)}, "not a datetime"),
    ],
)
def test_wrong_parameters_are_refused(params: dict[str, object], error: str) -> None:
    with pytest.raises(NoticeParamsError, match=error):
        render(MessageKind.EXPIRED, params, language="en", organization_name=ORG)


def test_money_must_be_integer_cents() -> None:
    with pytest.raises(NoticeParamsError, match="integer number of cents"):
        render(
            MessageKind.RENEWAL_RECEIPT,
            {"item": "shop.example", "amount_cents": 15.0, "new_expires_at": E},
            language="en",
            organization_name=ORG,
        )


def test_a_long_subject_is_cut_to_the_column_size() -> None:
    subject, _ = text(MessageKind.EXPIRED, "en", item="a" * 250 + ".example", expired_on=E)

    assert len(subject) == 200
    assert subject.endswith("…")


def test_each_failure_reason_has_its_own_words_in_both_languages() -> None:
    from mailrenew.renewal.models import FailureReason

    def body(reason: str, language: str) -> str:
        params = {"item": "contact@shop.example", "reason": reason, "expires_at": E, "final": False}
        return text(MessageKind.RENEWAL_FAILED, language, **params)[1]

    for language in ("en", "fr"):
        bodies = {body(str(reason), language) for reason in FailureReason}
        assert len(bodies) == len(FailureReason), language
        assert body("SOMETHING_NEW", language) not in bodies, language
