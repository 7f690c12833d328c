// Browser smoke test of the built console against the mock backend (mock/server.mjs), with the system Chromium.
//   npm run build && npm run e2e          (CHROMIUM=/path/to/chromium, BASE=http://host:port to use a running backend)
// Screenshots go to e2e/screenshots/ (git-ignored). Exit code 1 when a step fails.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const shots = resolve(import.meta.dirname, 'screenshots');
mkdirSync(shots, { recursive: true });
let server;
let base = process.env.BASE;
if (!base) {
  const port = 8000 + Math.floor(Math.random() * 900) + 100;
  server = spawn(process.execPath, [resolve(import.meta.dirname, '../mock/server.mjs')], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  base = `http://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 800));
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
let failures = 0;
// French browser, the demo owner: the paths of the help page.
{
const page = await browser.newPage({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
const step = async (name, fn) => { try { await fn(); console.log('ok  ', name); } catch (e) { failures++; console.log('FAIL', name, e.message.split('\n')[0]); await page.screenshot({ path: `${shots}/fail-${name.replace(/\W+/g, '_')}.png` }); } };

await step('login page', async () => {
  await page.goto(base + '/domains/acme.example');
  await page.waitForURL(/\/login\?next=/);
  await page.getByText('owner@acme.example / demo-password').waitFor();
  await page.screenshot({ path: shots + '/01-login.png' });
});
await step('bad password', async () => {
  await page.getByLabel('Adresse e-mail').fill('owner@acme.example');
  await page.getByLabel('Mot de passe').fill('nope');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByTestId('login-error').waitFor();
});
await step('sign in → back to domain', async () => {
  await page.getByLabel('Mot de passe').fill('demo-password');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/domains\/acme\.example$/);
  await page.getByTestId('mailbox-row-contact@acme.example').waitFor();
  await page.screenshot({ path: shots + '/02-domain.png', fullPage: true });
});
await step('html lang fr', async () => {
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== 'fr') throw new Error(lang);
});
await step('row menu by keyboard → form page', async () => {
  const btn = page.getByRole('button', { name: 'Actions pour sales@acme.example' });
  await btn.focus();
  await page.keyboard.press('Enter');
  const item = page.getByRole('menuitem', { name: 'Gérer le renouvellement automatique' });
  await item.waitFor();
  const focused = await page.evaluate(() => document.activeElement?.textContent);
  if (!focused?.includes('Gérer')) throw new Error('focus not on first item: ' + focused);
  await page.keyboard.press('Escape');
  const back = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  if (back !== 'Actions pour sales@acme.example') throw new Error('focus not back: ' + back);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/mailboxes\/.+\/auto-renew$/);
  await page.getByRole('switch').waitFor();
  await page.screenshot({ path: shots + '/03-form.png', fullPage: true });
});
await step('client validation then save', async () => {
  const sw = page.getByRole('switch', { name: 'Renouvellement automatique' });
  if ((await sw.getAttribute('aria-checked')) !== 'false') throw new Error('expected off');
  await sw.click();
  await page.getByTestId('warning-DOMAIN_AUTO_RENEW_OFF').waitFor();
  await page.getByRole('button', { name: 'Modifier' }).click();
  await page.getByTestId('error-period').waitFor();
  await page.screenshot({ path: shots + '/04-form-errors.png', fullPage: true });
  await page.getByRole('button', { name: 'Mensuel' }).click();
  if ((await page.getByRole('button', { name: 'Mensuel' }).getAttribute('aria-pressed')) !== 'true') throw new Error('not pressed');
  await page.getByLabel('Organisation à débiter').selectOption({ label: 'Globex' });
  await page.getByRole('button', { name: 'Modifier' }).click();
  await page.waitForURL(/\/domains\/acme\.example$/);
  await page.getByTestId('mailbox-row-sales@acme.example').getByRole('img', { name: 'Renouvellement automatique activé' }).waitFor();
  await page.screenshot({ path: shots + '/05-after-save.png', fullPage: true });
});
await step('mailbox detail config + warnings + enable domain', async () => {
  await page.getByRole('link', { name: 'sales@acme.example' }).click();
  await page.getByTestId('configuration').waitFor();
  const status = await page.getByTestId('auto-renew-status').textContent();
  if (!status.includes('Activé')) throw new Error(status);
  await page.getByTestId('warning-BALANCE_SHORT').waitFor();
  const text = await page.getByTestId('warning-BALANCE_SHORT').textContent();
  if (!text.includes('12,50')) throw new Error(text);
  await page.screenshot({ path: shots + '/06-detail.png', fullPage: true });
  await page.getByRole('button', { name: 'Activer aussi le renouvellement automatique du domaine' }).click();
  await page.getByTestId('warning-DOMAIN_AUTO_RENEW_OFF').waitFor({ state: 'detached' });
});
await step('bulk: select two, modal, save', async () => {
  await page.getByRole('link', { name: 'acme.example' }).first().click();
  await page.getByRole('checkbox', { name: 'Sélectionner sales@acme.example' }).waitFor();
  await page.getByRole('checkbox', { name: 'Sélectionner jobs@acme.example' }).check();
  await page.getByRole('checkbox', { name: 'Sélectionner bob@acme.example' }).check();
  const count = await page.getByTestId('bulk-count').textContent();
  if (!count.includes('2')) throw new Error(count);
  await page.getByTestId('bulk-auto-renew').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await page.screenshot({ path: shots + '/07-bulk-modal.png' });
  // Escape closes, focus returns to the bar button
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' }).catch(() => {});
  const open = await page.evaluate(() => !!document.querySelector('dialog[open]'));
  if (open) throw new Error('dialog still open');
  const back = await page.evaluate(() => document.activeElement?.dataset.testid);
  if (back !== 'bulk-auto-renew') throw new Error('focus: ' + back);
  await page.getByTestId('bulk-auto-renew').click();
  // focus trap: tab many times, focus stays in dialog
  for (let i = 0; i < 12; i++) await page.keyboard.press('Tab');
  const inside = await page.evaluate(() => !!document.activeElement?.closest('dialog'));
  if (!inside) throw new Error('focus escaped');
  await page.getByRole('dialog').getByRole('button', { name: 'Annuel' }).click();
  await page.getByRole('dialog').getByTestId('payer-select').selectOption({ label: 'Acme SARL' });
  await page.getByRole('dialog').getByRole('button', { name: 'Modifier' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' }).catch(() => {});
  await page.getByTestId('mailbox-row-jobs@acme.example').getByRole('img', { name: 'Renouvellement automatique activé' }).waitFor();
  await page.getByTestId('mailbox-row-bob@acme.example').getByRole('img', { name: 'Renouvellement automatique activé' }).waitFor();
  await page.screenshot({ path: shots + '/08-after-bulk.png', fullPage: true });
});
await step('select all via header on big domain', async () => {
  await page.goto(base + '/domains/acme-big.example');
  await page.getByTestId('select-all').check();
  const count = await page.getByTestId('bulk-count').textContent();
  if (!count.includes('120')) throw new Error(count);
  await page.getByTestId('pager-next').click();
  await page.waitForURL(/after=/);
  await page.getByTestId('mailbox-row-user051@acme-big.example').waitFor();
  await page.getByTestId('pager-previous').click();
  await page.getByTestId('mailbox-row-user001@acme-big.example').waitFor();
});
await step('billing: balance, top-up, declined card on Globex', async () => {
  await page.getByRole('link', { name: 'Facturation' }).click();
  await page.waitForURL(/\/billing\?org=org-acme$/);
  await page.getByTestId('balance').getByText('50,00').waitFor();
  await page.getByTestId('card-summary').getByText('•••• 4242').waitFor();
  await page.getByTestId('upcoming-total').waitFor();
  await page.getByLabel('Montant en euros').fill('1,234');
  await page.getByRole('button', { name: 'Recharger', exact: true }).click();
  await page.getByTestId('top-up-amount-error').waitFor();
  await page.getByLabel('Montant en euros').fill('10');
  await page.getByRole('button', { name: 'Recharger', exact: true }).dblclick();
  await page.getByTestId('balance').getByText('60,00').waitFor();
  const first = await page.getByTestId('ledger-row').first().getAttribute('data-kind');
  if (first !== 'TOP_UP') throw new Error('first ledger row: ' + first);
  if ((await page.getByTestId('ledger-row').count()) !== 2) throw new Error('double click charged twice');
  await page.screenshot({ path: shots + '/14-billing.png', fullPage: true });
  await page.getByTestId('organization-switch').selectOption({ label: 'Globex' });
  await page.waitForURL(/org=org-globex/);
  await page.getByTestId('no-card').waitFor();
  await page.getByLabel('Numéro de carte').fill('4000 0000 0000 0002');
  await page.getByLabel('Mois').selectOption('12');
  await page.getByLabel('Année').selectOption(String(new Date().getFullYear() + 2));
  await page.getByLabel('Cryptogramme (CVC)').fill('123');
  await page.getByRole('button', { name: 'Enregistrer la carte' }).click();
  await page.getByTestId('card-summary').getByText('•••• 0002').waitFor();
  await page.getByLabel('Montant en euros').fill('5');
  await page.getByRole('button', { name: 'Recharger', exact: true }).click();
  await page.getByTestId('top-up-error').getByText('The card was declined.').waitFor();
  await page.getByTestId('balance').getByText('2,00').waitFor();
  await page.screenshot({ path: shots + '/15-billing-declined.png', fullPage: true });
  await page.goBack();
  await page.getByTestId('balance').getByText('60,00').waitFor();
  const org = await page.getByTestId('organization-switch').inputValue();
  if (org !== 'org-acme') throw new Error('switcher did not follow the URL: ' + org);
});
await step('notifications: unread badge, mark read', async () => {
  await page.getByTestId('unread-badge').getByText('2').waitFor();
  await page.getByTestId('nav-notifications').click();
  await page.waitForURL(/\/notifications$/);
  await page.getByTestId('message').first().waitFor();
  await page.screenshot({ path: shots + '/16-notifications.png', fullPage: true });
  await page.getByTestId('mark-read').first().click();
  await page.getByTestId('unread-badge').getByText('1').waitFor();
  await page.getByTestId('filter-unread').click();
  await page.waitForURL(/unread=1/);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=message]').length === 1);
  await page.goto(base + '/domains');
  await page.getByTestId('organization-switch').selectOption('');  // chosen on the Billing page: back to all
});
await step('domains list: advanced, filter, sort, search, back', async () => {
  await page.getByRole('link', { name: 'Noms de domaine' }).first().click();
  await page.getByTestId('domains-table').waitFor();
  await page.getByTestId('view-advanced').click();
  await page.waitForURL(/view=advanced/);
  await page.getByTestId('filter-has-mailboxes').selectOption('with');
  await page.waitForURL(/mailboxes=with/);
  await page.getByTestId('sort-mailboxCount').click();
  await page.waitForURL(/sort=mailboxCount/);
  await page.screenshot({ path: shots + '/09-domains-advanced.png', fullPage: true });
  await page.getByTestId('domain-search').fill('globex');
  await page.waitForURL(/q=globex/);
  await page.getByTestId('domain-row-globex.example').waitFor();
  await page.reload();
  await page.getByTestId('domain-row-globex.example').waitFor();
  if ((await page.getByTestId('domain-search').inputValue()) !== 'globex') throw new Error('search lost on reload');
  await page.goBack();
  await page.waitForURL((u) => !u.search.includes('sort=mailboxCount') || !u.search.includes('q='));
});
await step('language switch to EN persists', async () => {
  await page.getByTestId('lang-en').click();
  await page.getByRole('heading', { name: 'Domains' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Domains' }).waitFor();
  if ((await page.evaluate(() => document.documentElement.lang)) !== 'en') throw new Error('lang');
});
await step('graphiql renders with session', async () => {
  await page.goto(base + '/graphql');
  await page.locator('.graphiql-container').waitFor({ timeout: 15000 });
  await page.waitForTimeout(1500);
  const banner = await page.locator('#graphiql-banner').isVisible();
  if (banner) throw new Error('banner visible while signed in');
  await page.locator('.graphiql-execute-button').click();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: shots + '/10-graphiql.png' });
  const body = await page.locator('.result-window').innerText().catch(() => '');
  if (!body.includes('owner@acme.example')) throw new Error('no result: ' + body.slice(0, 200));
});
await step('sign out', async () => {
  await page.goto(base + '/domains');
  await page.getByTestId('sign-out').click();
  await page.waitForURL(/\/login$/);
});
await step('graphiql banner when signed out', async () => {
  await page.goto(base + '/graphql');
  await page.locator('#graphiql-banner').waitFor();
  await page.screenshot({ path: shots + '/11-graphiql-anon.png' });
});
await page.close();
}
// English, server-side errors, session expiry, a read-only member.
{
const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
await page.addInitScript(() => localStorage.setItem('mailrenew.lang', 'en'));
page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
const step = async (name, fn) => { try { await fn(); console.log('ok  ', name); } catch (e) { failures++; console.log('FAIL', name, e.message.split('\n')[0]); await page.screenshot({ path: `${shots}/fail-${name.replace(/\W+/g, '_')}.png` }); } };
async function login(email) {
  await page.goto(base + '/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/domains$/);
}
await step('english by browser default', async () => {
  await page.goto(base + '/login');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
});
await step('server userErrors shown next to fields', async () => {
  await login('owner@acme.example');
  await page.goto(base + '/domains/acme.example');
  await page.getByRole('button', { name: 'Actions for contact@acme.example' }).click();
  await page.getByRole('menuitem', { name: 'Manage auto-renewal' }).click();
  await page.getByRole('switch').waitFor();
  await page.route('**/graphql', async (route) => {
    const body = route.request().postDataJSON();
    if (body?.operationName !== 'SetAutoRenew') return route.continue();
    await route.fulfill({ json: { data: { setAutoRenew: { __typename: 'SetAutoRenewPayload', mailbox: null, userErrors: [
      { __typename: 'UserError', field: ['input', 'payerOrganizationId'], code: 'PAYER_NOT_ALLOWED', message: 'You may not charge Globex.' },
      { __typename: 'UserError', field: null, code: 'NOT_ALLOWED', message: 'Not allowed here.' } ] } } } });
  });
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('error-payer').getByText('You may not charge Globex.').waitFor();
  await page.getByTestId('form-error').getByText('Not allowed here.').waitFor();
  const invalid = await page.getByTestId('payer-select').getAttribute('aria-invalid');
  if (invalid !== 'true') throw new Error('aria-invalid ' + invalid);
  await page.screenshot({ path: shots + '/12-server-errors.png', fullPage: true });
  await page.unroute('**/graphql');
});
await step('401 goes back to sign-in and returns', async () => {
  await page.goto(base + '/domains/acme.example');
  await page.getByTestId('mailboxes-table').waitFor();
  await page.context().clearCookies();
  await page.getByRole('link', { name: 'sales@acme.example' }).click();
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('E-mail').fill('owner@acme.example');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/mailboxes\//);
  await page.getByTestId('configuration').waitFor();
});
await step('member is read-only', async () => {
  await page.getByTestId('sign-out').click();
  await page.waitForURL(/\/login$/);
  await login('member@acme.example');
  await page.goto(base + '/domains/acme.example');
  await page.getByRole('button', { name: 'Actions for contact@acme.example' }).click();
  await page.getByRole('menuitem', { name: 'Manage auto-renewal' }).click();
  await page.getByTestId('read-only').waitFor();
  if (!(await page.getByRole('button', { name: 'Save' }).isDisabled())) throw new Error('save enabled');
  await page.screenshot({ path: shots + '/13-readonly.png', fullPage: true });
});
await step('member: billing reserved to owners and billing managers', async () => {
  await page.goto(base + '/billing');
  await page.getByTestId('billing-no-rights').getByText('Only the owners and billing managers of Acme SARL').waitFor();
  if ((await page.getByTestId('balance').count()) !== 0) throw new Error('balance shown to a member');
  await page.screenshot({ path: shots + '/17-billing-member.png', fullPage: true });
});
await step('unknown route → not found; home → domains', async () => {
  await page.goto(base + '/nope');
  await page.getByText('This page does not exist.').waitFor();
  await page.goto(base + '/');
  await page.waitForURL(/\/domains$/);
});
await page.close();
}
await browser.close();
server?.kill();
console.log(failures ? `${failures} step(s) failed` : 'all steps passed');
process.exit(failures ? 1 : 0);
