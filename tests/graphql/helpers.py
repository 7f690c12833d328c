"""Helpers of the GraphQL API tests: global ids, expected messages, and re-reads of the database.

Global ids and messages are written out here on purpose, not imported from the backend: the tests check the
contract (API.md), so a change in ``mailrenew.graphql.relay`` or ``mailrenew.i18n`` must show up as a failure.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from mailrenew.audit.models import AuditEvent
from mailrenew.hosting.models import Domain, Mailbox


def gid(type_name: str, pk: int) -> str:
    """The Relay global id of a row, as the API hands it out (url-safe base64 of ``Type:pk``, unpadded)."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


MALFORMED_IDS = ["not-an-id", "", "%%%", encoded("Mailbox:abc"), encoded("Mailbox:-1"), encoded(":1")]
"""Ids no object can have: not base64, empty, not even url-safe, a non-numeric or negative key, no type."""

OUT_OF_RANGE_KEYS = [2**31, 2**63, 10**30]
"""Well-formed ids whose key no row can have: beyond PostgreSQL's ``integer``, beyond SQLite's 64-bit integer."""


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
    "TOO_MANY": {"en": "At most {max} items at once.", "fr": "Au plus {max} éléments à la fois."},
    "DOMAIN_AUTO_RENEW_OFF": {
        "en": "The domain {fqdn} is not on auto-renewal: the mailbox depends on it.",
        "fr": "Le domaine {fqdn} n'est pas en renouvellement automatique : la boîte mail en dépend.",
    },
    "DOMAIN_EXPIRES_FIRST": {
        "en": "The domain {fqdn} expires on {date}, before the mailbox's next term ends.",
        "fr": "Le domaine {fqdn} expire le {date}, avant la fin du prochain terme de la boîte mail.",
    },
}


def user_error(
    code: str, field: list[str] | None, *, language: str = "en", **params: object
) -> dict[str, Any]:
    """One expected ``UserError`` as the API returns it."""
    return {"field": field, "code": code, "message": MESSAGES[code][language].format(**params)}


def warning(code: str, *, language: str = "en", **params: object) -> dict[str, Any]:
    return {"code": code, "message": MESSAGES[code][language].format(**params)}


# --- re-reading the database -------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """A row's auto-renew settings as stored: (enabled, period, payer organization id)."""

    enabled: bool
    period: str | None
    payer_id: int | None


OFF = Settings(False, None, None)


async def mailbox_settings() -> dict[int, Settings]:
    """Every mailbox's stored auto-renew settings, by id."""
    rows = await Mailbox.all().values("id", "auto_renew_enabled", "auto_renew_period", "auto_renew_payer_id")
    return {
        r["id"]: Settings(
            bool(r["auto_renew_enabled"]),
            str(r["auto_renew_period"]) if r["auto_renew_period"] else None,
            r["auto_renew_payer_id"],
        )
        for r in rows
    }


async def domain_settings() -> dict[int, tuple[bool, int | None]]:
    """Every domain's stored (auto-renew enabled, payer organization id), by id."""
    rows = await Domain.all().values("id", "auto_renew_enabled", "auto_renew_payer_id")
    return {r["id"]: (bool(r["auto_renew_enabled"]), r["auto_renew_payer_id"]) for r in rows}


async def audit_rows() -> list[dict[str, Any]]:
    """The audit_events table, oldest first, without ids and timestamps."""
    return [
        {
            "actor_id": e.actor_id,
            "organization_id": e.organization_id,
            "action": e.action,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "before": e.before,
            "after": e.after,
        }
        for e in await AuditEvent.all().order_by("id")
    ]


def audit_row(
    *,
    actor_id: int,
    organization_id: int,
    action: str,
    target_type: str,
    target_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
) -> dict[str, Any]:
    return {
        "actor_id": actor_id,
        "organization_id": organization_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "before": before,
        "after": after,
    }


def state(enabled: bool, period: str | None = None, payer_id: int | None = None) -> dict[str, Any]:
    """A mailbox's auto-renew state as the audit log records it."""
    return {"enabled": enabled, "period": period, "payer_organization_id": payer_id}
