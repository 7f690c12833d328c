import { describe, expect, it } from 'vitest';
import type { MembershipFieldsFragment as Membership } from './api/generated/graphql';
import {
  parseBillingQuery,
  parseNotificationsQuery,
  pickOrganization,
  serializeBillingQuery,
  serializeNotificationsQuery,
} from './billingQuery';

// Whether a member sees billing is the API's answer (viewerCanSeeBilling); the role is only displayed.
const acme: Membership = { role: 'OWNER', organization: { id: 'acme', name: 'Acme SARL', viewerCanSeeBilling: true } };
const globex: Membership = { role: 'BILLING', organization: { id: 'globex', name: 'Globex', viewerCanSeeBilling: true } };
const member: Membership = { role: 'MEMBER', organization: { id: 'initech', name: 'Initech', viewerCanSeeBilling: false } };

describe('billing query', () => {
  it('round-trips through the URL', () => {
    const state = { org: 'T3JnYW5pemF0aW9uOjE=', after: 'b2Zmc2V0OjE5' };
    expect(parseBillingQuery(serializeBillingQuery(state))).toEqual(state);
    expect(serializeBillingQuery({ org: null, after: null })).toBe('');
    expect(parseBillingQuery('?org=&after=')).toEqual({ org: null, after: null });
  });

  it('picks the URL organization, then the switcher one, then one whose billing the API lets the viewer see', () => {
    expect(pickOrganization('globex', 'acme', [acme, globex])).toBe('globex');
    expect(pickOrganization('someone-else', 'globex', [acme, globex])).toBe('globex');
    expect(pickOrganization(null, null, [member, globex])).toBe('globex');
    expect(pickOrganization(null, null, [member])).toBe('initech');
    expect(pickOrganization(null, null, [])).toBeNull();
  });
});

describe('notifications query', () => {
  it('round-trips through the URL', () => {
    expect(parseNotificationsQuery(serializeNotificationsQuery({ unreadOnly: true, after: 'c' }))).toEqual({ unreadOnly: true, after: 'c' });
    expect(serializeNotificationsQuery({ unreadOnly: false, after: null })).toBe('');
    expect(parseNotificationsQuery('unread=yes')).toEqual({ unreadOnly: false, after: null });
  });
});
