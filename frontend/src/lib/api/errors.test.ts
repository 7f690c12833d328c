import { describe, expect, it, vi } from 'vitest';
import { classifyError, createErrorHandler, failureMessage, splitUserErrors } from './errors';

type ErrorLike = Parameters<typeof classifyError>[0];

function httpError(status: number): ErrorLike {
  return { message: `[Network] ${status}`, networkError: new Error(String(status)), graphQLErrors: [], response: { status } };
}

describe('classifyError', () => {
  it('treats 401 as the end of the session', () => {
    expect(classifyError(httpError(401))).toEqual({ kind: 'unauthenticated' });
  });

  it('treats a GraphQL UNAUTHENTICATED error as the end of the session', () => {
    const error = {
      message: 'x',
      networkError: undefined,
      response: { status: 200 },
      graphQLErrors: [{ message: 'Sign in', extensions: { code: 'UNAUTHENTICATED' } }],
    } as unknown as ErrorLike;
    expect(classifyError(error)).toEqual({ kind: 'unauthenticated' });
  });

  it('sorts 403, other statuses, transport and GraphQL errors', () => {
    expect(classifyError(httpError(403))).toEqual({ kind: 'forbidden' });
    expect(classifyError(httpError(502))).toEqual({ kind: 'server', status: 502 });
    expect(classifyError({ message: 'offline', networkError: new TypeError('Failed to fetch'), graphQLErrors: [], response: undefined })).toEqual({
      kind: 'network',
    });
    const gql = { message: 'x', networkError: undefined, response: { status: 200 }, graphQLErrors: [{ message: 'Bad field' }] } as unknown as ErrorLike;
    expect(classifyError(gql)).toEqual({ kind: 'graphql', message: 'Bad field' });
  });
});

describe('createErrorHandler', () => {
  function setup() {
    const deps = {
      toast: vi.fn(),
      signOut: vi.fn(),
      t: (key: string, params?: Record<string, string | number>) => (params ? `${key} ${JSON.stringify(params)}` : key),
    };
    return { deps, handler: createErrorHandler(deps) };
  }

  it('signs out on 401, without an error toast', () => {
    const { deps, handler } = setup();
    expect(handler.handleError(httpError(401))).toEqual({ kind: 'unauthenticated' });
    expect(deps.signOut).toHaveBeenCalledOnce();
    expect(deps.toast).toHaveBeenCalledWith('errors.sessionExpired', 'info');
  });

  it('shows one error toast for other failures and keeps the session', () => {
    const { deps, handler } = setup();
    handler.handleError(httpError(500));
    expect(deps.signOut).not.toHaveBeenCalled();
    expect(deps.toast).toHaveBeenCalledExactlyOnceWith('errors.server {"status":500}', 'error');
  });

  it('turns userErrors into field errors, form errors and a toast', () => {
    const { deps, handler } = setup();
    const errors = handler.handleUserErrors(
      [
        { field: ['input', 'payerOrganizationId'], code: 'PAYER_NOT_ALLOWED', message: 'Not your payer.' },
        { field: null, code: 'NOT_ALLOWED', message: '' },
      ],
      ['enabled', 'period', 'payerOrganizationId'],
    );
    expect(errors).toEqual({
      fieldErrors: { payerOrganizationId: 'Not your payer.' },
      formErrors: ['autoRenew.error.NOT_ALLOWED'],
    });
    expect(deps.toast).toHaveBeenCalledWith('autoRenew.error.NOT_ALLOWED', 'error');
  });

  it('places billing userErrors by the last element of their field, with the billing fallbacks', () => {
    const { handler } = setup();
    const errors = handler.handleUserErrors(
      [
        { field: ['input', 'number'], code: 'CARD_INVALID', message: 'Ce numéro de carte n’est pas valide.' },
        { field: null, code: 'CARD_DECLINED', message: '' },
      ],
      ['number', 'expMonth', 'expYear', 'cvc'],
      'billing.error.',
    );
    expect(errors).toEqual({
      fieldErrors: { number: 'Ce numéro de carte n’est pas valide.' },
      formErrors: ['billing.error.CARD_DECLINED'],
    });
  });

  it('falls back to the generic userError text when the screen has no wording for a code', () => {
    const { deps } = setup();
    const known = new Set(['billing.error.CARD_DECLINED']);
    const handler = createErrorHandler({ ...deps, has: (key: string) => known.has(key) });
    const errors = handler.handleUserErrors(
      [
        { field: null, code: 'CARD_DECLINED', message: '' },
        { field: null, code: 'EMPTY_SELECTION', message: '' },
      ],
      [],
      'billing.error.',
    );
    expect(errors.formErrors).toEqual(['billing.error.CARD_DECLINED', 'userError.EMPTY_SELECTION']);
  });

  it('toasts a generic message when every userError concerns a field', () => {
    const { deps, handler } = setup();
    handler.handleUserErrors([{ field: ['input', 'period'], code: 'PERIOD_REQUIRED', message: 'Period!' }], ['period']);
    expect(deps.toast).toHaveBeenCalledWith('errors.formInvalid', 'error');
  });
});

describe('helpers', () => {
  it('has a message for every failure kind', () => {
    const t = (key: string) => key;
    expect(failureMessage({ kind: 'network' }, t)).toBe('errors.network');
    expect(failureMessage({ kind: 'forbidden' }, t)).toBe('errors.forbidden');
  });

  it('does not repeat identical form-level messages', () => {
    const errors = splitUserErrors(
      [
        { field: ['mailboxIds', '0'], code: 'MAILBOX_NOT_IN_DOMAIN', message: 'Wrong domain.' },
        { field: ['mailboxIds', '1'], code: 'MAILBOX_NOT_IN_DOMAIN', message: 'Wrong domain.' },
      ],
      ['period'],
    );
    expect(errors.formErrors).toEqual(['Wrong domain.']);
  });
});
