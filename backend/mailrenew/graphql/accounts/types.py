from __future__ import annotations

import strawberry

from mailrenew.accounts import models
from mailrenew.accounts.access import Action
from mailrenew.graphql.billing.types import Card, LedgerEntry
from mailrenew.graphql.context import Info
from mailrenew.graphql.loaders import PageKey
from mailrenew.graphql.permissions import billing_of_organization
from mailrenew.graphql.relay import Connection, Node, connection, page_args, to_global_id

Role = strawberry.enum(
    models.Role, name="Role", description="OWNER, ADMIN (manages services), BILLING (pays), MEMBER (reads)."
)
Language = strawberry.enum(models.Language, name="Language")


@strawberry.type(description="Automatic top-ups of the prepaid account from the card.")
class TopUpPolicy:
    minimum_cents: int = strawberry.field(description="An automatic top-up charges at least this much.")
    monthly_cap_cents: int | None = strawberry.field(
        description="Automatic top-ups of one calendar month never pass this (null: no cap)."
    )
    charged_this_month_cents: int = strawberry.field(
        description="Automatic top-ups charged this month (what the cap counts)."
    )
    currency: str = "EUR"


@strawberry.type
class Organization(Node):
    row: strawberry.Private[models.Organization]
    name: str
    currency: str = "EUR"

    @classmethod
    def from_row(cls, row: models.Organization) -> Organization:
        return cls(id=to_global_id("Organization", row.id), row=row, name=row.name)

    @strawberry.field(description="The viewer's role here; null when the viewer is not a member.")
    def viewer_role(self, info: Info) -> Role | None:  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
        return info.context.actor.roles.get(self.row.id)

    @strawberry.field(description="May the viewer choose this organization as payer?")
    def viewer_can_pay(self, info: Info) -> bool:
        return info.context.actor.may(Action.PAY, self.row.id)

    @strawberry.field(description="May the viewer manage this organization's services (auto-renewal)?")
    def viewer_can_manage(self, info: Info) -> bool:
        return info.context.actor.may(Action.MANAGE_SERVICES, self.row.id)

    @strawberry.field(
        description="May the viewer see this organization's balance, card, ledger and forecast?"
    )
    def viewer_can_see_billing(self, info: Info) -> bool:
        return info.context.actor.may(Action.VIEW_BILLING, self.row.id)

    @strawberry.field(
        description="Prepaid balance in cents; null unless the viewer is OWNER or BILLING here.",
        extensions=[billing_of_organization(otherwise=lambda _: None)],
    )
    async def prepaid_balance_cents(self, info: Info) -> int | None:
        account = await info.context.loaders.account_by_organization.load(self.row.id)
        return account.balance_cents if account else 0

    @strawberry.field(
        description="What an automatic top-up charges at least and at most per month (OWNER or BILLING only).",
        extensions=[billing_of_organization(otherwise=lambda _: None)],
    )
    async def top_up_policy(self, info: Info) -> TopUpPolicy | None:
        from mailrenew.billing.service import standing_of
        from mailrenew.config import business_today

        standing = (await standing_of([self.row.id], business_today(info.context.settings)))[self.row.id]
        return TopUpPolicy(
            minimum_cents=standing.min_top_up_cents,
            monthly_cap_cents=standing.cap_cents,
            charged_this_month_cents=standing.auto_charged_cents,
        )

    @strawberry.field(
        description="The registered card (OWNER or BILLING only).",
        extensions=[billing_of_organization(otherwise=lambda _: None)],
    )
    async def card(self, info: Info) -> Card | None:
        row = await info.context.loaders.card_by_organization.load(self.row.id)
        return Card.from_row(row) if row else None

    @strawberry.field(
        description="Movements of the prepaid account, newest first (OWNER or BILLING only).",
        extensions=[
            billing_of_organization(
                otherwise=lambda args: connection(
                    [], page=page_args(args.get("first"), args.get("after")), total=0
                )
            )
        ],
    )
    async def ledger(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[LedgerEntry]:
        page = page_args(first, after)
        loaders = info.context.loaders
        account = await loaders.account_by_organization.load(self.row.id)
        if account is None:
            return connection([], page=page, total=0)
        rows = await loaders.ledger_page_by_account.load(PageKey(account.id, page.limit, page.offset))
        total = await loaders.ledger_count_by_account.load(account.id)
        return connection([LedgerEntry.from_row(r, account.currency) for r in rows], page=page, total=total)


@strawberry.type
class Membership:
    role: Role  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    organization: Organization


@strawberry.type
class User(Node):
    row: strawberry.Private[models.User]
    email: str
    display_name: str
    language: Language  # type: ignore[valid-type]  # a strawberry.enum() value used as a type

    @classmethod
    def from_row(cls, row: models.User) -> User:
        return cls(
            id=to_global_id("User", row.id),
            row=row,
            email=row.email,
            display_name=row.display_name,
            language=row.language,
        )

    @strawberry.field
    async def memberships(self, info: Info) -> list[Membership]:
        actor = info.context.actor
        orgs = await info.context.loaders.organization_by_id.load_many(actor.organization_ids)
        return [Membership(role=actor.roles[o.id], organization=Organization.from_row(o)) for o in orgs if o]

    @strawberry.field(
        description="Organizations the viewer may charge (OWNER or BILLING): the payer choices."
    )
    async def payable_organizations(self, info: Info) -> list[Organization]:
        ids = info.context.actor.organizations_where(Action.PAY)
        orgs = await info.context.loaders.organization_by_id.load_many(ids)
        return sorted((Organization.from_row(o) for o in orgs if o), key=lambda o: o.name.lower())

    @strawberry.field(description="Organizations whose services the viewer may manage (OWNER or ADMIN).")
    async def manageable_organizations(self, info: Info) -> list[Organization]:
        ids = info.context.actor.organizations_where(Action.MANAGE_SERVICES)
        orgs = await info.context.loaders.organization_by_id.load_many(ids)
        return sorted((Organization.from_row(o) for o in orgs if o), key=lambda o: o.name.lower())


async def load_organization(info: Info, org_id: int | None) -> Organization | None:
    """An organization referenced by a row (owner, payer), through the request's loader."""
    if org_id is None:
        return None
    row = await info.context.loaders.organization_by_id.load(org_id)
    return Organization.from_row(row) if row else None


async def load_member_organization(info: Info, org_id: int | None) -> Organization | None:
    """An organization the viewer belongs to (by id); None for any other, as for an unknown id."""
    if org_id is None or not info.context.actor.may(Action.VIEW, org_id):
        return None
    return await load_organization(info, org_id)
