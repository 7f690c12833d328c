"""What may keep a mailbox from renewing, told where the user acts (API and console)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mailrenew.billing.service import card_expired
from mailrenew.hosting.models import Domain, DomainStatus, Mailbox
from mailrenew.i18n import format_cents
from mailrenew.renewal.calendar import next_term_end
from mailrenew.renewal.models import FailureReason

if TYPE_CHECKING:
    from mailrenew.billing.models import Card
    from mailrenew.renewal.forecast import Forecast


@dataclass(frozen=True)
class Warning:
    code: str
    params: dict[str, object] = field(default_factory=dict)
    amount_cents: int | None = None


def mailbox_warnings(mailbox: Mailbox, domain: Domain) -> list[Warning]:
    """Mailboxes depend on their domain: warn when it will not renew, or lapses before the mailbox's next term.

    ``DOMAIN_EXPIRES_FIRST`` is raised only when nothing will renew the domain in time (its own auto-renewal
    is off or failed): a domain on auto-renewal is renewed in its own window before it expires.
    """
    if not mailbox.auto_renew_enabled or mailbox.auto_renew_period is None:
        return []
    warnings = []
    domain_renews = domain.auto_renew_enabled and domain.status == DomainStatus.ACTIVE
    if not domain.auto_renew_enabled:
        warnings.append(Warning("DOMAIN_AUTO_RENEW_OFF", {"fqdn": domain.fqdn}))
    term_end = next_term_end(mailbox.expires_at, mailbox.auto_renew_period)
    if not domain_renews and domain.expires_at < term_end:
        warnings.append(Warning("DOMAIN_EXPIRES_FIRST", {"fqdn": domain.fqdn, "date": domain.expires_at}))
    return warnings


def balance_warning(forecast: Forecast, payer_name: str, language: str) -> Warning | None:
    """Some coming renewals will fail for lack of money: the balance falls short and no usable card tops it up
    (none, automatic top-up off, expired by the charge date, last charge refused, or the monthly cap)."""
    if not forecast.uncovered():
        return None
    return Warning(
        "BALANCE_SHORT",
        {"payer": payer_name, "amount": format_cents(forecast.shortfall_cents, language=language)},
        amount_cents=forecast.shortfall_cents,
    )


def card_warning(
    forecast: Forecast, kind: str, item_id: int, card: Card | None, payer_name: str, language: str
) -> Warning | None:
    """The balance alone will not cover this item's next charge, and the card that would top it up expires
    before that day (a card is valid through the end of its expiry month)."""
    if card is None or not card.auto_top_up:
        return None
    item = next((i for i in forecast.items if i.kind == kind and i.id == item_id), None)
    if (
        item is None
        or item.reason is not FailureReason.CARD_EXPIRED
        or not card_expired(card, item.charge_on)
    ):
        return None
    return Warning(
        "CARD_EXPIRES_FIRST",
        {
            "payer": payer_name,
            "card": f"{card.brand} •••• {card.last4}",
            "expiry": f"{card.exp_month:02d}/{card.exp_year}",
            "date": item.charge_on,
            "amount": format_cents(forecast.shortfall_cents, language=language),
        },
        amount_cents=forecast.shortfall_cents,
    )
