"""Server-side texts in French and English, keyed by stable codes: the error catalogue's messages and a few
other texts (warnings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from mailrenew.errors import CATALOGUE

TEXTS: Final[Mapping[str, Mapping[str, str]]] = {
    "INVALID_ID": {"en": "This id is not valid.", "fr": "Cet identifiant n'est pas valide."},
    "DOMAIN_AUTO_RENEW_OFF": {
        "en": "The domain {fqdn} is not on auto-renewal: the mailbox depends on it.",
        "fr": "Le domaine {fqdn} n'est pas en renouvellement automatique : la boîte mail en dépend.",
    },
    "DOMAIN_EXPIRES_FIRST": {
        "en": "The domain {fqdn} expires on {date}, before the mailbox's next term ends.",
        "fr": "Le domaine {fqdn} expire le {date}, avant la fin du prochain terme de la boîte mail.",
    },
    "BALANCE_SHORT": {
        "en": "The prepaid balance of {payer} is short by {amount} for the coming renewals.",
        "fr": "Il manque {amount} sur le compte prépayé de {payer} pour les prochains renouvellements.",
    },
    "CARD_EXPIRES_FIRST": {
        "en": "The card {card} of {payer} expires at the end of {expiry}, before this renewal is charged on "
        "{date}, and the prepaid balance is short by {amount}: register a new card or top up the account.",
        "fr": "La carte {card} de {payer} expire fin {expiry}, avant le débit de ce renouvellement le {date}, "
        "et il manque {amount} sur le compte prépayé : enregistrez une nouvelle carte ou créditez le compte.",
    },
}
"""Texts that are not error codes (warnings, …); error messages live in ``mailrenew.errors.CATALOGUE``."""

MESSAGES: Final[Mapping[str, Mapping[str, str]]] = {
    **{spec.code: {"en": spec.en, "fr": spec.fr} for spec in CATALOGUE},
    **TEXTS,
}
"""Every server-side text by code, in each of ``LANGUAGES``."""

LANGUAGES: Final = ("en", "fr")


def normalize_language(language: str | None) -> str:
    return "fr" if (language or "").lower().startswith("fr") else "en"


def message(code: str, language: str | None = "en", **params: Any) -> str:
    """The text of ``code`` in the caller's language; a ``KeyError`` for a code without texts."""
    template = MESSAGES[code][normalize_language(language)]
    shown = {k: format_date(v, language) if isinstance(v, dt.date) else v for k, v in params.items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError):
        return template


def format_cents(cents: int, currency: str = "EUR", language: str | None = "en") -> str:
    whole, part = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    if normalize_language(language) == "fr":
        return (
            f"{sign}{whole:,}".replace(",", "\u202f")
            + f",{part:02d}\u00a0{'€' if currency == 'EUR' else currency}"
        )
    return f"{sign}{'€' if currency == 'EUR' else currency + ' '}{whole:,}.{part:02d}"


def format_date(day: dt.date, language: str | None = "en") -> str:
    """dd/mm/yyyy in French, ISO yyyy-mm-dd in English."""
    return day.strftime("%d/%m/%Y") if normalize_language(language) == "fr" else day.isoformat()
