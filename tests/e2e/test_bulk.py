"""Bulk auto-renewal (help page: "pour plusieurs ou toutes vos boîtes mail"): ticked mailboxes of one domain, the
bar at the bottom of the page, the form in a modal, and the list updated in place."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import BADGE_FR, App, shot, sign_in

pytestmark = pytest.mark.e2e


async def mark_document(page: Page) -> None:
    """A flag that a full page reload would wipe out."""
    await page.evaluate("() => { window.__sameDocument = true; }")


async def same_document(page: Page) -> bool:
    return bool(await page.evaluate("() => window.__sameDocument === true"))


async def test_header_checkbox_then_bulk_modal_turns_every_mailbox_on(page: Page, app: App) -> None:
    # Given the owner on acme.example's mailboxes, some with auto-renewal and some without
    await sign_in(page, app, "owner@acme.example", next_path="/domains/acme.example")
    before = app.mailboxes("acme.example")
    count = len(before)  # 9 in the demo data
    assert {m["enabled"] for m in before.values()} == {True, False}
    rows = page.locator("[data-testid^='mailbox-row-']")
    await expect(rows).to_have_count(count)
    await mark_document(page)

    # When they tick the header checkbox
    await page.get_by_role("checkbox", name="Sélectionner toutes les boîtes mail de acme.example").check()

    # Then every row is ticked and the bar at the bottom of the page offers "Renouvellement automatique"
    for checkbox in await page.get_by_role("checkbox", name="Sélectionner ", exact=False).all():
        await expect(checkbox).to_be_checked()
    bar = page.get_by_role("region", name="Actions groupées")
    await expect(bar).to_be_visible()
    await expect(bar.get_by_test_id("bulk-count")).to_have_text(f"{count} sélectionnées")
    await shot(page, "11-bulk-bar", full_page=False)

    # When they open the modal, choose Monthly and Acme SARL, and save
    await bar.get_by_role("button", name="Renouvellement automatique").click()
    dialog = page.get_by_role("dialog", name=f"Renouvellement automatique de {count} boîtes mail")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("switch", name="Renouvellement automatique")).to_have_attribute(
        "aria-checked", "true"
    )
    await dialog.get_by_role("button", name="Mensuel", exact=True).click()
    await dialog.get_by_label("Organisation à débiter").select_option(label="Acme SARL")
    await shot(page, "12-bulk-modal", full_page=False)
    await dialog.get_by_role("button", name="Modifier").click()

    # Then the modal closes and every row shows the green A, without a page reload
    await expect(dialog).to_have_count(0)
    for row in await rows.all():
        await expect(row.get_by_role("img", name=BADGE_FR)).to_be_visible()
    await expect(
        page.get_by_text(f"Renouvellement automatique modifié pour {count} boîtes mail.")
    ).to_be_visible()
    await expect(bar).to_have_count(0)
    assert await same_document(page)
    await shot(page, "13-after-bulk")

    # And the database holds the same settings for all of them
    after = app.mailboxes("acme.example")
    assert set(after) == set(before)
    assert all(m == {"enabled": True, "period": "MONTHLY", "payer": "Acme SARL"} for m in after.values())


async def test_bulk_changes_the_ticked_rows_only(page: Page, app: App) -> None:
    # Given the owner on acme.example's mailboxes; jobs@ and press@ have no auto-renewal
    await sign_in(page, app, "owner@acme.example", next_path="/domains/acme.example")
    before = app.mailboxes("acme.example")
    ticked = ["jobs@acme.example", "press@acme.example"]
    assert not any(before[address]["enabled"] for address in ticked)
    await mark_document(page)

    # When they tick those two and apply Yearly, paid by Acme SARL
    for address in ticked:
        await page.get_by_role("checkbox", name=f"Sélectionner {address}").check()
    bar = page.get_by_role("region", name="Actions groupées")
    await expect(bar.get_by_test_id("bulk-count")).to_have_text("2 sélectionnées")
    await bar.get_by_role("button", name="Renouvellement automatique").click()
    dialog = page.get_by_role("dialog", name="Renouvellement automatique de 2 boîtes mail")
    await dialog.get_by_role("button", name="Annuel", exact=True).click()
    await dialog.get_by_label("Organisation à débiter").select_option(label="Acme SARL")
    await dialog.get_by_role("button", name="Modifier").click()
    await expect(dialog).to_have_count(0)

    # Then the two rows show the green A; the others show what they showed before
    for address, settings in before.items():
        badge = page.get_by_test_id(f"mailbox-row-{address}").get_by_role("img", name=BADGE_FR)
        if address in ticked or settings["enabled"]:
            await expect(badge).to_be_visible()
        else:
            await expect(badge).to_have_count(0)
    assert await same_document(page)

    # And in the database only the two ticked mailboxes changed
    after = app.mailboxes("acme.example")
    for address in ticked:
        assert after[address] == {"enabled": True, "period": "YEARLY", "payer": "Acme SARL"}
    assert {a: s for a, s in after.items() if a not in ticked} == {
        a: s for a, s in before.items() if a not in ticked
    }


async def test_bulk_also_for_future_mailboxes_and_the_domain(page: Page, app: App) -> None:
    # Given the owner on acme-big.example (its own auto-renewal off), two mailboxes ticked
    await sign_in(page, app, "owner@acme.example", next_path="/domains/acme-big.example")
    for address in ["user001@acme-big.example", "user002@acme-big.example"]:
        await page.get_by_role("checkbox", name=f"Sélectionner {address}").check()
    bar = page.get_by_role("region", name="Actions groupées")
    await bar.get_by_role("button", name="Renouvellement automatique").click()
    dialog = page.get_by_role("dialog", name="Renouvellement automatique de 2 boîtes mail")

    # When they choose Yearly and Acme SARL, tick "also for mailboxes created later" and "also the domain", and save
    await dialog.get_by_role("button", name="Annuel", exact=True).click()
    await dialog.get_by_label("Organisation à débiter").select_option(label="Acme SARL")
    await dialog.get_by_role(
        "checkbox", name="Également pour les boîtes mail créées plus tard sur acme-big.example"
    ).check()
    await dialog.get_by_role(
        "checkbox", name="Activer aussi le renouvellement automatique de acme-big.example", exact=False
    ).check()
    await shot(page, "16-bulk-future-and-domain", full_page=False)
    await dialog.get_by_role("button", name="Modifier").click()

    # Then the modal closes; the two mailboxes, the domain and the setting for new mailboxes are saved
    await expect(dialog).to_have_count(0)
    await expect(page.get_by_test_id("domain-auto-renew")).to_have_attribute("data-enabled", "true")
    [domain] = app.rows(
        """SELECT d.auto_renew_enabled, d.new_mailbox_auto_renew_enabled, d.new_mailbox_auto_renew_period,
                  o.name AS payer, n.name AS new_payer
           FROM domains d LEFT JOIN organizations o ON o.id = d.auto_renew_payer_id
           LEFT JOIN organizations n ON n.id = d.new_mailbox_auto_renew_payer_id
           WHERE d.fqdn = 'acme-big.example'"""
    )
    assert dict(domain) == {
        "auto_renew_enabled": 1,
        "new_mailbox_auto_renew_enabled": 1,
        "new_mailbox_auto_renew_period": "YEARLY",
        "payer": "Acme SARL",
        "new_payer": "Acme SARL",
    }
    after = app.mailboxes("acme-big.example")
    assert after["user002@acme-big.example"] == {"enabled": True, "period": "YEARLY", "payer": "Acme SARL"}
