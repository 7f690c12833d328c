// A stand-in backend for working on the console without the Python app: serves dist/ like the backend does
// (SPA fallback, /graphql → graphiql.html for browsers) and answers /auth/* and POST /graphql from memory,
// following the contract in src/lib/api/contract.graphql. Not used in production; `npm run mock` after a build.
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildSchema, graphql } from 'graphql';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const schema = buildSchema(readFileSync(join(root, 'src/lib/api/contract.graphql'), 'utf8'));
const PORT = Number(process.env.PORT ?? 8000);

const orgs = {
  acme: { id: 'org-acme', name: 'Acme SARL' },
  globex: { id: 'org-globex', name: 'Globex' },
  initech: { id: 'org-initech', name: 'Initech' },
};
const users = {
  'owner@acme.example': { id: 'user-owner', email: 'owner@acme.example', displayName: 'Alice Owner', language: 'FR',
    roles: { 'org-acme': 'OWNER', 'org-globex': 'BILLING' } },
  'member@acme.example': { id: 'user-member', email: 'member@acme.example', displayName: 'Mo Member', language: 'EN',
    roles: { 'org-acme': 'MEMBER' } },
};
const PASSWORD = 'demo-password';

const addDays = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
const domains = [];
const mailboxes = [];
function addDomain(fqdn, owner, days, count, autoRenew = false) {
  const d = { id: `dom-${domains.length + 1}`, fqdn, ownerId: owner.id, expiresAt: addDays(days), status: 'ACTIVE',
    autoRenew: { enabled: autoRenew, payerId: autoRenew ? owner.id : null }, forwards: [] };
  domains.push(d);
  for (let i = 0; i < count; i++) {
    const local = count > 20 ? `user${String(i + 1).padStart(3, '0')}` : ['contact', 'sales', 'support', 'jobs', 'alice', 'bob', 'billing', 'info'][i] ?? `box${i}`;
    mailboxes.push({ id: `mbx-${mailboxes.length + 1}`, domainId: d.id, localPart: local, offer: i % 3 === 0 ? 'PREMIUM' : 'STANDARD',
      status: i === 5 ? 'RENEWAL_FAILED' : 'ACTIVE', expiresAt: addDays(3 + i * 20),
      autoRenew: i % 2 === 0 ? { enabled: true, period: 'YEARLY', payerId: owner.id } : { enabled: false, period: null, payerId: null } });
  }
  return d;
}
addDomain('acme.example', orgs.acme, 40, 8).forwards.push({ id: 'fwd-1', source: 'hello', destinations: ['alice@acme.example', 'bob@gmail.example'] });
addDomain('acme-shop.example', orgs.acme, 200, 0, true);
addDomain('acme-big.example', orgs.acme, 300, 120, true);
addDomain('globex.example', orgs.globex, 20, 3);
addDomain('initech.example', orgs.initech, 100, 3);
for (let i = 1; i <= 25; i++) addDomain(`acme-${String(i).padStart(2, '0')}.example`, orgs.acme, i * 11, i % 4 === 0 ? 2 : 0, i % 3 === 0);

// Billing: prepaid accounts, cards (the simulated gateway's test cards: …0002 declined, …9995 no funds) and the
// ledger, per organization; the gateway's charges by idempotency key; each user's outbox.
const nowIso = () => new Date().toISOString();
const billing = {};
for (const [id, balance, card] of [
  ['org-acme', 5000, { brand: 'VISA', last4: '4242', expMonth: 12, expYear: new Date().getFullYear() + 3, autoTopUp: true }],
  ['org-globex', 200, null],
  ['org-initech', 10000, null],
]) {
  billing[id] = { balance, card, ledger: [{ id: `led-${id}-1`, kind: 'OPENING', amountCents: balance, balanceAfterCents: balance,
    currency: 'EUR', reference: 'Opening balance', createdAt: nowIso() }] };
}
const charges = new Map(); // idempotency key -> { amountCents, status, entry }
const PRICES = { STANDARD: { MONTHLY: 100, YEARLY: 1000 }, PREMIUM: { MONTHLY: 500, YEARLY: 5000 } };
const outboxes = {
  'user-owner': ['contact@acme.example', 'support@acme.example'].map((item, i) => ({
    id: `msg-${i + 1}`, kind: 'RENEWAL_RECEIPT', language: 'FR', subject: `Reçu : ${item} renouvelée`,
    body: `Bonjour Alice Owner,\n\nLa boîte mail ${item} a été renouvelée.\n\nMailrenew\n`, createdAt: nowIso(),
    sentAt: null, readAt: null, organizationId: 'org-acme' })),
  'user-member': [],
};
const luhn = (digits) => [...digits].reverse().reduce((sum, c, i) => { let d = Number(c); if (i % 2) { d *= 2; if (d > 9) d -= 9; } return sum + d; }, 0) % 10 === 0;

const sessions = new Map(); // sid -> { email, csrf }

function connection(items, { first = 50, after = null } = {}) {
  if (first > 100) throw new Error('first must be at most 100');
  const start = after ? Number(Buffer.from(after, 'base64').toString().split(':')[1]) + 1 : 0;
  const slice = items.slice(start, start + first);
  const cursor = (i) => Buffer.from(`cursor:${start + i}`).toString('base64');
  return {
    totalCount: items.length,
    pageInfo: { hasNextPage: start + first < items.length, hasPreviousPage: start > 0,
      startCursor: slice.length ? cursor(0) : null, endCursor: slice.length ? cursor(slice.length - 1) : null },
    edges: slice.map((node, i) => ({ cursor: cursor(i), node })),
    nodes: slice,
  };
}

function api(user) {
  const seesBilling = (id) => ['OWNER', 'BILLING'].includes(user.roles[id]);
  const orgView = (o) => o && {
    ...o, currency: 'EUR', viewerRole: user.roles[o.id] ?? null, viewerCanPay: seesBilling(o.id),
    prepaidBalanceCents: seesBilling(o.id) ? billing[o.id].balance : null,
    card: seesBilling(o.id) ? billing[o.id].card : null,
    ledger: (args) => connection(seesBilling(o.id) ? [...billing[o.id].ledger].reverse() : [], args),
  };
  const orgById = (id) => orgView(Object.values(orgs).find((o) => o.id === id) ?? null);
  const billingError = (id) => (!(id in user.roles) ? { field: ['organizationId'], code: 'NOT_FOUND', message: 'Not found.' }
    : !seesBilling(id) ? { field: ['organizationId'], code: 'NOT_ALLOWED', message: 'Only owners and billing managers may do this.' } : null);
  const myOutbox = () => outboxes[user.id] ?? [];
  const messageView = (m) => ({ ...m, organization: orgById(m.organizationId) });
  const visible = (d) => d.ownerId in user.roles;
  const canManage = (d) => ['OWNER', 'ADMIN'].includes(user.roles[d.ownerId]);
  const payable = Object.values(orgs).filter((o) => ['OWNER', 'BILLING'].includes(user.roles[o.id]));
  const domainView = (d) => ({
    id: d.id, fqdn: d.fqdn, expiresAt: d.expiresAt, status: d.status, owner: orgById(d.ownerId),
    autoRenew: { enabled: d.autoRenew.enabled, payer: orgById(d.autoRenew.payerId) },
    mailboxCount: mailboxes.filter((m) => m.domainId === d.id).length,
    mailboxes: (args) => connection(mailboxes.filter((m) => m.domainId === d.id).map(mailboxView), args),
    forwards: d.forwards.map((f) => ({ ...f, address: `${f.source}@${d.fqdn}` })),
    viewerCanManage: canManage(d),
  });
  const mailboxView = (m) => {
    const d = domains.find((x) => x.id === m.domainId);
    const warnings = [];
    if (m.autoRenew.enabled && !d.autoRenew.enabled) warnings.push({ code: 'DOMAIN_AUTO_RENEW_OFF', message: 'The domain auto-renewal is off.', amountCents: null });
    if (m.autoRenew.enabled && !d.autoRenew.enabled && d.expiresAt < m.expiresAt) warnings.push({ code: 'DOMAIN_EXPIRES_FIRST', message: 'The domain expires first.', amountCents: null });
    if (m.autoRenew.enabled && m.autoRenew.payerId === 'org-globex') warnings.push({ code: 'BALANCE_SHORT', message: 'Balance short.', amountCents: 1250 });
    return {
      id: m.id, address: `${m.localPart}@${d.fqdn}`, localPart: m.localPart, domain: () => domainView(d), offer: m.offer,
      status: m.status, expiresAt: m.expiresAt, viewerCanManage: canManage(d), warnings,
      autoRenew: { enabled: m.autoRenew.enabled, period: m.autoRenew.period, payer: orgById(m.autoRenew.payerId) },
    };
  };
  const checkInput = (input, d) => {
    const errors = [];
    if (!canManage(d)) errors.push({ field: null, code: 'NOT_ALLOWED', message: 'You may not change this.' });
    if (input.enabled && !input.period) errors.push({ field: ['input', 'period'], code: 'PERIOD_REQUIRED', message: 'Choose a period.' });
    if (input.enabled && !input.payerOrganizationId) errors.push({ field: ['input', 'payerOrganizationId'], code: 'PAYER_REQUIRED', message: 'Choose a payer.' });
    if (input.payerOrganizationId && !payable.some((o) => o.id === input.payerOrganizationId))
      errors.push({ field: ['input', 'payerOrganizationId'], code: 'PAYER_NOT_ALLOWED', message: 'You may not charge this organization.' });
    return errors;
  };
  const apply = (m, input) => {
    m.autoRenew = input.enabled
      ? { enabled: true, period: input.period, payerId: input.payerOrganizationId }
      : { ...m.autoRenew, enabled: false };
  };
  const notFound = { field: null, code: 'NOT_FOUND', message: 'Not found.' };
  return {
    viewer: () => ({ ...user, memberships: Object.entries(user.roles).map(([id, role]) => ({ role, organization: orgById(id) })), payableOrganizations: payable }),
    domains: ({ filter = {}, orderBy, first, after }) => {
      let list = domains.filter(visible).map(domainView);
      if (filter.search) list = list.filter((d) => d.fqdn.includes(filter.search.toLowerCase()));
      if (filter.hasMailboxes != null) list = list.filter((d) => (d.mailboxCount > 0) === filter.hasMailboxes);
      if (filter.organizationId) list = list.filter((d) => d.owner.id === filter.organizationId);
      const key = { FQDN: 'fqdn', EXPIRES_AT: 'expiresAt', MAILBOX_COUNT: 'mailboxCount' }[orderBy?.field ?? 'FQDN'];
      list.sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.fqdn.localeCompare(b.fqdn)) * (orderBy?.direction === 'DESC' ? -1 : 1));
      return connection(list, { first, after });
    },
    domain: ({ id }) => { const d = domains.find((x) => x.id === id && visible(x)); return d ? domainView(d) : null; },
    domainByFqdn: ({ fqdn }) => { const d = domains.find((x) => x.fqdn === fqdn && visible(x)); return d ? domainView(d) : null; },
    mailbox: ({ id }) => { const m = mailboxes.find((x) => x.id === id); return m && visible(domains.find((d) => d.id === m.domainId)) ? mailboxView(m) : null; },
    setAutoRenew: ({ mailboxId, input }) => {
      const m = mailboxes.find((x) => x.id === mailboxId);
      const d = m && domains.find((x) => x.id === m.domainId);
      if (!m || !visible(d)) return { mailbox: null, userErrors: [notFound] };
      const userErrors = checkInput(input, d);
      if (userErrors.length) return { mailbox: null, userErrors };
      apply(m, input);
      return { mailbox: mailboxView(m), userErrors: [] };
    },
    bulkSetAutoRenew: ({ domainId, mailboxIds, input }) => {
      const d = domains.find((x) => x.id === domainId && visible(x));
      if (!d) return { mailboxes: [], updatedCount: 0, userErrors: [notFound] };
      const targets = mailboxIds ? mailboxIds.map((id) => mailboxes.find((m) => m.id === id)) : mailboxes.filter((m) => m.domainId === d.id);
      const userErrors = checkInput(input, d);
      if (targets.some((m) => !m || m.domainId !== d.id)) userErrors.push({ field: ['mailboxIds'], code: 'MAILBOX_NOT_IN_DOMAIN', message: 'A mailbox is not in this domain.' });
      if (userErrors.length) return { mailboxes: [], updatedCount: 0, userErrors };
      targets.forEach((m) => apply(m, input));
      return { mailboxes: targets.map(mailboxView), updatedCount: targets.length, userErrors: [] };
    },
    setDomainAutoRenew: ({ domainId, input }) => {
      const d = domains.find((x) => x.id === domainId && visible(x));
      if (!d) return { domain: null, userErrors: [notFound] };
      const userErrors = checkInput({ ...input, period: 'YEARLY' }, d);
      if (userErrors.length) return { domain: null, userErrors };
      d.autoRenew = { enabled: input.enabled, payerId: input.payerOrganizationId ?? d.autoRenew.payerId };
      return { domain: domainView(d), userErrors: [] };
    },
    setLanguage: ({ language }) => { user.language = language; return { user, userErrors: [] }; },
    organization: ({ id }) => (id in user.roles ? orgById(id) : null),
    upcomingRenewals: ({ organizationId, days = 30 }) => {
      if (!seesBilling(organizationId)) throw new Error('Organization not found, or you may not see its billing.');
      const horizon = addDays(days);
      const items = mailboxes
        .filter((m) => m.autoRenew.enabled && m.autoRenew.payerId === organizationId && m.expiresAt <= horizon)
        .map((m) => {
          const d = domains.find((x) => x.id === m.domainId);
          const charge = new Date(Date.parse(m.expiresAt) - 5 * 86400000).toISOString().slice(0, 10);
          return { kind: 'MAILBOX', itemId: m.id, label: `${m.localPart}@${d.fqdn}`, expiresAt: m.expiresAt,
            date: charge < addDays(0) ? addDays(0) : charge, amountCents: PRICES[m.offer][m.autoRenew.period] };
        })
        .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
      const totalCents = items.reduce((sum, i) => sum + i.amountCents, 0);
      const account = billing[organizationId];
      const shortfallCents = Math.max(0, totalCents - account.balance);
      return { organization: orgById(organizationId), days, items, totalCents, balanceCents: account.balance, shortfallCents,
        coveredByCard: shortfallCents > 0 && Boolean(account.card?.autoTopUp), currency: 'EUR' };
    },
    outbox: ({ first, after, unreadOnly = false }) =>
      connection([...myOutbox()].reverse().filter((m) => !unreadOnly || !m.readAt).map(messageView), { first, after }),
    topUp: ({ organizationId, amountCents, idempotencyKey }) => {
      const refused = (error) => ({ organization: null, ledgerEntry: null, userErrors: [error] });
      const denied = billingError(organizationId);
      if (denied) return refused(denied);
      if (!(amountCents > 0 && amountCents <= 1000000)) return refused({ field: ['amountCents'], code: 'INVALID_AMOUNT', message: 'The amount must be a positive number of cents, at most 1000000.' });
      const account = billing[organizationId];
      if (!account.card) return refused({ field: ['organizationId'], code: 'NO_CARD', message: 'No card is registered for this organization.' });
      const key = `${organizationId}:${idempotencyKey}`;
      let charge = charges.get(key);
      if (charge && charge.amountCents !== amountCents) return refused({ field: ['idempotencyKey'], code: 'IDEMPOTENCY_KEY_REUSED', message: 'This idempotency key was already used for another amount.' });
      if (!charge) {
        const status = { '0002': 'DECLINED', '9995': 'INSUFFICIENT_FUNDS' }[account.card.last4] ?? 'SUCCEEDED';
        charge = { amountCents, status, entry: null };
        charges.set(key, charge);
        if (status === 'SUCCEEDED') {
          account.balance += amountCents;
          charge.entry = { id: `led-${organizationId}-${account.ledger.length + 1}`, kind: 'TOP_UP', amountCents,
            balanceAfterCents: account.balance, currency: 'EUR', reference: `card sim_ch_${charges.size}`, createdAt: nowIso() };
          account.ledger.push(charge.entry);
        }
      }
      if (charge.status !== 'SUCCEEDED') return refused({ field: null, code: 'CARD_DECLINED', message: 'The card was declined.' });
      return { organization: orgById(organizationId), ledgerEntry: charge.entry, userErrors: [] };
    },
    registerCard: ({ organizationId, input }) => {
      const refused = (error) => ({ organization: null, card: null, userErrors: [error] });
      const denied = billingError(organizationId);
      if (denied) return refused(denied);
      const digits = input.number.replace(/\D/g, '');
      const today = new Date();
      if (digits.length < 12 || digits.length > 19 || !luhn(digits) || !/^\d{3,4}$/.test(input.cvc))
        return refused({ field: ['input', 'number'], code: 'CARD_INVALID', message: 'This card number is not valid.' });
      if (input.expMonth < 1 || input.expMonth > 12 || input.expYear * 12 + input.expMonth < today.getFullYear() * 12 + today.getMonth() + 1)
        return refused({ field: ['input', 'number'], code: 'CARD_EXPIRED', message: 'This card has expired.' });
      const card = { brand: digits.startsWith('4') ? 'VISA' : 'CARD', last4: digits.slice(-4), expMonth: input.expMonth, expYear: input.expYear, autoTopUp: Boolean(input.autoTopUp) };
      billing[organizationId].card = card;
      return { organization: orgById(organizationId), card, userErrors: [] };
    },
    setAutoTopUp: ({ organizationId, enabled }) => {
      const denied = billingError(organizationId);
      const card = billing[organizationId]?.card;
      if (denied || !card) return { organization: null, card: null, userErrors: [denied ?? { field: ['organizationId'], code: 'NO_CARD', message: 'No card is registered for this organization.' }] };
      card.autoTopUp = enabled;
      return { organization: orgById(organizationId), card, userErrors: [] };
    },
    markOutboxRead: ({ messageIds }) => {
      const mine = myOutbox().filter((m) => messageIds.includes(m.id) && !m.readAt);
      mine.forEach((m) => { m.readAt = nowIso(); });
      return { markedCount: mine.length, userErrors: [] };
    },
  };
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.ttf': 'font/ttf', '.json': 'application/json' };

function send(res, status, body, type = 'application/json', headers = {}) {
  res.writeHead(status, { 'Content-Type': type, ...headers });
  res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

function sessionOf(req) {
  const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  return sid && sessions.has(sid) ? { sid, ...sessions.get(sid) } : null;
}

async function readJson(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  try { return JSON.parse(raw || '{}'); } catch { return null; }
}

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const session = sessionOf(req);
  if (url.pathname === '/auth/session' && req.method === 'GET') {
    const user = session && users[session.email];
    return send(res, 200, { user: user ? { id: user.id, email: user.email, displayName: user.displayName, language: user.language } : null, csrfToken: session?.csrf ?? null });
  }
  if (url.pathname === '/auth/login' && req.method === 'POST') {
    const body = await readJson(req);
    const user = users[body?.email];
    if (!user || body.password !== PASSWORD) return send(res, 401, { error: { code: 'INVALID_CREDENTIALS', message: 'Wrong e-mail or password.' } });
    const sid = randomBytes(16).toString('hex');
    const csrf = randomBytes(16).toString('hex');
    sessions.set(sid, { email: user.email, csrf });
    return send(res, 200, { user: { id: user.id, email: user.email, displayName: user.displayName, language: user.language }, csrfToken: csrf },
      'application/json', { 'Set-Cookie': `sid=${sid}; HttpOnly; SameSite=Lax; Path=/` });
  }
  if (url.pathname === '/auth/logout' && req.method === 'POST') {
    if (session && req.headers['x-csrf-token'] !== session.csrf) return send(res, 403, { error: { code: 'CSRF', message: 'Bad CSRF token.' } });
    if (session) sessions.delete(session.sid);
    return send(res, 200, { ok: true }, 'application/json', { 'Set-Cookie': 'sid=; Max-Age=0; Path=/' });
  }
  if (url.pathname === '/graphql' && req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
    return send(res, 200, readFileSync(join(dist, 'graphiql.html')), TYPES['.html']);
  }
  if (url.pathname === '/graphql' && req.method === 'POST') {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let user = bearer === 'demo-token' ? users['owner@acme.example'] : null;
    if (!user && session) {
      if (req.headers['x-csrf-token'] !== session.csrf) return send(res, 403, { error: { code: 'CSRF', message: 'Missing or bad X-CSRF-Token.' } });
      user = users[session.email];
    }
    if (!user) return send(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } });
    const body = await readJson(req);
    if (process.env.MOCK_DELAY) await new Promise((r) => setTimeout(r, Number(process.env.MOCK_DELAY)));
    const result = await graphql({ schema, source: body?.query ?? '', variableValues: body?.variables, operationName: body?.operationName, rootValue: api(user) });
    return send(res, 200, result);
  }
  // Static files, with index.html for every other GET (the SPA's routes).
  const file = normalize(join(dist, url.pathname));
  if (file.startsWith(dist) && existsSync(file) && statSync(file).isFile()) {
    return send(res, 200, readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream');
  }
  if (req.method === 'GET') return send(res, 200, readFileSync(join(dist, 'index.html')), TYPES['.html']);
  send(res, 404, { error: { code: 'NOT_FOUND', message: 'Not found' } });
}).listen(PORT, () => console.log(`mock backend and console on http://127.0.0.1:${PORT}`));
