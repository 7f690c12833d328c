from __future__ import annotations

import strawberry

from mailrenew.config import business_today
from mailrenew.graphql.accounts.types import Organization
from mailrenew.graphql.context import Info
from mailrenew.graphql.errors import PublicError
from mailrenew.graphql.permissions import billing_of_argument
from mailrenew.graphql.relay import pk_of
from mailrenew.graphql.renewal.types import RenewalForecast
from mailrenew.renewal.forecast import forecast

MAX_FORECAST_DAYS = 366


@strawberry.type
class RenewalQuery:
    @strawberry.field(
        description="The renewals an organization will pay in the next `days` days, its balance and shortfall "
        "(OWNER or BILLING).",
        extensions=[billing_of_argument()],
    )
    async def upcoming_renewals(
        self, info: Info, organization_id: strawberry.ID, days: int = 30
    ) -> RenewalForecast:
        return await _forecast(info, organization_id, days)

    @strawberry.field(
        description="What the next `days` days will charge an organization and what will fail, and why: the "
        "window's own projection (balance, then one card top-up a day within the monthly cap); the same answer "
        "as `upcomingRenewals` and `mailrenew renew --dry-run` (OWNER or BILLING).",
        extensions=[billing_of_argument()],
    )
    async def renewal_forecast(
        self, info: Info, organization_id: strawberry.ID, days: int = 30
    ) -> RenewalForecast:
        return await _forecast(info, organization_id, days)


async def _forecast(info: Info, organization_id: strawberry.ID, days: int) -> RenewalForecast:
    if not 1 <= days <= MAX_FORECAST_DAYS:
        raise PublicError(f"`days` must be between 1 and {MAX_FORECAST_DAYS}.")
    org_id = pk_of(organization_id, "Organization")
    assert org_id is not None  # checked by billing_of_argument
    row = await info.context.loaders.organization_by_id.load(org_id)
    assert row is not None
    result = await forecast([org_id], business_today(info.context.settings), days)
    return RenewalForecast.build(Organization.from_row(row), result[org_id], days)
