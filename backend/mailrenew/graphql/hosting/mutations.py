from __future__ import annotations

from typing import Annotated

import strawberry

from mailrenew.graphql.context import Info
from mailrenew.graphql.errors import AUTO_RENEW_INPUT, FieldPaths, UserError, user_errors_as
from mailrenew.graphql.hosting.types import Domain, Mailbox, RenewalPeriod
from mailrenew.graphql.relay import pk_of
from mailrenew.hosting import service
from mailrenew.hosting.models import RenewalPeriod as Period

UNKNOWN_ID = -1  # an id that is not one of ours: answered exactly like an id the caller cannot see


@strawberry.input(description="When enabling, `period` and `payerOrganizationId` are required.")
class AutoRenewInput:
    enabled: bool
    period: RenewalPeriod | None = None  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    payer_organization_id: strawberry.ID | None = None


@strawberry.input
class DomainAutoRenewInput:
    enabled: bool
    payer_organization_id: strawberry.ID | None = None


@strawberry.type
class SetAutoRenewPayload:
    mailbox: Mailbox | None = None
    user_errors: list[UserError]


@strawberry.type
class BulkSetAutoRenewPayload:
    mailboxes: list[Mailbox] = strawberry.field(default_factory=list)
    updated_count: int = 0
    user_errors: list[UserError]


@strawberry.type
class SetDomainAutoRenewPayload:
    domain: Domain | None = None
    user_errors: list[UserError]


@strawberry.type
class SetNewMailboxAutoRenewPayload:
    domain: Domain | None = None
    user_errors: list[UserError]


SET_AUTO_RENEW_PATHS: FieldPaths = {"mailbox": ("mailboxId",), **AUTO_RENEW_INPUT}
BULK_SET_AUTO_RENEW_PATHS: FieldPaths = {
    "domain": ("domainId",),
    "mailbox_ids": ("mailboxIds",),
    **AUTO_RENEW_INPUT,
}
SET_DOMAIN_AUTO_RENEW_PATHS: FieldPaths = {"domain": ("domainId",), "payer": AUTO_RENEW_INPUT["payer"]}
SET_NEW_MAILBOX_AUTO_RENEW_PATHS: FieldPaths = {"domain": ("domainId",), **AUTO_RENEW_INPUT}
ALSO_DOMAIN = (
    "When enabling, also turn the domain's own auto-renewal on (yearly, same payer), in the same transaction."
)


def _id(global_id: strawberry.ID | None, type_name: str) -> int | None:
    if global_id is None:
        return None
    pk = pk_of(global_id, type_name)
    return UNKNOWN_ID if pk is None else pk


def _settings(value: AutoRenewInput) -> service.AutoRenewSettings:
    return service.AutoRenewSettings(
        enabled=value.enabled,
        period=Period(value.period) if value.period is not None else None,
        payer_organization_id=_id(value.payer_organization_id, "Organization"),
    )


@strawberry.type
class HostingMutation:
    @strawberry.mutation(description="Turn one mailbox's auto-renewal on or off.")
    @user_errors_as(SetAutoRenewPayload, SET_AUTO_RENEW_PATHS)
    async def set_auto_renew(
        self,
        info: Info,
        mailbox_id: strawberry.ID,
        input: AutoRenewInput,
        also_domain: Annotated[bool, strawberry.argument(description=ALSO_DOMAIN)] = False,
    ) -> SetAutoRenewPayload:
        row = await service.set_auto_renew(
            info.context.actor,
            _id(mailbox_id, "Mailbox") or UNKNOWN_ID,
            _settings(input),
            also_domain=also_domain,
        )
        return SetAutoRenewPayload(mailbox=Mailbox.from_row(row), user_errors=[])

    @strawberry.mutation(
        description="Apply one auto-renewal setting to the given mailboxes of one domain (all of them when "
        "`mailboxIds` is omitted): all change, or none."
    )
    @user_errors_as(BulkSetAutoRenewPayload, BULK_SET_AUTO_RENEW_PATHS)
    async def bulk_set_auto_renew(
        self,
        info: Info,
        domain_id: strawberry.ID,
        input: AutoRenewInput,
        mailbox_ids: list[strawberry.ID] | None = None,
        also_future_mailboxes: Annotated[
            bool,
            strawberry.argument(
                description="Also make this setting the domain's auto-renewal for new mailboxes."
            ),
        ] = False,
        also_domain: Annotated[bool, strawberry.argument(description=ALSO_DOMAIN)] = False,
    ) -> BulkSetAutoRenewPayload:
        ids = None if mailbox_ids is None else [_id(m, "Mailbox") or UNKNOWN_ID for m in mailbox_ids]
        rows = await service.bulk_set_auto_renew(
            info.context.actor,
            _id(domain_id, "Domain") or UNKNOWN_ID,
            ids,
            _settings(input),
            also_future_mailboxes=also_future_mailboxes,
            also_domain=also_domain,
        )
        return BulkSetAutoRenewPayload(
            mailboxes=[Mailbox.from_row(r) for r in rows], updated_count=len(rows), user_errors=[]
        )

    @strawberry.mutation(description="Turn a domain's own auto-renewal on or off (it renews by one year).")
    @user_errors_as(SetDomainAutoRenewPayload, SET_DOMAIN_AUTO_RENEW_PATHS)
    async def set_domain_auto_renew(
        self, info: Info, domain_id: strawberry.ID, input: DomainAutoRenewInput
    ) -> SetDomainAutoRenewPayload:
        settings = service.DomainAutoRenewSettings(
            enabled=input.enabled, payer_organization_id=_id(input.payer_organization_id, "Organization")
        )
        row = await service.set_domain_auto_renew(
            info.context.actor, _id(domain_id, "Domain") or UNKNOWN_ID, settings
        )
        return SetDomainAutoRenewPayload(domain=Domain.from_row(row), user_errors=[])

    @strawberry.mutation(
        description="Set the auto-renewal mailboxes created on this domain start with (the rules of "
        "`setAutoRenew`)."
    )
    @user_errors_as(SetNewMailboxAutoRenewPayload, SET_NEW_MAILBOX_AUTO_RENEW_PATHS)
    async def set_new_mailbox_auto_renew(
        self, info: Info, domain_id: strawberry.ID, input: AutoRenewInput
    ) -> SetNewMailboxAutoRenewPayload:
        row = await service.set_new_mailbox_auto_renew(
            info.context.actor, _id(domain_id, "Domain") or UNKNOWN_ID, _settings(input)
        )
        return SetNewMailboxAutoRenewPayload(domain=Domain.from_row(row), user_errors=[])
