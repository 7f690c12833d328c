// Every GraphQL document of the console lives here, so adjusting to the backend's schema.graphql is one file.
// schema.test.ts validates each exported document against ../schema.graphql when that file exists.
import { gql } from '@urql/core';
import type {
  BillingPageData,
  BillingPageVars,
  BulkSetAutoRenewData,
  BulkSetAutoRenewVars,
  DomainPageData,
  DomainPageVars,
  DomainsData,
  DomainsVars,
  MailboxPageData,
  MailboxPageVars,
  MarkOutboxReadData,
  MarkOutboxReadVars,
  OutboxData,
  OutboxUnreadCountData,
  OutboxUnreadIdsData,
  OutboxUnreadIdsVars,
  OutboxVars,
  RegisterCardData,
  RegisterCardVars,
  SetAutoRenewData,
  SetAutoRenewVars,
  SetDomainAutoRenewData,
  SetDomainAutoRenewVars,
  SetAutoTopUpData,
  SetAutoTopUpVars,
  SetLanguageVars,
  TopUpData,
  TopUpVars,
  UpcomingRenewalsData,
  UpcomingRenewalsVars,
  ViewerData,
} from './types';

export const PAGE_SIZE = 50;
/** Ledger lines and outbox messages per page. */
export const BILLING_PAGE_SIZE = 20;
/** The forecast's horizon on the Billing page ("Upcoming renewals (next 30 days)"). */
export const FORECAST_DAYS = 30;

const USER_ERROR = gql`
  fragment UserErrorFields on UserError {
    field
    code
    message
  }
`;

const DOMAIN_ROW = gql`
  fragment DomainRowFields on Domain {
    id
    fqdn
    expiresAt
    status
    mailboxCount
    viewerCanManage
    owner {
      id
      name
    }
    autoRenew {
      enabled
      payer {
        id
        name
      }
    }
  }
`;

const MAILBOX_ROW = gql`
  fragment MailboxRowFields on Mailbox {
    id
    address
    localPart
    offer
    status
    expiresAt
    viewerCanManage
    autoRenew {
      enabled
      period
      payer {
        id
        name
      }
    }
  }
`;

const MAILBOX_DETAIL = gql`
  fragment MailboxDetailFields on Mailbox {
    ...MailboxRowFields
    domain {
      ...DomainRowFields
    }
    warnings {
      code
      message
      amountCents
    }
  }
  ${MAILBOX_ROW}
  ${DOMAIN_ROW}
`;

export const VIEWER = gql<ViewerData, Record<string, never>>`
  query Viewer {
    viewer {
      id
      email
      displayName
      language
      memberships {
        role
        organization {
          id
          name
        }
      }
      payableOrganizations {
        id
        name
      }
    }
  }
`;

export const DOMAINS = gql<DomainsData, DomainsVars>`
  query Domains($filter: DomainFilter, $orderBy: DomainOrder, $first: Int, $after: String) {
    domains(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...DomainRowFields
      }
    }
  }
  ${DOMAIN_ROW}
`;

export const DOMAIN_PAGE = gql<DomainPageData, DomainPageVars>`
  query DomainPage($fqdn: String!, $first: Int, $after: String) {
    domainByFqdn(fqdn: $fqdn) {
      ...DomainRowFields
      mailboxes(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ...MailboxRowFields
        }
      }
      forwards {
        id
        source
        address
        destinations
      }
    }
  }
  ${DOMAIN_ROW}
  ${MAILBOX_ROW}
`;

export const MAILBOX_PAGE = gql<MailboxPageData, MailboxPageVars>`
  query MailboxPage($id: ID!) {
    mailbox(id: $id) {
      ...MailboxDetailFields
    }
    viewer {
      id
      payableOrganizations {
        id
        name
      }
    }
  }
  ${MAILBOX_DETAIL}
`;

export const SET_AUTO_RENEW = gql<SetAutoRenewData, SetAutoRenewVars>`
  mutation SetAutoRenew($mailboxId: ID!, $input: AutoRenewInput!) {
    setAutoRenew(mailboxId: $mailboxId, input: $input) {
      mailbox {
        ...MailboxDetailFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${MAILBOX_DETAIL}
  ${USER_ERROR}
`;

export const BULK_SET_AUTO_RENEW = gql<BulkSetAutoRenewData, BulkSetAutoRenewVars>`
  mutation BulkSetAutoRenew($domainId: ID!, $mailboxIds: [ID!], $input: AutoRenewInput!) {
    bulkSetAutoRenew(domainId: $domainId, mailboxIds: $mailboxIds, input: $input) {
      updatedCount
      mailboxes {
        ...MailboxRowFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${MAILBOX_ROW}
  ${USER_ERROR}
`;

export const SET_DOMAIN_AUTO_RENEW = gql<SetDomainAutoRenewData, SetDomainAutoRenewVars>`
  mutation SetDomainAutoRenew($domainId: ID!, $input: DomainAutoRenewInput!) {
    setDomainAutoRenew(domainId: $domainId, input: $input) {
      domain {
        id
        fqdn
        autoRenew {
          enabled
          payer {
            id
            name
          }
        }
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR}
`;

/** Optional on the backend: the console tolerates its absence (the call's failure is ignored). */
export const SET_LANGUAGE = gql<unknown, SetLanguageVars>`
  mutation SetLanguage($language: Language!) {
    setLanguage(language: $language) {
      __typename
    }
  }
`;

const CARD = gql`
  fragment CardFields on Card {
    brand
    last4
    expMonth
    expYear
    autoTopUp
  }
`;

/** Balance, card and one page of the ledger; null fields for a viewer who is neither OWNER nor BILLING. */
export const BILLING_PAGE = gql<BillingPageData, BillingPageVars>`
  query BillingPage($organizationId: ID!, $first: Int, $after: String) {
    organization(id: $organizationId) {
      id
      name
      currency
      viewerRole
      viewerCanPay
      prepaidBalanceCents
      card {
        ...CardFields
      }
      ledger(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          kind
          amountCents
          balanceAfterCents
          currency
          createdAt
          reference
        }
      }
    }
  }
  ${CARD}
`;

/** OWNER or BILLING only (a GraphQL error otherwise): the page runs it only for them. */
export const UPCOMING_RENEWALS = gql<UpcomingRenewalsData, UpcomingRenewalsVars>`
  query UpcomingRenewals($organizationId: ID!, $days: Int!) {
    upcomingRenewals(organizationId: $organizationId, days: $days) {
      organization {
        id
      }
      days
      items {
        kind
        itemId
        label
        expiresAt
        date
        amountCents
      }
      totalCents
      balanceCents
      shortfallCents
      coveredByCard
      currency
    }
  }
`;

export const TOP_UP = gql<TopUpData, TopUpVars>`
  mutation TopUp($organizationId: ID!, $amountCents: Int!, $idempotencyKey: String!) {
    topUp(organizationId: $organizationId, amountCents: $amountCents, idempotencyKey: $idempotencyKey) {
      organization {
        id
        prepaidBalanceCents
      }
      ledgerEntry {
        id
        kind
        amountCents
        balanceAfterCents
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR}
`;

export const REGISTER_CARD = gql<RegisterCardData, RegisterCardVars>`
  mutation RegisterCard($organizationId: ID!, $input: CardInput!) {
    registerCard(organizationId: $organizationId, input: $input) {
      organization {
        id
      }
      card {
        ...CardFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${CARD}
  ${USER_ERROR}
`;

export const SET_AUTO_TOP_UP = gql<SetAutoTopUpData, SetAutoTopUpVars>`
  mutation SetAutoTopUp($organizationId: ID!, $enabled: Boolean!) {
    setAutoTopUp(organizationId: $organizationId, enabled: $enabled) {
      organization {
        id
      }
      card {
        ...CardFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${CARD}
  ${USER_ERROR}
`;

export const OUTBOX = gql<OutboxData, OutboxVars>`
  query Outbox($first: Int, $after: String, $unreadOnly: Boolean!) {
    outbox(first: $first, after: $after, unreadOnly: $unreadOnly) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        kind
        subject
        body
        createdAt
        sentAt
        readAt
        organization {
          id
          name
        }
      }
    }
  }
`;

/** The menu's badge. */
export const OUTBOX_UNREAD_COUNT = gql<OutboxUnreadCountData, Record<string, never>>`
  query OutboxUnreadCount {
    outbox(first: 0, unreadOnly: true) {
      totalCount
    }
  }
`;

/** "Mark all as read": the unread ids, 100 at a time. */
export const OUTBOX_UNREAD_IDS = gql<OutboxUnreadIdsData, OutboxUnreadIdsVars>`
  query OutboxUnreadIds($after: String) {
    outbox(first: 100, after: $after, unreadOnly: true) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
      }
    }
  }
`;

export const MARK_OUTBOX_READ = gql<MarkOutboxReadData, MarkOutboxReadVars>`
  mutation MarkOutboxRead($messageIds: [ID!]!) {
    markOutboxRead(messageIds: $messageIds) {
      markedCount
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR}
`;

/** Every operation, by name: used by the schema test. */
export const ALL_DOCUMENTS = {
  VIEWER,
  DOMAINS,
  DOMAIN_PAGE,
  MAILBOX_PAGE,
  SET_AUTO_RENEW,
  BULK_SET_AUTO_RENEW,
  SET_DOMAIN_AUTO_RENEW,
  SET_LANGUAGE,
  BILLING_PAGE,
  UPCOMING_RENEWALS,
  TOP_UP,
  REGISTER_CARD,
  SET_AUTO_TOP_UP,
  OUTBOX,
  OUTBOX_UNREAD_COUNT,
  OUTBOX_UNREAD_IDS,
  MARK_OUTBOX_READ,
};
