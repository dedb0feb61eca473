import { Badge, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { DataTable, LoadState, PageTitle, Pager } from '../components.js';
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
      <DataTable
        testId="audit-table"
        minWidth={900}
        headers={['When', 'Actor', 'Action', 'Target', 'Amount', 'Reference / note']}
        empty={data?.auditLog.nodes.length === 0 && 'No admin changes yet.'}
      >
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
      </DataTable>
      <Pager after={after} pageInfo={data?.auditLog.pageInfo} onPage={setAfter} />
    </Stack>
  );
}
