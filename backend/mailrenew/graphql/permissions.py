"""Who may call what, declared once per field; the rules themselves live in ``accounts.access``.

Every request is authenticated before the schema runs (``graphql/app.py``); then:

| field                                               | rule                                              |
| --------------------------------------------------- | ------------------------------------------------- |
| ``domains``, ``domain``, ``domainByFqdn``,          | scoped to the viewer's organizations by a         |
| ``mailbox``, ``node``, ``organizations``            | subquery on memberships (``access.organizations``) |
| ``organization``                                    | the viewer is a member (``Action.VIEW``)           |
| ``Organization.prepaidBalanceCents``, ``card``      | ``billing_of_organization``: null otherwise        |
| ``Organization.ledger``                             | ``billing_of_organization``: empty otherwise       |
| ``upcomingRenewals``                                | ``billing_of_argument``: NOT_FOUND otherwise       |
| ``setAutoRenew``, ``bulkSetAutoRenew``,             | the service checks ``MANAGE_SERVICES`` on the      |
| ``setDomainAutoRenew``                              | domain's owner and ``PAY`` on the payer            |
| ``topUp``, ``registerCard``, ``setAutoTopUp``       | the service checks ``PAY`` on the organization     |
| ``viewer``, ``setLanguage``, ``outbox``,            | the viewer's own data                              |
| ``markOutboxRead``                                  |                                                    |

Mutations check in their service because the organization is known only once the object is loaded (and an
object the viewer may not see must answer NOT_FOUND, one they see but may not change NOT_ALLOWED).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver, SyncExtensionResolver

from mailrenew.accounts.access import Action
from mailrenew.graphql.context import Info
from mailrenew.graphql.errors import PublicError
from mailrenew.graphql.relay import pk_of

OrganizationOf = Callable[[Any, dict[str, Any]], int | None]
"""(source object, resolver arguments) → the organization the field concerns."""


def _denied(kwargs: dict[str, Any]) -> Any:
    raise PublicError("Organization not found, or you may not see its billing.", code="NOT_FOUND")


class Requires(FieldExtension):
    """The viewer may do ``action`` on the field's organization; otherwise answer ``otherwise(arguments)``."""

    def __init__(
        self,
        action: Action,
        organization_of: OrganizationOf,
        otherwise: Callable[[dict[str, Any]], Any] = _denied,
    ) -> None:
        self.action = action
        self.organization_of = organization_of
        self.otherwise = otherwise

    def allowed(self, source: Any, info: Info, kwargs: dict[str, Any]) -> bool:
        return info.context.actor.may(self.action, self.organization_of(source, kwargs))

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs) if self.allowed(source, info, kwargs) else self.otherwise(kwargs)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        if not self.allowed(source, info, kwargs):
            return self.otherwise(kwargs)
        return await next_(source, info, **kwargs)


def _the_organization(source: Any, kwargs: dict[str, Any]) -> int | None:
    return int(source.row.id)


def _the_organization_argument(source: Any, kwargs: dict[str, Any]) -> int | None:
    return pk_of(kwargs["organization_id"], "Organization")


def billing_of_organization(otherwise: Callable[[dict[str, Any]], Any]) -> Requires:
    """A field of ``Organization`` that only its OWNER and BILLING members may read."""
    return Requires(Action.VIEW_BILLING, _the_organization, otherwise)


def billing_of_argument() -> Requires:
    """A root field about the organization named by its ``organizationId`` argument (OWNER or BILLING)."""
    return Requires(Action.VIEW_BILLING, _the_organization_argument)
