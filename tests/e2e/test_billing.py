"""Billing (balance, card, automatic top-up, top-ups, upcoming renewals, ledger) and the Notifications page (the
outbox and the menu's unread badge), checked in the browser and again in the database or through the API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.async_api import Page, Route, expect

from tests.e2e.support import App, axe_violations, eventually, run_cli, shot, sign_in

pytestmark = pytest.mark.e2e

OWNER = "owner@acme.example"
MEMBER = "member@acme.example"

ORGANIZATIONS = "query { viewer { memberships { organization { id name } } } }"
BILLING = """
query ($id: ID!) {
  organization(id: $id) { prepaidBalanceCents card { last4 autoTopUp } }
}
"""
FORECAST = """
query ($id: ID!) {
  upcomingRenewals(organizationId: $id, days: 30) { items { label } totalCents balanceCents }
}
"""
TOP_UP = """
mutation ($id: ID!, $cents: Int!, $key: String!) {
  topUp(organizationId: $id, amountCents: $cents, idempotencyKey: $key) { userErrors { field code message } }
}
"""


def euros_fr(cents: int) -> str:
    """50,00 € / 1 234,56 € (Intl's no-break spaces are plain spaces once Playwright normalizes whitespace)."""
    whole, part = divmod(cents, 100)
    return f"{whole:,}".replace(",", " ") + f",{part:02d} €"


async def organization_ids(app: App, email: str) -> dict[str, str]:
    data = await app.graphql(email, ORGANIZATIONS)
    return {m["organization"]["name"]: m["organization"]["id"] for m in data["viewer"]["memberships"]}


def balance_cents(app: App, organization: str) -> int:
    [row] = app.rows(
        """SELECT a.balance_cents FROM prepaid_accounts a JOIN organizations o ON o.id = a.organization_id
           WHERE o.name = ?""",
        organization,
    )
    return int(row["balance_cents"])


def ledger(app: App, organization: str) -> list[tuple[str, int, int]]:
    rows = app.rows(
        """SELECT e.kind, e.amount_cents, e.balance_after_cents FROM ledger_entries e
           JOIN prepaid_accounts a ON a.id = e.account_id JOIN organizations o ON o.id = a.organization_id
           WHERE o.name = ? ORDER BY e.id""",
        organization,
    )
    return [(row["kind"], row["amount_cents"], row["balance_after_cents"]) for row in rows]


def card_of(app: App, organization: str) -> dict[str, object] | None:
    rows = app.rows(
        """SELECT c.brand, c.last4, c.exp_month, c.exp_year, c.gateway_token, c.auto_top_up FROM cards c
           JOIN organizations o ON o.id = c.organization_id WHERE o.name = ?""",
        organization,
    )
    return dict(rows[0]) if rows else None


def auto_top_up(app: App, organization: str) -> bool | None:
    card = card_of(app, organization)
    return None if card is None else bool(card["auto_top_up"])


async def test_owner_sees_acme_billing_and_tops_up_ten_euros(page: Page, app: App) -> None:
    # Given the owner of Acme on the Billing page (the menu entry), Acme being their first organization
    await sign_in(page, app, OWNER)
    await page.get_by_role("link", name="Facturation").click()
    ids = await organization_ids(app, OWNER)
    await page.wait_for_url(app.url(f"/billing?org={ids['Acme SARL']}"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Facturation — Acme SARL")

    # Then they see the balance of 50,00 €, the VISA card •••• 4242 and its automatic top-up on
    balance = page.get_by_test_id("balance")
    await expect(balance).to_have_text(euros_fr(balance_cents(app, "Acme SARL")))
    await expect(balance).to_have_text("50,00 €")
    card = page.get_by_test_id("card-summary")
    await expect(card).to_contain_text("VISA")
    await expect(card).to_contain_text("•••• 4242")
    await expect(page.get_by_role("switch", name="Rechargement automatique")).to_have_attribute(
        "aria-checked", "true"
    )

    # And the upcoming renewals of the next 30 days with their total, as the API forecasts them
    forecast = (await app.graphql(OWNER, FORECAST, {"id": ids["Acme SARL"]}))["upcomingRenewals"]
    upcoming = page.get_by_test_id("upcoming")
    await expect(upcoming.get_by_role("heading")).to_have_text(
        "Prochains renouvellements (30 prochains jours)"
    )
    await expect(upcoming.get_by_test_id("upcoming-row")).to_have_count(len(forecast["items"]))
    assert forecast["items"], "the demo data has renewals due within 30 days"
    for item in forecast["items"]:
        await expect(upcoming.get_by_role("cell", name=item["label"], exact=True)).to_be_visible()
    await expect(upcoming.get_by_test_id("upcoming-total")).to_have_text(euros_fr(forecast["totalCents"]))
    await expect(upcoming.get_by_test_id("upcoming-balance")).to_have_text("50,00 €")

    # When they type amounts the form refuses (negative, three decimals), nothing is sent
    amount = page.get_by_label("Montant en euros")
    submit = page.get_by_role("button", name="Recharger", exact=True)
    for typed, message in [
        ("-5", "Le montant ne peut pas être négatif."),
        ("10,505", "Deux décimales au plus (les centimes)."),
    ]:
        await amount.fill(typed)
        await submit.click()
        await expect(page.get_by_test_id("top-up-amount-error")).to_have_text(message)
        await expect(amount).to_have_attribute("aria-invalid", "true")
        await expect(amount).to_be_focused()
    await shot(page, "21-billing-top-up-refused", full_page=False)
    assert app.rows("SELECT id FROM gateway_charges") == []

    # When they top up 10 € with a double click
    await amount.fill("10")
    await submit.dblclick()

    # Then the balance shows 60,00 €, and the ledger starts with the new top-up line
    await expect(balance).to_have_text("60,00 €")
    await expect(page.get_by_text("Le compte a été rechargé de 10,00 €.")).to_be_visible()
    first = page.get_by_test_id("ledger-row").first
    await expect(first).to_have_attribute("data-kind", "TOP_UP")
    await expect(first).to_contain_text("Rechargement")
    await expect(first.get_by_test_id("ledger-amount")).to_have_text("+10,00 €")
    await expect(first.get_by_test_id("ledger-balance-after")).to_have_text("60,00 €")
    await expect(upcoming.get_by_test_id("upcoming-balance")).to_have_text("60,00 €")
    await expect(amount).to_have_value("")

    # And the card was charged once, under one idempotency key, and credited once
    charges = app.rows("SELECT amount_cents, status, idempotency_key FROM gateway_charges")
    assert [(c["amount_cents"], c["status"]) for c in charges] == [(1000, "SUCCEEDED")]
    assert re.fullmatch(
        r"topup:\d+:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", charges[0][2]
    )
    assert ledger(app, "Acme SARL") == [("OPENING", 5000, 5000), ("TOP_UP", 1000, 6000)]
    assert balance_cents(app, "Acme SARL") == 6000
    await shot(page, "20-billing-acme")

    # And axe-core finds no serious or critical violation on the page
    assert await axe_violations(page) == []

    # When they top up 5 € and the answer is lost on the way back (the server did charge the card), then retry
    keys: list[str] = []

    async def lose_the_first_answer(route: Route) -> None:
        body = route.request.post_data_json
        if body.get("operationName") != "TopUp":
            await route.continue_()
            return
        keys.append(body["variables"]["idempotencyKey"])
        if len(keys) == 1:
            await route.fetch()
            await route.abort()
        else:
            await route.continue_()

    await page.route("**/graphql", lose_the_first_answer)
    await amount.fill("5")
    await submit.click()
    await expect(page.get_by_test_id("top-up-error")).to_be_visible()
    await expect(balance).to_have_text("60,00 €")
    await submit.click()

    # Then the retry carries the same idempotency key: the card was charged once, the account credited once
    await expect(balance).to_have_text("65,00 €")
    assert len(keys) == 2
    assert keys[0] == keys[1]
    charges = app.rows("SELECT amount_cents, status FROM gateway_charges ORDER BY id")
    assert [(c["amount_cents"], c["status"]) for c in charges] == [(1000, "SUCCEEDED"), (500, "SUCCEEDED")]
    assert ledger(app, "Acme SARL")[1:] == [("TOP_UP", 1000, 6000), ("TOP_UP", 500, 6500)]


async def test_declined_card_on_globex_refuses_the_top_up(page: Page, app: App) -> None:
    # Given the owner of Acme (billing manager of Globex) on the Billing page
    await sign_in(page, app, OWNER, next_path="/billing")
    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_have_text("Facturation — Acme SARL")

    # When they choose Globex in the organization switcher
    await page.get_by_label("Organisation", exact=True).select_option(label="Globex")

    # Then Globex's billing is shown (2,00 €, no card, no top-up possible), and the URL says so
    ids = await organization_ids(app, OWNER)
    await page.wait_for_url(app.url(f"/billing?org={ids['Globex']}"))
    await expect(heading).to_have_text("Facturation — Globex")
    balance = page.get_by_test_id("balance")
    await expect(balance).to_have_text("2,00 €")
    await expect(page.get_by_test_id("no-card")).to_be_visible()
    await expect(page.get_by_role("button", name="Recharger", exact=True)).to_be_disabled()

    # When they register the test card that the gateway declines
    year = dt.datetime.now(dt.UTC).year + 3
    await page.get_by_label("Numéro de carte").fill("4000 0000 0000 0002")
    await page.get_by_label("Mois").select_option("12")
    await page.get_by_label("Année").select_option(str(year))
    await page.get_by_label("Cryptogramme (CVC)").fill("123")
    await page.get_by_role("button", name="Enregistrer la carte").click()

    # Then the registration is accepted: the card shows •••• 0002 and the form is gone with what was typed
    await expect(page.get_by_text("Carte VISA se terminant par 0002 enregistrée.")).to_be_visible()
    await expect(page.get_by_test_id("card-summary")).to_contain_text("•••• 0002")
    await expect(page.get_by_test_id("card-form")).to_have_count(0)
    await expect(page.get_by_role("button", name="Remplacer la carte")).to_be_focused()
    stored = await page.evaluate(
        "() => JSON.stringify([{...localStorage}, {...sessionStorage}, location.href])"
    )
    assert "0002" not in stored
    assert "4000" not in stored

    # And the database keeps brand, last 4 digits and expiry, never the number
    card = card_of(app, "Globex")
    assert card is not None
    assert (card["brand"], card["last4"], card["exp_month"], card["exp_year"]) == ("VISA", "0002", 12, year)
    assert "4000000000000002" not in str(card["gateway_token"])

    # When they top up 5 €
    await page.get_by_label("Montant en euros").fill("5")
    await page.get_by_role("button", name="Recharger", exact=True).click()

    # Then the form says the card was declined, and the balance is unchanged
    error = page.get_by_test_id("top-up-error")
    await expect(error).to_have_text("La carte a été refusée.")
    await expect(balance).to_have_text("2,00 €")
    await expect(page.get_by_label("Montant en euros")).to_be_focused()
    await shot(page, "22-billing-globex-declined")
    assert await axe_violations(page) == []

    # And the gateway recorded one declined charge, nothing was credited
    charges = app.rows("SELECT amount_cents, status FROM gateway_charges")
    assert [(c["amount_cents"], c["status"]) for c in charges] == [(500, "DECLINED")]
    assert ledger(app, "Globex") == [("OPENING", 200, 200)]
    assert balance_cents(app, "Globex") == 200

    # And the message is the API's own for CARD_DECLINED
    refused = await app.graphql(OWNER, TOP_UP, {"id": ids["Globex"], "cents": 500, "key": "e2e-check"})
    [user_error] = refused["topUp"]["userErrors"]
    assert user_error["code"] == "CARD_DECLINED"
    await expect(error).to_have_text(user_error["message"])


async def test_turn_automatic_top_up_off_and_on(page: Page, app: App) -> None:
    # Given the owner on Acme's billing, whose card tops up automatically
    await sign_in(page, app, OWNER, next_path="/billing")
    switch = page.get_by_role("switch", name="Rechargement automatique")
    await expect(switch).to_have_attribute("aria-checked", "true")
    assert auto_top_up(app, "Acme SARL") is True

    # When they switch it off with the mouse
    await switch.click()

    # Then the switch says "Désactivé", and the card no longer tops up (database and API)
    await expect(switch).to_have_attribute("aria-checked", "false")
    await expect(switch).to_contain_text("Désactivé")
    await expect(
        page.get_by_text("Le rechargement automatique est désactivé pour Acme SARL.")
    ).to_be_visible()
    await eventually(lambda: auto_top_up(app, "Acme SARL") is False)
    ids = await organization_ids(app, OWNER)
    data = await app.graphql(OWNER, BILLING, {"id": ids["Acme SARL"]})
    assert data["organization"]["card"] == {"last4": "4242", "autoTopUp": False}
    await shot(page, "23-billing-auto-top-up-off", full_page=False)

    # When they switch it on again from the keyboard
    await switch.focus()
    await page.keyboard.press("Space")

    # Then it is on again, in the page and in the database, and the focus stayed on the switch
    await expect(switch).to_have_attribute("aria-checked", "true")
    await expect(switch).to_contain_text("Activé")
    await expect(switch).to_be_focused()
    await eventually(lambda: auto_top_up(app, "Acme SARL") is True)


async def test_notifications_list_the_receipts_and_mark_them_read(page: Page, app: App) -> None:
    # Given the renewal sweep ran (the CLI, on this test's database), leaving receipts for the owner
    output = await run_cli(app, "renew")
    assert "renewed" in output, output
    query = """SELECT m.id, m.kind, m.subject, m.read_at FROM outbox_messages m JOIN users u ON u.id = m.user_id
               WHERE u.email = ? ORDER BY m.id DESC"""
    messages = app.rows(query, OWNER)
    assert len(messages) >= 2
    assert {m["kind"] for m in messages} == {"RENEWAL_RECEIPT"}

    # When the owner signs in, the menu shows how many are unread
    await sign_in(page, app, OWNER)
    badge = page.get_by_test_id("unread-badge")
    await expect(badge).to_have_text(str(len(messages)))
    link = page.get_by_role("link", name=f"Notifications ({len(messages)} non lues)")
    await expect(link).to_be_visible()

    # And the Notifications page lists the receipts, newest first, each marked unread
    await link.click()
    await page.wait_for_url(app.url("/notifications"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    items = page.get_by_test_id("message")
    await expect(items.get_by_role("heading")).to_have_text([m["subject"] for m in messages])
    await expect(items.get_by_test_id("unread-marker")).to_have_count(len(messages))
    first = items.first
    await expect(first).to_contain_text("Reçu")
    await expect(first).to_contain_text("Concerne Acme SARL")
    await first.get_by_text("Afficher le message").click()
    await expect(first.locator("pre")).to_contain_text("Montant débité du compte prépayé de Acme SARL")
    await shot(page, "24-notifications")
    assert await axe_violations(page) == []

    # When they mark the newest one read
    await first.get_by_role("button", name=f"Marquer comme lu : {messages[0]['subject']}").click()

    # Then it is no longer marked unread, the badge counts one less, and only that message is read in the database
    await expect(first).to_have_attribute("data-unread", "false")
    await expect(first.get_by_test_id("unread-marker")).to_have_count(0)
    await expect(badge).to_have_text(str(len(messages) - 1))
    await expect(first).to_be_focused()
    read = [m["id"] for m in app.rows(query, OWNER) if m["read_at"] is not None]
    assert read == [messages[0]["id"]]
    await shot(page, "25-notifications-one-read", full_page=False)

    # When they mark all of them read, the badge goes away and the database agrees
    await page.get_by_role("button", name="Tout marquer comme lu").click()
    await expect(badge).to_have_count(0)
    await expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    await expect(items.get_by_test_id("unread-marker")).to_have_count(0)
    await expect(page.get_by_role("list", name="Messages")).to_be_focused()
    assert all(m["read_at"] is not None for m in app.rows(query, OWNER))


async def test_member_is_told_billing_is_for_owners_and_billing_managers(page: Page, app: App) -> None:
    # Given member@acme.example, a MEMBER of Acme only (their account is in English)
    await sign_in(page, app, MEMBER, next_path="/billing")

    # Then the Billing page says who sees it, and shows no balance, card or form
    await expect(page.get_by_role("heading", level=1)).to_have_text("Billing — Acme SARL")
    notice = page.get_by_test_id("billing-no-rights")
    await expect(notice).to_contain_text("Only the owners and billing managers of Acme SARL see its billing")
    await expect(notice).to_contain_text("Your role in Acme SARL: Member.")
    await expect(page.get_by_test_id("balance")).to_have_count(0)
    await expect(page.get_by_role("button", name="Top up")).to_have_count(0)
    await shot(page, "26-billing-no-rights")
    assert await axe_violations(page) == []

    # And the API indeed gives them no balance and no card
    ids = await organization_ids(app, MEMBER)
    data = await app.graphql(MEMBER, BILLING, {"id": ids["Acme SARL"]})
    assert data["organization"] == {"prepaidBalanceCents": None, "card": None}
