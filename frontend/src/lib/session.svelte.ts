// Who is signed in, their organizations, and the organization the domain list is scoped to.
import { fetchViewer, onUnauthenticated, saveLanguage, type ViewerFieldsFragment as Viewer } from './api';
import { fetchSession, postLogin, postLogout, setCsrfToken, type LoginResult, type SessionUser } from './api/http';
import { getLang, setLang, type Lang } from './i18n/index.svelte';
import { parseLang, toApiLanguage } from './i18n/translate';
import { currentHref, currentRoute, navigate } from './router.svelte';
import { paths } from './routes';

const ORG_KEY = 'mailrenew.organization';

type Status = 'loading' | 'anonymous' | 'authenticated' | 'unavailable';

export const session = $state({
  status: 'loading' as Status,
  user: null as SessionUser | null,
  viewer: null as Viewer | null,
  /** The viewer query failed (viewer stays null); until it answers, a null viewer means "loading". */
  viewerFailed: false,
  /** null = all organizations. */
  organizationId: (typeof window !== 'undefined' ? localStorage.getItem(ORG_KEY) : null) as string | null,
});

async function enter(user: SessionUser): Promise<void> {
  session.user = user;
  session.status = 'authenticated';
  session.viewerFailed = false;
  const viewer = await fetchViewer();
  session.viewer = viewer;
  session.viewerFailed = viewer === null;
  const orgs = viewer?.memberships.map((m) => m.organization.id) ?? [];
  if (session.organizationId && !orgs.includes(session.organizationId)) selectOrganization(null);
  // The server-side preference wins only when this browser has none yet.
  const serverLang = parseLang(viewer?.language ?? user.language);
  if (serverLang && localStorage.getItem('mailrenew.lang') === null) setLang(serverLang);
}

/** Called once at start-up. */
export async function loadSession(): Promise<void> {
  try {
    const info = await fetchSession();
    if (info.user) await enter(info.user);
    else session.status = 'anonymous';
  } catch {
    session.status = 'unavailable';
  }
}

export async function signIn(email: string, password: string): Promise<LoginResult> {
  const result = await postLogin(email, password);
  if (result.ok && result.session.user) await enter(result.session.user);
  return result;
}

/** Signs out on the server, then reloads on the sign-in page so no cached data survives. */
export async function signOut(): Promise<void> {
  await postLogout();
  localStorage.removeItem(ORG_KEY);
  window.location.assign(paths.login());
}

/** The server said 401: forget the session and go to sign-in, coming back here afterwards. */
function dropSession(): void {
  if (session.status === 'anonymous') return;
  session.status = 'anonymous';
  session.user = null;
  session.viewer = null;
  setCsrfToken(null);
  if (currentRoute().name !== 'login') navigate(paths.login(currentHref()), { replace: true });
}

onUnauthenticated(dropSession);

export function selectOrganization(id: string | null): void {
  session.organizationId = id;
  if (id) localStorage.setItem(ORG_KEY, id);
  else localStorage.removeItem(ORG_KEY);
}

export function changeLanguage(lang: Lang): void {
  if (lang === getLang()) return;
  setLang(lang);
  if (session.status === 'authenticated') void saveLanguage(toApiLanguage(lang));
}
