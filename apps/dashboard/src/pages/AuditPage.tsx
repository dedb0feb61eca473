import { Badge, Button, Card, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { LoadState, PageTitle } from '../components.js';
import { formatMoney, shortTime, type Money } from '../money.js';
import { useApi } from '../use-api.js';

interface AuditRow {
  id: string;
  actorId: string;
  actorName: string;
  action: string;
  targetType: string;
  targetId: string;
  amount: Money | null;
  reference: string | null;
  note: string | null;
  createdAt: string;
}

const AUDIT_LOG = `query AuditLog($first: Int, $after: String) {
  auditLog(first: $first, after: $after) {
    nodes { id actorId actorName action targetType targetId amount { amount currency } reference note createdAt }
    pageInfo { endCursor hasNextPage }
  }
}`;

export function AuditPage() {
  const [after, setAfter] = useState<string | undefined>();
  const { data, error, loading } = useApi<{
    auditLog: { nodes: AuditRow[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
  }>(AUDIT_LOG, { first: 50, after }, 5000);
  return (
    <Stack>
      <PageTitle title="Audit log" />
      <Text c="dimmed" size="sm">
        Every admin change, written in the same transaction as the change itself.
      </Text>
      <LoadState loading={loading} error={error} hasData={!!data} />
      <Card withBorder p={0}>
        <Table.ScrollContainer minWidth={900}>
          <Table striped data-testid="audit-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Actor</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Amount</Table.Th>
                <Table.Th>Reference / note</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data?.auditLog.nodes.map((entry) => (
                <Table.Tr key={entry.id}>
                  <Table.Td>{shortTime(entry.createdAt)}</Table.Td>
                  <Table.Td>{entry.actorName}</Table.Td>
                  <Table.Td>
                    <Badge variant="light">{entry.action}</Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" c="dimmed">
                      {entry.targetType}
                    </Text>
                    <Text ff="monospace" size="xs">
                      {entry.targetId}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatMoney(entry.amount)}</Table.Td>
                  <Table.Td>
                    <Text size="xs">{entry.reference ?? ''}</Text>
                    {entry.note && (
                      <Text size="xs" c="dimmed">
                        {entry.note}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Group justify="center">
        {after && (
          <Button variant="default" onClick={() => setAfter(undefined)}>
            Newest
          </Button>
        )}
        {data?.auditLog.pageInfo.hasNextPage && (
          <Button
            variant="default"
            onClick={() => setAfter(data.auditLog.pageInfo.endCursor ?? undefined)}
          >
            Older
          </Button>
        )}
      </Group>
    </Stack>
  );
}
