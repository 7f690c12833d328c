// The console's single error handler. Every GraphQL operation and every /auth call reports its failures here:
//  - 401 (or a GraphQL error coded UNAUTHENTICATED) → the session is dropped and the user goes back to sign-in;
//  - transport, server and GraphQL errors → one toast;
//  - mutation userErrors → errors per form field (last element of `field`) plus form-level messages and a toast.
import type { CombinedError } from '@urql/core';
import type { UserErrorFieldsFragment as UserError } from './generated/graphql';

export type ApiFailure =
  | { kind: 'unauthenticated' }
  | { kind: 'forbidden' }
  | { kind: 'network' }
  | { kind: 'server'; status: number }
  | { kind: 'graphql'; message: string };

export interface FormErrors {
  /** Message per form field name, from the last element of each userError's `field` path. */
  fieldErrors: Record<string, string>;
  /** Messages that concern no known field. */
  formErrors: string[];
}

export type ToastKind = 'error' | 'success' | 'info';

export interface ErrorHandlerDeps {
  toast(message: string, kind: ToastKind): void;
  /** Drop the session and show the sign-in page. */
  signOut(): void;
  /** Translated text for a key (see i18n). */
  t(key: string, params?: Record<string, string | number>): string;
  /** Whether i18n has a text for a key; without it every key is taken as present. */
  has?(key: string): boolean;
}

/** Sorts any failure of an operation into one of a few kinds. */
export function classifyError(error: Pick<CombinedError, 'networkError' | 'graphQLErrors' | 'response' | 'message'>): ApiFailure {
  const status = responseStatus(error.response);
  if (status === 401) return { kind: 'unauthenticated' };
  if (error.graphQLErrors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return { kind: 'unauthenticated' };
  if (status === 403) return { kind: 'forbidden' };
  if (status !== undefined && status >= 400) return { kind: 'server', status };
  if (error.networkError) return { kind: 'network' };
  const message = error.graphQLErrors?.map((e) => e.message).join('; ') || error.message;
  return { kind: 'graphql', message };
}

function responseStatus(response: unknown): number | undefined {
  if (response && typeof response === 'object' && 'status' in response) {
    const status = (response as { status: unknown }).status;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

/** The text shown for a failure (none for `unauthenticated`, which redirects instead). */
export function failureMessage(failure: ApiFailure, t: ErrorHandlerDeps['t']): string {
  switch (failure.kind) {
    case 'unauthenticated':
      return t('errors.sessionExpired');
    case 'forbidden':
      return t('errors.forbidden');
    case 'network':
      return t('errors.network');
    case 'server':
      return t('errors.server', { status: failure.status });
    case 'graphql':
      return t('errors.graphql', { message: failure.message });
  }
}

/**
 * Splits userErrors into field errors (when the last element of `field` is one of `knownFields`) and form-level
 * messages. The server's message is in the caller's language; when it is empty, `fallback(code)` is used.
 */
export function splitUserErrors(
  userErrors: readonly UserError[],
  knownFields: readonly string[],
  fallback: (code: string) => string = (code) => code,
): FormErrors {
  const result: FormErrors = { fieldErrors: {}, formErrors: [] };
  for (const error of userErrors) {
    const message = error.message?.trim() || fallback(error.code);
    const field = error.field?.at(-1);
    if (field && knownFields.includes(field)) {
      result.fieldErrors[field] ??= message;
    } else if (!result.formErrors.includes(message)) {
      result.formErrors.push(message);
    }
  }
  return result;
}

export function createErrorHandler(deps: ErrorHandlerDeps) {
  return {
    /** Reports a failed operation once; returns its kind so callers can show a local state too. */
    handleError(error: Parameters<typeof classifyError>[0]): ApiFailure {
      const failure = classifyError(error);
      if (failure.kind === 'unauthenticated') {
        deps.toast(failureMessage(failure, deps.t), 'info');
        deps.signOut();
      } else {
        deps.toast(failureMessage(failure, deps.t), 'error');
      }
      return failure;
    },

    /**
     * Maps a payload's userErrors to form errors and shows one toast for them. When the server sends no message,
     * the text is the screen's own wording (`fallbackPrefix` + code) if it has one, else the generic
     * `userError.<code>` that every code of the schema has (see i18n/errorCodes.test.ts).
     */
    handleUserErrors(
      userErrors: readonly UserError[],
      knownFields: readonly string[],
      fallbackPrefix = 'autoRenew.error.',
    ): FormErrors {
      const text = (code: string) => {
        const key = `${fallbackPrefix}${code}`;
        return deps.has && !deps.has(key) ? deps.t(`userError.${code}`) : deps.t(key);
      };
      const errors = splitUserErrors(userErrors, knownFields, text);
      deps.toast(errors.formErrors[0] ?? deps.t('errors.formInvalid'), 'error');
      return errors;
    },
  };
}

export type ErrorHandler = ReturnType<typeof createErrorHandler>;
