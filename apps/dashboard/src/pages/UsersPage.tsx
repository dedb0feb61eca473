import {
  Badge,
  Button,
  Code,
  Drawer,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError, gql } from '../api.js';
import { useAdminKey } from '../admin-key-context.js';
import { DataTable, LoadState, PageTitle, Pager } from '../components.js';
import { formatMoney, shortTime, type Money } from '../money.js';
import { useApi } from '../use-api.js';

interface UserRow {
  id: string;
  name: string;
  balance: Money;
  held: Money;
  disabled: boolean;
}

const USER_FIELDS = 'id name balance { amount currency } held { amount currency } disabled';

const USERS = `query Users($first: Int, $after: String, $search: String) {
  users(first: $first, after: $after, search: $search) {
    nodes { ${USER_FIELDS} }
    pageInfo { endCursor hasNextPage }
  }
}`;

type WalletAction = { kind: 'topUp' | 'adjust'; user: UserRow };

export function UsersPage() {
  const apiKey = useAdminKey();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [after, setAfter] = useState<string | undefined>();
  const { data, error, loading, reload } = useApi<{
    users: { nodes: UserRow[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
  }>(USERS, { first: 50, after, search: debounced.trim() || undefined });
  const [action, setAction] = useState<WalletAction>();
  const [ledgerOf, setLedgerOf] = useState<UserRow>();
  const [creating, setCreating] = useState(false);

  const toggleDisabled = async (user: UserRow) => {
    try {
      await gql(
        apiKey,
        'mutation($id: ID!, $d: Boolean!) { setUserDisabled(userId: $id, disabled: $d) { id disabled } }',
        {
          id: user.id,
          d: !user.disabled,
        },
      );
      notifications.show({
        color: user.disabled ? 'green' : 'orange',
        message: `${user.name} ${user.disabled ? 'enabled' : 'disabled'}: ${user.disabled ? 'its keys work again' : 'its keys are refused from now on'}`,
      });
      reload();
    } catch (failure) {
      notifications.show({ color: 'red', title: 'Not changed', message: describeError(failure) });
    }
  };

  return (
    <Stack>
      <PageTitle title="Users & wallets">
        <Button variant="default" onClick={() => setCreating(true)}>
          New user
        </Button>
      </PageTitle>
      <TextInput
        placeholder="Search by name or id"
        value={search}
        onChange={(event) => {
          setSearch(event.currentTarget.value);
          setAfter(undefined);
        }}
        data-testid="user-search"
      />
      <LoadState loading={loading} error={error} hasData={!!data} />
      <DataTable
        testId="users-table"
        minWidth={900}
        highlightOnHover
        headers={['Name', 'Id', 'Balance', 'Held', 'State', '']}
        empty={data?.users.nodes.length === 0 && 'No users match.'}
      >
        {data?.users.nodes.map((user) => (
          <Table.Tr key={user.id} data-testid={`user-${user.name}`}>
            <Table.Td fw={600}>{user.name}</Table.Td>
            <Table.Td>
              <Text ff="monospace" size="xs">
                {user.id}
              </Text>
            </Table.Td>
            <Table.Td data-testid="user-balance">{formatMoney(user.balance)}</Table.Td>
            <Table.Td>{formatMoney(user.held)}</Table.Td>
            <Table.Td>
              {user.disabled ? (
                <Badge color="red">disabled</Badge>
              ) : (
                <Badge color="green">active</Badge>
              )}
            </Table.Td>
            <Table.Td>
              <Group gap="xs" justify="end" wrap="nowrap">
                <Button size="xs" onClick={() => setAction({ kind: 'topUp', user })}>
                  Top up
                </Button>
                <Button
                  size="xs"
                  variant="light"
                  onClick={() => setAction({ kind: 'adjust', user })}
                >
                  Adjust
                </Button>
                <Button size="xs" variant="default" onClick={() => setLedgerOf(user)}>
                  Ledger
                </Button>
                <Button
                  size="xs"
                  variant="subtle"
                  color={user.disabled ? 'green' : 'red'}
                  onClick={() => void toggleDisabled(user)}
                >
                  {user.disabled ? 'Enable' : 'Disable'}
                </Button>
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      <Pager
        after={after}
        pageInfo={data?.users.pageInfo}
        onPage={setAfter}
        firstLabel="First page"
        nextLabel="Next page"
      />
      {action && (
        <WalletModal
          action={action}
          onClose={() => setAction(undefined)}
          onDone={() => {
            setAction(undefined);
            reload();
          }}
        />
      )}
      <LedgerDrawer user={ledgerOf} onClose={() => setLedgerOf(undefined)} />
      {creating && (
        <CreateUserModal
          onClose={() => {
            setCreating(false);
            reload();
          }}
        />
      )}
    </Stack>
  );
}

/** Top up (creditWallet, positive) or adjust (adjustWallet, signed, with a note). The reference
 *  makes either idempotent: pressing twice credits once. */
function WalletModal(props: { action: WalletAction; onClose: () => void; onDone: () => void }) {
  const apiKey = useAdminKey();
  const { kind, user } = props.action;
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState(() => `dashboard-${crypto.randomUUID()}`);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const topUp = kind === 'topUp';

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (topUp) {
        await gql(
          apiKey,
          'mutation($u: ID!, $a: String!, $r: String!) { creditWallet(userId: $u, amount: $a, reference: $r) { id } }',
          { u: user.id, a: amount.trim(), r: reference.trim() },
        );
      } else {
        await gql(
          apiKey,
          'mutation($u: ID!, $a: String!, $r: String!, $n: String) { adjustWallet(userId: $u, amount: $a, reference: $r, note: $n) { id } }',
          { u: user.id, a: amount.trim(), r: reference.trim(), n: note.trim() || undefined },
        );
      }
      notifications.show({
        color: 'green',
        message: `${topUp ? 'Topped up' : 'Adjusted'} ${user.name} by ${amount.trim()} ${user.balance.currency}`,
      });
      props.onDone();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={props.onClose} title={`${topUp ? 'Top up' : 'Adjust'} ${user.name}`}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            Balance now {formatMoney(user.balance)}.{' '}
            {topUp
              ? 'A payment you received.'
              : 'Signed: "-500" takes money back; never below zero.'}
          </Text>
          <TextInput
            label={`Amount (${user.balance.currency})`}
            placeholder={topUp ? '50000' : '-500 or 500'}
            value={amount}
            onChange={(event) => setAmount(event.currentTarget.value)}
            required
            data-testid="wallet-amount"
            data-autofocus
          />
          <TextInput
            label="Reference"
            description="Your payment or ticket id: the same reference applies once."
            value={reference}
            onChange={(event) => setReference(event.currentTarget.value)}
            required
          />
          {!topUp && (
            <TextInput
              label="Note"
              placeholder="why"
              value={note}
              onChange={(event) => setNote(event.currentTarget.value)}
            />
          )}
          {error && (
            <Text c="red" size="sm" data-testid="wallet-error">
              {error}
            </Text>
          )}
          <Group justify="end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="wallet-submit">
              {topUp ? 'Top up' : 'Adjust'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

interface LedgerRow {
  id: string;
  kind: string;
  amount: Money;
  orderId: string | null;
  reference: string | null;
  createdAt: string;
}

const LEDGER = `query Ledger($id: ID!) {
  user(id: $id) { id ledger(first: 100) { nodes { id kind amount { amount currency } orderId reference createdAt } } }
}`;

function LedgerDrawer(props: { user: UserRow | undefined; onClose: () => void }) {
  return (
    <Drawer
      opened={!!props.user}
      onClose={props.onClose}
      position="right"
      size="xl"
      title={props.user ? `Ledger of ${props.user.name}` : ''}
    >
      {props.user && <Ledger userId={props.user.id} />}
    </Drawer>
  );
}

function Ledger({ userId }: { userId: string }) {
  const { data, error, loading } = useApi<{ user: { ledger: { nodes: LedgerRow[] } } | null }>(
    LEDGER,
    {
      id: userId,
    },
  );
  return (
    <>
      <LoadState loading={loading} error={error} hasData={!!data} />
      <Table striped data-testid="ledger-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Amount</Table.Th>
            <Table.Th>Reference / order</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data?.user?.ledger.nodes.map((entry) => (
            <Table.Tr key={entry.id}>
              <Table.Td>{shortTime(entry.createdAt)}</Table.Td>
              <Table.Td>
                <Badge variant="light">{entry.kind}</Badge>
              </Table.Td>
              <Table.Td>{formatMoney(entry.amount)}</Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace">
                  {entry.orderId ?? entry.reference ?? '—'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}

function CreateUserModal({ onClose }: { onClose: () => void }) {
  const apiKey = useAdminKey();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ apiKey: string; name: string }>();
  const [error, setError] = useState<string>();
  const submit = async () => {
    try {
      const result = await gql<{ createUser: { apiKey: string; user: { name: string } } }>(
        apiKey,
        'mutation($n: String!) { createUser(input: { name: $n }) { apiKey user { name } } }',
        { n: name.trim() },
      );
      setCreated({ apiKey: result.createUser.apiKey, name: result.createUser.user.name });
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <Modal opened onClose={onClose} title="New user">
      {created ? (
        <Stack>
          <Text>{created.name}&apos;s API key, shown this once (only its hash is stored):</Text>
          <Code block>{created.apiKey}</Code>
          <Button onClick={onClose}>Done</Button>
        </Stack>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <Stack>
            <TextInput
              label="Name"
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              required
              data-autofocus
            />
            {error && (
              <Text c="red" size="sm">
                {error}
              </Text>
            )}
            <Button type="submit">Create</Button>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
