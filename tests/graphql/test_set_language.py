"""setLanguage: the viewer's language, and the language of the messages that follow."""

from __future__ import annotations

from mailrenew.accounts.models import Language, Role, User
from tests.graphql.auto_renew_world import SET_AUTO_RENEW, SET_LANGUAGE, TURN_OFF, make_world
from tests.graphql.helpers import user_error


async def test_set_language_changes_the_viewer_and_the_language_of_messages(signed_in) -> None:
    # given an English-speaking MEMBER
    world = await make_world(role=Role.MEMBER)
    client = await signed_in(world.caller)

    # when they switch to French, then try a change they may not make
    switched = await client.execute(SET_LANGUAGE, {"language": "FR"})
    viewer = await client.execute("{ viewer { language } }")
    refusal = await client.execute(SET_AUTO_RENEW, {"id": world.box_id(0), "input": TURN_OFF})

    # then the payload, the stored preference and the next messages are French
    assert switched["setLanguage"] == {
        "viewer": {"email": world.caller.email, "language": "FR"},
        "userErrors": [],
    }
    assert viewer == {"viewer": {"language": "FR"}}
    assert (await User.get(id=world.caller.id)).language == Language.FR
    assert refusal["setAutoRenew"]["userErrors"] == [user_error("NOT_ALLOWED", ["mailboxId"], language="fr")]

    # and back to English
    back = await client.execute(SET_LANGUAGE, {"language": "EN"})
    assert back["setLanguage"]["viewer"]["language"] == "EN"
    assert (await User.get(id=world.caller.id)).language == Language.EN


async def test_set_language_rejects_an_unknown_language_as_a_graphql_error(signed_in) -> None:
    world = await make_world()
    client = await signed_in(world.caller)

    body = (await client.post(SET_LANGUAGE, {"language": "DE"})).json()

    assert "errors" in body
    assert (await User.get(id=world.caller.id)).language == Language.EN
