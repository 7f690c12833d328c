from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from mailrenew.accounts.models import Organization, User


class DomainStatus(StrEnum):
    ACTIVE = "ACTIVE"
    RENEWAL_FAILED = "RENEWAL_FAILED"
    EXPIRED = "EXPIRED"


class MailboxStatus(StrEnum):
    ACTIVE = "ACTIVE"
    RENEWAL_FAILED = "RENEWAL_FAILED"
    EXPIRED = "EXPIRED"


class MailboxOffer(StrEnum):
    STANDARD = "STANDARD"
    PREMIUM = "PREMIUM"


class RenewalPeriod(StrEnum):
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


class Domain(Model):
    id = fields.IntField(primary_key=True)
    fqdn = fields.CharField(max_length=253, unique=True)
    owner: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "mailrenew.Organization", related_name="domains", on_delete=fields.RESTRICT
    )
    owner_id: int
    expires_at = fields.DateField(db_index=True)
    status = fields.CharEnumField(DomainStatus, max_length=16, default=DomainStatus.ACTIVE)
    auto_renew_enabled = fields.BooleanField(default=False)
    auto_renew_payer: fields.ForeignKeyNullableRelation[Organization] = fields.ForeignKeyField(
        "mailrenew.Organization", related_name="paid_domains", null=True, on_delete=fields.RESTRICT
    )
    auto_renew_payer_id: int | None
    auto_renew_set_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "mailrenew.User", related_name="domain_auto_renewals", null=True, on_delete=fields.SET_NULL
    )
    auto_renew_set_by_id: int | None
    # The auto-renewal a mailbox created on this domain starts with (off by default), and who chose it: the
    # payer is applied only while that user may still charge it.
    new_mailbox_auto_renew_enabled = fields.BooleanField(default=False)
    new_mailbox_auto_renew_period: RenewalPeriod | None = fields.CharEnumField(  # type: ignore[assignment]
        RenewalPeriod, max_length=8, null=True
    )
    new_mailbox_auto_renew_payer: fields.ForeignKeyNullableRelation[Organization] = fields.ForeignKeyField(
        "mailrenew.Organization", related_name="new_mailbox_policies", null=True, on_delete=fields.RESTRICT
    )
    new_mailbox_auto_renew_payer_id: int | None
    new_mailbox_set_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "mailrenew.User", related_name="new_mailbox_policies", null=True, on_delete=fields.SET_NULL
    )
    new_mailbox_set_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "domains"
        indexes = (("owner_id", "fqdn"),)  # an owner's domains, in the list's default order


class Mailbox(Model):
    id = fields.IntField(primary_key=True)
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "mailrenew.Domain", related_name="mailboxes", on_delete=fields.RESTRICT
    )
    domain_id: int
    local_part = fields.CharField(max_length=64)
    address = fields.CharField(max_length=320, unique=True)
    offer = fields.CharEnumField(MailboxOffer, max_length=16, default=MailboxOffer.STANDARD)
    status = fields.CharEnumField(MailboxStatus, max_length=16, default=MailboxStatus.ACTIVE)
    expires_at = fields.DateField(db_index=True)
    auto_renew_enabled = fields.BooleanField(default=False)
    # Tortoise types a field by its enum and ignores null=True: the annotation adds the None.
    auto_renew_period: RenewalPeriod | None = fields.CharEnumField(  # type: ignore[assignment]
        RenewalPeriod, max_length=8, null=True
    )
    auto_renew_payer: fields.ForeignKeyNullableRelation[Organization] = fields.ForeignKeyField(
        "mailrenew.Organization", related_name="paid_mailboxes", null=True, on_delete=fields.RESTRICT
    )
    auto_renew_payer_id: int | None
    auto_renew_set_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "mailrenew.User", related_name="mailbox_auto_renewals", null=True, on_delete=fields.SET_NULL
    )
    auto_renew_set_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "mailboxes"
        unique_together = (("domain", "local_part"),)
        indexes = (
            ("auto_renew_enabled", "expires_at"),
            ("domain_id", "address"),  # a domain's mailboxes, in the list's default order
        )


class Forward(Model):
    """A redirection: ``source@domain`` delivers to one or more destination addresses."""

    id = fields.IntField(primary_key=True)
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "mailrenew.Domain", related_name="forwards", on_delete=fields.CASCADE
    )
    domain_id: int
    source = fields.CharField(max_length=64)
    destinations: list[str] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "forwards"
        unique_together = (("domain", "source"),)
