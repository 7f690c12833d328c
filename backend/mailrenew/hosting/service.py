"""Hosting: domains, mailboxes, forwards, and the auto-renew settings service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from mailrenew import audit
from mailrenew.accounts import access
from mailrenew.accounts.access import Action, Actor
from mailrenew.accounts.models import Organization
from mailrenew.config import utcnow
from mailrenew.db import atomic, insert_rows
from mailrenew.errors import DomainError, InvalidInput, NotAllowed, NotFound, ValidationErrors
from mailrenew.hosting.errors import MailboxNotInDomain, PayerNotAllowed, PayerRequired, PeriodRequired
from mailrenew.hosting.models import Domain, Forward, Mailbox, MailboxOffer, RenewalPeriod

MAX_BULK_MAILBOXES = 10_000


def normalize_fqdn(fqdn: str) -> str:
    """Lower-case IDNA form (``Café.example`` → ``xn--caf-dma.example``); raises on a malformed name."""
    name = fqdn.strip().rstrip(".").lower()
    if not name.isprintable() or any(c.isspace() for c in name):
        raise InvalidInput(field="fqdn", detail=f"{fqdn!r} is not a valid domain name")
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(field="fqdn", detail=f"{fqdn!r} is not a valid domain name") from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or any(not label or len(label) > 63 for label in labels) or len(ascii_name) > 253:
        raise InvalidInput(field="fqdn", detail=f"{fqdn!r} is not a valid domain name")
    return ascii_name


def normalize_local_part(local_part: str) -> str:
    value = local_part.strip().lower()
    if not value or len(value) > 64 or "@" in value or any(c.isspace() for c in value):
        raise InvalidInput(field="local_part", detail=f"{local_part!r} is not a valid mailbox name")
    return value


async def create_domain(fqdn: str, owner: Organization, expires_at: dt.date) -> Domain:
    return await Domain.create(fqdn=normalize_fqdn(fqdn), owner=owner, expires_at=expires_at)


MAILBOX_COLUMNS = (
    "domain_id",
    "local_part",
    "address",
    "offer",
    "status",
    "expires_at",
    "auto_renew_enabled",
    "auto_renew_period",
    "auto_renew_payer_id",
    "auto_renew_set_by_id",
    "created_at",
    "updated_at",
)


async def create_mailboxes(domain: Domain, specs: list[tuple[str, MailboxOffer, dt.date]]) -> list[Mailbox]:
    """Create mailboxes in one multi-row INSERT, then read them back: ``specs`` are (local part, offer, expiry).

    They start with the domain's auto-renewal for new mailboxes when it is on and whoever set it may still
    charge its payer (as ``set_auto_renew`` requires); otherwise off. Each mailbox it turns on is audited.
    """
    wanted = [
        (normalize_local_part(local_part), offer, expires_at) for local_part, offer, expires_at in specs
    ]
    async with atomic():
        policy = await _applicable_policy(domain.id)
        state, set_by = policy or (_OFF, None)
        now = utcnow()
        rows = [
            (
                domain.id,
                local,
                f"{local}@{domain.fqdn}",
                str(offer),
                "ACTIVE",
                expires_at,
                state["enabled"],
                state["period"],
                state["payer_organization_id"],
                set_by,
                now,
                now,
            )
            for local, offer, expires_at in wanted
        ]
        await insert_rows("mailboxes", MAILBOX_COLUMNS, rows)
        created = await Mailbox.filter(domain=domain, local_part__in=[r[1] for r in rows]).order_by("id")
        if policy:
            await audit.record_many(
                [
                    audit.event(
                        actor_id=set_by,
                        organization_id=domain.owner_id,
                        action="mailbox.auto_renew.new_mailbox_policy",
                        target_type="mailbox",
                        target_id=mailbox.id,
                        before=dict(_OFF),
                        after=dict(state),
                    )
                    for mailbox in created
                ]
            )
    return created


async def create_forward(domain: Domain, source: str, destinations: list[str]) -> Forward:
    if not destinations:
        raise InvalidInput(field="destinations", detail="a forward needs at least one destination")
    return await Forward.create(domain=domain, source=normalize_local_part(source), destinations=destinations)


# --- auto-renew settings ------------------------------------------------------------------------


@dataclass(frozen=True)
class AutoRenewSettings:
    enabled: bool
    period: RenewalPeriod | None = None
    payer_organization_id: int | None = None


@dataclass(frozen=True)
class DomainAutoRenewSettings:
    enabled: bool
    payer_organization_id: int | None = None


class AutoRenewState(TypedDict):
    """A mailbox's auto-renewal as the audit log records it (before and after a change)."""

    enabled: bool
    period: str | None
    payer_organization_id: int | None


def _snapshot(mailbox: Mailbox) -> AutoRenewState:
    return {
        "enabled": mailbox.auto_renew_enabled,
        "period": str(mailbox.auto_renew_period) if mailbox.auto_renew_period else None,
        "payer_organization_id": mailbox.auto_renew_payer_id,
    }


_OFF: AutoRenewState = {"enabled": False, "period": None, "payer_organization_id": None}


async def _applicable_policy(domain_id: int) -> tuple[AutoRenewState, int] | None:
    """The domain's auto-renewal for new mailboxes as stored now, and who set it: None when it is off or that
    user may no longer charge its payer."""
    domain = await Domain.get_or_none(id=domain_id)
    if domain is None or not domain.new_mailbox_auto_renew_enabled:
        return None
    period, payer, set_by = (
        domain.new_mailbox_auto_renew_period,
        domain.new_mailbox_auto_renew_payer_id,
        domain.new_mailbox_set_by_id,
    )
    if period is None or payer is None or set_by is None:
        return None
    if not await access.may_pay([(set_by, payer)]):
        return None
    return {"enabled": True, "period": str(period), "payer_organization_id": payer}, set_by


def validate_auto_renew(actor: Actor, settings: AutoRenewSettings) -> None:
    """The rules on the form itself; every problem is reported at once, nothing is written."""
    if not settings.enabled:
        return
    problems: list[DomainError] = []
    if settings.period is None:
        problems.append(PeriodRequired(field="period"))
    problems.extend(_payer_problems(actor, settings.payer_organization_id))
    if problems:
        raise ValidationErrors(problems)


def _payer_problems(actor: Actor, payer_id: int | None) -> list[DomainError]:
    if payer_id is None:
        return [PayerRequired(field="payer")]
    if not actor.may(Action.PAY, payer_id):
        return [PayerNotAllowed(field="payer")]
    return []


def _new_state(before: AutoRenewState, settings: AutoRenewSettings) -> AutoRenewState:
    """Turning off keeps the period and payer, so turning on again starts from them."""
    if not settings.enabled:
        return {**before, "enabled": False}
    return {
        "enabled": True,
        "period": str(settings.period),
        "payer_organization_id": settings.payer_organization_id,
    }


async def visible_domain(actor: Actor, domain_id: int, *, lock: bool = False) -> Domain:
    query = Domain.filter(id=domain_id, owner_id__in=access.organizations(actor))
    domain = await (query.select_for_update() if lock else query).first()
    if domain is None:
        raise NotFound(field="domain")
    return domain


async def set_auto_renew(
    actor: Actor, mailbox_id: int, settings: AutoRenewSettings, *, also_domain: bool = False
) -> Mailbox:
    """Turn one mailbox's auto-renewal on or off (OWNER/ADMIN of its domain, payer where OWNER/BILLING).

    ``also_domain``: when turning on, the domain's own auto-renewal is turned on too, with the same payer, in
    the same transaction (refused as a whole when either is).
    """
    async with atomic():
        mailbox = (
            await Mailbox.filter(id=mailbox_id, domain__owner_id__in=access.organizations(actor))
            .select_for_update()
            .select_related("domain")
            .first()
        )
        if mailbox is None:
            raise NotFound(field="mailbox")
        if not actor.may(Action.MANAGE_SERVICES, mailbox.domain.owner_id):
            raise NotAllowed(field="mailbox")
        validate_auto_renew(actor, settings)
        before = _snapshot(mailbox)
        after = _new_state(before, settings)
        if before != after:
            mailbox.auto_renew_enabled = bool(after["enabled"])
            mailbox.auto_renew_period = RenewalPeriod(str(after["period"])) if after["period"] else None
            mailbox.auto_renew_payer_id = after["payer_organization_id"]
            mailbox.auto_renew_set_by_id = actor.user_id
            await mailbox.save(
                update_fields=[
                    "auto_renew_enabled",
                    "auto_renew_period",
                    "auto_renew_payer_id",
                    "auto_renew_set_by_id",
                    "updated_at",
                ]
            )
            await audit.record(
                actor_id=actor.user_id,
                organization_id=mailbox.domain.owner_id,
                action="mailbox.auto_renew.set",
                target_type="mailbox",
                target_id=mailbox.id,
                before=before,
                after=after,
            )
        if also_domain:
            await _also_domain(actor, mailbox.domain_id, settings)
    return mailbox


async def _also_domain(actor: Actor, domain_id: int, settings: AutoRenewSettings) -> None:
    """Mailboxes depend on their domain: when they are turned on, turn the domain on with the same payer."""
    if settings.enabled:
        await set_domain_auto_renew(
            actor, domain_id, DomainAutoRenewSettings(True, settings.payer_organization_id)
        )


async def bulk_set_auto_renew(
    actor: Actor,
    domain_id: int,
    mailbox_ids: Sequence[int] | None,
    settings: AutoRenewSettings,
    *,
    also_future_mailboxes: bool = False,
    also_domain: bool = False,
) -> list[Mailbox]:
    """Apply one setting to the given (or all) mailboxes of one domain: all change, or none.

    One transaction and a constant number of statements whatever the number of mailboxes, as the database counts
    them: read the domain, read the targeted rows (locked), one UPDATE, one multi-row INSERT of the audit events
    (one per 4,000 events), read the result: 5 for up to 4,000 mailboxes, plus BEGIN and COMMIT.
    ``also_future_mailboxes`` makes the setting the domain's auto-renewal for new mailboxes, ``also_domain``
    turns the domain's own auto-renewal on (as ``set_auto_renew``), both in the same transaction.
    """
    if mailbox_ids is not None and not mailbox_ids:
        raise InvalidInput("EMPTY_SELECTION", field="mailbox_ids")
    if mailbox_ids is not None and len(set(mailbox_ids)) > MAX_BULK_MAILBOXES:
        raise InvalidInput("TOO_MANY", field="mailbox_ids", max=MAX_BULK_MAILBOXES)
    async with atomic():
        domain = await visible_domain(actor, domain_id, lock=True)
        if not actor.may(Action.MANAGE_SERVICES, domain.owner_id):
            raise NotAllowed(field="domain")
        validate_auto_renew(actor, settings)
        query = Mailbox.filter(domain_id=domain.id)
        if mailbox_ids is not None:
            query = query.filter(id__in=sorted(set(mailbox_ids)))
        current = (
            await query.select_for_update()
            .order_by("id")
            .values("id", "auto_renew_enabled", "auto_renew_period", "auto_renew_payer_id")
        )
        if mailbox_ids is not None:
            found = {row["id"] for row in current}
            strangers = [index for index, mid in enumerate(mailbox_ids) if mid not in found]
            if strangers:
                raise ValidationErrors(
                    [MailboxNotInDomain(field="mailbox_ids", index=i, id=mailbox_ids[i]) for i in strangers]
                )
        ids = [row["id"] for row in current]
        if ids:
            changes: dict[str, object] = {
                "auto_renew_enabled": settings.enabled,
                "auto_renew_set_by_id": actor.user_id,
                "updated_at": utcnow(),
            }
            if settings.enabled:
                changes |= {
                    "auto_renew_period": settings.period,
                    "auto_renew_payer_id": settings.payer_organization_id,
                }
            await Mailbox.filter(id__in=ids).update(**changes)
            events = []
            for row in current:
                before = {
                    "enabled": row["auto_renew_enabled"],
                    "period": str(row["auto_renew_period"]) if row["auto_renew_period"] else None,
                    "payer_organization_id": row["auto_renew_payer_id"],
                }
                after = (
                    {
                        "enabled": True,
                        "period": str(settings.period),
                        "payer_organization_id": settings.payer_organization_id,
                    }
                    if settings.enabled
                    else {**before, "enabled": False}
                )
                if before != after:
                    events.append(
                        audit.event(
                            actor_id=actor.user_id,
                            organization_id=domain.owner_id,
                            action="mailbox.auto_renew.bulk_set",
                            target_type="mailbox",
                            target_id=row["id"],
                            before=before,
                            after=after,
                        )
                    )
            await audit.record_many(events)
        if also_future_mailboxes:
            await _write_new_mailbox_policy(actor, domain, settings)
        if also_domain:
            await _also_domain(actor, domain.id, settings)
        return await Mailbox.filter(id__in=ids).order_by("address") if ids else []


async def set_domain_auto_renew(actor: Actor, domain_id: int, settings: DomainAutoRenewSettings) -> Domain:
    """Turn a domain's own auto-renewal on or off; a domain renews by one year."""
    async with atomic():
        domain = await visible_domain(actor, domain_id, lock=True)
        if not actor.may(Action.MANAGE_SERVICES, domain.owner_id):
            raise NotAllowed(field="domain")
        if settings.enabled:
            problems = _payer_problems(actor, settings.payer_organization_id)
            if problems:
                raise ValidationErrors(problems)
        before = {"enabled": domain.auto_renew_enabled, "payer_organization_id": domain.auto_renew_payer_id}
        after = (
            {"enabled": True, "payer_organization_id": settings.payer_organization_id}
            if settings.enabled
            else {**before, "enabled": False}
        )
        if before != after:
            domain.auto_renew_enabled = bool(after["enabled"])
            domain.auto_renew_payer_id = after["payer_organization_id"]
            domain.auto_renew_set_by_id = actor.user_id
            await domain.save(
                update_fields=["auto_renew_enabled", "auto_renew_payer_id", "auto_renew_set_by_id"]
            )
            await audit.record(
                actor_id=actor.user_id,
                organization_id=domain.owner_id,
                action="domain.auto_renew.set",
                target_type="domain",
                target_id=domain.id,
                before=before,
                after=after,
            )
    return domain


# --- the auto-renewal of new mailboxes ---------------------------------------------------------------


def _policy_snapshot(domain: Domain) -> AutoRenewState:
    period = domain.new_mailbox_auto_renew_period
    return {
        "enabled": domain.new_mailbox_auto_renew_enabled,
        "period": str(period) if period else None,
        "payer_organization_id": domain.new_mailbox_auto_renew_payer_id,
    }


async def set_new_mailbox_auto_renew(actor: Actor, domain_id: int, settings: AutoRenewSettings) -> Domain:
    """Set the auto-renewal mailboxes created on this domain start with (the rules of ``set_auto_renew``)."""
    async with atomic():
        domain = await visible_domain(actor, domain_id, lock=True)
        if not actor.may(Action.MANAGE_SERVICES, domain.owner_id):
            raise NotAllowed(field="domain")
        validate_auto_renew(actor, settings)
        await _write_new_mailbox_policy(actor, domain, settings)
    return domain


async def _write_new_mailbox_policy(actor: Actor, domain: Domain, settings: AutoRenewSettings) -> None:
    """Inside the caller's transaction, the domain locked, the caller and the settings already checked."""
    before = _policy_snapshot(domain)
    after = _new_state(before, settings)
    if before == after:
        return
    domain.new_mailbox_auto_renew_enabled = after["enabled"]
    domain.new_mailbox_auto_renew_period = RenewalPeriod(after["period"]) if after["period"] else None
    domain.new_mailbox_auto_renew_payer_id = after["payer_organization_id"]
    domain.new_mailbox_set_by_id = actor.user_id
    await domain.save(
        update_fields=[
            "new_mailbox_auto_renew_enabled",
            "new_mailbox_auto_renew_period",
            "new_mailbox_auto_renew_payer_id",
            "new_mailbox_set_by_id",
        ]
    )
    await audit.record(
        actor_id=actor.user_id,
        organization_id=domain.owner_id,
        action="domain.new_mailbox_auto_renew.set",
        target_type="domain",
        target_id=domain.id,
        before=before,
        after=after,
    )
