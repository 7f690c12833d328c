import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STATE,
  domainsVariables,
  parseDomainListQuery,
  serializeDomainListQuery,
  toggleSort,
  updateDomainListState,
} from './domainListQuery';

describe('domain list URL state', () => {
  it('round-trips through the query string', () => {
    const state = { view: 'advanced', search: 'acme', hasMailboxes: 'with', sort: 'expiresAt', dir: 'desc', after: 'c1' } as const;
    const query = serializeDomainListQuery(state);
    expect(query).toBe('view=advanced&q=acme&mailboxes=with&sort=expiresAt&dir=desc&after=c1');
    expect(parseDomainListQuery(query)).toEqual(state);
  });

  it('writes nothing for the defaults and ignores unknown values', () => {
    expect(serializeDomainListQuery(DEFAULT_STATE)).toBe('');
    expect(parseDomainListQuery('view=weird&sort=nope&dir=up&mailboxes=maybe')).toEqual(DEFAULT_STATE);
  });

  it('goes back to the first page when a filter or the sort changes, not when the view does', () => {
    const onPage2 = { ...DEFAULT_STATE, after: 'c1' };
    expect(updateDomainListState(onPage2, { search: 'x' }).after).toBeNull();
    expect(updateDomainListState(onPage2, { view: 'advanced' }).after).toBe('c1');
    expect(toggleSort(onPage2, 'fqdn')).toMatchObject({ sort: 'fqdn', dir: 'desc', after: null });
    expect(toggleSort({ ...DEFAULT_STATE, sort: 'fqdn', dir: 'desc' }, 'mailboxCount')).toMatchObject({ sort: 'mailboxCount', dir: 'asc' });
  });

  it('builds the domains() variables', () => {
    const state = { ...DEFAULT_STATE, search: 'shop', hasMailboxes: 'without', sort: 'mailboxCount', dir: 'desc' } as const;
    expect(domainsVariables(state, 'org-1', 50)).toEqual({
      filter: { search: 'shop', hasMailboxes: false, organizationId: 'org-1' },
      orderBy: { field: 'MAILBOX_COUNT', direction: 'DESC' },
      first: 50,
      after: null,
    });
    expect(domainsVariables(DEFAULT_STATE, null, 50).filter).toEqual({});
  });
});
