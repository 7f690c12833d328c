// The console's routes: hash-less paths handled with history.pushState (see router.svelte.ts).

export type Route =
  | { name: 'login' }
  | { name: 'home' }
  | { name: 'domains' }
  | { name: 'domain'; fqdn: string }
  | { name: 'mailbox'; id: string }
  | { name: 'mailboxAutoRenew'; id: string }
  | { name: 'billing' }
  | { name: 'notifications' }
  | { name: 'notFound' };

const PATTERNS: [RegExp, (m: string[]) => Route][] = [
  [/^\/login\/?$/, () => ({ name: 'login' })],
  [/^\/$/, () => ({ name: 'home' })],
  [/^\/domains\/?$/, () => ({ name: 'domains' })],
  [/^\/domains\/([^/]+)(?:\/mailboxes)?\/?$/, (m) => ({ name: 'domain', fqdn: decode(m[1]) })],
  [/^\/mailboxes\/([^/]+)\/auto-renew\/?$/, (m) => ({ name: 'mailboxAutoRenew', id: decode(m[1]) })],
  [/^\/mailboxes\/([^/]+)\/?$/, (m) => ({ name: 'mailbox', id: decode(m[1]) })],
  [/^\/billing\/?$/, () => ({ name: 'billing' })],
  [/^\/notifications\/?$/, () => ({ name: 'notifications' })],
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function matchRoute(pathname: string): Route {
  for (const [pattern, build] of PATTERNS) {
    const match = pattern.exec(pathname);
    if (match) return build(match);
  }
  return { name: 'notFound' };
}

/** Paths to link to; ids are URL-encoded (Relay global ids may hold `=`, `/` or `:`). */
export const paths = {
  login: (next?: string) => (next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login'),
  domains: (query = '') => `/domains${query ? `?${query}` : ''}`,
  domain: (fqdn: string) => `/domains/${encodeURIComponent(fqdn)}`,
  mailbox: (id: string) => `/mailboxes/${encodeURIComponent(id)}`,
  /** `from: 'mailbox'`: opened from the mailbox's detail page, which the form goes back to. */
  mailboxAutoRenew: (id: string, from?: 'mailbox') =>
    `/mailboxes/${encodeURIComponent(id)}/auto-renew${from ? `?from=${from}` : ''}`,
  /** `query`: see billingQuery.ts (org, after). */
  billing: (query = '') => `/billing${query ? `?${query}` : ''}`,
  /** `query`: see billingQuery.ts (unread, after). */
  notifications: (query = '') => `/notifications${query ? `?${query}` : ''}`,
  graphiql: () => '/graphql',
};

/** Only local console paths are accepted as a post-sign-in destination (no open redirect). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/domains';
  return next;
}
