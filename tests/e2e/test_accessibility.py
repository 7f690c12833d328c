"""Accessibility: the bulk modal with the keyboard alone, and axe-core on the main screens."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import App, axe_violations, shot, sign_in

pytestmark = pytest.mark.e2e

ACTIVE_TESTID = "() => document.activeElement?.dataset?.testid ?? null"
FOCUS_IN_DIALOG = "() => Boolean(document.activeElement?.closest('dialog[open]'))"


async def tab_until(page: Page, testid: str, *, limit: int = 80) -> None:
    """Presses Tab until the element with this data-testid has the focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(ACTIVE_TESTID) == testid:
            return
    pytest.fail(f"{testid} never got the focus in {limit} Tab presses")


async def test_bulk_modal_with_the_keyboard_only(page: Page, app: App) -> None:
    # Given the owner on acme.example's mailboxes
    await sign_in(page, app, "owner@acme.example", next_path="/domains/acme.example")
    await expect(page.get_by_test_id("mailboxes-table")).to_be_visible()
    before = app.mailboxes("acme.example")

    # When they Tab to the header checkbox and tick it with Space, then Tab to the bar's button and press Enter
    await tab_until(page, "select-all")
    await page.keyboard.press("Space")
    await expect(page.get_by_test_id("select-all")).to_be_checked()
    await tab_until(page, "bulk-auto-renew")
    await page.keyboard.press("Enter")

    # Then the modal opens with the focus inside it
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    assert await page.evaluate(FOCUS_IN_DIALOG)

    # And Tab and Shift+Tab cycle inside it, whatever the number of presses
    seen: set[str] = set()
    for key in ["Tab"] * 14 + ["Shift+Tab"] * 14:
        await page.keyboard.press(key)
        assert await page.evaluate(FOCUS_IN_DIALOG), f"the focus left the modal after {key}"
        seen.add(await page.evaluate("() => document.activeElement.outerHTML.slice(0, 60)"))
    assert len(seen) >= 5  # switch, Monthly, Yearly, payer, Cancel, Save, close: the focus really moved

    # When they press Escape
    await page.keyboard.press("Escape")

    # Then the modal is gone, the focus is back on the button that opened it, and nothing was saved
    await expect(dialog).to_have_count(0)
    assert await page.evaluate(ACTIVE_TESTID) == "bulk-auto-renew"
    assert app.mailboxes("acme.example") == before


async def test_axe_finds_no_serious_violation_on_the_main_screens(page: Page, app: App) -> None:
    checked: dict[str, list[str]] = {}

    # The sign-in page
    await page.goto(app.url("/login"))
    await expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    checked["sign-in"] = await axe_violations(page)

    # The domain list (advanced view: the most columns)
    await sign_in(page, app, "owner@acme.example", next_path="/domains?view=advanced")
    await expect(page.get_by_test_id("domain-row-acme.example")).to_be_visible()
    checked["domain list"] = await axe_violations(page)

    # The domain's "Boîtes et redirections mail" tab, with a row ticked (the bar shown)
    await page.get_by_role("link", name="acme.example", exact=True).click()
    await expect(page.get_by_role("tab", name="Boîtes et redirections mail")).to_be_visible()
    await page.get_by_role("checkbox", name="Sélectionner sales@acme.example").check()
    checked["mailboxes tab"] = await axe_violations(page)

    # The bulk modal
    await page.get_by_test_id("bulk-auto-renew").click()
    await expect(page.get_by_role("dialog")).to_be_visible()
    checked["bulk modal"] = await axe_violations(page)
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)

    # The mailbox detail, and its auto-renewal form
    await page.get_by_role("link", name="sales@acme.example", exact=True).click()
    await expect(page.get_by_role("region", name="Configuration")).to_be_visible()
    checked["mailbox detail"] = await axe_violations(page)
    await page.get_by_role("link", name=re.compile("^Changer")).click()
    await expect(page.get_by_role("switch")).to_be_visible()
    checked["auto-renewal form"] = await axe_violations(page)
    await shot(page, "14-auto-renew-form-from-detail")

    report = [f"{screen}: {violation}" for screen, found in checked.items() for violation in found]
    assert report == [], "\n".join(report)
