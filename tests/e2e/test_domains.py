"""The domain list: the filter on the presence of mailboxes (help page: "Vue simple et Vue avancée"), kept in the
URL so a reload or a shared link shows the same list."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import App, shot, sign_in

pytestmark = pytest.mark.e2e

WITH_MAILBOXES = """
query ($first: Int) {
  domains(filter: {hasMailboxes: true}, first: $first) { totalCount nodes { fqdn mailboxCount } }
}
"""


async def shown_domains(page: Page) -> list[str]:
    return await page.locator("[data-testid^='domain-row-'] th a").all_inner_texts()


async def test_filter_on_mailboxes_is_kept_in_the_url_and_across_a_reload(page: Page, app: App) -> None:
    # Given the owner of Acme on the domain list, where acme-shop.example (no mailbox) is listed
    await sign_in(page, app, "owner@acme.example")
    await expect(page.get_by_test_id("domain-row-acme-shop.example")).to_be_visible()
    await expect(page.get_by_test_id("domain-row-acme.example")).to_be_visible()
    await shot(page, "03-domains")

    # When they switch to the advanced view and keep the domains with mailboxes only
    await page.get_by_role("button", name="Vue avancée").click()
    await page.get_by_label("Boîtes mail", exact=True).select_option(label="Avec boîtes mail")

    # Then acme-shop.example disappears, acme.example stays, and the URL says so
    await page.wait_for_url(app.url("/domains?view=advanced&mailboxes=with"))
    await expect(page.get_by_test_id("domain-row-acme-shop.example")).to_have_count(0)
    acme = page.get_by_test_id("domain-row-acme.example")
    await expect(acme).to_be_visible()
    mailbox_count = len(app.mailboxes("acme.example"))
    await expect(acme.get_by_role("cell").nth(2)).to_have_text(str(mailbox_count))  # the "Boîtes mail" column
    await expect(page.get_by_role("columnheader", name="Propriétaire")).to_be_visible()
    await shot(page, "04-domains-advanced-with-mailboxes")
    shown = await shown_domains(page)

    # And the list is exactly what the API answers for that filter
    data = await app.graphql("owner@acme.example", WITH_MAILBOXES, {"first": 100})
    expected = sorted(node["fqdn"] for node in data["domains"]["nodes"])
    assert sorted(shown) == expected
    assert all(node["mailboxCount"] > 0 for node in data["domains"]["nodes"])
    assert "acme-shop.example" not in expected
    await expect(page.get_by_test_id("domain-count")).to_have_text(
        f"{data['domains']['totalCount']} domaines"
    )

    # When they reload the page
    await page.reload()

    # Then the same filtered, advanced list is shown
    await expect(page.get_by_test_id("domain-row-acme.example")).to_be_visible()
    await expect(page.get_by_label("Boîtes mail", exact=True)).to_have_value("with")
    await expect(page.get_by_role("button", name="Vue avancée")).to_have_attribute("aria-pressed", "true")
    await expect(page.get_by_test_id("domain-row-acme-shop.example")).to_have_count(0)
    assert sorted(await shown_domains(page)) == expected
    assert page.url == app.url("/domains?view=advanced&mailboxes=with")
