"""The console's language: French (the help page's wording) and English; the choice follows the user, `<html
lang>` follows the choice, and a reload keeps it."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import App, eventually, sign_in

pytestmark = pytest.mark.e2e


def stored_language(app: App, email: str) -> str:
    [row] = app.rows("SELECT language FROM users WHERE email = ?", email)
    return str(row["language"])


async def test_switch_to_english_and_back_to_french(page: Page, app: App) -> None:
    # Given the owner of Acme, whose account is in French, on the domain list
    await sign_in(page, app, "owner@acme.example")
    html = page.locator("html")
    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_have_text("Noms de domaine")
    await expect(html).to_have_attribute("lang", "fr")
    assert stored_language(app, "owner@acme.example") == "fr"

    # When they switch to English
    await page.get_by_role("button", name="English").click()

    # Then the texts change, <html lang> follows, and their account remembers it
    await expect(heading).to_have_text("Domains")
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    await expect(html).to_have_attribute("lang", "en")
    await eventually(lambda: stored_language(app, "owner@acme.example") == "en")

    # And a reload keeps English
    await page.reload()
    await expect(heading).to_have_text("Domains")
    await expect(html).to_have_attribute("lang", "en")

    # When they switch back to French
    await page.get_by_role("button", name="Français").click()

    # Then everything is in French again, and stays so after a reload
    await expect(heading).to_have_text("Noms de domaine")
    await expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    await expect(html).to_have_attribute("lang", "fr")
    await eventually(lambda: stored_language(app, "owner@acme.example") == "fr")
    await page.reload()
    await expect(heading).to_have_text("Noms de domaine")
    await expect(html).to_have_attribute("lang", "fr")
