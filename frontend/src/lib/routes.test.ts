import { describe, expect, it } from 'vitest';
import { matchRoute, paths, safeNext } from './routes';
import { nextPage, pageNumber, previousPage } from './cursorPager';

describe('routes', () => {
  it('matches the console paths', () => {
    expect(matchRoute('/')).toEqual({ name: 'home' });
    expect(matchRoute('/login')).toEqual({ name: 'login' });
    expect(matchRoute('/domains')).toEqual({ name: 'domains' });
    expect(matchRoute('/domains/acme.example')).toEqual({ name: 'domain', fqdn: 'acme.example' });
    expect(matchRoute('/domains/acme.example/mailboxes')).toEqual({ name: 'domain', fqdn: 'acme.example' });
    expect(matchRoute('/billing')).toEqual({ name: 'billing' });
    expect(matchRoute('/notifications/')).toEqual({ name: 'notifications' });
    expect(paths.billing('org=abc')).toBe('/billing?org=abc');
    expect(paths.notifications()).toBe('/notifications');
    expect(matchRoute('/nope/x')).toEqual({ name: 'notFound' });
  });

  it('round-trips Relay ids through mailbox paths', () => {
    const id = 'TWFpbGJveDox/=:';
    expect(matchRoute(paths.mailbox(id))).toEqual({ name: 'mailbox', id });
    expect(matchRoute(paths.mailboxAutoRenew(id))).toEqual({ name: 'mailboxAutoRenew', id });
    const fromDetail = new URL(paths.mailboxAutoRenew(id, 'mailbox'), 'http://x');
    expect(matchRoute(fromDetail.pathname)).toEqual({ name: 'mailboxAutoRenew', id });
    expect(fromDetail.searchParams.get('from')).toBe('mailbox');
  });

  it('only accepts local paths after sign-in', () => {
    expect(safeNext('/domains/acme.example')).toBe('/domains/acme.example');
    expect(safeNext('//evil.example')).toBe('/domains');
    expect(safeNext('https://evil.example')).toBe('/domains');
    expect(safeNext('/login?next=/x')).toBe('/domains');
    expect(safeNext(null)).toBe('/domains');
    expect(paths.login('/domains?q=a')).toBe('/login?next=%2Fdomains%3Fq%3Da');
  });
});

describe('cursor pager', () => {
  it('remembers the cursors of previous pages', () => {
    const page2 = nextPage(null, null);
    const page3 = nextPage(page2, 'c2');
    expect(pageNumber(page3, 'c3')).toBe(3);
    expect(previousPage(page3)).toEqual({ after: 'c2', state: { cursors: [null] } });
    expect(previousPage(page2)).toEqual({ after: null, state: { cursors: [] } });
    expect(previousPage(null)).toEqual({ after: null, state: { cursors: [] } });
    expect(pageNumber(null, null)).toBe(1);
  });
});
