"""Server-side messages in French and English, keyed by the stable codes of domain errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    "NOT_FOUND": {"en": "Not found.", "fr": "Introuvable."},
    "NOT_ALLOWED": {
        "en": "You must be owner or administrator of the organization that owns this domain.",
        "fr": "Vous devez être propriétaire ou administrateur de l'organisation à qui appartient ce domaine.",
    },
    "PAYER_NOT_ALLOWED": {
        "en": "You may only charge an organization where you are owner or billing manager.",
        "fr": "Vous ne pouvez débiter qu'une organisation dont vous êtes propriétaire ou gestionnaire de facturation.",
    },
    "PERIOD_REQUIRED": {
        "en": "Choose monthly or yearly renewal.",
        "fr": "Choisissez un renouvellement mensuel ou annuel.",
    },
    "PAYER_REQUIRED": {
        "en": "Choose the organization to charge.",
        "fr": "Choisissez l'organisation à débiter.",
    },
    "MAILBOX_NOT_IN_DOMAIN": {
        "en": "Mailbox {id} does not belong to this domain: bulk changes are limited to one domain.",
        "fr": "La boîte {id} n'appartient pas à ce domaine : les modifications groupées se font domaine par domaine.",
    },
    "EMPTY_SELECTION": {
        "en": "Select at least one mailbox.",
        "fr": "Sélectionnez au moins une boîte mail.",
    },
    "TOO_MANY": {
        "en": "At most {max} items at once.",
        "fr": "Au plus {max} éléments à la fois.",
    },
    "INVALID": {"en": "Invalid value.", "fr": "Valeur invalide."},
    "INSUFFICIENT_FUNDS": {
        "en": "The prepaid balance is too low.",
        "fr": "Le solde du compte prépayé est insuffisant.",
    },
    "INVALID_AMOUNT": {
        "en": "The amount must be a positive number of cents, at most {max}.",
        "fr": "Le montant doit être un nombre positif de centimes, au plus {max}.",
    },
    "IDEMPOTENCY_KEY_REUSED": {
        "en": "This idempotency key was already used for another amount.",
        "fr": "Cette clé d'idempotence a déjà servi pour un autre montant.",
    },
    "NO_CARD": {
        "en": "No card is registered for this organization.",
        "fr": "Aucune carte n'est enregistrée pour cette organisation.",
    },
    "CARD_DECLINED": {"en": "The card was declined.", "fr": "La carte a été refusée."},
    "CARD_INVALID": {"en": "This card number is not valid.", "fr": "Ce numéro de carte n'est pas valide."},
    "CARD_EXPIRED": {"en": "This card has expired.", "fr": "Cette carte a expiré."},
    "GATEWAY_UNAVAILABLE": {
        "en": "The payment service does not answer; nothing was charged twice. Try again later.",
        "fr": "Le service de paiement ne répond pas ; rien n'a été débité deux fois. Réessayez plus tard.",
    },
    "INVALID_ID": {"en": "This id is not valid.", "fr": "Cet identifiant n'est pas valide."},
    "INVALID_CREDENTIALS": {
        "en": "Wrong e-mail or password.",
        "fr": "Adresse e-mail ou mot de passe incorrect.",
    },
    "RATE_LIMITED": {
        "en": "Too many failed sign-in attempts. Try again in a few minutes.",
        "fr": "Trop de tentatives de connexion échouées. Réessayez dans quelques minutes.",
    },
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
}


def normalize_language(language: str | None) -> str:
    return "fr" if (language or "").lower().startswith("fr") else "en"


def message(code: str, language: str | None = "en", **params: Any) -> str:
    texts = MESSAGES.get(code) or MESSAGES["INVALID"]
    template = texts[normalize_language(language)]
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
