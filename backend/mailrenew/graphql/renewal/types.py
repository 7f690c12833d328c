from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from mailrenew.graphql.accounts.types import Organization, load_organization
from mailrenew.graphql.context import Info
from mailrenew.graphql.relay import Node, to_global_id
from mailrenew.renewal import models
from mailrenew.renewal.forecast import Forecast, ForecastItem

AttemptOutcome = strawberry.enum(models.AttemptOutcome, name="AttemptOutcome")
RenewalFailureReason = strawberry.enum(models.FailureReason, name="RenewalFailureReason")


@strawberry.type(description="One attempt to renew an item on one business day.")
class RenewalAttempt(Node):
    business_day: dt.date
    term_expires_at: dt.date
    new_expires_at: dt.date | None
    outcome: AttemptOutcome  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    failure_reason: RenewalFailureReason | None  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    amount_cents: int
    currency: str
    created_at: dt.datetime
    payer_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.RenewalAttempt) -> RenewalAttempt:
        return cls(
            id=to_global_id("RenewalAttempt", row.id),
            business_day=row.business_day,
            term_expires_at=row.term_expires_at,
            new_expires_at=row.new_expires_at,
            outcome=row.outcome,
            failure_reason=row.failure_reason,
            amount_cents=row.amount_cents,
            currency="EUR",
            created_at=row.created_at,
            payer_id=row.payer_id,
        )

    @strawberry.field
    async def payer(self, info: Info) -> Organization | None:
        return await load_organization(info, self.payer_id)


@strawberry.enum
class RenewableKind(Enum):
    MAILBOX = "mailbox"
    DOMAIN = "domain"


@strawberry.type(description="A renewal expected in the coming days.")
class UpcomingRenewal:
    kind: RenewableKind
    item_id: strawberry.ID
    label: str = strawberry.field(description="The mailbox address or the domain name.")
    expires_at: dt.date
    date: dt.date = strawberry.field(description="When it will be charged (the window opens at J-5).")
    amount_cents: int

    @classmethod
    def from_item(cls, item: ForecastItem) -> UpcomingRenewal:
        kind = RenewableKind(item.kind)
        return cls(
            kind=kind,
            item_id=to_global_id(kind.name.capitalize(), item.id),
            label=item.label,
            expires_at=item.expires_at,
            date=item.charge_on,
            amount_cents=item.amount_cents,
        )


@strawberry.type(description="The coming renewals paid by one organization, and whether they are covered.")
class RenewalForecast:
    organization: Organization
    days: int
    items: list[UpcomingRenewal]
    total_cents: int
    balance_cents: int
    shortfall_cents: int = strawberry.field(
        description="What the balance lacks (0 when it covers everything)."
    )
    covered_by_card: bool = strawberry.field(
        description="A card with automatic top-up will cover the shortfall."
    )
    currency: str = "EUR"

    @classmethod
    def build(cls, organization: Organization, forecast: Forecast, days: int) -> RenewalForecast:
        return cls(
            organization=organization,
            days=days,
            items=[UpcomingRenewal.from_item(i) for i in forecast.items],
            total_cents=forecast.total_cents,
            balance_cents=forecast.balance_cents,
            shortfall_cents=forecast.shortfall_cents,
            covered_by_card=forecast.covered_by_card,
        )
