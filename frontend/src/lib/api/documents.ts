// Every GraphQL document of the console lives here, so adjusting to the backend's schema.graphql is one file.
// schema.test.ts validates each exported document against ../schema.graphql when that file exists.
import { gql } from '@urql/core';
import type {
  BulkSetAutoRenewData,
  BulkSetAutoRenewVars,
  DomainPageData,
  DomainPageVars,
  DomainsData,
  DomainsVars,
  MailboxPageData,
  MailboxPageVars,
  SetAutoRenewData,
  SetAutoRenewVars,
  SetDomainAutoRenewData,
  SetDomainAutoRenewVars,
  SetLanguageVars,
  ViewerData,
} from './types';

export const PAGE_SIZE = 50;

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
};
