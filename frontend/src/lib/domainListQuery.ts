// The domain list's state lives in the URL query, so reload, back and shared links show the same list.
//   view=advanced  q=<search>  mailboxes=with|without  sort=fqdn|expiresAt|mailboxCount  dir=asc|desc  after=<cursor>
import type { DomainOrderField, DomainsQueryVariables as DomainsVars } from './api/generated/graphql';

export type DomainView = 'simple' | 'advanced';
export type SortKey = 'fqdn' | 'expiresAt' | 'mailboxCount';
export type HasMailboxes = 'any' | 'with' | 'without';

export interface DomainListState {
  view: DomainView;
  search: string;
  hasMailboxes: HasMailboxes;
  sort: SortKey;
  dir: 'asc' | 'desc';
  after: string | null;
}

export const DEFAULT_STATE: DomainListState = {
  view: 'simple',
  search: '',
  hasMailboxes: 'any',
  sort: 'fqdn',
  dir: 'asc',
  after: null,
};

const SORT_FIELDS: Record<SortKey, DomainOrderField> = {
  fqdn: 'FQDN',
  expiresAt: 'EXPIRES_AT',
  mailboxCount: 'MAILBOX_COUNT',
};

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

export function parseDomainListQuery(query: URLSearchParams | string): DomainListState {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  return {
    view: oneOf(params.get('view'), ['simple', 'advanced'], DEFAULT_STATE.view),
    search: params.get('q')?.trim() ?? '',
    hasMailboxes: oneOf(params.get('mailboxes'), ['with', 'without'], 'any'),
    sort: oneOf(params.get('sort'), ['fqdn', 'expiresAt', 'mailboxCount'], DEFAULT_STATE.sort),
    dir: oneOf(params.get('dir'), ['asc', 'desc'], DEFAULT_STATE.dir),
    after: params.get('after') || null,
  };
}

/** Only non-default values are written, so the plain list is just `/domains`. */
export function serializeDomainListQuery(state: DomainListState): string {
  const params = new URLSearchParams();
  if (state.view !== DEFAULT_STATE.view) params.set('view', state.view);
  if (state.search) params.set('q', state.search);
  if (state.hasMailboxes !== 'any') params.set('mailboxes', state.hasMailboxes);
  if (state.sort !== DEFAULT_STATE.sort) params.set('sort', state.sort);
  if (state.dir !== DEFAULT_STATE.dir) params.set('dir', state.dir);
  if (state.after) params.set('after', state.after);
  return params.toString();
}

/** Changing a filter or the sort goes back to the first page. */
export function updateDomainListState(state: DomainListState, change: Partial<DomainListState>): DomainListState {
  const keepsPage = Object.keys(change).every((key) => key === 'view' || key === 'after');
  return { ...state, ...(keepsPage ? {} : { after: null }), ...change };
}

/** Clicking a column header: same column flips the direction, another column sorts ascending. */
export function toggleSort(state: DomainListState, sort: SortKey): DomainListState {
  const dir = state.sort === sort && state.dir === 'asc' ? 'desc' : 'asc';
  return updateDomainListState(state, { sort, dir });
}

export function domainsVariables(state: DomainListState, organizationId: string | null, first: number): DomainsVars {
  return {
    filter: {
      ...(state.search ? { search: state.search } : {}),
      ...(state.hasMailboxes !== 'any' ? { hasMailboxes: state.hasMailboxes === 'with' } : {}),
      ...(organizationId ? { organizationId } : {}),
    },
    orderBy: { field: SORT_FIELDS[state.sort], direction: state.dir === 'asc' ? 'ASC' : 'DESC' },
    first,
    after: state.after,
  };
}

export function hasFilters(state: DomainListState): boolean {
  return state.search !== '' || state.hasMailboxes !== 'any';
}
