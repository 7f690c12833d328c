// Hand-written types of the data the console's documents select (see documents.ts). Keep them in step with the
// documents; the schema test (schema.test.ts) checks the documents against the backend's schema.graphql.

export type Role = 'OWNER' | 'ADMIN' | 'BILLING' | 'MEMBER';
export type ApiLanguage = 'FR' | 'EN';
export type RenewalPeriod = 'MONTHLY' | 'YEARLY';
export type MailboxOffer = 'STANDARD' | 'PREMIUM';
export type MailboxStatus = 'ACTIVE' | 'RENEWAL_FAILED' | 'EXPIRED';
export type WarningCode = 'DOMAIN_AUTO_RENEW_OFF' | 'DOMAIN_EXPIRES_FIRST' | 'BALANCE_SHORT';
export type UserErrorCode =
  | 'PERIOD_REQUIRED'
  | 'PAYER_REQUIRED'
  | 'NOT_ALLOWED'
  | 'PAYER_NOT_ALLOWED'
  | 'NOT_FOUND'
  | 'MAILBOX_NOT_IN_DOMAIN'
  | 'EMPTY_SELECTION'
  | 'TOO_MANY'
  | 'INVALID'
  | 'INSUFFICIENT_FUNDS'
  | 'INVALID_AMOUNT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'NO_CARD'
  | 'CARD_DECLINED'
  | 'CARD_INVALID'
  | 'CARD_EXPIRED'
  | 'GATEWAY_UNAVAILABLE'
  | (string & {});
export type DomainOrderField = 'FQDN' | 'EXPIRES_AT' | 'MAILBOX_COUNT';
export type OrderDirection = 'ASC' | 'DESC';

export interface OrganizationRef {
  id: string;
  name: string;
}

export interface Membership {
  role: Role;
  organization: OrganizationRef;
}

export interface Viewer {
  id: string;
  email: string;
  displayName: string;
  language: ApiLanguage | null;
  memberships: Membership[];
  payableOrganizations: OrganizationRef[];
}

export interface UserError {
  field: string[] | null;
  code: UserErrorCode;
  message: string;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: PageInfo;
  nodes: T[];
}

export interface DomainAutoRenew {
  enabled: boolean;
  payer: OrganizationRef | null;
}

export interface DomainRow {
  id: string;
  fqdn: string;
  expiresAt: string;
  status: string;
  mailboxCount: number;
  owner: OrganizationRef;
  autoRenew: DomainAutoRenew;
  viewerCanManage: boolean;
}

export interface AutoRenew {
  enabled: boolean;
  period: RenewalPeriod | null;
  payer: OrganizationRef | null;
}

export interface MailboxRow {
  id: string;
  address: string;
  localPart: string;
  offer: MailboxOffer;
  status: MailboxStatus;
  expiresAt: string;
  autoRenew: AutoRenew;
  viewerCanManage: boolean;
}

export interface AutoRenewWarning {
  code: WarningCode;
  message: string;
  amountCents: number | null;
}

export interface MailboxDetail extends MailboxRow {
  domain: DomainRow;
  warnings: AutoRenewWarning[];
}

export interface Forward {
  id: string;
  source: string;
  address: string;
  destinations: string[];
}

export interface DomainDetail extends DomainRow {
  mailboxes: Connection<MailboxRow>;
  forwards: Forward[];
}

export interface AutoRenewInput {
  enabled: boolean;
  period?: RenewalPeriod | null;
  payerOrganizationId?: string | null;
}

export interface DomainAutoRenewInput {
  enabled: boolean;
  payerOrganizationId?: string | null;
}

export interface DomainFilter {
  hasMailboxes?: boolean | null;
  search?: string | null;
  organizationId?: string | null;
}

export interface DomainOrder {
  field: DomainOrderField;
  direction: OrderDirection;
}

/* Operation results and variables */

export interface ViewerData {
  viewer: Viewer;
}

export interface DomainsData {
  domains: Connection<DomainRow>;
}
export interface DomainsVars {
  filter?: DomainFilter;
  orderBy?: DomainOrder;
  first?: number;
  after?: string | null;
}

export interface DomainPageData {
  domainByFqdn: DomainDetail | null;
}
export interface DomainPageVars {
  fqdn: string;
  first?: number;
  after?: string | null;
}

export interface MailboxPageData {
  mailbox: MailboxDetail | null;
  viewer: Pick<Viewer, 'id' | 'payableOrganizations'>;
}
export interface MailboxPageVars {
  id: string;
}

export interface SetAutoRenewPayload {
  mailbox: MailboxDetail | null;
  userErrors: UserError[];
}
export interface SetAutoRenewData {
  setAutoRenew: SetAutoRenewPayload;
}
export interface SetAutoRenewVars {
  mailboxId: string;
  input: AutoRenewInput;
}

export interface BulkSetAutoRenewPayload {
  mailboxes: MailboxRow[] | null;
  updatedCount: number | null;
  userErrors: UserError[];
}
export interface BulkSetAutoRenewData {
  bulkSetAutoRenew: BulkSetAutoRenewPayload;
}
export interface BulkSetAutoRenewVars {
  domainId: string;
  mailboxIds?: string[];
  input: AutoRenewInput;
}

export interface SetDomainAutoRenewPayload {
  domain: Pick<DomainRow, 'id' | 'fqdn' | 'autoRenew'> | null;
  userErrors: UserError[];
}
export interface SetDomainAutoRenewData {
  setDomainAutoRenew: SetDomainAutoRenewPayload;
}
export interface SetDomainAutoRenewVars {
  domainId: string;
  input: DomainAutoRenewInput;
}

export interface SetLanguageVars {
  language: ApiLanguage;
}

/* Billing */

export type LedgerKind = 'OPENING' | 'TOP_UP' | 'RENEWAL' | 'REFUND' | 'ADJUSTMENT';
export type RenewableKind = 'MAILBOX' | 'DOMAIN';
export type MessageKind = 'PAYMENT_NOT_COVERED' | 'RENEWAL_RECEIPT' | 'RENEWAL_FAILED' | 'EXPIRED';

export interface Card {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  autoTopUp: boolean;
}

export interface LedgerEntry {
  id: string;
  kind: LedgerKind;
  amountCents: number;
  balanceAfterCents: number;
  currency: string;
  /** ISO date-time. */
  createdAt: string;
  reference: string;
}

export interface BillingOrganization {
  id: string;
  name: string;
  currency: string;
  viewerRole: Role | null;
  viewerCanPay: boolean;
  /** null unless the viewer is OWNER or BILLING. */
  prepaidBalanceCents: number | null;
  card: Card | null;
  ledger: Connection<LedgerEntry>;
}

export interface UpcomingRenewal {
  kind: RenewableKind;
  itemId: string;
  label: string;
  expiresAt: string;
  /** When it will be charged. */
  date: string;
  amountCents: number;
}

export interface RenewalForecast {
  organization: { id: string };
  days: number;
  items: UpcomingRenewal[];
  totalCents: number;
  balanceCents: number;
  shortfallCents: number;
  coveredByCard: boolean;
  currency: string;
}

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  autoTopUp: boolean;
}

export interface BillingPageData {
  organization: BillingOrganization | null;
}
export interface BillingPageVars {
  organizationId: string;
  first?: number;
  after?: string | null;
}

export interface UpcomingRenewalsData {
  upcomingRenewals: RenewalForecast;
}
export interface UpcomingRenewalsVars {
  organizationId: string;
  days: number;
}

export interface TopUpPayload {
  organization: { id: string; prepaidBalanceCents: number | null } | null;
  ledgerEntry: Pick<LedgerEntry, 'id' | 'kind' | 'amountCents' | 'balanceAfterCents'> | null;
  userErrors: UserError[];
}
export interface TopUpData {
  topUp: TopUpPayload;
}
export interface TopUpVars {
  organizationId: string;
  amountCents: number;
  idempotencyKey: string;
}

export interface RegisterCardPayload {
  organization: { id: string } | null;
  card: Card | null;
  userErrors: UserError[];
}
export interface RegisterCardData {
  registerCard: RegisterCardPayload;
}
export interface RegisterCardVars {
  organizationId: string;
  input: CardInput;
}

export interface SetAutoTopUpPayload {
  organization: { id: string } | null;
  card: Card | null;
  userErrors: UserError[];
}
export interface SetAutoTopUpData {
  setAutoTopUp: SetAutoTopUpPayload;
}
export interface SetAutoTopUpVars {
  organizationId: string;
  enabled: boolean;
}

/* Notifications (the viewer's outbox) */

export interface OutboxMessage {
  id: string;
  kind: MessageKind;
  subject: string;
  /** Plain text. */
  body: string;
  createdAt: string;
  sentAt: string | null;
  readAt: string | null;
  organization: OrganizationRef | null;
}

export interface OutboxData {
  outbox: Connection<OutboxMessage>;
}
export interface OutboxVars {
  first?: number;
  after?: string | null;
  unreadOnly: boolean;
}

export interface OutboxUnreadCountData {
  outbox: { totalCount: number };
}

export interface OutboxUnreadIdsData {
  outbox: { pageInfo: PageInfo; nodes: { id: string }[] };
}
export interface OutboxUnreadIdsVars {
  after?: string | null;
}

export interface MarkOutboxReadPayload {
  markedCount: number;
  userErrors: UserError[];
}
export interface MarkOutboxReadData {
  markOutboxRead: MarkOutboxReadPayload;
}
export interface MarkOutboxReadVars {
  messageIds: string[];
}
