import { beforeEach, describe, expect, it, vi } from 'vitest';
import { csrfHeaders, fetchSession, getCsrfToken, postLogin, postLogout, setCsrfToken } from './http';

function reply(status: number, body: unknown) {
  return vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response(JSON.stringify(body), { status }));
}

const user = { id: 'u1', email: 'owner@acme.example', displayName: 'Owner', language: 'FR' };

beforeEach(() => setCsrfToken(null));

describe('auth endpoints', () => {
  it('GET /auth/session keeps the CSRF token', async () => {
    const fetchImpl = reply(200, { user, csrfToken: 'tok-1' });
    expect(await fetchSession(fetchImpl)).toEqual({ user, csrfToken: 'tok-1' });
    expect(fetchImpl.mock.calls[0][0]).toBe('/auth/session');
    expect(getCsrfToken()).toBe('tok-1');
    expect(csrfHeaders()).toEqual({ 'X-CSRF-Token': 'tok-1' });
  });

  it('POST /auth/login sends JSON and returns the session', async () => {
    const fetchImpl = reply(200, { user, csrfToken: 'tok-2' });
    const result = await postLogin('owner@acme.example', 'demo-password', fetchImpl);
    expect(result).toEqual({ ok: true, session: { user, csrfToken: 'tok-2' } });
    const [url, init] = fetchImpl.mock.calls[0];
    expect(url).toBe('/auth/login');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(JSON.parse(init?.body as string)).toEqual({ email: 'owner@acme.example', password: 'demo-password' });
    expect(getCsrfToken()).toBe('tok-2');
  });

  it('maps 401 and 429 to their codes with the server message', async () => {
    const invalid = await postLogin('a@b.c', 'x', reply(401, { error: { code: 'INVALID_CREDENTIALS', message: 'Wrong.' } }));
    expect(invalid).toEqual({ ok: false, code: 'INVALID_CREDENTIALS', message: 'Wrong.' });
    const limited = await postLogin('a@b.c', 'x', reply(429, { error: { code: 'RATE_LIMITED', message: 'Slow down.' } }));
    expect(limited).toEqual({ ok: false, code: 'RATE_LIMITED', message: 'Slow down.' });
  });

  it('reports a network failure', async () => {
    const failing = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await postLogin('a@b.c', 'x', failing)).toEqual({ ok: false, code: 'NETWORK', message: null });
  });

  it('POST /auth/logout sends the CSRF token, then forgets it', async () => {
    setCsrfToken('tok-3');
    const fetchImpl = reply(200, { ok: true });
    await postLogout(fetchImpl);
    const [url, init] = fetchImpl.mock.calls[0];
    expect(url).toBe('/auth/logout');
    expect((init?.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok-3');
    expect(getCsrfToken()).toBeNull();
  });
});
