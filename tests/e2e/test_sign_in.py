"""Signing in to the console: a wrong password is refused with the server's message, the right one opens the
console and starts a session on the server."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import PASSWORD, App, shot

pytestmark = pytest.mark.e2e


async def test_wrong_password_shows_the_error_then_the_right_one_signs_in(page: Page, app: App) -> None:
    # Given a visitor who opens the console without a session
    await page.goto(app.url("/"))
    await page.wait_for_url("**/login**")
    await expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    await expect(page.get_by_test_id("demo-hint")).to_contain_text("owner@acme.example / demo-password")
    await shot(page, "01-sign-in")

    # When they type a wrong password
    await page.get_by_label("Adresse e-mail").fill("owner@acme.example")
    await page.get_by_label("Mot de passe").fill("not-the-password")
    await page.get_by_role("button", name="Se connecter").click()

    # Then the server's refusal is shown, in French, and they stay on the sign-in page
    error = page.get_by_test_id("login-error")
    await expect(error).to_have_text("Adresse e-mail ou mot de passe incorrect.")
    await expect(error).to_have_attribute("role", "alert")
    await expect(page.locator("form")).to_have_attribute("aria-describedby", "login-error")
    assert "/login" in page.url
    await shot(page, "02-sign-in-error")
    attempts = app.rows("SELECT succeeded FROM login_attempts WHERE email = ?", "owner@acme.example")
    assert [row["succeeded"] for row in attempts] == [0]
    assert app.rows("SELECT id FROM user_sessions") == []

    # When they type the right one
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()

    # Then the domain list opens, with their name in the header
    await page.wait_for_url(app.url("/domains"))
    await expect(page.get_by_role("heading", name="Noms de domaine", level=1)).to_be_visible()
    await expect(page.get_by_role("banner")).to_contain_text("Alice Owner")
    await expect(page.get_by_test_id("login-error")).to_have_count(0)

    # And the server holds one open session for them, which the page's cookie carries
    sessions = app.rows(
        "SELECT u.email FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.revoked_at IS NULL"
    )
    assert [row["email"] for row in sessions] == ["owner@acme.example"]
    seen = await page.evaluate("() => fetch('/auth/session').then((r) => r.json())")
    assert seen["user"]["email"] == "owner@acme.example"
    assert seen["csrfToken"]
