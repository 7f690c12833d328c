"""Renewal status in the console: the mailbox list's badge, the Renewal block of the mailbox and domain pages (one
sentence, in French and in English), the attempt history, "Renew now", and the phone width (390 px).

The failed attempts are made by the real sweep (``mailrenew renew --date``) on this test's database: two
mailboxes of acme.example are set to be paid by Globex (2,00 €, no card), which cannot pay them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import App, axe_violations, run_cli, shot, sign_in

pytestmark = pytest.mark.e2e

OWNER = "owner@acme.example"
ADMIN = "admin@acme.example"
PHONE = {"width": 390, "height": 844}

IDS = """
query {
  domainByFqdn(fqdn: "acme.example") { id mailboxes(first: 50) { nodes { id address } } }
  viewer { memberships { organization { id name } } }
}
"""
SET_AUTO_RENEW = """
mutation ($id: ID!, $input: AutoRenewInput!) {
  setAutoRenew(mailboxId: $id, input: $input) { userErrors { code message } }
}
"""
RENEWAL = """
query ($id: ID!) {
  mailbox(id: $id) {
    expiresAt
    renewal { state attempt maxAttempts nextAttemptOn lastFailure { reason } viewerCanRenewNow }
    renewalAttempts(first: 50) { totalCount nodes { businessDay outcome failureReason } }
  }
}
"""
MONTHS_FR = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def date_fr(day: dt.date) -> str:
    return f"{day.day} {MONTHS_FR[day.month - 1]} {day.year}"


def date_en(day: dt.date) -> str:
    return f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


def expires_at(app: App, address: str) -> dt.date:
    [row] = app.rows("SELECT expires_at FROM mailboxes WHERE address = ?", address)
    return dt.date.fromisoformat(str(row["expires_at"])[:10])


async def failing_renewals(app: App) -> dict[str, str]:
    """jobs@ (expires tomorrow, yearly) and sales@ (in 4 days, monthly) paid by Globex, which cannot pay them; the
    sweep runs on each business day of the window up to today: jobs@ fails its 5 attempts (FAILED), sales@ its
    first 2 (RETRYING, attempt 3 of 5 next). Returns address → mailbox id."""
    data = await app.graphql(OWNER, IDS)
    ids = {m["address"]: m["id"] for m in data["domainByFqdn"]["mailboxes"]["nodes"]}
    globex = next(
        m["organization"]["id"]
        for m in data["viewer"]["memberships"]
        if m["organization"]["name"] == "Globex"
    )
    for address, period in [("jobs@acme.example", "YEARLY"), ("sales@acme.example", "MONTHLY")]:
        answer = await app.graphql(
            OWNER,
            SET_AUTO_RENEW,
            {"id": ids[address], "input": {"enabled": True, "period": period, "payerOrganizationId": globex}},
        )
        assert answer["setAutoRenew"]["userErrors"] == []
    today = expires_at(app, "jobs@acme.example") - dt.timedelta(days=1)
    for back in range(4, -1, -1):
        await run_cli(app, "renew", "--date", (today - dt.timedelta(days=back)).isoformat())
    return ids


async def test_failed_attempts_in_the_list_the_detail_and_the_history(page: Page, app: App) -> None:
    # Given jobs@ failed for good and sales@ retrying, both for lack of funds at Globex
    ids = await failing_renewals(app)
    jobs = (await app.graphql(OWNER, RENEWAL, {"id": ids["jobs@acme.example"]}))["mailbox"]
    sales = (await app.graphql(OWNER, RENEWAL, {"id": ids["sales@acme.example"]}))["mailbox"]
    assert jobs["renewal"]["state"] == "FAILED"
    assert jobs["renewal"]["attempt"] == 5
    assert jobs["renewalAttempts"]["totalCount"] == 5
    assert sales["renewal"]["state"] == "RETRYING"
    assert sales["renewal"]["attempt"] == 3
    assert sales["renewal"]["lastFailure"] == {"reason": "INSUFFICIENT_FUNDS"}
    next_try = dt.date.fromisoformat(sales["renewal"]["nextAttemptOn"])

    # When the owner opens acme.example's mailboxes
    await sign_in(page, app, OWNER, next_path="/domains/acme.example")

    # Then each row says its renewal state in words, read out as the full sentence
    sales_badge = page.get_by_test_id("mailbox-row-sales@acme.example").get_by_test_id("renewal-badge")
    await expect(sales_badge).to_contain_text("Tentative 3/5")
    retrying_fr = (
        "Tentative 2 sur 5 échouée : solde prépayé insuffisant. "
        f"Prochain essai le {date_fr(next_try)} (tentative 3 sur 5)."
    )
    await expect(sales_badge.locator(".visually-hidden")).to_have_text(retrying_fr)
    jobs_badge = page.get_by_test_id("mailbox-row-jobs@acme.example").get_by_test_id("renewal-badge")
    await expect(jobs_badge).to_contain_text("Échoué")
    await expect(jobs_badge).to_have_attribute("data-state", "FAILED")
    # a renewal on track adds nothing
    await expect(
        page.get_by_test_id("mailbox-row-alice@acme.example").get_by_test_id("renewal-badge")
    ).to_have_count(0)
    await shot(page, "30-renewal-badges")
    assert await axe_violations(page) == []

    # When they open sales@
    await page.get_by_role("link", name="sales@acme.example", exact=True).click()
    await page.wait_for_url(re.compile(r"/mailboxes/[^/]+$"))

    # Then the Renewal block says it in one sentence, with the next attempt and its amount
    renewal = page.get_by_role("region", name="Renouvellement", exact=True)
    await expect(renewal.get_by_test_id("renewal-sentence")).to_have_text(retrying_fr)
    await expect(renewal.get_by_test_id("renewal-state")).to_have_text("Nouvel essai")
    await expect(renewal.get_by_test_id("renewal-next")).to_have_text(date_fr(next_try))
    await expect(renewal.get_by_test_id("renewal-amount")).to_have_text("5,00 €")

    # And the history lists the two failed attempts, newest first, with the reason in words and the payer
    history = page.get_by_role("region", name="Tentatives de renouvellement").last
    rows = page.get_by_test_id("attempt-row")
    await expect(rows).to_have_count(2)
    days = [dt.date.fromisoformat(a["businessDay"]) for a in sales["renewalAttempts"]["nodes"]]
    await expect(rows.locator("td").first).to_have_text(date_fr(days[0]))
    await expect(rows.first).to_contain_text("Échoué")
    await expect(rows.first).to_contain_text("solde prépayé insuffisant")
    await expect(rows.first.locator("td.num")).to_have_text("—")  # nothing was debited
    await expect(rows.first).to_contain_text("Globex")
    await expect(page.get_by_test_id("attempts-count")).to_have_text("2 tentatives")
    await expect(history).to_be_visible()
    await shot(page, "31-renewal-detail-retrying")
    assert await axe_violations(page) == []

    # And jobs@, whose 5 attempts failed, says no automatic try is left
    await page.goto(app.url(f"/mailboxes/{ids['jobs@acme.example']}"))
    jobs_expiry = expires_at(app, "jobs@acme.example")
    await expect(page.get_by_test_id("renewal-sentence")).to_have_text(
        "Tentative 5 sur 5 échouée : solde prépayé insuffisant. "
        f"Plus aucun essai automatique : échéance le {date_fr(jobs_expiry)}, sauf renouvellement manuel."
    )
    await expect(page.get_by_test_id("attempt-row")).to_have_count(5)


async def test_the_same_in_english_and_no_renew_now_for_an_admin(page: Page, app: App) -> None:
    # Given sales@ retrying; admin@acme.example (English) manages Acme's services but may not pay for Globex
    ids = await failing_renewals(app)
    sales = (await app.graphql(ADMIN, RENEWAL, {"id": ids["sales@acme.example"]}))["mailbox"]
    assert sales["renewal"]["viewerCanRenewNow"] is False
    next_try = dt.date.fromisoformat(sales["renewal"]["nextAttemptOn"])

    # When they open the list, then sales@'s page
    await sign_in(page, app, ADMIN, next_path="/domains/acme.example")
    badge = page.get_by_test_id("mailbox-row-sales@acme.example").get_by_test_id("renewal-badge")
    await expect(badge).to_contain_text("Attempt 3/5")
    await page.get_by_role("link", name="sales@acme.example", exact=True).click()

    # Then the sentence is in English, and the API's answer hides "Renew now"
    renewal = page.get_by_role("region", name="Renewal", exact=True)
    await expect(renewal.get_by_test_id("renewal-sentence")).to_have_text(
        f"Attempt 2 of 5 failed: insufficient prepaid balance. Next try on {date_en(next_try)} (attempt 3 of 5)."
    )
    await expect(renewal.get_by_test_id("renewal-state")).to_have_text("Retrying")
    await expect(renewal.get_by_role("button", name="Renew now")).to_have_count(0)
    await expect(page.get_by_test_id("attempt-row").first).to_contain_text("insufficient prepaid balance")
    await shot(page, "32-renewal-detail-en")

    # And alice@ (yearly, due in 40 days) is scheduled, with no attempt yet
    await page.goto(app.url("/domains/acme.example"))
    await page.get_by_role("link", name="alice@acme.example", exact=True).click()
    await expect(renewal.get_by_test_id("renewal-sentence")).to_contain_text("Renewal scheduled on")
    await expect(renewal.get_by_test_id("renewal-state")).to_have_text("Scheduled")
    history = page.get_by_test_id("renewal-attempts")
    await expect(history.get_by_test_id("empty")).to_have_text("No renewal attempt yet.")


async def test_no_horizontal_overflow_on_a_phone(page: Page, app: App) -> None:
    # Given badges in the list (a retrying and a failed mailbox), on a 390x844 phone
    ids = await failing_renewals(app)
    await page.set_viewport_size(PHONE)
    overflow = "() => document.documentElement.scrollWidth - window.innerWidth"

    # Then neither the domain page nor the mailbox page is wider than the screen
    await sign_in(page, app, OWNER, next_path="/domains/acme.example")
    await expect(page.get_by_test_id("renewal-badge").first).to_be_visible()
    assert await page.evaluate(overflow) <= 0
    await shot(page, "33-phone-domain")
    for address in ["sales@acme.example", "jobs@acme.example"]:
        await page.goto(app.url(f"/mailboxes/{ids[address]}"))
        await expect(page.get_by_test_id("attempt-row").first).to_be_visible()
        assert await page.evaluate(overflow) <= 0, address
    await shot(page, "34-phone-mailbox")

    # And the Billing page (forecast, top-up limits) neither
    await page.goto(app.url("/billing"))
    await expect(page.get_by_test_id("top-up-policy")).to_be_visible()
    await expect(page.get_by_test_id("upcoming-row").first).to_be_visible()
    assert await page.evaluate(overflow) <= 0
    await shot(page, "38-phone-billing")


async def test_renew_now_a_failed_mailbox(page: Page, app: App) -> None:
    # Given jobs@ failed for good, paid by Globex (2,00 €, no card)
    ids = await failing_renewals(app)
    jobs_id = ids["jobs@acme.example"]
    before = expires_at(app, "jobs@acme.example")
    await sign_in(page, app, OWNER, next_path=f"/mailboxes/{jobs_id}")
    renewal = page.get_by_role("region", name="Renouvellement", exact=True)

    # When the owner clicks "Renouveler maintenant"
    await renewal.get_by_role("button", name="Renouveler maintenant").click()

    # Then a confirmation states the amount (a year of Standard) and who pays
    dialog = page.get_by_role("dialog", name="Renouveler jobs@acme.example maintenant")
    await expect(dialog).to_be_visible()
    question = dialog.get_by_test_id("renew-now-question")
    await expect(question).to_have_text(
        "Renouveler jobs@acme.example maintenant pour 10,00 € ? "
        "Le montant est débité du compte prépayé de Globex."
    )
    await expect(dialog.get_by_role("button", name="Annuler")).to_be_focused()
    await shot(page, "35-renew-now-confirm", full_page=False)

    # When they confirm, Globex cannot pay: the API's refusal is shown in the dialog, nothing changed
    await dialog.get_by_test_id("renew-now-confirm").click()
    error = dialog.get_by_test_id("renew-now-error")
    await expect(error).to_be_visible()
    await expect(error).to_have_attribute("role", "alert")
    await shot(page, "35b-renew-now-refused", full_page=False)
    assert expires_at(app, "jobs@acme.example") == before
    await dialog.get_by_role("button", name="Annuler").click()
    await expect(dialog).to_have_count(0)

    # When Acme pays instead (its balance covers it) and they renew again
    data = await app.graphql(OWNER, IDS)
    acme = next(
        m["organization"]["id"]
        for m in data["viewer"]["memberships"]
        if m["organization"]["name"] == "Acme SARL"
    )
    answer = await app.graphql(
        OWNER,
        SET_AUTO_RENEW,
        {"id": jobs_id, "input": {"enabled": True, "period": "YEARLY", "payerOrganizationId": acme}},
    )
    assert answer["setAutoRenew"]["userErrors"] == []
    await page.reload()
    await renewal.get_by_role("button", name="Renouveler maintenant").click()
    await expect(question).to_contain_text("pour 10,00 €")
    await expect(question).to_contain_text("compte prépayé de Acme SARL")
    await dialog.get_by_role("button", name="Renouveler pour 10,00 €").click()

    # Then it is renewed for a year, said in a toast, and the status and history are refreshed
    after = before.replace(year=before.year + 1)
    await expect(dialog).to_have_count(0)
    await expect(
        page.get_by_text(f"jobs@acme.example est renouvelé jusqu\u2019au {date_fr(after)}.")
    ).to_be_visible()
    await expect(renewal).not_to_have_attribute("data-state", "FAILED")
    await expect(renewal.get_by_test_id("renewal-renewed-until")).to_have_text(date_fr(after))
    await expect(page.get_by_test_id("attempt-row").first).to_contain_text("Renouvelé")
    await shot(page, "36-renew-now-done")

    # And the term was paid once, by Acme, at the yearly price
    assert expires_at(app, "jobs@acme.example") == after
    debits = app.rows(
        """SELECT e.amount_cents, o.name FROM ledger_entries e JOIN prepaid_accounts a ON a.id = e.account_id
           JOIN organizations o ON o.id = a.organization_id
           WHERE e.kind = 'RENEWAL' AND e.idempotency_key LIKE ?""",
        f"renewal:mailbox:%:{before.isoformat()}",
    )
    assert [(d["amount_cents"], d["name"]) for d in debits] == [(-1000, "Acme SARL")]


SET_DOMAIN_AUTO_RENEW = """
mutation ($id: ID!, $payer: ID!) {
  setDomainAutoRenew(domainId: $id, input: {enabled: true, payerOrganizationId: $payer}) { userErrors { code } }
}
"""
DOMAIN = """
query { domainByFqdn(fqdn: "acme-19.example") { id expiresAt renewal { state viewerCanRenewNow } } }
"""


async def test_renew_now_a_domain_with_the_keyboard(page: Page, app: App) -> None:
    # Given acme-19.example (expires in 3 days) paid by Globex, which cannot pay it: today's attempt failed
    ids = {
        m["organization"]["name"]: m["organization"]["id"]
        for m in (await app.graphql(OWNER, IDS))["viewer"]["memberships"]
    }
    domain = (await app.graphql(OWNER, DOMAIN))["domainByFqdn"]
    answer = await app.graphql(OWNER, SET_DOMAIN_AUTO_RENEW, {"id": domain["id"], "payer": ids["Globex"]})
    assert answer["setDomainAutoRenew"]["userErrors"] == []
    await run_cli(app, "renew")
    domain = (await app.graphql(OWNER, DOMAIN))["domainByFqdn"]
    assert domain["renewal"] == {"state": "RETRYING", "viewerCanRenewNow": True}
    before = dt.date.fromisoformat(domain["expiresAt"])

    # When the owner, on the domain's page, reaches "Renouveler maintenant" with Tab and presses Enter
    await sign_in(page, app, OWNER, next_path="/domains/acme-19.example")
    renewal = page.get_by_role("region", name="Renouvellement", exact=True)
    await expect(renewal.get_by_test_id("renewal-sentence")).to_contain_text(
        "Tentative 3 sur 5 échouée : solde prépayé insuffisant."  # J-3: the window's third day
    )
    button = renewal.get_by_role("button", name="Renouveler maintenant")
    await button.focus()
    await page.keyboard.press("Enter")

    # Then the confirmation opens with the focus on "Annuler", and states the amount and the payer
    dialog = page.get_by_role("dialog", name="Renouveler acme-19.example maintenant")
    await expect(dialog.get_by_role("button", name="Annuler")).to_be_focused()
    await expect(dialog.get_by_test_id("renew-now-question")).to_have_text(
        "Renouveler acme-19.example maintenant pour 15,00 € ? Le montant est débité du compte prépayé de Globex."
    )

    # When they press Escape, the dialog closes and the focus is back on the button
    await page.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    await expect(button).to_be_focused()

    # When Acme pays instead and they confirm from the keyboard
    answer = await app.graphql(OWNER, SET_DOMAIN_AUTO_RENEW, {"id": domain["id"], "payer": ids["Acme SARL"]})
    assert answer["setDomainAutoRenew"]["userErrors"] == []
    await page.reload()
    await button.focus()
    await page.keyboard.press("Enter")
    await dialog.get_by_role("button", name="Renouveler pour 15,00 €").focus()
    await page.keyboard.press("Enter")

    # Then the domain is renewed for a year, said in a toast, and the Renewal block no longer offers it
    after = before.replace(year=before.year + 1)
    await expect(
        page.get_by_text(f"acme-19.example est renouvelé jusqu\u2019au {date_fr(after)}.")
    ).to_be_visible()
    await expect(renewal.get_by_test_id("renewal-renewed-until")).to_have_text(date_fr(after))
    await expect(button).to_have_count(0)
    [row] = app.rows("SELECT expires_at FROM domains WHERE fqdn = 'acme-19.example'")
    assert str(row["expires_at"])[:10] == after.isoformat()
    await shot(page, "37-renew-now-domain")
