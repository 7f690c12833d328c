import { matchRoute, type Route } from './routes';

interface Location {
  pathname: string;
  search: string;
  state: Record<string, unknown> | null;
}

function read(): Location {
  if (typeof window === 'undefined') return { pathname: '/', search: '', state: null };
  return { pathname: window.location.pathname, search: window.location.search, state: history.state ?? null };
}

export const location = $state<Location>(read());

export function currentRoute(): Route {
  return matchRoute(location.pathname);
}

export function currentQuery(): URLSearchParams {
  return new URLSearchParams(location.search);
}

export function currentHref(): string {
  return location.pathname + location.search;
}

export interface NavigateOptions {
  replace?: boolean;
  state?: Record<string, unknown> | null;
}

/** Client-side navigation: pushState (or replaceState) then re-render the matching page. */
export function navigate(href: string, { replace = false, state = null }: NavigateOptions = {}): void {
  const url = new URL(href, window.location.href);
  if (replace) history.replaceState(state, '', url);
  else history.pushState(state, '', url);
  Object.assign(location, read());
  if (!replace) window.scrollTo(0, 0);
}

/**
 * Catches clicks on same-origin links so they navigate without a reload. Links with `target`, `download`,
 * `rel="external"` or `data-native` (the GraphiQL page, served by the backend) load normally.
 */
export function interceptLinks(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || !anchor.href || anchor.target || anchor.hasAttribute('download')) return;
  if (anchor.relList.contains('external') || anchor.hasAttribute('data-native')) return;
  const url = new URL(anchor.href);
  if (url.origin !== window.location.origin) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => Object.assign(location, read()));
}
