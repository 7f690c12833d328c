// The Billing and Notifications pages keep their state in the URL query, so reload, back and shared links show
// the same thing:  /billing?org=<organization id>&after=<ledger cursor>   /notifications?unread=1&after=<cursor>
import type { MembershipFieldsFragment as Membership } from './api/generated/graphql';

export interface BillingQuery {
  org: string | null;
  after: string | null;
}

export function parseBillingQuery(query: URLSearchParams | string): BillingQuery {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  return { org: params.get('org') || null, after: params.get('after') || null };
}

export function serializeBillingQuery(state: BillingQuery): string {
  const params = new URLSearchParams();
  if (state.org) params.set('org', state.org);
  if (state.after) params.set('after', state.after);
  return params.toString();
}

/**
 * The organization the Billing page shows: the URL's when the user belongs to it; else the organization switcher's;
 * else the first one whose billing the user sees (the API's `viewerCanSeeBilling`: no role is compared here); else their first organization (the page then says why it is
 * empty); null without any membership.
 */
export function pickOrganization(
  urlOrg: string | null,
  switcherOrg: string | null,
  memberships: readonly Membership[],
): string | null {
  const ids = memberships.map((m) => m.organization.id);
  if (urlOrg && ids.includes(urlOrg)) return urlOrg;
  if (switcherOrg && ids.includes(switcherOrg)) return switcherOrg;
  return memberships.find((m) => m.organization.viewerCanSeeBilling)?.organization.id ?? ids[0] ?? null;
}

export interface NotificationsQuery {
  unreadOnly: boolean;
  after: string | null;
}

export function parseNotificationsQuery(query: URLSearchParams | string): NotificationsQuery {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  return { unreadOnly: params.get('unread') === '1', after: params.get('after') || null };
}

export function serializeNotificationsQuery(state: NotificationsQuery): string {
  const params = new URLSearchParams();
  if (state.unreadOnly) params.set('unread', '1');
  if (state.after) params.set('after', state.after);
  return params.toString();
}
