"""The outbox through the API: the viewer's own messages only, newest first, paginated like every list."""

from __future__ import annotations

import datetime as dt

from mailrenew.accounts.models import Language, Organization, Role
from mailrenew.notify.models import MessageKind, OutboxMessage
from mailrenew.notify.service import Notice, mark_read, queue
from tests.factories import make_org, make_user
from tests.graphql.helpers import gid
from tests.querycount import count_statements

OUTBOX = """
query Outbox($first: Int, $after: String, $unreadOnly: Boolean! = false) {
  outbox(first: $first, after: $after, unreadOnly: $unreadOnly) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { id kind subject body language createdAt sentAt readAt organization { id name } }
  }
}
"""


def expired(org: Organization, n: int) -> Notice:
    return Notice(
        MessageKind.EXPIRED,
        org.id,
        f"expired:mailbox:{n}:2027-03-01",
        {"item": f"box{n}@shop.example", "expired_on": dt.date(2027, 3, 1)},
    )


async def test_the_viewer_sees_only_their_own_messages(signed_in, with_token) -> None:
    # given two organizations, and a colleague of the viewer who gets the same notices
    shop, other = await make_org(name="Shop"), await make_org(name="Other")
    viewer = await make_user(language=Language.FR, roles={shop: Role.OWNER, other: Role.MEMBER})
    colleague = await make_user(roles={shop: Role.BILLING})
    stranger = await make_user(roles={other: Role.OWNER})
    await queue([expired(shop, 1), expired(other, 2), expired(shop, 3)])
    own = await OutboxMessage.filter(user_id=viewer.id).order_by("-id")

    # when the viewer, the colleague and the stranger read their outbox
    for client in (await signed_in(viewer), await with_token(viewer)):
        data = await client.execute(OUTBOX)

        # then the viewer reads their two messages, newest first, in French, about Shop
        assert data["outbox"]["totalCount"] == 2
        assert [n["id"] for n in data["outbox"]["nodes"]] == [gid("OutboxMessage", m.id) for m in own]
        first = data["outbox"]["nodes"][0]
        assert first["kind"] == "EXPIRED"
        assert first["subject"] == "box3@shop.example a expiré"
        assert first["language"] == "FR"
        assert "La boîte mail box3@shop.example a expiré le 01/03/2027" in first["body"]
        assert first["organization"] == {"id": gid("Organization", shop.id), "name": "Shop"}
        assert first["sentAt"] is None
        assert first["readAt"] is None
        assert dt.datetime.fromisoformat(first["createdAt"]).tzinfo is not None
    colleague_data = await (await with_token(colleague)).execute(OUTBOX)
    stranger_data = await (await with_token(stranger)).execute(OUTBOX)
    assert colleague_data["outbox"]["totalCount"] == 2
    assert {n["language"] for n in colleague_data["outbox"]["nodes"]} == {"EN"}
    assert [n["subject"] for n in stranger_data["outbox"]["nodes"]] == ["box2@shop.example has expired"]


async def test_pages_follow_each_other_newest_first(with_token) -> None:
    org = await make_org()
    viewer = await make_user(roles={org: Role.OWNER})
    await queue([expired(org, n) for n in range(5)])
    client = await with_token(viewer)

    seen: list[str] = []
    pages = []
    after = None
    while True:
        page = (await client.execute(OUTBOX, {"first": 2, "after": after}))["outbox"]
        pages.append(
            (len(page["nodes"]), page["pageInfo"]["hasNextPage"], page["pageInfo"]["hasPreviousPage"])
        )
        seen += [n["subject"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert pages == [(2, True, False), (2, True, True), (1, False, True)]
    assert seen == [f"box{n}@shop.example has expired" for n in (4, 3, 2, 1, 0)]


async def test_page_size_is_capped(with_token) -> None:
    viewer = await make_user()
    client = await with_token(viewer)

    body = (await client.post(OUTBOX, {"first": 101})).json()

    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("`first` must be between 0 and 100.", "BAD_USER_INPUT")
    ]


async def test_unread_only_leaves_out_the_messages_read(with_token) -> None:
    org = await make_org()
    viewer = await make_user(roles={org: Role.OWNER})
    await queue([expired(org, n) for n in range(3)])
    oldest = await OutboxMessage.filter(user_id=viewer.id).order_by("id").first()
    assert oldest is not None
    await mark_read(viewer.id, [oldest.id])
    client = await with_token(viewer)

    unread = (await client.execute(OUTBOX, {"unreadOnly": True}))["outbox"]
    everything = (await client.execute(OUTBOX))["outbox"]

    assert unread["totalCount"] == 2
    assert gid("OutboxMessage", oldest.id) not in [n["id"] for n in unread["nodes"]]
    assert everything["totalCount"] == 3
    assert everything["nodes"][-1]["readAt"] is not None


async def test_organizations_of_a_page_are_loaded_in_one_statement(with_token) -> None:
    orgs = [await make_org(name=f"Org {n}") for n in range(4)]
    viewer = await make_user(roles=dict.fromkeys(orgs, Role.BILLING))
    await queue([expired(org, n) for n, org in enumerate(orgs)])
    client = await with_token(viewer)
    small = "{ outbox(first: 1) { nodes { organization { name } } } }"
    large = "{ outbox(first: 4) { nodes { organization { name } } } }"
    await client.execute(small)  # the token's first use writes its last_used_at: leave it out of the count

    with count_statements() as one:
        await client.execute(small)
    with count_statements() as four:
        data = await client.execute(large)

    assert four.count == one.count, str(four)
    assert [n["organization"]["name"] for n in data["outbox"]["nodes"]] == [
        "Org 3",
        "Org 2",
        "Org 1",
        "Org 0",
    ]


async def test_mark_outbox_read_marks_only_the_viewers_own_messages(with_token) -> None:
    from mailrenew.accounts.models import Role
    from mailrenew.graphql.relay import to_global_id
    from mailrenew.notify.models import MessageKind, OutboxMessage
    from tests.factories import make_org, make_user

    org = await make_org()
    me, other = await make_user(roles={org: Role.OWNER}), await make_user(roles={org: Role.BILLING})
    mine = await OutboxMessage.create(
        user=me,
        organization=org,
        kind=MessageKind.EXPIRED,
        language="en",
        subject="s",
        body="b",
        dedupe_key="m1",
    )
    theirs = await OutboxMessage.create(
        user=other,
        organization=org,
        kind=MessageKind.EXPIRED,
        language="en",
        subject="s",
        body="b",
        dedupe_key="m2",
    )
    client = await with_token(me)

    data = await client.execute(
        "mutation($ids: [ID!]!) { markOutboxRead(messageIds: $ids) { markedCount userErrors { code } } }",
        {"ids": [to_global_id("OutboxMessage", mine.id), to_global_id("OutboxMessage", theirs.id), "junk"]},
    )
    unread = await client.execute("{ outbox(unreadOnly: true) { totalCount } }")

    assert data["markOutboxRead"] == {"markedCount": 1, "userErrors": []}
    assert unread == {"outbox": {"totalCount": 0}}
    assert (await OutboxMessage.get(id=theirs.id)).read_at is None
