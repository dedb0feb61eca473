import { Alert, Badge, Button, Card, Group, Loader, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ProviderHealthFragment } from './graphql/generated.js';

export function StatCard(props: {
  label: string;
  value: string;
  hint?: ReactNode;
  color?: string;
  testId?: string;
}) {
  return (
    <Card withBorder padding="md" data-testid={props.testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {props.label}
      </Text>
      <Text size="xl" fw={700} c={props.color}>
        {props.value}
      </Text>
      {props.hint && (
        <Text size="xs" c="dimmed">
          {props.hint}
        </Text>
      )}
    </Card>
  );
}

/** Loading and error states every page shows the same way. */
export function LoadState(props: {
  loading: boolean;
  error: string | undefined;
  hasData: boolean;
}) {
  if (props.error) {
    return (
      <Alert color="red" title="Could not load" mb="md" data-testid="load-error">
        {props.error}
      </Alert>
    );
  }
  if (props.loading && !props.hasData) return <Loader m="md" />;
  return null;
}

const STATUS_COLORS: Record<string, string> = {
  PENDING: 'gray',
  ACTIVE: 'blue',
  CODE_RECEIVED: 'teal',
  COMPLETED: 'green',
  CANCELLED: 'orange',
  EXPIRED: 'yellow',
  FAILED: 'red',
  REPORTED: 'grape',
};

export function statusColor(status: string): string {
  return STATUS_COLORS[status] ?? 'gray';
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={statusColor(status)} variant="light">
      {status}
    </Badge>
  );
}

export function HealthBadge({ provider }: { provider: ProviderHealthFragment }) {
  if (provider.breakerOpen) return <Badge color="red">breaker open</Badge>;
  if (provider.consecutiveFailures > 0) {
    return <Badge color="yellow">{provider.consecutiveFailures} failures</Badge>;
  }
  return <Badge color="green">healthy</Badge>;
}

export function PageTitle(props: { title: string; children?: ReactNode }) {
  return (
    <Group justify="space-between" mb="md">
      <Text size="xl" fw={700} component="h2" m={0}>
        {props.title}
      </Text>
      <Group>{props.children}</Group>
    </Group>
  );
}

/** A page's table: a bordered card that scrolls sideways, one header row, and a line saying so
 *  when there are no rows (`empty`; false while the first page is still loading). */
export function DataTable(props: {
  testId: string;
  minWidth: number;
  headers: ReactNode[];
  empty: ReactNode | false;
  highlightOnHover?: boolean;
  children: ReactNode;
}) {
  return (
    <Card withBorder p={0}>
      <Table.ScrollContainer minWidth={props.minWidth}>
        <Table striped highlightOnHover={props.highlightOnHover} data-testid={props.testId}>
          <Table.Thead>
            <Table.Tr>
              {props.headers.map((header, index) => (
                <Table.Th key={index}>{header}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {props.children}
            {props.empty !== false && (
              <Table.Tr>
                <Table.Td colSpan={props.headers.length}>
                  <Text c="dimmed" ta="center" py="md">
                    {props.empty}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

/** Cursor paging under a table: back to the first page, and on to the next while there is one. */
export function Pager(props: {
  after: string | undefined;
  pageInfo: { endCursor: string | null; hasNextPage: boolean } | undefined;
  onPage: (after: string | undefined) => void;
  firstLabel?: string;
  nextLabel?: string;
}) {
  const { pageInfo } = props;
  return (
    <Group justify="center">
      {props.after && (
        <Button variant="default" onClick={() => props.onPage(undefined)}>
          {props.firstLabel ?? 'Newest'}
        </Button>
      )}
      {pageInfo?.hasNextPage && (
        <Button variant="default" onClick={() => props.onPage(pageInfo.endCursor ?? undefined)}>
          {props.nextLabel ?? 'Older'}
        </Button>
      )}
    </Group>
  );
}
