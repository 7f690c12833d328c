// The backend's /auth endpoints (JSON over fetch, same-origin cookies) and the CSRF token they hand out.

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  language: string | null;
}

export interface SessionInfo {
  user: SessionUser | null;
  csrfToken: string | null;
}

export type LoginResult =
  | { ok: true; session: SessionInfo }
  | { ok: false; code: 'INVALID_CREDENTIALS' | 'RATE_LIMITED' | 'NETWORK' | 'SERVER'; message: string | null };

let csrfToken: string | null = null;

/** Sent as X-CSRF-Token with every cookie-authenticated POST. */
export function getCsrfToken(): string | null {
  return csrfToken;
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

/** `GET /auth/session` → who is signed in, and the CSRF token. */
export async function fetchSession(fetchImpl: typeof fetch = fetch): Promise<SessionInfo> {
  const response = await fetchImpl('/auth/session', {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`GET /auth/session: ${response.status}`);
  const body = (await response.json()) as Partial<SessionInfo>;
  const session = { user: body.user ?? null, csrfToken: body.csrfToken ?? null };
  setCsrfToken(session.csrfToken);
  return session;
}

/** `POST /auth/login` with `{email, password}`. */
export async function postLogin(email: string, password: string, fetchImpl: typeof fetch = fetch): Promise<LoginResult> {
  let response: Response;
  try {
    response = await fetchImpl('/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...csrfHeaders() },
      body: JSON.stringify({ email, password }),
    });
  } catch {
    return { ok: false, code: 'NETWORK', message: null };
  }
  const body = (await response.json().catch(() => null)) as
    | (Partial<SessionInfo> & { error?: { code?: string; message?: string } })
    | null;
  if (response.ok && body?.user) {
    const session = { user: body.user, csrfToken: body.csrfToken ?? null };
    setCsrfToken(session.csrfToken);
    return { ok: true, session };
  }
  const message = body?.error?.message ?? null;
  if (response.status === 401) return { ok: false, code: 'INVALID_CREDENTIALS', message };
  if (response.status === 429) return { ok: false, code: 'RATE_LIMITED', message };
  return { ok: false, code: 'SERVER', message };
}

/** `POST /auth/logout` with the CSRF token. Never throws: signing out locally must always work. */
export async function postLogout(fetchImpl: typeof fetch = fetch): Promise<void> {
  try {
    await fetchImpl('/auth/logout', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...csrfHeaders() },
    });
  } catch {
    // The server may be down; the local session is dropped anyway.
  }
  setCsrfToken(null);
}
