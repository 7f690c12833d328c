"""Billing page: the forecast says for each renewal whether it will renew or fail and why, and what the card will be
charged (renewalForecast); the automatic top-up limits (minimum, monthly cap) are set in a form."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.e2e.support import App, axe_violations, shot, sign_in
from tests.e2e.test_billing import euros_fr, organization_ids

pytestmark = pytest.mark.e2e

OWNER = "owner@acme.example"
FORECAST = """
query ($id: ID!) {
  renewalForecast(organizationId: $id, days: 30) {
    items { label willRenew failureReason } cardChargeCents failingCount shortfallCents
  }
}
"""
POLICY = "query ($id: ID!) { organization(id: $id) { topUpPolicy { minimumCents monthlyCapCents chargedThisMonthCents } } }"
IDS = 'query { domainByFqdn(fqdn: "acme.example") { mailboxes(first: 50) { nodes { id address } } } }'
SET_AUTO_RENEW = """
mutation ($id: ID!, $input: AutoRenewInput!) {
  setAutoRenew(mailboxId: $id, input: $input) { userErrors { code message } }
}
"""


def policy_row(app: App, organization: str) -> tuple[int, int | None]:
    [row] = app.rows(
        """SELECT a.min_top_up_cents, a.monthly_top_up_cap_cents FROM prepaid_accounts a
           JOIN organizations o ON o.id = a.organization_id WHERE o.name = ?""",
        organization,
    )
    return row["min_top_up_cents"], row["monthly_top_up_cap_cents"]


async def test_forecast_says_what_will_fail_and_why(page: Page, app: App) -> None:
    # Given two acme.example mailboxes due within days, paid by Globex (2,00 €, no card)
    ids = await organization_ids(app, OWNER)
    boxes = {
        m["address"]: m["id"] for m in (await app.graphql(OWNER, IDS))["domainByFqdn"]["mailboxes"]["nodes"]
    }
    for address in ["jobs@acme.example", "sales@acme.example"]:
        answer = await app.graphql(
            OWNER,
            SET_AUTO_RENEW,
            {
                "id": boxes[address],
                "input": {"enabled": True, "period": "YEARLY", "payerOrganizationId": ids["Globex"]},
            },
        )
        assert answer["setAutoRenew"]["userErrors"] == []
    forecast = (await app.graphql(OWNER, FORECAST, {"id": ids["Globex"]}))["renewalForecast"]
    failing = [i for i in forecast["items"] if not i["willRenew"]]
    assert {i["label"] for i in failing} >= {"jobs@acme.example", "sales@acme.example"}
    assert forecast["failingCount"] == len(failing)

    # When the owner opens Globex's billing
    await sign_in(page, app, OWNER, next_path=f"/billing?org={ids['Globex']}")
    upcoming = page.get_by_test_id("upcoming")

    # Then each renewal says whether it will renew or fail, and why, as the API forecasts
    rows = upcoming.get_by_test_id("upcoming-row")
    await expect(rows).to_have_count(len(forecast["items"]))
    jobs = rows.filter(has=page.get_by_role("cell", name="jobs@acme.example", exact=True))
    await expect(jobs.get_by_test_id("upcoming-outcome")).to_have_text(
        "✗ Échouera : solde prépayé insuffisant"
    )
    await expect(upcoming.locator("[data-will-renew=false]")).to_have_count(len(failing))

    # And the totals say how many will fail and what the card will be charged (no card: nothing)
    await expect(upcoming.get_by_test_id("upcoming-failing-count")).to_have_text(str(len(failing)))
    await expect(upcoming.get_by_test_id("upcoming-card-charge")).to_have_text(
        euros_fr(forecast["cardChargeCents"])
    )
    alert = upcoming.get_by_test_id("shortfall-alert")
    await expect(alert).to_contain_text(f"{len(failing)} renouvellements échoueront")
    await shot(page, "40-forecast-failing")
    assert await axe_violations(page) == []

    # And on Acme's billing (a card tops up automatically) every item renews and the card charge is the API's
    acme = (await app.graphql(OWNER, FORECAST, {"id": ids["Acme SARL"]}))["renewalForecast"]
    await page.goto(app.url(f"/billing?org={ids['Acme SARL']}"))
    await expect(upcoming.get_by_test_id("upcoming-row")).to_have_count(len(acme["items"]))
    await expect(upcoming.get_by_test_id("upcoming-card-charge")).to_have_text(
        euros_fr(acme["cardChargeCents"])
    )
    await expect(upcoming.get_by_test_id("upcoming-failing-count")).to_have_text(str(acme["failingCount"]))
    await expect(
        upcoming.locator("[data-will-renew=true]").first.get_by_test_id("upcoming-outcome")
    ).to_have_text("✓ Se renouvellera")


async def test_top_up_limits_are_set_in_the_form(page: Page, app: App) -> None:
    # Given the owner on Acme's billing, with the current limits
    ids = await organization_ids(app, OWNER)
    before = (await app.graphql(OWNER, POLICY, {"id": ids["Acme SARL"]}))["organization"]["topUpPolicy"]
    await sign_in(page, app, OWNER, next_path=f"/billing?org={ids['Acme SARL']}")
    policy = page.get_by_role("region", name="Limites du rechargement automatique")
    summary = policy.get_by_test_id("top-up-policy-summary")
    await expect(summary).to_contain_text(f"au moins {euros_fr(before['minimumCents'])}")
    minimum = policy.get_by_label("Rechargement minimum en euros")
    cap = policy.get_by_label("Plafond mensuel en euros (facultatif)")

    # When they type a cap below the minimum, the form refuses it next to the cap, and nothing is sent
    await minimum.fill("20")
    await cap.fill("10")
    await policy.get_by_role("button", name="Enregistrer les limites").click()
    await expect(policy.get_by_test_id("policy-cap-error")).to_have_text(
        "Le plafond mensuel ne peut pas être inférieur au rechargement minimum."
    )
    await expect(cap).to_have_attribute("aria-invalid", "true")
    await expect(cap).to_be_focused()
    assert policy_row(app, "Acme SARL") == (before["minimumCents"], before["monthlyCapCents"])

    # When they set a minimum of 20 € and a cap of 100 €
    await cap.fill("100")
    await policy.get_by_role("button", name="Enregistrer les limites").click()

    # Then it is saved, said, and the sentence shows it
    await expect(
        page.get_by_text("Limites du rechargement automatique enregistrées pour Acme SARL.")
    ).to_be_visible()
    await expect(summary).to_contain_text("au moins 20,00 €, et d\u2019au plus 100,00 € par mois")
    assert policy_row(app, "Acme SARL") == (2000, 10000)
    await shot(page, "41-top-up-policy")

    # When they empty the cap, there is no cap any more
    await cap.fill("")
    await policy.get_by_role("button", name="Enregistrer les limites").click()
    await expect(summary).to_contain_text("sans plafond mensuel")
    assert policy_row(app, "Acme SARL") == (2000, None)
