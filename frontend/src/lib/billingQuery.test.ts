import { describe, expect, it } from 'vitest';
import type { Membership } from './api/types';
import {
  hasBillingRights,
  parseBillingQuery,
  parseNotificationsQuery,
  pickOrganization,
  serializeBillingQuery,
  serializeNotificationsQuery,
} from './billingQuery';

const acme = { role: 'OWNER', organization: { id: 'acme', name: 'Acme SARL' } } as Membership;
const globex = { role: 'BILLING', organization: { id: 'globex', name: 'Globex' } } as Membership;
const member = { role: 'MEMBER', organization: { id: 'initech', name: 'Initech' } } as Membership;

describe('billing query', () => {
  it('round-trips through the URL', () => {
    const state = { org: 'T3JnYW5pemF0aW9uOjE=', after: 'b2Zmc2V0OjE5' };
    expect(parseBillingQuery(serializeBillingQuery(state))).toEqual(state);
    expect(serializeBillingQuery({ org: null, after: null })).toBe('');
    expect(parseBillingQuery('?org=&after=')).toEqual({ org: null, after: null });
  });

  it('picks the URL organization, then the switcher one, then one with billing rights', () => {
    expect(pickOrganization('globex', 'acme', [acme, globex])).toBe('globex');
    expect(pickOrganization('someone-else', 'globex', [acme, globex])).toBe('globex');
    expect(pickOrganization(null, null, [member, globex])).toBe('globex');
    expect(pickOrganization(null, null, [member])).toBe('initech');
    expect(pickOrganization(null, null, [])).toBeNull();
  });

  it('gives billing rights to owners and billing managers only', () => {
    expect(hasBillingRights('OWNER')).toBe(true);
    expect(hasBillingRights('BILLING')).toBe(true);
    expect(hasBillingRights('ADMIN')).toBe(false);
    expect(hasBillingRights('MEMBER')).toBe(false);
    expect(hasBillingRights(null)).toBe(false);
  });
});

describe('notifications query', () => {
  it('round-trips through the URL', () => {
    expect(parseNotificationsQuery(serializeNotificationsQuery({ unreadOnly: true, after: 'c' }))).toEqual({ unreadOnly: true, after: 'c' });
    expect(serializeNotificationsQuery({ unreadOnly: false, after: null })).toBe('');
    expect(parseNotificationsQuery('unread=yes')).toEqual({ unreadOnly: false, after: null });
  });
});
