"""The text of each message: a subject and a plain-text body per kind and language (fr, en).

Plain Python on purpose: five kinds, two languages, no markup. Money goes through ``format_cents``, dates are
``dd/mm/yyyy`` in French and ``yyyy-mm-dd`` in English, and every message that asks for something says what to do.
Parameters are checked before anything is written, so a notice the sweep got wrong fails loudly in its tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mailrenew.i18n import format_cents, normalize_language
from mailrenew.notify.models import MessageKind

SUBJECT_MAX = 200

REQUIRED: Mapping[MessageKind, tuple[str, ...]] = {
    MessageKind.PAYMENT_NOT_COVERED: ("item", "expires_at", "amount_cents", "shortfall_cents"),
    MessageKind.RENEWAL_RECEIPT: ("item", "amount_cents", "new_expires_at"),
    MessageKind.RENEWAL_FAILED: ("item", "reason", "expires_at"),
    MessageKind.EXPIRED: ("item", "expired_on"),
    MessageKind.CARD_EXPIRING: ("item", "expires_on"),
    MessageKind.TOP_UP_CAP_REACHED: ("item", "day", "amount_cents", "cap_cents", "spent_cents", "count"),
}


class NoticeParamsError(ValueError):
    """A notice lacks a parameter its kind needs, or one has the wrong type."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@dataclass(frozen=True)
class _Ctx:
    """What every template needs, resolved once: language, item, organization, formatters."""

    lang: str
    item: str
    is_mailbox: bool
    organization: str
    recipient: str
    currency: str

    @property
    def fr(self) -> bool:
        return self.lang == "fr"

    def money(self, cents: int) -> str:
        return format_cents(cents, self.currency, self.lang)

    def date(self, day: dt.date) -> str:
        return day.strftime("%d/%m/%Y") if self.fr else day.isoformat()

    @property
    def the_item(self) -> str:
        """ "The mailbox a@b.fr" / "La boîte mail a@b.fr", sentence case."""
        if self.fr:
            return f"La boîte mail {self.item}" if self.is_mailbox else f"Le domaine {self.item}"
        return f"The mailbox {self.item}" if self.is_mailbox else f"The domain {self.item}"

    def agreed(self, masculine: str) -> str:
        """A French past participle agreeing with the item (boîte is feminine, domaine masculine)."""
        return masculine + "e" if self.is_mailbox else masculine

    def wrap(self, paragraphs: list[str]) -> str:
        hello = f"Bonjour {self.recipient}," if self.fr else f"Hello {self.recipient},"
        footer = (
            f"Vous recevez ce message en tant que propriétaire ou gestionnaire de facturation de {self.organization}."
            if self.fr
            else f"You receive this message as owner or billing manager of {self.organization}."
        )
        return "\n\n".join([hello, *paragraphs, f"-- \n{footer}\nMailrenew"]) + "\n"


def render(
    kind: MessageKind | str,
    params: Mapping[str, object],
    *,
    language: str | None,
    organization_name: str,
    recipient_name: str = "",
) -> Rendered:
    """Subject and body of one message; raises ``NoticeParamsError`` when ``params`` does not fit ``kind``."""
    kind = MessageKind(kind)
    missing = [name for name in REQUIRED[kind] if params.get(name) is None]
    if missing:
        raise NoticeParamsError(f"{kind} notice lacks {', '.join(missing)}")
    item = str(params["item"])
    item_type = params.get("item_type")
    ctx = _Ctx(
        lang=normalize_language(language),
        item=item,
        is_mailbox=item_type == "mailbox" if item_type else "@" in item,
        organization=organization_name,
        recipient=recipient_name.strip(),
        currency=str(params.get("currency") or "EUR"),
    )
    subject, body = _TEMPLATES[kind](ctx, params)
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    return Rendered(subject=subject, body=body)


# --- parameters -------------------------------------------------------------------------------------


def _date(params: Mapping[str, object], name: str) -> dt.date:
    value = params[name]
    if isinstance(value, dt.datetime):
        raise NoticeParamsError(f"{name} must be a date, not a datetime")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise NoticeParamsError(f"{name} must be a date (or an ISO yyyy-mm-dd string), got {value!r}")


def _cents(params: Mapping[str, object], name: str) -> int:
    value = params[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise NoticeParamsError(f"{name} must be an integer number of cents, got {value!r}")
    return value


def _period(ctx: _Ctx, period: object) -> str | None:
    words = {
        "MONTHLY": ("1 mois", "1 month"),
        "YEARLY": ("1 an", "1 year"),
    }.get(str(period) if period is not None else "")
    if words is None:
        return None
    return words[0] if ctx.fr else words[1]


# --- the kinds ------------------------------------------------------------------------------------


def _payment_not_covered(ctx: _Ctx, params: Mapping[str, object]) -> tuple[str, str]:
    expires = _date(params, "expires_at")
    last_try = ctx.date(expires - dt.timedelta(days=1))
    amount, shortfall = (
        ctx.money(_cents(params, "amount_cents")),
        ctx.money(_cents(params, "shortfall_cents")),
    )
    balance = ctx.money(_cents(params, "balance_cents")) if params.get("balance_cents") is not None else None
    if ctx.fr:
        subject = f"Renouvellement de {ctx.item} non couvert : il manque {shortfall}"
        holds = f" ne contient que {balance}" if balance else " ne suffit pas"
        paragraphs = [
            f"{ctx.the_item} expire le {ctx.date(expires)}. Son renouvellement automatique coûte {amount}, "
            f"mais le compte prépayé de {ctx.organization}{holds} : il manque {shortfall}.",
            f"Que faire : créditez le compte prépayé de {ctx.organization} d'au moins {shortfall}, ou "
            f"enregistrez une carte de paiement avec rechargement automatique, avant la dernière tentative "
            f"de renouvellement, le {last_try}.",
        ]
    else:
        subject = f"Renewal of {ctx.item} not covered: {shortfall} missing"
        holds = f" holds only {balance}" if balance else " is not enough"
        paragraphs = [
            f"{ctx.the_item} expires on {ctx.date(expires)}. Its automatic renewal costs {amount}, but the "
            f"prepaid account of {ctx.organization}{holds}: {shortfall} is missing.",
            f"What to do: top up the prepaid account of {ctx.organization} by at least {shortfall}, or register "
            f"a payment card with automatic top-up, before the last renewal attempt on {last_try}.",
        ]
    return subject, ctx.wrap(paragraphs)


def _renewal_receipt(ctx: _Ctx, params: Mapping[str, object]) -> tuple[str, str]:
    new_expires = ctx.date(_date(params, "new_expires_at"))
    amount = ctx.money(_cents(params, "amount_cents"))
    period = _period(ctx, params.get("period"))
    if ctx.fr:
        subject = f"Reçu : {ctx.item} renouvelé{'e' if ctx.is_mailbox else ''} jusqu'au {new_expires}"
        term = f" pour {period}" if period else ""
        paragraphs = [
            f"{ctx.the_item} a été {ctx.agreed('renouvelé')}{term}. Nouvelle date d'expiration : {new_expires}.",
            f"Montant débité du compte prépayé de {ctx.organization} : {amount}.",
            "Vous n'avez rien à faire.",
        ]
    else:
        subject = f"Receipt: {ctx.item} renewed until {new_expires}"
        term = f" for {period}" if period else ""
        paragraphs = [
            f"{ctx.the_item} has been renewed{term}. New expiry date: {new_expires}.",
            f"Amount charged to the prepaid account of {ctx.organization}: {amount}.",
            "There is nothing you need to do.",
        ]
    return subject, ctx.wrap(paragraphs)


def _reason(ctx: _Ctx, reason: str) -> tuple[str, str]:
    """(what went wrong, what to do) for a failure reason, in words."""
    org = ctx.organization
    texts: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
        "INSUFFICIENT_FUNDS": (
            (
                f"le compte prépayé de {org} ne contient pas assez d'argent",
                f"créditez le compte prépayé de {org}, ou enregistrez une carte de paiement avec rechargement "
                "automatique",
            ),
            (
                f"the prepaid account of {org} does not hold enough money",
                f"top up the prepaid account of {org}, or register a payment card with automatic top-up",
            ),
        ),
        "CARD_DECLINED": (
            (
                f"la carte de paiement de {org} a été refusée",
                f"enregistrez une carte valide pour {org}, ou créditez son compte prépayé",
            ),
            (
                f"the payment card of {org} was declined",
                f"register a valid card for {org}, or top up its prepaid account",
            ),
        ),
        "CARD_INSUFFICIENT_FUNDS": (
            (
                f"la carte de paiement de {org} a été refusée faute de provision",
                f"vérifiez le solde ou le plafond de la carte de {org} auprès de votre banque, ou créditez son "
                "compte prépayé",
            ),
            (
                f"the payment card of {org} was refused for lack of funds",
                f"check the balance or limit of the card of {org} with your bank, or top up its prepaid account",
            ),
        ),
        "CARD_EXPIRED": (
            (
                f"la carte de paiement de {org} a expiré ; elle n'a pas été débitée",
                f"enregistrez une nouvelle carte pour {org}, ou créditez son compte prépayé",
            ),
            (
                f"the payment card of {org} has expired; it was not charged",
                f"register a new card for {org}, or top up its prepaid account",
            ),
        ),
        "PAYER_NOT_ALLOWED": (
            (
                f"l'organisation {org} n'est plus autorisée à payer ce renouvellement (la personne qui l'a "
                "choisie n'en est plus propriétaire ni gestionnaire de facturation)",
                "vérifiez l'organisation qui paie dans les réglages de renouvellement automatique, et choisissez-en "
                "une que vous pouvez débiter",
            ),
            (
                f"the organization {org} is no longer allowed to pay for this renewal (whoever chose it is no "
                "longer its owner or billing manager)",
                "check the paying organization in the auto-renewal settings, and choose one you may charge",
            ),
        ),
        "DOMAIN_EXPIRED": (
            (
                "son domaine a expiré",
                "renouvelez d'abord le domaine (activez son renouvellement automatique), la boîte mail pourra "
                "ensuite être renouvelée",
            ),
            (
                "its domain has expired",
                "renew the domain first (turn its auto-renewal on); the mailbox can be renewed after it",
            ),
        ),
        "PRICE_MISSING": (
            (
                "aucun prix n'est défini pour cette offre et cette période",
                "contactez notre support ; rien n'a été débité",
            ),
            (
                "no price is set for this offer and period",
                "contact our support; nothing was charged",
            ),
        ),
        "GATEWAY_UNAVAILABLE": (
            (
                "le service de paiement n'a pas répondu",
                "rien à faire de votre côté si une autre tentative est prévue ; sinon, contactez notre support",
            ),
            (
                "the payment service did not answer",
                "nothing on your side if another attempt is planned; otherwise, contact our support",
            ),
        ),
        "TOP_UP_CAP_REACHED": (
            (
                f"le rechargement automatique dépasserait le plafond mensuel de {org} ; la carte n'a pas été "
                "débitée",
                f"relevez ou retirez le plafond mensuel de {org} (page Facturation), ou créditez son compte prépayé",
            ),
            (
                f"the automatic top-up would pass the monthly cap of {org}; the card was not charged",
                f"raise or remove the monthly cap of {org} (Billing page), or top up its prepaid account",
            ),
        ),
        "INTERNAL_ERROR": (
            (
                "une erreur inattendue est survenue de notre côté ; rien n'a été débité",
                "rien à faire de votre côté si une autre tentative est prévue ; sinon, contactez notre support",
            ),
            (
                "an unexpected error occurred on our side; nothing was charged",
                "nothing on your side if another attempt is planned; otherwise, contact our support",
            ),
        ),
    }
    fallback = (
        ("une erreur inattendue est survenue", "contactez notre support"),
        ("an unexpected error occurred", "contact our support"),
    )
    fr, en = texts.get(reason, fallback)
    return fr if ctx.fr else en


def _renewal_failed(ctx: _Ctx, params: Mapping[str, object]) -> tuple[str, str]:
    expires = _date(params, "expires_at")
    final = bool(params.get("final"))
    what, todo = _reason(ctx, str(params["reason"]))
    last_try = ctx.date(expires - dt.timedelta(days=1))
    if ctx.fr:
        subject = f"Échec du renouvellement de {ctx.item}" + (
            f" : expiration le {ctx.date(expires)}" if final else ""
        )
        next_step = (
            f"C'était la dernière tentative : sans renouvellement, {ctx.item} expirera le {ctx.date(expires)}."
            if final
            else f"Une nouvelle tentative aura lieu demain ; la dernière est prévue le {last_try}."
        )
        paragraphs = [
            f"Le renouvellement automatique de {ctx.item} (expiration le {ctx.date(expires)}) a échoué : "
            f"{what}.",
            f"Que faire : {todo}.",
            next_step,
        ]
    else:
        subject = f"Renewal of {ctx.item} failed" + (f": it expires on {ctx.date(expires)}" if final else "")
        next_step = (
            f"That was the last attempt: unless it is renewed, {ctx.item} expires on {ctx.date(expires)}."
            if final
            else f"We will try again tomorrow; the last attempt is on {last_try}."
        )
        paragraphs = [
            f"The automatic renewal of {ctx.item} (expiring on {ctx.date(expires)}) failed: {what}.",
            f"What to do: {todo}.",
            next_step,
        ]
    return subject, ctx.wrap(paragraphs)


def _expired(ctx: _Ctx, params: Mapping[str, object]) -> tuple[str, str]:
    expired_on = ctx.date(_date(params, "expired_on"))
    if ctx.fr:
        subject = f"{ctx.item} a expiré"
        paragraphs = [
            f"{ctx.the_item} a expiré le {expired_on} : {'elle' if ctx.is_mailbox else 'il'} n'a pas été "
            f"{ctx.agreed('renouvelé')}.",
            f"Que faire : si vous en avez encore besoin, rétablissez-{'la' if ctx.is_mailbox else 'le'} avec « Renouveler maintenant » dans la "
            "console pendant le délai de grâce (30 jours), puis vérifiez son renouvellement automatique (activé, "
            "avec une organisation qui paie et dont le compte est approvisionné).",
        ]
    else:
        subject = f"{ctx.item} has expired"
        paragraphs = [
            f"{ctx.the_item} expired on {expired_on}: it was not renewed.",
            'What to do: if you still need it, restore it with "Renew now" in the console within the grace '
            "period (30 days), then check its auto-renewal (enabled, with a paying organization whose account is "
            "funded).",
        ]
    return subject, ctx.wrap(paragraphs)


def _top_up_cap_reached(ctx: _Ctx, params: Mapping[str, object]) -> tuple[str, str]:
    day = ctx.date(_date(params, "day"))
    amount, cap = ctx.money(_cents(params, "amount_cents")), ctx.money(_cents(params, "cap_cents"))
    spent, count = ctx.money(_cents(params, "spent_cents")), _cents(params, "count")
    org = ctx.organization
    if ctx.fr:
        subject = f"Plafond mensuel de recharge atteint pour {org}"
        paragraphs = [
            f"Le {day}, les renouvellements de {org} demandaient un rechargement automatique de {amount}, mais "
            f"{spent} ont déjà été rechargés ce mois-ci et le plafond mensuel est de {cap} : la carte n'a pas été "
            f"débitée, et {count} renouvellement(s) n'ont pas pu être payés.",
            f"Que faire : relevez ou retirez le plafond (page Facturation), ou créditez le compte prépayé de {org} ;"
            " les renouvellements seront retentés le jour suivant tant que la fenêtre est ouverte.",
        ]
    else:
        subject = f"Monthly top-up cap reached for {org}"
        paragraphs = [
            f"On {day}, the renewals of {org} needed an automatic top-up of {amount}, but {spent} were already "
            f"topped up this month and the monthly cap is {cap}: the card was not charged, and {count} "
            "renewal(s) could not be paid.",
            f"What to do: raise or remove the cap (Billing page), or top up the prepaid account of {org}; the "
            "renewals are tried again the next day while their window is open.",
        ]
    return subject, ctx.wrap(paragraphs)


def _card_expiring(ctx: _Ctx, params: Mapping[str, object]) -> tuple[str, str]:
    last_day = ctx.date(_date(params, "expires_on"))
    tops_up = bool(params.get("auto_top_up"))
    if ctx.fr:
        subject = f"La carte {ctx.item} expire le {last_day}"
        paragraphs = [f"La carte de paiement {ctx.item} de {ctx.organization} expire le {last_day}."]
        if tops_up:
            paragraphs.append(
                "Elle recharge automatiquement le compte prépayé quand un renouvellement le demande : après "
                "cette date elle ne le pourra plus, et les renouvellements que le solde ne couvre pas échoueront."
            )
        paragraphs.append(
            f"Que faire : enregistrez une nouvelle carte pour {ctx.organization} avant le {last_day}, ou "
            "créditez son compte prépayé pour les prochains renouvellements."
        )
    else:
        subject = f"The card {ctx.item} expires on {last_day}"
        paragraphs = [f"The payment card {ctx.item} of {ctx.organization} expires on {last_day}."]
        if tops_up:
            paragraphs.append(
                "It tops up the prepaid account automatically when a renewal needs it: after that date it no "
                "longer can, and renewals the balance does not cover will fail."
            )
        paragraphs.append(
            f"What to do: register a new card for {ctx.organization} before {last_day}, or top up its prepaid "
            "account for the coming renewals."
        )
    return subject, ctx.wrap(paragraphs)


_TEMPLATES: Mapping[MessageKind, Callable[[_Ctx, Mapping[str, object]], tuple[str, str]]] = {
    MessageKind.PAYMENT_NOT_COVERED: _payment_not_covered,
    MessageKind.RENEWAL_RECEIPT: _renewal_receipt,
    MessageKind.RENEWAL_FAILED: _renewal_failed,
    MessageKind.EXPIRED: _expired,
    MessageKind.CARD_EXPIRING: _card_expiring,
    MessageKind.TOP_UP_CAP_REACHED: _top_up_cap_reached,
}
