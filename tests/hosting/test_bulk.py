"""Bulk auto-renew: one transaction, the same few statements for 1 and 2,000 mailboxes, all or nothing."""

from __future__ import annotations

import pytest

from mailrenew.accounts.models import Role
from mailrenew.accounts.service import load_actor
from mailrenew.audit.models import AuditEvent
from mailrenew.errors import ValidationErrors
from mailrenew.hosting.models import Mailbox, RenewalPeriod
from mailrenew.hosting.service import AutoRenewSettings, bulk_set_auto_renew
from tests.factories import make_domain, make_mailboxes, make_org, make_user
from tests.querycount import count_statements


async def _bulk_statements(actor, domain_id: int, ids: list[int] | None, settings: AutoRenewSettings) -> int:
    with count_statements() as statements:
        await bulk_set_auto_renew(actor, domain_id, ids, settings)
    # Counted as the database counts them (an executemany of N rows is N): domain, rows, UPDATE, audit INSERT,
    # result.
    assert statements.count <= 5, str(statements)
    return statements.count


async def test_bulk_costs_the_same_few_statements_for_1_and_2000_mailboxes() -> None:
    org = await make_org()
    actor = await load_actor(await make_user(roles={org: Role.OWNER}))
    small, large = await make_domain(owner=org), await make_domain(owner=org)
    small_boxes = await make_mailboxes(domain=small, count=1)
    large_boxes = await make_mailboxes(domain=large, count=2000)
    on = AutoRenewSettings(enabled=True, period=RenewalPeriod.YEARLY, payer_organization_id=org.id)
    off = AutoRenewSettings(enabled=False)

    every_mailbox = [await _bulk_statements(actor, d.id, None, on) for d in (small, large)]
    ticked = [
        await _bulk_statements(actor, d.id, [b.id for b in boxes], off)
        for d, boxes in ((small, small_boxes), (large, large_boxes))
    ]

    assert every_mailbox[0] == every_mailbox[1]
    assert ticked[0] == ticked[1]
    assert await Mailbox.filter(auto_renew_enabled=True).count() == 0
    assert (
        await Mailbox.filter(auto_renew_period=RenewalPeriod.YEARLY, auto_renew_payer_id=org.id).count()
        == 2001
    )
    assert await AuditEvent.filter(target_type="mailbox").count() == 2 * 2001


async def test_bulk_is_atomic_when_one_id_is_of_another_domain() -> None:
    org = await make_org()
    actor = await load_actor(await make_user(roles={org: Role.ADMIN, await make_org(): Role.BILLING}))
    domain, other = await make_domain(owner=org), await make_domain(owner=org)
    ours = await make_mailboxes(domain=domain, count=3)
    theirs = await make_mailboxes(domain=other, count=1)
    payer = next(o for o, r in actor.roles.items() if r is Role.BILLING)

    with pytest.raises(ValidationErrors) as refused:
        await bulk_set_auto_renew(
            actor,
            domain.id,
            [ours[0].id, theirs[0].id, ours[1].id],
            AutoRenewSettings(enabled=True, period=RenewalPeriod.MONTHLY, payer_organization_id=payer),
        )

    assert [(e.code, e.field, e.index) for e in refused.value.errors] == [
        ("MAILBOX_NOT_IN_DOMAIN", "mailbox_ids", 1)
    ]
    assert await Mailbox.filter(auto_renew_enabled=True).count() == 0
    assert await AuditEvent.all().count() == 0
