// The console's one API module: the urql client, the operations the screens call, and the single error handler
// wired to toasts and to sign-out. Screens import from here only.
import type { AnyVariables, RequestPolicy, TypedDocumentNode } from '@urql/core';
import { queryStore } from '@urql/svelte';
import { t } from '../i18n/index.svelte';
import type { MessageKey } from '../i18n/en';
import { toast } from '../toasts.svelte';
import { createApiClient } from './client';
import {
  BULK_SET_AUTO_RENEW,
  SET_AUTO_RENEW,
  SET_DOMAIN_AUTO_RENEW,
  SET_LANGUAGE,
  VIEWER,
} from './documents';
import { createErrorHandler, type FormErrors } from './errors';
import type {
  ApiLanguage,
  AutoRenewInput,
  BulkSetAutoRenewPayload,
  DomainAutoRenewInput,
  SetAutoRenewPayload,
  SetDomainAutoRenewPayload,
  UserError,
  Viewer,
} from './types';

export * from './documents';
export type * from './types';
export type { FormErrors } from './errors';

let unauthenticatedListener: () => void = () => {};

/** The session module registers what "back to sign-in" means. */
export function onUnauthenticated(listener: () => void): void {
  unauthenticatedListener = listener;
}

export const errorHandler = createErrorHandler({
  toast,
  signOut: () => unauthenticatedListener(),
  t: (key, params) => t(key as MessageKey, params),
});

export const client = createApiClient((error) => errorHandler.handleError(error));

/** A reactive query (urql store): `{ fetching, data, error, stale }`, refetched when a mutation invalidates it. */
export function watchQuery<Data, Variables extends AnyVariables>(
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  requestPolicy: RequestPolicy = 'cache-and-network',
) {
  return queryStore<Data, Variables>({ client, query, variables, requestPolicy } as Parameters<
    typeof queryStore<Data, Variables>
  >[0]);
}

export async function fetchViewer(): Promise<Viewer | null> {
  const result = await client.query(VIEWER, {}, { requestPolicy: 'network-only' }).toPromise();
  return result.data?.viewer ?? null;
}

/** A mutation's outcome: the payload when nothing went wrong, otherwise the errors to show in the form. */
export type MutationOutcome<Payload> = { ok: true; payload: Payload } | ({ ok: false } & FormErrors);

async function runMutation<Data, Variables extends AnyVariables, Payload extends { userErrors: UserError[] }>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  pick: (data: Data) => Payload | null | undefined,
  knownFields: readonly string[],
): Promise<MutationOutcome<Payload>> {
  const result = await client.mutation(document, variables).toPromise();
  const payload = result.data ? pick(result.data) : null;
  if (result.error || !payload) {
    // Already reported by the error handler (toast or sign-out); the form shows a generic alert.
    return { ok: false, fieldErrors: {}, formErrors: [t('common.error')] };
  }
  if (payload.userErrors.length > 0) {
    return { ok: false, ...errorHandler.handleUserErrors(payload.userErrors, knownFields) };
  }
  return { ok: true, payload };
}

export const AUTO_RENEW_FIELDS = ['enabled', 'period', 'payerOrganizationId'] as const;

export function setAutoRenew(mailboxId: string, input: AutoRenewInput) {
  return runMutation(SET_AUTO_RENEW, { mailboxId, input }, (d): SetAutoRenewPayload => d.setAutoRenew, AUTO_RENEW_FIELDS);
}

/** `mailboxIds` undefined = every mailbox of the domain. */
export function bulkSetAutoRenew(domainId: string, mailboxIds: string[] | undefined, input: AutoRenewInput) {
  const variables = mailboxIds ? { domainId, mailboxIds, input } : { domainId, input };
  return runMutation(
    BULK_SET_AUTO_RENEW,
    variables,
    (d): BulkSetAutoRenewPayload => d.bulkSetAutoRenew,
    AUTO_RENEW_FIELDS,
  );
}

export function setDomainAutoRenew(domainId: string, input: DomainAutoRenewInput) {
  return runMutation(
    SET_DOMAIN_AUTO_RENEW,
    { domainId, input },
    (d): SetDomainAutoRenewPayload => d.setDomainAutoRenew,
    ['enabled', 'payerOrganizationId'],
  );
}

/** Saves the preferred language if the backend has `setLanguage`; any failure is ignored. */
export async function saveLanguage(language: ApiLanguage): Promise<void> {
  await client.mutation(SET_LANGUAGE, { language }, { silent: true }).toPromise();
}
