import { Client, fetchExchange, mapExchange, cacheExchange, type CombinedError, type Operation } from '@urql/core';
import { csrfHeaders } from './http';

/**
 * The urql client: same-origin cookies, the CSRF header on every request, the document cache (results are
 * refetched when a mutation returns an object of a type they contain, so lists update after a save), and every
 * failure sent to `onError` — the API module's single error handler. Operations with `context.silent` are not
 * reported (used for optional calls such as setLanguage).
 */
export function createApiClient(onError: (error: CombinedError, operation: Operation) => void): Client {
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...csrfHeaders() },
    }),
    exchanges: [
      mapExchange({
        onError(error, operation) {
          if (!operation.context.silent) onError(error, operation);
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
  });
}
