from __future__ import annotations

import strawberry

from mailrenew.billing import service as billing
from mailrenew.config import business_today
from mailrenew.graphql.accounts.types import Organization
from mailrenew.graphql.billing.types import Card, LedgerEntry
from mailrenew.graphql.context import Info
from mailrenew.graphql.errors import FieldPaths, UserError, user_errors_as
from mailrenew.graphql.relay import pk_of

UNKNOWN_ID = -1


@strawberry.input(
    description="Card details go to the gateway; only brand, last 4, expiry and its token are kept."
)
class CardInput:
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    auto_top_up: bool = False


@strawberry.type
class TopUpPayload:
    organization: Organization | None = None
    ledger_entry: LedgerEntry | None = None
    user_errors: list[UserError]


@strawberry.type
class RegisterCardPayload:
    organization: Organization | None = None
    card: Card | None = None
    user_errors: list[UserError]


@strawberry.type
class SetAutoTopUpPayload:
    organization: Organization | None = None
    card: Card | None = None
    user_errors: list[UserError]


@strawberry.input(description="Automatic top-up limits; `monthlyCapCents` null removes the cap.")
class TopUpPolicyInput:
    minimum_cents: int
    monthly_cap_cents: int | None = None


@strawberry.type
class SetTopUpPolicyPayload:
    organization: Organization | None = None
    user_errors: list[UserError]


SET_TOP_UP_POLICY_PATHS: FieldPaths = {
    "organization": ("organizationId",),
    "minimum": ("input", "minimumCents"),
    "monthly_cap": ("input", "monthlyCapCents"),
}
TOP_UP_PATHS: FieldPaths = {
    "organization": ("organizationId",),
    "amount": ("amountCents",),
    "idempotency_key": ("idempotencyKey",),
}
REGISTER_CARD_PATHS: FieldPaths = {"organization": ("organizationId",), "card_number": ("input", "number")}
SET_AUTO_TOP_UP_PATHS: FieldPaths = {"organization": ("organizationId",)}


async def _organization(info: Info, org_id: int) -> Organization:
    info.context.loaders.account_by_organization.forget(org_id)
    info.context.loaders.card_by_organization.forget(org_id)
    row = await info.context.loaders.organization_by_id.load(org_id)
    assert row is not None
    return Organization.from_row(row)


@strawberry.type
class BillingMutation:
    @strawberry.mutation(
        description="Charge the registered card and credit the prepaid account, once per key."
    )
    @user_errors_as(TopUpPayload, TOP_UP_PATHS)
    async def top_up(
        self, info: Info, organization_id: strawberry.ID, amount_cents: int, idempotency_key: str
    ) -> TopUpPayload:
        org_id = pk_of(organization_id, "Organization") or UNKNOWN_ID
        entry = await billing.top_up(
            info.context.actor,
            org_id,
            amount_cents,
            idempotency_key,
            today=business_today(info.context.settings),
        )
        return TopUpPayload(
            organization=await _organization(info, org_id),
            ledger_entry=LedgerEntry.from_row(entry),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Register (or replace) the organization's card with the payment gateway."
    )
    @user_errors_as(RegisterCardPayload, REGISTER_CARD_PATHS)
    async def register_card(
        self, info: Info, organization_id: strawberry.ID, input: CardInput
    ) -> RegisterCardPayload:
        org_id = pk_of(organization_id, "Organization") or UNKNOWN_ID
        card = billing.CardInput(input.number, input.exp_month, input.exp_year, input.cvc, input.auto_top_up)
        row = await billing.register_card(
            info.context.actor, org_id, card, today=business_today(info.context.settings)
        )
        return RegisterCardPayload(
            organization=await _organization(info, org_id), card=Card.from_row(row), user_errors=[]
        )

    @strawberry.mutation(description="Turn automatic top-up from the registered card on or off.")
    @user_errors_as(SetAutoTopUpPayload, SET_AUTO_TOP_UP_PATHS)
    async def set_auto_top_up(
        self, info: Info, organization_id: strawberry.ID, enabled: bool
    ) -> SetAutoTopUpPayload:
        org_id = pk_of(organization_id, "Organization") or UNKNOWN_ID
        row = await billing.set_auto_top_up(info.context.actor, org_id, enabled)
        return SetAutoTopUpPayload(
            organization=await _organization(info, org_id), card=Card.from_row(row), user_errors=[]
        )

    @strawberry.mutation(
        description="Set the minimum of an automatic top-up and the monthly cap on them (OWNER or BILLING)."
    )
    @user_errors_as(SetTopUpPolicyPayload, SET_TOP_UP_POLICY_PATHS)
    async def set_top_up_policy(
        self, info: Info, organization_id: strawberry.ID, input: TopUpPolicyInput
    ) -> SetTopUpPolicyPayload:
        org_id = pk_of(organization_id, "Organization") or UNKNOWN_ID
        await billing.set_top_up_policy(
            info.context.actor, org_id, input.minimum_cents, input.monthly_cap_cents
        )
        return SetTopUpPolicyPayload(organization=await _organization(info, org_id), user_errors=[])
