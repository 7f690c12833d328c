from __future__ import annotations

import strawberry

from mailrenew.accounts import models
from mailrenew.accounts.permissions import Action
from mailrenew.graphql.context import Info
from mailrenew.graphql.relay import Node, to_global_id

Role = strawberry.enum(
    models.Role, name="Role", description="OWNER, ADMIN (manages services), BILLING (pays), MEMBER (reads)."
)
Language = strawberry.enum(models.Language, name="Language")


@strawberry.type
class Organization(Node):
    row: strawberry.Private[models.Organization]
    name: str
    currency: str = "EUR"

    @classmethod
    def from_row(cls, row: models.Organization) -> Organization:
        return cls(id=to_global_id("Organization", row.id), row=row, name=row.name)

    @strawberry.field(description="The viewer's role here; null when the viewer is not a member.")
    def viewer_role(self, info: Info) -> Role | None:  # type: ignore[valid-type]
        return info.context.actor.roles.get(self.row.id)

    @strawberry.field(description="May the viewer choose this organization as payer?")
    def viewer_can_pay(self, info: Info) -> bool:
        return info.context.actor.may(Action.PAY, self.row.id)


@strawberry.type
class Membership:
    role: Role  # type: ignore[valid-type]
    organization: Organization


@strawberry.type
class User(Node):
    row: strawberry.Private[models.User]
    email: str
    display_name: str
    language: Language  # type: ignore[valid-type]

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
