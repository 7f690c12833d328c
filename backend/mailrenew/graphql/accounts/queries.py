from __future__ import annotations

import strawberry

from mailrenew.accounts import service as accounts
from mailrenew.accounts.models import Language as LanguageModel
from mailrenew.graphql.accounts.types import Language, Organization, User
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
        ids = info.context.actor.organization_ids
        rows = [o for o in await info.context.loaders.organization_by_id.load_many(ids) if o]
        rows.sort(key=lambda o: (o.name.lower(), o.id))
        items = rows[page.offset : page.offset + page.limit]
        return connection([Organization.from_row(o) for o in items], page=page, total=len(rows))

    @strawberry.field
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        pk = pk_of(id, "Organization")
        if pk is None or pk not in info.context.actor.roles:
            return None
        row = await info.context.loaders.organization_by_id.load(pk)
        return Organization.from_row(row) if row else None


@strawberry.type
class SetLanguagePayload:
    viewer: User | None
    user_errors: list[UserError]


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="The viewer's preferred language (console, messages, e-mails).")
    async def set_language(self, info: Info, language: Language) -> SetLanguagePayload:  # type: ignore[valid-type]
        await accounts.set_language(info.context.actor, LanguageModel(language))
        user = info.context.user
        user.language = LanguageModel(language)
        return SetLanguagePayload(viewer=User.from_row(user), user_errors=[])
