import { describe, expect, it, vi } from 'vitest';
import { createFetcher } from './fetcher';

function fakeFetch(...responses: Response[]) {
  return vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => responses.shift()!);
}

const csrf = (token: string | null, refreshed: string | null = token) => ({
  token: () => token,
  refresh: vi.fn(async () => refreshed),
});

describe('GraphiQL fetcher', () => {
  it('posts to /graphql with cookies, the CSRF token and the Headers tab', async () => {
    const fetchImpl = fakeFetch(new Response('{"data":{"viewer":{"id":"1"}}}'));
    const fetcher = createFetcher(csrf('tok'), '/graphql', fetchImpl);
    const result = await fetcher(
      { query: '{ viewer { id } }', operationName: null },
      { headers: { Authorization: 'Bearer abc' } },
    );
    expect(result).toEqual({ data: { viewer: { id: '1' } } });
    const [url, init] = fetchImpl.mock.calls[0];
    expect(url).toBe('/graphql');
    expect(init?.credentials).toBe('same-origin');
    expect(init?.headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-CSRF-Token': 'tok',
      Authorization: 'Bearer abc',
    });
    expect(JSON.parse(init?.body as string)).toEqual({ query: '{ viewer { id } }', variables: null, operationName: null });
  });

  it('asks for a fresh CSRF token once after a 403', async () => {
    const fetchImpl = fakeFetch(new Response('{"error":"csrf"}', { status: 403 }), new Response('{"data":{}}'));
    const source = csrf(null, 'fresh');
    const result = await createFetcher(source, '/graphql', fetchImpl)({ query: '{ __typename }' });
    expect(source.refresh).toHaveBeenCalledOnce();
    expect(fetchImpl.mock.calls[1][1]?.headers).toMatchObject({ 'X-CSRF-Token': 'fresh' });
    expect(result).toEqual({ data: {} });
  });

  it('turns a non-JSON answer into a GraphQL error GraphiQL can show', async () => {
    const fetchImpl = fakeFetch(new Response('Bad gateway', { status: 502, statusText: 'Bad Gateway' }));
    const result = (await createFetcher(csrf(null), '/graphql', fetchImpl)({ query: '{ x }' })) as { errors: { message: string }[] };
    expect(result.errors[0].message).toContain('502');
  });
});
