import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './page.css';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createClient, type Client } from 'graphql-ws';
import { createElement as h, StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { initialApiKey, rememberApiKey } from './api-key.js';
import { EXAMPLE_OPERATIONS } from './example-operations.js';

const httpUrl = `${window.location.origin}/graphql`;
const wsUrl = httpUrl.replace(/^http/, 'ws');

/** One fetcher per key: HTTP with the Bearer header, subscriptions over graphql-ws with the
 *  same key in connection_init, both to this page's own origin. */
function useFetcher(apiKey: string): Fetcher {
  const wsClient = useMemo<Client>(
    () =>
      createClient({
        url: wsUrl,
        lazy: true,
        connectionParams: () => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        retryAttempts: 3,
      }),
    [apiKey],
  );
  useEffect(() => () => void wsClient.dispose(), [wsClient]);
  return useMemo(
    () =>
      createGraphiQLFetcher({
        url: httpUrl,
        wsClient,
        headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
      }),
    [apiKey, wsClient],
  );
}

function App() {
  const [apiKey, setApiKey] = useState(() =>
    initialApiKey(window.location, window.history, window.localStorage),
  );
  const [draft, setDraft] = useState(apiKey);
  const fetcher = useFetcher(apiKey);
  const params = new URLSearchParams(window.location.search);
  const apply = () => {
    rememberApiKey(window.localStorage, draft.trim());
    setApiKey(draft.trim());
  };
  return h(
    'div',
    { className: 'nb-page' },
    h(
      'form',
      {
        className: 'nb-bar',
        onSubmit: (event: { preventDefault(): void }) => {
          event.preventDefault();
          apply();
        },
      },
      h('strong', null, 'numbroker'),
      h('label', { htmlFor: 'nb-api-key' }, 'API key'),
      h('input', {
        id: 'nb-api-key',
        name: 'apiKey',
        type: 'password',
        autoComplete: 'off',
        spellCheck: false,
        placeholder: 'paste your API key',
        value: draft,
        onChange: (event: { target: { value: string } }) => setDraft(event.target.value),
      }),
      h('button', { type: 'submit', id: 'nb-api-key-apply' }, 'Use key'),
      h(
        'span',
        { className: 'nb-status', 'data-testid': 'key-status' },
        apiKey ? 'key set' : 'no key',
      ),
    ),
    h(
      'div',
      { className: 'nb-graphiql' },
      // Remount on a new key so schema introspection runs again with it.
      h(GraphiQL, {
        key: apiKey,
        fetcher,
        defaultQuery: EXAMPLE_OPERATIONS,
        initialQuery: params.get('query') ?? undefined,
        initialVariables: params.get('variables') ?? undefined,
        defaultEditorToolsVisibility: false,
      }),
    ),
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(h(StrictMode, null, h(App)));
