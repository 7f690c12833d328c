"""Typed domain errors and the one table of their codes.

Services raise them with a stable code, the *domain* field they concern (``"period"``, ``"payer"``,
``"mailbox_ids"`` with an ``index``…, never a GraphQL path) and parameters for the message. The edges turn them
into text in the caller's language with ``mailrenew.i18n.message``; the GraphQL edge also maps each domain
field to the input path of its mutation (``mailrenew.graphql.errors``).

``CATALOGUE`` is the only place a code is defined: the GraphQL ``UserErrorCode`` enum (in this order) and the
messages are generated from it, and an error whose code is not in it cannot be created.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class ErrorSpec:
    """One error code: the domain field it always concerns (if any), its message in English and French.

    ``graphql=False``: a code another edge answers (sign-in, the CLI), not a ``UserErrorCode``; the GraphQL edge
    treats it as an internal error. Messages are ``str.format`` templates over the error's parameters.
    """

    code: str
    en: str
    fr: str
    field: str | None = None
    graphql: bool = True


CATALOGUE: Final[tuple[ErrorSpec, ...]] = (
    ErrorSpec("NOT_FOUND", en="Not found.", fr="Introuvable."),
    ErrorSpec(
        "NOT_ALLOWED",
        en="You must be owner or administrator of the organization that owns this domain.",
        fr="Vous devez être propriétaire ou administrateur de l'organisation à qui appartient ce domaine.",
    ),
    ErrorSpec(
        "PAYER_NOT_ALLOWED",
        field="payer",
        en="You may only charge an organization where you are owner or billing manager.",
        fr="Vous ne pouvez débiter qu'une organisation dont vous êtes propriétaire ou gestionnaire de facturation.",
    ),
    ErrorSpec(
        "PERIOD_REQUIRED",
        field="period",
        en="Choose monthly or yearly renewal.",
        fr="Choisissez un renouvellement mensuel ou annuel.",
    ),
    ErrorSpec(
        "PAYER_REQUIRED",
        field="payer",
        en="Choose the organization to charge.",
        fr="Choisissez l'organisation à débiter.",
    ),
    ErrorSpec(
        "MAILBOX_NOT_IN_DOMAIN",
        field="mailbox_ids",
        en="Mailbox {id} does not belong to this domain: bulk changes are limited to one domain.",
        fr="La boîte {id} n'appartient pas à ce domaine : les modifications groupées se font domaine par domaine.",
    ),
    ErrorSpec(
        "EMPTY_SELECTION",
        field="mailbox_ids",
        en="Select at least one mailbox.",
        fr="Sélectionnez au moins une boîte mail.",
    ),
    ErrorSpec("TOO_MANY", en="At most {max} items at once.", fr="Au plus {max} éléments à la fois."),
    ErrorSpec(
        "INSUFFICIENT_FUNDS",
        field="amount",
        en="The prepaid balance is too low.",
        fr="Le solde du compte prépayé est insuffisant.",
    ),
    ErrorSpec(
        "INVALID_AMOUNT",
        field="amount",
        en="The amount must be a positive number of cents, at most {max}.",
        fr="Le montant doit être un nombre positif de centimes, au plus {max}.",
    ),
    ErrorSpec(
        "IDEMPOTENCY_KEY_REUSED",
        field="idempotency_key",
        en="This idempotency key was already used for another amount.",
        fr="Cette clé d'idempotence a déjà servi pour un autre montant.",
    ),
    ErrorSpec(
        "NO_CARD",
        field="organization",
        en="No card is registered for this organization.",
        fr="Aucune carte n'est enregistrée pour cette organisation.",
    ),
    ErrorSpec("CARD_DECLINED", en="The card was declined.", fr="La carte a été refusée."),
    ErrorSpec(
        "CARD_INSUFFICIENT_FUNDS",
        en="The card was refused for lack of funds: nothing was charged.",
        fr="La carte a été refusée faute de provision : rien n'a été débité.",
    ),
    ErrorSpec(
        "CARD_INVALID",
        field="card_number",
        en="This card number is not valid.",
        fr="Ce numéro de carte n'est pas valide.",
    ),
    ErrorSpec("CARD_EXPIRED", field="card_number", en="This card has expired.", fr="Cette carte a expiré."),
    ErrorSpec(
        "GATEWAY_UNAVAILABLE",
        en="The payment service does not answer; nothing was charged twice. Try again later.",
        fr="Le service de paiement ne répond pas ; rien n'a été débité deux fois. Réessayez plus tard.",
    ),
    ErrorSpec(
        "INVALID_CAP",
        field="monthly_cap",
        en="The monthly cap must be at least the minimum top-up and at most {max} cents.",
        fr="Le plafond mensuel doit être au moins égal au rechargement minimum et au plus de {max} centimes.",
    ),
    ErrorSpec(
        "TOP_UP_CAP_REACHED",
        en="This charge would pass the organization's monthly top-up cap: nothing was charged.",
        fr="Ce débit dépasserait le plafond mensuel de recharge de l'organisation : rien n'a été débité.",
    ),
    ErrorSpec(
        "NOT_RENEWABLE",
        en="{item} cannot be renewed now: a term opens to renewal 5 days before it ends, and a mailbox needs a "
        "domain that has not expired.",
        fr="{item} ne peut pas être renouvelé maintenant : un terme s'ouvre au renouvellement 5 jours avant sa fin, "
        "et une boîte mail a besoin d'un domaine non expiré.",
    ),
    ErrorSpec(
        "RENEWAL_LAPSED",
        en="{item} expired on {expired_on} and its grace period is over: contact support to restore it.",
        fr="{item} a expiré le {expired_on} et son délai de grâce est passé : contactez le support pour le "
        "rétablir.",
    ),
    ErrorSpec("INVALID", en="Invalid value.", fr="Valeur invalide."),
    # Not UserErrorCodes: the sign-in route and the CLI answer these.
    ErrorSpec(
        "EMAIL_TAKEN",
        field="email",
        graphql=False,
        en="A user with this e-mail address already exists.",
        fr="Un utilisateur a déjà cette adresse e-mail.",
    ),
    ErrorSpec(
        "INVALID_CREDENTIALS",
        graphql=False,
        en="Wrong e-mail or password.",
        fr="Adresse e-mail ou mot de passe incorrect.",
    ),
    ErrorSpec(
        "RATE_LIMITED",
        graphql=False,
        en="Too many failed sign-in attempts. Try again in a few minutes.",
        fr="Trop de tentatives de connexion échouées. Réessayez dans quelques minutes.",
    ),
)

SPECS: Final[Mapping[str, ErrorSpec]] = {spec.code: spec for spec in CATALOGUE}


def spec_of(code: str) -> ErrorSpec:
    """The entry of a code; a ``ValueError`` for a code that is not in the table."""
    try:
        return SPECS[code]
    except KeyError:
        raise ValueError(f"error code {code!r} is not in mailrenew.errors.CATALOGUE") from None


class DomainError(Exception):
    code: str = "INVALID"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec_of(cls.code)  # a subclass with an unregistered code fails at import

    def __init__(
        self,
        code: str | None = None,
        *,
        field: str | None = None,
        index: int | None = None,
        detail: str | None = None,
        **params: Any,
    ) -> None:
        if field is not None and not isinstance(field, str):
            raise TypeError(f"field names a domain field (e.g. 'period'), not a path: {field!r}")
        self.code = code or self.code
        self.spec = spec_of(self.code)
        self.field = field or self.spec.field
        self.index = index  # which item of a list field, when the error concerns one
        self.params = params
        self.detail = detail
        super().__init__(detail or self.code)


class NotFound(DomainError):
    """Unknown id, or one the caller may not see: the two are never told apart."""

    code = "NOT_FOUND"


class NotAllowed(DomainError):
    code = "NOT_ALLOWED"


class InvalidInput(DomainError):
    code = "INVALID"


class ValidationErrors(DomainError):
    """Several problems with one input, reported together; nothing was changed."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        self.errors = list(errors)
        super().__init__(self.errors[0].code if self.errors else "INVALID")
