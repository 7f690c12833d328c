// The API explorer: GraphiQL 5, bundled (Monaco workers included), talking to the same-origin /graphql.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './graphiql.css';
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { fetchSession } from '../lib/api/http';
import { detectLang, parseLang, translate } from '../lib/i18n/translate';
import { createFetcher } from './fetcher';

const DEFAULT_QUERY = `# Welcome to the Mailrenew API explorer.
# Signed in to the console? Your session is used. Otherwise add a header in the Headers tab:
#   {"Authorization": "Bearer <token>"}

query MyMailboxes {
  viewer {
    email
    memberships { role organization { id name } }
  }
  domains(filter: { hasMailboxes: true }, first: 5) {
    totalCount
    nodes {
      fqdn
      expiresAt
      autoRenew { enabled }
      mailboxes(first: 5) {
        nodes { address expiresAt autoRenew { enabled period payer { name } } warnings { code message } }
      }
    }
  }
}
`;

let csrfToken: string | null = null;

async function refreshSession(): Promise<{ signedIn: boolean }> {
  try {
    const session = await fetchSession();
    csrfToken = session.csrfToken;
    return { signedIn: Boolean(session.user) };
  } catch {
    return { signedIn: false };
  }
}

function showSignInBanner() {
  const lang = parseLang(localStorage.getItem('mailrenew.lang')) ?? detectLang(navigator.language);
  document.documentElement.lang = lang;
  const banner = document.getElementById('graphiql-banner')!;
  const [before, after] = translate(lang, 'graphiql.signIn').split('{header}');
  const code = document.createElement('code');
  code.textContent = 'Authorization: Bearer <token>';
  const link = document.createElement('a');
  link.href = '/';
  link.textContent = translate(lang, 'graphiql.signInLink');
  banner.replaceChildren(before, code, after, ' ', link);
  banner.setAttribute('role', 'status');
  banner.hidden = false;
}

async function start() {
  const { signedIn } = await refreshSession();
  if (!signedIn) showSignInBanner();

  const fetcher = createFetcher({
    token: () => csrfToken,
    refresh: async () => {
      await refreshSession();
      return csrfToken;
    },
  }) as unknown as GraphiQLProps['fetcher'];

  const props: GraphiQLProps = {
    fetcher,
    defaultQuery: DEFAULT_QUERY,
    isHeadersEditorEnabled: true,
    // Tokens typed in the Headers tab are not written to localStorage unless the user asks.
    shouldPersistHeaders: false,
  };
  createRoot(document.getElementById('graphiql')!).render(createElement(GraphiQL, props));
}

void start();
