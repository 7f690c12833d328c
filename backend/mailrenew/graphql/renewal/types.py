from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from mailrenew.config import business_today
from mailrenew.graphql.accounts.types import Organization, load_organization
from mailrenew.graphql.context import Info
from mailrenew.graphql.relay import Node, to_global_id
from mailrenew.hosting.renewables import ItemKind
from mailrenew.renewal import models, status, window
from mailrenew.renewal.forecast import Forecast, ForecastItem
from mailrenew.renewal.manual import DEFAULT_PERIODS, may_renew_now, open_to_renewal

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
    will_renew: bool = strawberry.field(description="The forecast says it will renew on that day.")
    failure_reason: RenewalFailureReason | None = strawberry.field(  # type: ignore[valid-type]  # strawberry.enum() value
        description="Why it will fail (as the sweep would record it), when it will."
    )

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
            will_renew=item.will_renew,
            failure_reason=item.reason,
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
        description="The card's automatic top-ups will cover the shortfall (it tops up, has not expired by the "
        "charge date, its last charge was not refused, and the monthly cap allows it)."
    )
    card_charge_cents: int = strawberry.field(
        description="What automatic top-ups will charge the card over the period (one charge per day at most, "
        "at least the minimum top-up)."
    )
    failing_count: int = strawberry.field(description="How many of the items will fail.")
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
            card_charge_cents=forecast.card_cents,
            failing_count=len(forecast.failing),
        )


RenewalStateEnum = strawberry.enum(
    status.RenewalState,
    name="RenewalState",
    description="OFF, SCHEDULED, AWAITING_FUNDS (the payer will not cover it), RETRYING (attempt k of 5), FAILED "
    "(after the J-1 attempt), EXPIRED (within the grace period: renewable by hand), LAPSED.",
)


@strawberry.type(description="The last failed attempt of the current term.")
class RenewalFailure:
    reason: RenewalFailureReason  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    at: dt.datetime


@strawberry.type(description="Where an item's renewal stands, as the renewal window sees it today.")
class RenewalStatus:
    state: RenewalStateEnum  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    next_attempt_on: dt.date | None = strawberry.field(
        description="The next business day it will be attempted."
    )
    amount_cents: int | None = strawberry.field(
        description="What the next attempt will charge; FAILED and EXPIRED: what renewing it now would charge."
    )
    currency: str
    attempt: int | None = strawberry.field(
        description="RETRYING: the number of the next attempt; FAILED: of the last one."
    )
    max_attempts: int
    last_failure: RenewalFailure | None
    renewed_until: dt.date | None = strawberry.field(
        description="The end of the term the last successful renewal paid for."
    )
    viewer_can_renew_now: bool = strawberry.field(
        description="May the viewer renew it by hand now (`renewNow`: OWNER or BILLING of the payer; not OFF "
        "items far from expiry, nor LAPSED ones)?"
    )


async def load_renewal_status(
    info: Info,
    *,
    kind: str,
    item: status.Item,
    item_id: int,
    product: str,
    offer: str,
    period: str | None,
    payer_id: int | None,
    owner_id: int | None,
) -> RenewalStatus:
    """One renewal status (``renewal.status.status_of``), its attempts, prices and forecast batched per request."""
    loaders = info.context.loaders
    today = loaders.today or business_today(info.context.settings)
    attempts_loader = loaders.attempts_by_mailbox if kind == "mailbox" else loaders.attempts_by_domain
    attempts = await attempts_loader.load(item_id)
    # The period renewing by hand would use when none is set (renewal.manual.DEFAULT_PERIODS).
    period = period or str(DEFAULT_PERIODS[ItemKind(kind)])
    amount = window.cost(await loaders.prices(), product, offer, period)
    covered = True
    if item.auto_renew_enabled and payer_id is not None:
        forecast = await loaders.forecast_by_payer.load(payer_id)
        covered = not any(u.kind == kind and u.id == item_id for u in forecast.failing)
    found = status.status_of(
        item,
        today,
        attempts,
        amount_cents=amount,
        covered=covered,
        grace_days=info.context.settings.renewal_grace_days,
    )
    failure = found.last_failure
    return RenewalStatus(
        state=found.state,
        next_attempt_on=found.next_attempt_on,
        amount_cents=found.amount_cents,
        currency="EUR",
        attempt=found.attempt,
        max_attempts=found.max_attempts,
        last_failure=RenewalFailure(reason=models.FailureReason(failure.reason), at=failure.at)
        if failure
        else None,
        renewed_until=found.renewed_until,
        viewer_can_renew_now=found.state in RENEWABLE_NOW
        and open_to_renewal(item.expires_at, item.status, today)
        and owner_id is not None
        and may_renew_now(info.context.actor, payer_id, owner_id),
    )


RENEWABLE_NOW = frozenset(
    {
        status.RenewalState.SCHEDULED,
        status.RenewalState.AWAITING_FUNDS,
        status.RenewalState.RETRYING,
        status.RenewalState.FAILED,
        status.RenewalState.EXPIRED,
    }
)
"""States a user may renew by hand (OFF items too are renewable through the API; the console offers it on
these)."""
