import { Badge, Button, SegmentedControl, Stack, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError, gql } from '../api.js';
import { useAdminKey } from '../admin-key-context.js';
import { DataTable, LoadState, PageTitle, Pager } from '../components.js';
import { shortTime } from '../money.js';
import { useApi } from '../use-api.js';

interface DeliveryRow {
  id: string;
  endpointId: string;
  eventId: string;
  type: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

const DELIVERY_FIELDS =
  'id endpointId eventId type status attempts lastStatusCode lastError nextAttemptAt deliveredAt createdAt';

const DELIVERIES = `query Deliveries($first: Int, $after: String, $status: WebhookDeliveryStatus) {
  allWebhookDeliveries(first: $first, after: $after, status: $status) {
    nodes { ${DELIVERY_FIELDS} }
    pageInfo { endCursor hasNextPage }
  }
  webhookEndpoints { id url enabled }
}`;

const STATUS_COLOR = { PENDING: 'yellow', DELIVERED: 'green', FAILED: 'red' } as const;

export function WebhooksPage() {
  const apiKey = useAdminKey();
  const [status, setStatus] = useState('ALL');
  const [after, setAfter] = useState<string | undefined>();
  const { data, error, loading, reload } = useApi<{
    allWebhookDeliveries: {
      nodes: DeliveryRow[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
    };
    webhookEndpoints: Array<{ id: string; url: string; enabled: boolean }>;
  }>(DELIVERIES, { first: 50, after, status: status === 'ALL' ? undefined : status }, 5000);
  const urlOf = new Map(data?.webhookEndpoints.map((endpoint) => [endpoint.id, endpoint.url]));

  const redeliver = async (delivery: DeliveryRow) => {
    try {
      await gql(apiKey, `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status } }`, {
        id: delivery.id,
      });
      notifications.show({ color: 'green', message: `Delivery ${delivery.id} is sent again now` });
      reload();
    } catch (failure) {
      notifications.show({ color: 'red', title: 'Not sent', message: describeError(failure) });
    }
  };

  return (
    <Stack>
      <PageTitle title="Webhook deliveries">
        <SegmentedControl
          value={status}
          onChange={(value) => {
            setStatus(value);
            setAfter(undefined);
          }}
          data={['ALL', 'FAILED', 'PENDING', 'DELIVERED']}
        />
      </PageTitle>
      <Text c="dimmed" size="sm">
        Signed Standard Webhooks POSTs to customers&apos; endpoints, retried on a schedule; a failed
        one can be sent again (same webhook-id and body).
      </Text>
      <LoadState loading={loading} error={error} hasData={!!data} />
      <DataTable
        testId="deliveries-table"
        minWidth={1000}
        headers={[
          'Created',
          'Event',
          'Endpoint',
          'Status',
          'Attempts',
          'Last answer',
          'Next attempt',
          '',
        ]}
        empty={
          data?.allWebhookDeliveries.nodes.length === 0 &&
          `No deliveries${status === 'ALL' ? '' : ` ${status.toLowerCase()}`}.`
        }
      >
        {data?.allWebhookDeliveries.nodes.map((delivery) => (
          <Table.Tr key={delivery.id} data-testid={`delivery-${delivery.id}`}>
            <Table.Td>{shortTime(delivery.createdAt)}</Table.Td>
            <Table.Td>
              <Text size="sm">{delivery.type}</Text>
              <Text size="xs" c="dimmed">
                event {delivery.eventId}
              </Text>
            </Table.Td>
            <Table.Td maw={280}>
              <Text size="xs" ff="monospace" truncate>
                {urlOf.get(delivery.endpointId) ?? delivery.endpointId}
              </Text>
            </Table.Td>
            <Table.Td>
              <Badge color={STATUS_COLOR[delivery.status]}>{delivery.status}</Badge>
            </Table.Td>
            <Table.Td>{delivery.attempts}</Table.Td>
            <Table.Td>
              <Tooltip label={delivery.lastError ?? ''} disabled={!delivery.lastError}>
                <Text size="sm" c={delivery.lastError ? 'red.8' : undefined}>
                  {delivery.lastStatusCode !== null
                    ? `HTTP ${delivery.lastStatusCode}`
                    : (delivery.lastError ?? '—')}
                </Text>
              </Tooltip>
            </Table.Td>
            <Table.Td>
              {delivery.status === 'DELIVERED'
                ? `delivered ${shortTime(delivery.deliveredAt)}`
                : shortTime(delivery.nextAttemptAt)}
            </Table.Td>
            <Table.Td>
              <Button
                size="xs"
                variant={delivery.status === 'FAILED' ? 'filled' : 'light'}
                onClick={() => void redeliver(delivery)}
              >
                Retry
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      <Pager after={after} pageInfo={data?.allWebhookDeliveries.pageInfo} onPage={setAfter} />
    </Stack>
  );
}
