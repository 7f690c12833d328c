"""Auto-renewal of one mailbox, by the two paths of the help page (the ⁝ menu of the list, the Configuration block
of the mailbox's page), and a payer the user may not charge."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import BADGE_FR, App, shot, sign_in

pytestmark = pytest.mark.e2e

SET_AUTO_RENEW = """
mutation ($id: ID!, $input: AutoRenewInput!) {
  setAutoRenew(mailboxId: $id, input: $input) { mailbox { id } userErrors { field code message } }
}
"""
QUOTE = "query ($id: ID!) { mailbox(id: $id) { autoRenewQuote { monthlyCents yearlyCents firstChargeOn } } }"


def euros(cents: int) -> str:
    """5,00 € (French formatting, as Playwright reads it)."""
    whole, part = divmod(cents, 100)
    return f"{whole:,}".replace(",", " ") + f",{part:02d} €"


MAILBOX_BY_ADDRESS = """
query ($fqdn: String!) {
  domainByFqdn(fqdn: $fqdn) {
    mailboxes(first: 50) { nodes { id address autoRenew { enabled period payer { id name } } } }
  }
  viewer { memberships { organization { id name } } }
}
"""


async def test_enable_from_the_row_menu(page: Page, app: App) -> None:
    # Given the owner on acme.example's mailboxes, sales@ without auto-renewal
    await sign_in(page, app, "owner@acme.example", next_path="/domains/acme.example")
    before = app.mailboxes("acme.example")
    assert before["sales@acme.example"]["enabled"] is False
    row = page.get_by_test_id("mailbox-row-sales@acme.example")
    await expect(row.get_by_role("img", name=BADGE_FR)).to_have_count(0)

    # When they open its ⁝ menu and choose "Gérer le renouvellement automatique"
    await row.get_by_role("button", name="Actions pour sales@acme.example").click()
    await shot(page, "05-row-menu", full_page=False)
    await page.get_by_role("menuitem", name="Gérer le renouvellement automatique").click()

    # And switch it on, choose Yearly and Acme SARL, and save ("Modifier")
    await page.wait_for_url(re.compile(r"/mailboxes/[^/]+/auto-renew$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Renouvellement automatique de sales@acme.example"
    )
    switch = page.get_by_role("switch", name="Renouvellement automatique")
    await expect(switch).to_have_attribute("aria-checked", "false")
    await switch.click()
    await expect(switch).to_have_attribute("aria-checked", "true")
    await expect(switch).to_contain_text("Activé")
    yearly = page.get_by_role("button", name="Annuel", exact=True)
    await yearly.click()
    await expect(yearly).to_have_attribute("aria-pressed", "true")
    await page.get_by_label("Organisation à débiter").select_option(label="Acme SARL")
    await shot(page, "06-auto-renew-form")
    await page.get_by_role("button", name="Modifier").click()

    # Then they are back on the mailbox list, where sales@'s expiry date is followed by the green A
    await page.wait_for_url(app.url("/domains/acme.example"))
    await expect(row.get_by_role("img", name=BADGE_FR)).to_be_visible()
    await expect(row.get_by_test_id("expiry")).to_contain_text("A")
    await expect(
        page.get_by_text("Renouvellement automatique enregistré pour sales@acme.example.")
    ).to_be_visible()
    await shot(page, "07-after-save")

    # And the database holds the new settings, for sales@ only
    after = app.mailboxes("acme.example")
    assert after["sales@acme.example"] == {"enabled": True, "period": "YEARLY", "payer": "Acme SARL"}
    assert {k: v for k, v in after.items() if k != "sales@acme.example"} == {
        k: v for k, v in before.items() if k != "sales@acme.example"
    }


async def test_enable_from_the_mailbox_detail(page: Page, app: App) -> None:
    # Given the owner on jobs@acme.example's page, whose Configuration block says "Désactivé"
    await sign_in(page, app, "owner@acme.example", next_path="/domains/acme.example")
    await page.get_by_role("link", name="jobs@acme.example", exact=True).click()
    await page.wait_for_url(re.compile(r"/mailboxes/[^/]+$"))
    mailbox_url = page.url
    configuration = page.get_by_role("region", name="Configuration")
    status = configuration.get_by_test_id("auto-renew-status")
    await expect(status).to_have_text("Désactivé")
    await shot(page, "08-mailbox-detail-off")

    # When they click "Changer", switch it on, choose Monthly and Globex, and save
    await configuration.get_by_role(
        "link", name="Changer le renouvellement automatique de jobs@acme.example"
    ).click()
    await page.wait_for_url(re.compile(r"/auto-renew\?from=mailbox$"))
    await page.get_by_role("switch", name="Renouvellement automatique").click()
    await page.get_by_role("button", name="Mensuel", exact=True).click()
    await page.get_by_label("Organisation à débiter").select_option(label="Globex")
    await page.get_by_role("button", name="Modifier").click()

    # Then they are back on the mailbox's page, which shows "Activé" (green), monthly, paid by Globex
    await page.wait_for_url(mailbox_url)
    await expect(status).to_have_text("Activé")
    await expect(status).to_have_attribute("data-enabled", "true")
    await expect(configuration).to_contain_text("Mensuel")
    await expect(configuration).to_contain_text("Globex")
    await expect(configuration.get_by_role("img", name=BADGE_FR)).to_be_visible()
    await shot(page, "09-mailbox-detail-on")

    # And the API says the same
    data = await app.graphql("owner@acme.example", MAILBOX_BY_ADDRESS, {"fqdn": "acme.example"})
    jobs = next(m for m in data["domainByFqdn"]["mailboxes"]["nodes"] if m["address"] == "jobs@acme.example")
    assert jobs["autoRenew"]["enabled"] is True
    assert jobs["autoRenew"]["period"] == "MONTHLY"
    assert jobs["autoRenew"]["payer"]["name"] == "Globex"


async def test_admin_without_payer_rights_cannot_charge_acme(page: Page, app: App) -> None:
    # Given admin@acme.example: ADMIN of Acme (may manage its mailboxes) but neither OWNER nor BILLING anywhere.
    # Their account's language is English, so the console follows it after sign-in.
    await sign_in(page, app, "admin@acme.example", next_path="/domains/acme.example")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    before = app.mailboxes("acme.example")

    # When they open the form of adam@ (auto-renewal off)
    await page.get_by_role("button", name="Actions for adam@acme.example").click()
    await page.get_by_role("menuitem", name="Manage auto-renewal").click()
    payer = page.get_by_label("Organization to charge")
    await expect(payer).to_be_visible()

    # Then the payer drop-down offers no organization they may charge, and says why
    enabled_options = await payer.locator("option:not([disabled])").all_inner_texts()
    assert enabled_options == ["Choose an organization"]
    await expect(page.get_by_text("You cannot charge any organization")).to_be_visible()

    # And switching on and saving is refused next to the payer field
    await page.get_by_role("switch", name="Auto-renewal").click()
    await page.get_by_role("button", name="Monthly", exact=True).click()
    await page.get_by_role("button", name="Save").click()
    error = page.get_by_test_id("error-payer")
    await expect(error).to_have_text("Choose the organization to charge.")
    await expect(payer).to_have_attribute("aria-describedby", re.compile("payer-error"))
    assert "/auto-renew" in page.url

    # When they open alice@ (on, yearly, paid by Acme SARL) and change it to monthly
    await page.goto(app.url("/domains/acme.example"))
    await page.get_by_role("button", name="Actions for alice@acme.example").click()
    await page.get_by_role("menuitem", name="Manage auto-renewal").click()
    await expect(payer.locator("option:checked")).to_have_text("Acme SARL")
    await expect(payer.locator("option:checked")).to_be_disabled()
    await page.get_by_role("button", name="Monthly", exact=True).click()
    await page.get_by_role("button", name="Save").click()

    # Then the server's PAYER_NOT_ALLOWED is shown next to the payer field, word for word what the API says
    data = await app.graphql("admin@acme.example", MAILBOX_BY_ADDRESS, {"fqdn": "acme.example"})
    alice = next(
        m for m in data["domainByFqdn"]["mailboxes"]["nodes"] if m["address"] == "alice@acme.example"
    )
    refused = await app.graphql(
        "admin@acme.example",
        SET_AUTO_RENEW,
        {
            "id": alice["id"],
            "input": {
                "enabled": True,
                "period": "MONTHLY",
                "payerOrganizationId": alice["autoRenew"]["payer"]["id"],
            },
        },
    )
    [user_error] = refused["setAutoRenew"]["userErrors"]
    assert user_error["code"] == "PAYER_NOT_ALLOWED"
    assert user_error["field"][-1] == "payerOrganizationId"
    await expect(error).to_have_text(user_error["message"])
    await expect(payer).to_have_attribute("aria-invalid", "true")
    await shot(page, "10-payer-refused")

    # And nothing changed in the database
    assert app.mailboxes("acme.example") == before


async def test_warning_when_the_domain_does_not_renew_and_turning_it_on(page: Page, app: App) -> None:
    # Given the owner on the form of user001@acme-big.example, a domain whose own auto-renewal is off
    await sign_in(page, app, "owner@acme.example", next_path="/domains/acme-big.example")
    [domain] = app.rows("SELECT auto_renew_enabled FROM domains WHERE fqdn = 'acme-big.example'")
    assert domain["auto_renew_enabled"] == 0
    await page.get_by_role("button", name="Actions pour user001@acme-big.example").click()
    await page.get_by_role("menuitem", name="Gérer le renouvellement automatique").click()

    # When they switch the mailbox's auto-renewal on
    await page.get_by_role("switch", name="Renouvellement automatique").click()

    # Then the form warns that mailboxes depend on their domain, and offers to turn the domain's on too
    warning = page.get_by_test_id("warning-DOMAIN_AUTO_RENEW_OFF")
    await expect(warning).to_contain_text("Le renouvellement automatique du domaine est désactivé")
    await shot(page, "15-domain-warning")

    # When they tick "also turn on the domain's auto-renewal", choose Monthly and Acme SARL, and save
    also_domain = page.get_by_role(
        "checkbox",
        name="Activer aussi le renouvellement automatique de acme-big.example (annuel, payé par la même organisation)",
    )
    await also_domain.check()
    await page.get_by_role("button", name="Mensuel", exact=True).click()
    await page.get_by_label("Organisation à débiter").select_option(label="Acme SARL")
    await page.get_by_role("button", name="Modifier").click()

    # Then both are saved in one go: the mailbox and the domain renew themselves, paid by Acme SARL
    await page.wait_for_url(app.url("/domains/acme-big.example"))
    await expect(
        page.get_by_text("Le renouvellement automatique de acme-big.example est activé aussi.")
    ).to_be_visible()
    await expect(page.get_by_test_id("domain-auto-renew")).to_have_attribute("data-enabled", "true")
    [domain] = app.rows(
        """SELECT d.auto_renew_enabled, o.name AS payer FROM domains d
           LEFT JOIN organizations o ON o.id = d.auto_renew_payer_id WHERE d.fqdn = 'acme-big.example'"""
    )
    assert (domain["auto_renew_enabled"], domain["payer"]) == (1, "Acme SARL")
    assert app.mailboxes("acme-big.example")["user001@acme-big.example"] == {
        "enabled": True,
        "period": "MONTHLY",
        "payer": "Acme SARL",
    }


async def test_the_form_shows_the_price_per_period_and_the_first_charge(page: Page, app: App) -> None:
    # Given the owner on the form of sales@acme.example (Premium, auto-renewal off, expires in 4 days)
    await sign_in(page, app, "owner@acme.example", next_path="/domains/acme.example")
    data = await app.graphql("owner@acme.example", MAILBOX_BY_ADDRESS, {"fqdn": "acme.example"})
    sales = next(
        m for m in data["domainByFqdn"]["mailboxes"]["nodes"] if m["address"] == "sales@acme.example"
    )
    quote = (await app.graphql("owner@acme.example", QUOTE, {"id": sales["id"]}))["mailbox"]["autoRenewQuote"]
    await page.goto(app.url(f"/mailboxes/{sales['id']}/auto-renew"))

    # Then the form says what each period costs and when the first charge would be, next to the period buttons
    note = page.get_by_test_id("auto-renew-quote")
    await expect(note).to_contain_text(f"Mensuel : {euros(quote['monthlyCents'])} par mois.")
    await expect(note).to_contain_text(f"Annuel : {euros(quote['yearlyCents'])} par an.")
    assert quote["firstChargeOn"] is not None
    await expect(note).to_contain_text("le premier débit a lieu le")
    group = page.get_by_role("group", name="Fréquence de renouvellement")
    await expect(group).to_have_attribute("aria-describedby", re.compile("auto-renew-quote"))
