import {
  Badge,
  Button,
  Card,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { describeError, gql } from '../api.js';
import { useAdminKey } from '../admin-key-context.js';
import { DataTable, LoadState, PageTitle, StatusBadge } from '../components.js';
import { ORDER_FIELDS, useOrderUpdates, type OrderRow } from '../live-orders.js';
import { formatMoney, isNegative, shortTime } from '../money.js';

const STATUSES = [
  'PENDING',
  'ACTIVE',
  'CODE_RECEIVED',
  'COMPLETED',
  'CANCELLED',
  'EXPIRED',
  'FAILED',
  'REPORTED',
];

const ADMIN_ORDERS = `query AdminOrders($first: Int, $after: String, $status: OrderStatus, $provider: String, $userId: ID) {
  adminOrders(first: $first, after: $after, status: $status, provider: $provider, userId: $userId) {
    nodes { ${ORDER_FIELDS} }
    pageInfo { endCursor hasNextPage }
  }
}`;

interface OrdersPage {
  adminOrders: { nodes: OrderRow[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
}

const PAGE_SIZE = 50;

export function OrdersPage() {
  const apiKey = useAdminKey();
  const [status, setStatus] = useState<string | null>(null);
  const [provider, setProvider] = useState('');
  const [userId, setUserId] = useState('');
  const [rows, setRows] = useState<OrderRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [flash, setFlash] = useState<Record<string, true>>({});

  const filters = useCallback(
    () => ({
      status: status ?? undefined,
      provider: provider.trim() || undefined,
      userId: userId.trim() || undefined,
    }),
    [status, provider, userId],
  );

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      try {
        const page = await gql<OrdersPage>(apiKey, ADMIN_ORDERS, {
          first: PAGE_SIZE,
          after: after ?? undefined,
          ...filters(),
        });
        setRows((previous) =>
          after ? [...previous, ...page.adminOrders.nodes] : page.adminOrders.nodes,
        );
        setCursor(page.adminOrders.pageInfo.endCursor);
        setHasMore(page.adminOrders.pageInfo.hasNextPage);
        setError(undefined);
      } catch (failure) {
        setError(describeError(failure));
      } finally {
        setLoading(false);
      }
    },
    [apiKey, filters],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const live = useOrderUpdates(apiKey, ({ order }) => {
    const wanted = filters();
    if (wanted.status && order.status !== wanted.status) {
      // Left the filtered status: drop it from the list.
      setRows((previous) => previous.filter((row) => row.id !== order.id));
      return;
    }
    if (wanted.provider && order.provider !== wanted.provider) return;
    setRows((previous) => {
      const index = previous.findIndex((row) => row.id === order.id);
      if (index === -1) return wanted.userId ? previous : [order, ...previous];
      const next = previous.slice();
      next[index] = order;
      return next;
    });
    setFlash((previous) => ({ ...previous, [order.id]: true }));
    setTimeout(() => setFlash(({ [order.id]: _done, ...rest }) => rest), 3000);
  });

  return (
    <Stack>
      <PageTitle title="Orders">
        <Badge
          color={live === 'live' ? 'green' : 'yellow'}
          variant="dot"
          size="lg"
          data-testid="live-state"
          data-state={live}
        >
          {live === 'live' ? 'live' : live}
        </Badge>
      </PageTitle>
      <Card withBorder>
        <Group align="end">
          <Select
            label="Status"
            placeholder="any"
            clearable
            data={STATUSES}
            value={status}
            onChange={setStatus}
            w={180}
          />
          <TextInput
            label="Provider"
            placeholder="any"
            value={provider}
            onChange={(e) => setProvider(e.currentTarget.value)}
            w={160}
          />
          <TextInput
            label="User id"
            placeholder="any"
            value={userId}
            onChange={(e) => setUserId(e.currentTarget.value)}
            w={320}
          />
        </Group>
      </Card>
      <LoadState loading={loading} error={error} hasData={rows.length > 0} />
      <DataTable
        testId="orders-table"
        minWidth={1200}
        highlightOnHover
        headers={[
          'Created',
          'Order',
          'Service',
          'Country',
          'Provider',
          'Number',
          'Price',
          'Upstream cost',
          'Margin',
          'Code',
          'Status',
        ]}
        empty={
          rows.length === 0 &&
          !loading &&
          'No orders match. New ones appear here as they are bought.'
        }
      >
        {rows.map((order) => (
          <Table.Tr
            key={order.id}
            data-testid={`order-${order.id}`}
            bg={flash[order.id] ? 'yellow.1' : undefined}
          >
            <Table.Td>{shortTime(order.createdAt)}</Table.Td>
            <Table.Td>
              <Tooltip label={order.id}>
                <Text ff="monospace" size="xs">
                  {order.id.slice(0, 8)}
                </Text>
              </Tooltip>
            </Table.Td>
            <Table.Td>{order.service}</Table.Td>
            <Table.Td>{order.country}</Table.Td>
            <Table.Td>{order.provider || '—'}</Table.Td>
            <Table.Td>{order.phoneNumber ?? '—'}</Table.Td>
            <Table.Td>{formatMoney(order.price)}</Table.Td>
            <Table.Td>{formatMoney(order.upstreamCost)}</Table.Td>
            <Table.Td c={order.margin && isNegative(order.margin) ? 'red' : undefined}>
              {formatMoney(order.margin)}
            </Table.Td>
            <Table.Td ff="monospace">{order.smsCode ?? '—'}</Table.Td>
            <Table.Td>
              <StatusBadge status={order.status} />
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      {hasMore && (
        <Group justify="center">
          <Button variant="default" onClick={() => void load(cursor)} loading={loading}>
            Load more
          </Button>
        </Group>
      )}
    </Stack>
  );
}
