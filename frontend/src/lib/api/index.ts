// The console's one API module: the urql client, the operations the screens call, and the single error handler
// wired to toasts and to sign-out. Screens import from here only.
import type { AnyVariables, RequestPolicy, TypedDocumentNode } from '@urql/core';
import { queryStore } from '@urql/svelte';
import { t } from '../i18n/index.svelte';
import { en } from '../i18n/en';
import type { MessageKey } from '../i18n/en';
import { toast } from '../toasts.svelte';
import { createApiClient } from './client';
import {
  BulkSetAutoRenewDocument,
  MarkOutboxReadDocument,
  OutboxUnreadIdsDocument,
  RegisterCardDocument,
  RenewNowDocument,
  SetAutoRenewDocument,
  SetAutoTopUpDocument,
  SetDomainAutoRenewDocument,
  SetLanguageDocument,
  SetTopUpPolicyDocument,
  TopUpDocument,
  ViewerDocument,
  type AutoRenewInput,
  type CardInput,
  type DomainAutoRenewInput,
  type Language,
  type MarkOutboxReadMutation,
  type TopUpPolicyInput,
  type OutboxUnreadIdsQuery,
  type UserErrorFieldsFragment,
  type ViewerFieldsFragment,
} from './generated/graphql';
import { createErrorHandler, type FormErrors } from './errors';

// Every document and its types are generated (npm run codegen) from documents/*.graphql and ../schema.graphql.
export * from './generated/graphql';
export type { FormErrors } from './errors';

export const PAGE_SIZE = 50;
/** Renewal attempts per page on the mailbox page. */
export const ATTEMPTS_PAGE_SIZE = 20;
/** Ledger lines and outbox messages per page. */
export const BILLING_PAGE_SIZE = 20;
/** The forecast's horizon on the Billing page ("Upcoming renewals (next 30 days)"). */
export const FORECAST_DAYS = 30;

let unauthenticatedListener: () => void = () => {};

/** The session module registers what "back to sign-in" means. */
export function onUnauthenticated(listener: () => void): void {
  unauthenticatedListener = listener;
}

export const errorHandler = createErrorHandler({
  toast,
  signOut: () => unauthenticatedListener(),
  t: (key, params) => t(key as MessageKey, params),
  has: (key) => key in en,
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

export async function fetchViewer(): Promise<ViewerFieldsFragment | null> {
  const result = await client.query(ViewerDocument, {}, { requestPolicy: 'network-only' }).toPromise();
  return result.data?.viewer ?? null;
}

/**
 * A mutation's outcome: the payload when nothing went wrong, otherwise the errors to show in the form, the userErrors'
 * codes, and whether the request itself failed (`transport`: no answer, or not a usable one — the change may or may
 * not have happened).
 */
export type MutationOutcome<Payload> =
  | { ok: true; payload: Payload }
  | ({ ok: false; codes: string[]; transport: boolean } & FormErrors);

interface MutationOptions {
  /** i18n prefix of the texts used when a userError has no message. */
  fallbackPrefix?: string;
  /** Types whose cached queries must be refetched afterwards, besides those in the payload. */
  additionalTypenames?: string[];
}

async function runMutation<Data, Variables extends AnyVariables, Payload extends { userErrors: UserErrorFieldsFragment[] }>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  pick: (data: Data) => Payload | null | undefined,
  knownFields: readonly string[],
  options: MutationOptions = {},
): Promise<MutationOutcome<Payload>> {
  const context = options.additionalTypenames ? { additionalTypenames: options.additionalTypenames } : undefined;
  const result = await client.mutation(document, variables, context).toPromise();
  const payload = result.data ? pick(result.data) : null;
  if (result.error || !payload) {
    // Already reported by the error handler (toast or sign-out); the form shows a generic alert.
    return { ok: false, codes: [], transport: true, fieldErrors: {}, formErrors: [t('common.error')] };
  }
  if (payload.userErrors.length > 0) {
    return {
      ok: false,
      codes: payload.userErrors.map((e) => e.code),
      transport: false,
      ...errorHandler.handleUserErrors(payload.userErrors, knownFields, options.fallbackPrefix),
    };
  }
  return { ok: true, payload };
}

export const AUTO_RENEW_FIELDS = ['enabled', 'period', 'payerOrganizationId'] as const;

/** What the auto-renewal form may ask for besides the setting itself. */
export interface AutoRenewOptions {
  /** When enabling, turn the domain's own auto-renewal on too (yearly, same payer), in the same transaction. */
  alsoDomain?: boolean;
  /** Bulk only: new mailboxes of the domain start with this setting too. */
  alsoFutureMailboxes?: boolean;
}

export function setAutoRenew(mailboxId: string, input: AutoRenewInput, options: AutoRenewOptions = {}) {
  return runMutation(
    SetAutoRenewDocument,
    { mailboxId, input, alsoDomain: options.alsoDomain ?? false },
    (d) => d.setAutoRenew,
    AUTO_RENEW_FIELDS,
  );
}

/** `mailboxIds` undefined = every mailbox of the domain. */
export function bulkSetAutoRenew(
  domainId: string,
  mailboxIds: string[] | undefined,
  input: AutoRenewInput,
  options: AutoRenewOptions = {},
) {
  const flags = { alsoDomain: options.alsoDomain ?? false, alsoFutureMailboxes: options.alsoFutureMailboxes ?? false };
  const variables = mailboxIds ? { domainId, mailboxIds, input, ...flags } : { domainId, input, ...flags };
  return runMutation(
    BulkSetAutoRenewDocument,
    variables,
    (d) => d.bulkSetAutoRenew,
    AUTO_RENEW_FIELDS,
  );
}

export function setDomainAutoRenew(domainId: string, input: DomainAutoRenewInput) {
  return runMutation(
    SetDomainAutoRenewDocument,
    { domainId, input },
    (d) => d.setDomainAutoRenew,
    ['enabled', 'payerOrganizationId'],
  );
}

/** Saves the preferred language if the backend has `setLanguage`; any failure is ignored. */
export async function saveLanguage(language: Language): Promise<void> {
  await client.mutation(SetLanguageDocument, { language }, { silent: true }).toPromise();
}

/* Renewal */

/**
 * Renews a mailbox's or a domain's current term now (`itemId`: its global id), once per `idempotencyKey` (one per
 * confirmed click, kept for a retry after a lost answer: see idempotency.ts).
 */
export function renewNow(itemId: string, idempotencyKey: string) {
  return runMutation(RenewNowDocument, { itemId, idempotencyKey }, (d) => d.renewNow, ['itemId'], {
    fallbackPrefix: 'renewNow.error.',
  });
}

/* Billing */

export const TOP_UP_FIELDS = ['amountCents'] as const;
export const CARD_INPUT_FIELDS = ['number', 'expMonth', 'expYear', 'cvc'] as const;

/** Charges the organization's card once per `idempotencyKey` (see idempotency.ts) and credits its account. */
export function topUp(organizationId: string, amountCents: number, idempotencyKey: string) {
  return runMutation(
    TopUpDocument,
    { organizationId, amountCents, idempotencyKey },
    (d) => d.topUp,
    TOP_UP_FIELDS,
    { fallbackPrefix: 'billing.error.' },
  );
}

/** The card details go to the server in this one request; the caller clears them from its form afterwards. */
export function registerCard(organizationId: string, input: CardInput) {
  return runMutation(
    RegisterCardDocument,
    { organizationId, input },
    (d) => d.registerCard,
    CARD_INPUT_FIELDS,
    { fallbackPrefix: 'billing.error.' },
  );
}

export function setAutoTopUp(organizationId: string, enabled: boolean) {
  return runMutation(
    SetAutoTopUpDocument,
    { organizationId, enabled },
    (d) => d.setAutoTopUp,
    [],
    { fallbackPrefix: 'billing.error.' },
  );
}

export const TOP_UP_POLICY_FIELDS = ['minimumCents', 'monthlyCapCents'] as const;

/** The minimum of an automatic top-up and its monthly cap (`monthlyCapCents` null: no cap). */
export function setTopUpPolicy(organizationId: string, input: TopUpPolicyInput) {
  return runMutation(
    SetTopUpPolicyDocument,
    { organizationId, input },
    (d) => d.setTopUpPolicy,
    TOP_UP_POLICY_FIELDS,
    { fallbackPrefix: 'billing.error.' },
  );
}

/* Notifications */

// The payload holds no message, so the outbox queries (list and menu badge) are named for the document cache.
const OUTBOX_TYPENAMES = ['OutboxMessage', 'OutboxMessageConnection'];

export function markOutboxRead(messageIds: string[]) {
  return runMutation(
    MarkOutboxReadDocument,
    { messageIds },
    (d) => d.markOutboxRead,
    [],
    { additionalTypenames: OUTBOX_TYPENAMES },
  );
}

/** Marks every unread message of the viewer read (the ids are fetched first, 100 at a time). */
export async function markAllOutboxRead(): Promise<MutationOutcome<MarkOutboxReadMutation['markOutboxRead']>> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const result = await client.query(OutboxUnreadIdsDocument, { after }, { requestPolicy: 'network-only' }).toPromise();
    const outbox: OutboxUnreadIdsQuery['outbox'] | undefined = result.data?.outbox;
    if (!outbox) return { ok: false, codes: [], transport: true, fieldErrors: {}, formErrors: [t('common.error')] };
    ids.push(...outbox.nodes.map((n) => n.id));
    if (!outbox.pageInfo.hasNextPage) break;
    after = outbox.pageInfo.endCursor;
  }
  // The server takes at most 500 ids per call.
  let markedCount = 0;
  for (let start = 0; start < ids.length || start === 0; start += 500) {
    const outcome = await markOutboxRead(ids.slice(start, start + 500));
    if (!outcome.ok) return outcome;
    markedCount += outcome.payload.markedCount;
  }
  return { ok: true, payload: { markedCount, userErrors: [] } };
}
