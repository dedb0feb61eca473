import { AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, useState, type ReactNode } from 'react';
import { AdminKeyContext } from './admin-key-context.js';
import { AuditPage } from './pages/AuditPage.js';
import { OrdersPage } from './pages/OrdersPage.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { ProvidersPage } from './pages/ProvidersPage.js';
import { UsersPage } from './pages/UsersPage.js';
import { WebhooksPage } from './pages/WebhooksPage.js';
import { storeAdminKey, storedAdminKey } from './session.js';
import { SignIn } from './SignIn.js';

const PAGES = {
  overview: { label: 'Overview', render: () => <OverviewPage /> },
  orders: { label: 'Orders', render: () => <OrdersPage /> },
  users: { label: 'Users & wallets', render: () => <UsersPage /> },
  providers: { label: 'Providers', render: () => <ProvidersPage /> },
  webhooks: { label: 'Webhooks', render: () => <WebhooksPage /> },
  audit: { label: 'Audit log', render: () => <AuditPage /> },
} satisfies Record<string, { label: string; render: () => ReactNode }>;

type PageId = keyof typeof PAGES;

function pageFromHash(): PageId {
  const id = window.location.hash.replace(/^#\/?/, '');
  return id in PAGES ? (id as PageId) : 'overview';
}

/** The page is in the hash (#/orders): reloadable and linkable, no server routes needed. */
function useHashPage(): PageId {
  const [page, setPage] = useState(pageFromHash);
  useEffect(() => {
    const onChange = () => setPage(pageFromHash());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return page;
}

export function App() {
  const [adminKey, setAdminKey] = useState(() => storedAdminKey());
  const page = useHashPage();
  const [opened, { toggle, close }] = useDisclosure();

  if (!adminKey) {
    return (
      <SignIn
        onSignedIn={(key) => {
          storeAdminKey(key);
          setAdminKey(key);
        }}
      />
    );
  }
  return (
    <AdminKeyContext.Provider value={adminKey}>
      <AppShell
        header={{ height: 56 }}
        navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between">
            <Group>
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" />
              <Title order={3}>numbroker</Title>
              <Text c="dimmed" size="sm">
                operator console
              </Text>
            </Group>
            <Button
              variant="subtle"
              onClick={() => {
                storeAdminKey('');
                setAdminKey('');
              }}
            >
              Sign out
            </Button>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs">
          {(Object.keys(PAGES) as PageId[]).map((id) => (
            <NavLink
              key={id}
              href={`#/${id}`}
              label={PAGES[id].label}
              active={page === id}
              onClick={close}
            />
          ))}
        </AppShell.Navbar>
        <AppShell.Main>{PAGES[page].render()}</AppShell.Main>
      </AppShell>
    </AdminKeyContext.Provider>
  );
}
