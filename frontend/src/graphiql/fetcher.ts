// GraphiQL's fetcher: POST /graphql with the session cookie (same-origin) and the console's CSRF token, plus
// whatever the user typed in the Headers tab (e.g. {"Authorization": "Bearer …"}), which wins.

export interface FetcherParams {
  query: string;
  operationName?: string | null;
  variables?: unknown;
}

export interface FetcherOptions {
  headers?: Record<string, unknown>;
}

export interface CsrfSource {
  token(): string | null;
  /** Asks the server again (after a 403, e.g. when the user signed in meanwhile). */
  refresh(): Promise<string | null>;
}

function headerEntries(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) out[name] = String(value);
  }
  return out;
}

export function createFetcher(csrf: CsrfSource, url = '/graphql', fetchImpl: typeof fetch = (...a) => fetch(...a)) {
  async function send(params: FetcherParams, options: FetcherOptions | undefined, token: string | null) {
    return fetchImpl(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        ...(token ? { 'X-CSRF-Token': token } : {}),
        ...headerEntries(options?.headers),
      },
      body: JSON.stringify({
        query: params.query,
        variables: params.variables ?? null,
        operationName: params.operationName ?? null,
      }),
    });
  }

  return async function fetcher(params: FetcherParams, options?: FetcherOptions): Promise<unknown> {
    let response = await send(params, options, csrf.token());
    if (response.status === 403) response = await send(params, options, await csrf.refresh());
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [{ message: `HTTP ${response.status} ${response.statusText}: ${text.slice(0, 500)}` }] };
    }
  };
}
