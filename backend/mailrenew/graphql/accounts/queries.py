from __future__ import annotations

import strawberry

from mailrenew.accounts import queries
from mailrenew.accounts import service as accounts
from mailrenew.accounts.models import Language as LanguageModel
from mailrenew.graphql.accounts.types import Language, Organization, User, load_member_organization
from mailrenew.graphql.context import Info
from mailrenew.graphql.errors import UserError
from mailrenew.graphql.relay import Connection, connection, page_args, pk_of


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The signed-in user.")
    def viewer(self, info: Info) -> User:
        return User.from_row(info.context.user)

    @strawberry.field(description="The organizations the viewer belongs to.")
    async def organizations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Organization]:
        page = page_args(first, after)
        rows, total = await queries.organizations_page(
            info.context.actor, limit=page.limit, offset=page.offset
        )
        info.context.loaders.organization_by_id.prime_many_rows(rows)
        return connection([Organization.from_row(o) for o in rows], page=page, total=total)

    @strawberry.field
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        return await load_member_organization(info, pk_of(id, "Organization"))


@strawberry.type
class SetLanguagePayload:
    viewer: User | None
    user_errors: list[UserError]


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="The viewer's preferred language (console, messages, e-mails).")
    async def set_language(self, info: Info, language: Language) -> SetLanguagePayload:  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
        await accounts.set_language(info.context.actor, LanguageModel(language))
        user = info.context.user
        user.language = LanguageModel(language)
        return SetLanguagePayload(viewer=User.from_row(user), user_errors=[])
