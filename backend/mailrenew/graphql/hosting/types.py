from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from mailrenew.accounts.access import Action
from mailrenew.config import business_today
from mailrenew.graphql.accounts.types import Organization, load_organization
from mailrenew.graphql.context import Info
from mailrenew.graphql.loaders import PageKey
from mailrenew.graphql.relay import Connection, Node, connection, counted_later, page_args, to_global_id
from mailrenew.graphql.renewal.types import RenewalAttempt, RenewalStatus, load_renewal_status
from mailrenew.hosting import models
from mailrenew.hosting.queries import MailboxSort
from mailrenew.i18n import message
from mailrenew.renewal.quote import mailbox_quote
from mailrenew.renewal.status import Item
from mailrenew.renewal.warnings import balance_warning, card_warning, mailbox_warnings

MailboxStatus = strawberry.enum(models.MailboxStatus, name="MailboxStatus")
DomainStatus = strawberry.enum(models.DomainStatus, name="DomainStatus")
MailboxOffer = strawberry.enum(
    models.MailboxOffer, name="MailboxOffer", description="STANDARD 3 GB, PREMIUM 50 GB."
)
RenewalPeriod = strawberry.enum(models.RenewalPeriod, name="RenewalPeriod")


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum
class MailboxOrderField(Enum):
    ADDRESS = "address"
    EXPIRES_AT = "expires_at"
    STATUS = "status"


@strawberry.input
class MailboxOrder:
    field: MailboxOrderField = MailboxOrderField.ADDRESS
    direction: OrderDirection = OrderDirection.ASC


@strawberry.enum
class AutoRenewWarningCode(Enum):
    DOMAIN_AUTO_RENEW_OFF = "DOMAIN_AUTO_RENEW_OFF"
    DOMAIN_EXPIRES_FIRST = "DOMAIN_EXPIRES_FIRST"
    BALANCE_SHORT = "BALANCE_SHORT"
    CARD_EXPIRES_FIRST = "CARD_EXPIRES_FIRST"


@strawberry.type
class AutoRenewWarning:
    code: AutoRenewWarningCode
    message: str
    amount_cents: int | None = None


@strawberry.type(description="A mailbox's auto-renewal settings.")
class AutoRenew:
    enabled: bool
    period: RenewalPeriod | None  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    payer_id: strawberry.Private[int | None]

    @strawberry.field(description="The organization whose prepaid account pays.")
    async def payer(self, info: Info) -> Organization | None:
        return await load_organization(info, self.payer_id)


@strawberry.type(description="What a mailbox's auto-renewal would cost, and when it would first be charged.")
class AutoRenewQuote:
    monthly_cents: int | None = strawberry.field(description="Null when the catalogue has no such price.")
    yearly_cents: int | None = strawberry.field(description="Null when the catalogue has no such price.")
    currency: str
    first_charge_on: dt.date | None = strawberry.field(
        description="The first day the renewal window would charge it if turned on today (null once expired)."
    )


@strawberry.type(description="A domain's own auto-renewal (a domain renews by one year).")
class DomainAutoRenew:
    enabled: bool
    payer_id: strawberry.Private[int | None]

    @strawberry.field
    async def payer(self, info: Info) -> Organization | None:
        return await load_organization(info, self.payer_id)


@strawberry.type(description="A redirection: mail to `address` is delivered to each destination.")
class Forward(Node):
    source: str
    address: str
    destinations: list[str]

    @classmethod
    def from_row(cls, row: models.Forward, fqdn: str) -> Forward:
        return cls(
            id=to_global_id("Forward", row.id),
            source=row.source,
            address=f"{row.source}@{fqdn}",
            destinations=list(row.destinations),
        )


@strawberry.type
class Mailbox(Node):
    row: strawberry.Private[models.Mailbox]
    address: str
    local_part: str
    offer: MailboxOffer  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    status: MailboxStatus  # type: ignore[valid-type]  # a strawberry.enum() value used as a type
    expires_at: dt.date

    @classmethod
    def from_row(cls, row: models.Mailbox) -> Mailbox:
        return cls(
            id=to_global_id("Mailbox", row.id),
            row=row,
            address=row.address,
            local_part=row.local_part,
            offer=row.offer,
            status=row.status,
            expires_at=row.expires_at,
        )

    @strawberry.field
    def auto_renew(self) -> AutoRenew:
        return AutoRenew(
            enabled=self.row.auto_renew_enabled,
            period=self.row.auto_renew_period,
            payer_id=self.row.auto_renew_payer_id,
        )

    @strawberry.field
    async def domain(self, info: Info) -> Domain:
        row = await info.context.loaders.domain_by_id.load(self.row.domain_id)
        assert row is not None  # a mailbox always has its domain (foreign key)
        return Domain.from_row(row)

    @strawberry.field(
        description="What may keep this mailbox from renewing (its domain, the payer's balance)."
    )
    async def warnings(self, info: Info) -> list[AutoRenewWarning]:
        domain = await info.context.loaders.domain_by_id.load(self.row.domain_id)
        assert domain is not None
        language = info.context.language
        warnings = mailbox_warnings(self.row, domain)
        payer_id = self.row.auto_renew_payer_id
        if self.row.auto_renew_enabled and payer_id is not None:
            loaders = info.context.loaders
            forecast = await loaders.forecast_by_payer.load(payer_id)
            payer = await loaders.organization_by_id.load(payer_id)
            payer_name = payer.name if payer else ""
            card = await loaders.card_by_organization.load(payer_id)
            # The card's expiry, when it is why this renewal will fail, says more than "balance short".
            short = card_warning(
                forecast, "mailbox", self.row.id, card, payer_name, language
            ) or balance_warning(forecast, payer_name, language)
            warnings += [short] if short else []
        return [
            AutoRenewWarning(
                code=AutoRenewWarningCode[w.code],
                message=message(w.code, language, **w.params),
                amount_cents=w.amount_cents,
            )
            for w in warnings
        ]

    @strawberry.field(
        description="The price of each period for this mailbox's offer, and the day its renewal would first "
        "be charged if turned on today."
    )
    async def auto_renew_quote(self, info: Info) -> AutoRenewQuote:
        loaders = info.context.loaders
        today = loaders.today or business_today(info.context.settings)
        quote = mailbox_quote(await loaders.prices(), str(self.row.offer), self.row.expires_at, today)
        return AutoRenewQuote(
            monthly_cents=quote.monthly_cents,
            yearly_cents=quote.yearly_cents,
            currency="EUR",
            first_charge_on=quote.first_charge_on,
        )

    @strawberry.field(description="Renewal attempts, newest first.")
    async def renewal_attempts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[RenewalAttempt]:
        page = page_args(first, after)
        loaders = info.context.loaders
        rows = await loaders.attempt_page_by_mailbox.load(PageKey(self.row.id, page.limit, page.offset))
        total = await loaders.attempt_count_by_mailbox.load(self.row.id)
        return connection([RenewalAttempt.from_row(r) for r in rows], page=page, total=total)

    @strawberry.field(
        description="Where this mailbox's renewal stands (attempt k of 5, next try, last failure)."
    )
    async def renewal(self, info: Info) -> RenewalStatus:
        row = self.row
        return await load_renewal_status(
            info,
            kind="mailbox",
            item=Item(row.auto_renew_enabled, str(row.status), row.expires_at),
            item_id=row.id,
            product="MAILBOX",
            offer=str(row.offer),
            period=str(row.auto_renew_period) if row.auto_renew_period else None,
            payer_id=row.auto_renew_payer_id,
            owner_id=await self._owner_id(info),
        )

    async def _owner_id(self, info: Info) -> int | None:
        domain = await info.context.loaders.domain_by_id.load(self.row.domain_id)
        return None if domain is None else domain.owner_id

    @strawberry.field(description="May the viewer change this mailbox's auto-renewal (OWNER or ADMIN)?")
    async def viewer_can_manage(self, info: Info) -> bool:
        domain = await info.context.loaders.domain_by_id.load(self.row.domain_id)
        return domain is not None and info.context.actor.may(Action.MANAGE_SERVICES, domain.owner_id)


@strawberry.type
class Domain(Node):
    row: strawberry.Private[models.Domain]
    fqdn: str
    expires_at: dt.date
    status: DomainStatus  # type: ignore[valid-type]  # a strawberry.enum() value used as a type

    @classmethod
    def from_row(cls, row: models.Domain) -> Domain:
        return cls(
            id=to_global_id("Domain", row.id),
            row=row,
            fqdn=row.fqdn,
            expires_at=row.expires_at,
            status=row.status,
        )

    @strawberry.field
    async def owner(self, info: Info) -> Organization:
        owner = await load_organization(info, self.row.owner_id)
        assert owner is not None
        return owner

    @strawberry.field
    def auto_renew(self) -> DomainAutoRenew:
        return DomainAutoRenew(enabled=self.row.auto_renew_enabled, payer_id=self.row.auto_renew_payer_id)

    @strawberry.field(description="The auto-renewal mailboxes created on this domain start with.")
    def new_mailbox_auto_renew(self) -> AutoRenew:
        return AutoRenew(
            enabled=self.row.new_mailbox_auto_renew_enabled,
            period=self.row.new_mailbox_auto_renew_period,
            payer_id=self.row.new_mailbox_auto_renew_payer_id,
        )

    @strawberry.field
    async def mailbox_count(self, info: Info) -> int:
        return await info.context.loaders.mailbox_count_by_domain.load(self.row.id)

    @strawberry.field
    async def mailboxes(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        order_by: MailboxOrder | None = None,
    ) -> Connection[Mailbox]:
        from mailrenew.graphql.loaders import MailboxPageKey

        page = page_args(first, after)
        order = order_by or MailboxOrder()
        loaders = info.context.loaders
        key = MailboxPageKey(
            domain_id=self.row.id,
            sort=MailboxSort(order.field.value),
            descending=order.direction is OrderDirection.DESC,
            limit=page.limit + 1,  # one more: is there a next page?
            offset=page.offset,
        )
        rows = await loaders.mailbox_page_by_domain.load(key)
        loaders.domain_by_id.prime(self.row.id, self.row)
        domain_id = self.row.id

        async def count() -> int:
            return await loaders.mailbox_count_by_domain.load(domain_id)

        return counted_later([Mailbox.from_row(r) for r in rows], page=page, count=count)

    @strawberry.field
    async def forwards(self, info: Info) -> list[Forward]:
        rows = await info.context.loaders.forwards_by_domain.load(self.row.id)
        return [Forward.from_row(r, self.fqdn) for r in rows]

    @strawberry.field(
        description="Where this domain's own renewal stands (attempt k of 5, next try, last failure)."
    )
    async def renewal(self, info: Info) -> RenewalStatus:
        row = self.row
        return await load_renewal_status(
            info,
            kind="domain",
            item=Item(row.auto_renew_enabled, str(row.status), row.expires_at),
            item_id=row.id,
            product="DOMAIN",
            offer="",
            period="YEARLY",
            payer_id=row.auto_renew_payer_id,
            owner_id=row.owner_id,
        )

    @strawberry.field(description="May the viewer change this domain's and its mailboxes' auto-renewal?")
    def viewer_can_manage(self, info: Info) -> bool:
        return info.context.actor.may(Action.MANAGE_SERVICES, self.row.owner_id)
