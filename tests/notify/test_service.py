"""Queuing notices: the payer's OWNER and BILLING members each get one message in their language, once, in a
constant number of statements, inside the caller's transaction (SPEC "Notifications")."""

from __future__ import annotations

import datetime as dt

import pytest

from mailrenew.accounts.models import Language, Organization, Role, User
from mailrenew.db import atomic
from mailrenew.notify.models import MessageKind, OutboxMessage
from mailrenew.notify.service import Notice, mark_read, queue
from mailrenew.notify.templates import NoticeParamsError
from tests.factories import make_org, make_user
from tests.querycount import count_statements


def receipt(org: Organization, key: str = "receipt:mailbox:1:2027-03-06", **params: object) -> Notice:
    return Notice(
        MessageKind.RENEWAL_RECEIPT,
        org.id,
        key,
        {
            "item": "contact@shop.example",
            "amount_cents": 1234,
            "period": "MONTHLY",
            "new_expires_at": dt.date(2027, 4, 6),
            **params,
        },
    )


async def messages() -> list[OutboxMessage]:
    return await OutboxMessage.all().order_by("user_id", "id")


async def test_recipients_are_exactly_the_owner_and_billing_members_of_the_organization() -> None:
    # given one member of each role in the payer, an owner of another organization, an inactive billing member
    payer, other = await make_org(name="Payer"), await make_org(name="Other")
    owner = await make_user(roles={payer: Role.OWNER})
    billing = await make_user(roles={payer: Role.BILLING, other: Role.MEMBER})
    await make_user(roles={payer: Role.ADMIN})
    await make_user(roles={payer: Role.MEMBER})
    await make_user(roles={other: Role.OWNER})
    gone = await make_user(roles={payer: Role.BILLING})
    await User.filter(id=gone.id).update(is_active=False)

    # when a receipt is queued for the payer
    created = await queue([receipt(payer)])

    # then exactly its owner and billing member have one message each, about the payer
    rows = await messages()
    assert created == 2
    assert [(m.user_id, m.organization_id, m.kind) for m in rows] == [
        (owner.id, payer.id, MessageKind.RENEWAL_RECEIPT),
        (billing.id, payer.id, MessageKind.RENEWAL_RECEIPT),
    ]
    assert [m.dedupe_key for m in rows] == [
        f"receipt:mailbox:1:2027-03-06:{owner.id}",
        f"receipt:mailbox:1:2027-03-06:{billing.id}",
    ]
    assert all(m.sent_at is None and m.send_attempts == 0 and m.read_at is None for m in rows)


async def test_each_recipient_reads_the_message_in_their_language() -> None:
    org = await make_org(name="Boulangerie Dupont")
    french = await make_user(language=Language.FR, roles={org: Role.OWNER})
    english = await make_user(language=Language.EN, roles={org: Role.BILLING})

    await queue([receipt(org, amount_cents=123456)])

    by_user = {m.user_id: m for m in await messages()}
    fr, en = by_user[french.id], by_user[english.id]
    assert (fr.language, en.language) == ("fr", "en")
    assert fr.subject == "Reçu : contact@shop.example renouvelée jusqu'au 06/04/2027"
    assert en.subject == "Receipt: contact@shop.example renewed until 2027-04-06"
    assert "1\u202f234,56\u00a0€" in fr.body
    assert "Boulangerie Dupont" in fr.body
    assert "€1,234.56" in en.body
    assert "Boulangerie Dupont" in en.body


async def test_queuing_the_same_notices_again_adds_nothing() -> None:
    org = await make_org()
    await make_user(roles={org: Role.OWNER})
    await make_user(roles={org: Role.BILLING})
    notices = [receipt(org, key=f"receipt:mailbox:{n}:2027-03-06") for n in range(3)]

    first = await queue(notices)
    again = await queue(notices)
    overlapping = await queue([*notices, receipt(org, key="receipt:mailbox:9:2027-03-06")])

    assert (first, again, overlapping) == (6, 0, 2)
    assert await OutboxMessage.all().count() == 8


async def test_a_notice_given_twice_in_one_call_makes_one_message_per_user() -> None:
    org = await make_org()
    await make_user(roles={org: Role.OWNER})

    assert await queue([receipt(org), receipt(org)]) == 1
    assert await OutboxMessage.all().count() == 1


async def test_statements_are_the_same_for_1_and_300_notices() -> None:
    orgs = [await make_org() for _ in range(3)]
    for org in orgs:
        await make_user(language=Language.FR, roles={org: Role.OWNER})
        await make_user(roles={org: Role.BILLING})
    many = [receipt(orgs[n % 3], key=f"receipt:mailbox:{n}:2027-03-06") for n in range(300)]

    with count_statements() as one:
        assert await queue([receipt(orgs[0], key="receipt:single")]) == 2
    with count_statements() as three_hundred:
        assert await queue(many) == 600

    assert one.count <= 2, str(one)
    assert three_hundred.count == one.count, str(three_hundred)
    assert await OutboxMessage.all().count() == 602


async def test_no_statement_for_no_notice_and_no_insert_without_recipients() -> None:
    lonely = await make_org()

    with count_statements() as nothing:
        assert await queue([]) == 0
    with count_statements() as nobody:
        assert await queue([receipt(lonely)]) == 0

    assert nothing.count == 0
    assert nobody.count == 1, str(nobody)


async def test_queue_writes_in_the_callers_transaction_and_never_commits_on_its_own() -> None:
    org = await make_org()
    await make_user(roles={org: Role.OWNER})

    async def sweep_that_fails_after_queuing() -> None:
        async with atomic():
            assert await queue([receipt(org)]) == 1
            raise RuntimeError("sweep failed after queuing")

    with pytest.raises(RuntimeError, match="sweep failed"):
        await sweep_that_fails_after_queuing()

    assert await OutboxMessage.all().count() == 0

    async with atomic():
        await queue([receipt(org)])
    assert await OutboxMessage.all().count() == 1


async def test_a_notice_lacking_its_parameters_is_refused_before_anything_is_written() -> None:
    org = await make_org()
    await make_user(roles={org: Role.OWNER})
    broken = Notice(MessageKind.RENEWAL_FAILED, org.id, "failed:mailbox:1", {"item": "a@b.example"})

    with pytest.raises(NoticeParamsError, match="reason, expires_at"):
        await queue([receipt(org), broken])

    assert await OutboxMessage.all().count() == 0


async def test_mark_read_touches_only_the_users_own_messages() -> None:
    org = await make_org()
    owner = await make_user(roles={org: Role.OWNER})
    billing = await make_user(roles={org: Role.BILLING})
    await queue([receipt(org)])
    mine = await OutboxMessage.get(user_id=owner.id)
    theirs = await OutboxMessage.get(user_id=billing.id)

    changed = await mark_read(owner.id, [mine.id, theirs.id])
    again = await mark_read(owner.id, [mine.id])

    assert (changed, again) == (1, 0)
    await mine.refresh_from_db()
    await theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None
