from __future__ import annotations

import strawberry

from mailrenew.errors import DomainError, ValidationErrors
from mailrenew.graphql.context import Info
from mailrenew.graphql.errors import UserError, user_errors
from mailrenew.graphql.hosting.types import Domain, Mailbox, RenewalPeriod
from mailrenew.graphql.relay import pk_of
from mailrenew.hosting import service
from mailrenew.hosting.models import RenewalPeriod as Period

UNKNOWN_ID = -1  # an id that is not one of ours: answered exactly like an id the caller cannot see


@strawberry.input(description="When enabling, `period` and `payerOrganizationId` are required.")
class AutoRenewInput:
    enabled: bool
    period: RenewalPeriod | None = None  # type: ignore[valid-type]
    payer_organization_id: strawberry.ID | None = None


@strawberry.input
class DomainAutoRenewInput:
    enabled: bool
    payer_organization_id: strawberry.ID | None = None


@strawberry.type
class SetAutoRenewPayload:
    mailbox: Mailbox | None
    user_errors: list[UserError]


@strawberry.type
class BulkSetAutoRenewPayload:
    mailboxes: list[Mailbox]
    updated_count: int
    user_errors: list[UserError]


@strawberry.type
class SetDomainAutoRenewPayload:
    domain: Domain | None
    user_errors: list[UserError]


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
    async def set_auto_renew(
        self, info: Info, mailbox_id: strawberry.ID, input: AutoRenewInput
    ) -> SetAutoRenewPayload:
        try:
            row = await service.set_auto_renew(
                info.context.actor, _id(mailbox_id, "Mailbox") or UNKNOWN_ID, _settings(input)
            )
        except DomainError as exc:
            return SetAutoRenewPayload(mailbox=None, user_errors=user_errors(exc, info.context.language))
        return SetAutoRenewPayload(mailbox=Mailbox.from_row(row), user_errors=[])

    @strawberry.mutation(
        description="Apply one auto-renewal setting to the given mailboxes of one domain (all of them when "
        "`mailboxIds` is omitted): all change, or none."
    )
    async def bulk_set_auto_renew(
        self,
        info: Info,
        domain_id: strawberry.ID,
        input: AutoRenewInput,
        mailbox_ids: list[strawberry.ID] | None = None,
    ) -> BulkSetAutoRenewPayload:
        ids = None if mailbox_ids is None else [_id(m, "Mailbox") or UNKNOWN_ID for m in mailbox_ids]
        try:
            rows = await service.bulk_set_auto_renew(
                info.context.actor, _id(domain_id, "Domain") or UNKNOWN_ID, ids, _settings(input)
            )
        except DomainError as exc:
            for error in exc.errors if isinstance(exc, ValidationErrors) else [exc]:
                if error.code == "MAILBOX_NOT_IN_DOMAIN" and error.field and mailbox_ids is not None:
                    error.params["id"] = mailbox_ids[int(error.field[1])]  # the id the client sent
            return BulkSetAutoRenewPayload(
                mailboxes=[], updated_count=0, user_errors=user_errors(exc, info.context.language)
            )
        return BulkSetAutoRenewPayload(
            mailboxes=[Mailbox.from_row(r) for r in rows], updated_count=len(rows), user_errors=[]
        )

    @strawberry.mutation(description="Turn a domain's own auto-renewal on or off (it renews by one year).")
    async def set_domain_auto_renew(
        self, info: Info, domain_id: strawberry.ID, input: DomainAutoRenewInput
    ) -> SetDomainAutoRenewPayload:
        settings = service.DomainAutoRenewSettings(
            enabled=input.enabled, payer_organization_id=_id(input.payer_organization_id, "Organization")
        )
        try:
            row = await service.set_domain_auto_renew(
                info.context.actor, _id(domain_id, "Domain") or UNKNOWN_ID, settings
            )
        except DomainError as exc:
            return SetDomainAutoRenewPayload(domain=None, user_errors=user_errors(exc, info.context.language))
        return SetDomainAutoRenewPayload(domain=Domain.from_row(row), user_errors=[])
