import { BarChart, CompositeChart, DonutChart } from '@mantine/charts';
import {
  Alert,
  Badge,
  Card,
  Center,
  Grid,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { HealthBadge, LoadState, PageTitle, StatCard, statusColor } from '../components.js';
import { chartNumber, formatMoney, isNegative, percent } from '../money.js';
import type {
  AdminStatsQuery,
  AdminStatsQueryVariables,
  SalesBucketFragment,
} from '../graphql/generated.js';
import { ADMIN_STATS } from '../stats.js';
import { useApi } from '../use-api.js';

function salesChartData(buckets: SalesBucketFragment[]) {
  return buckets.map((bucket) => ({
    key: bucket.key,
    Orders: bucket.orders,
    Sold: bucket.sold,
    Revenue: chartNumber(bucket.revenue),
    Margin: chartNumber(bucket.margin),
  }));
}

export function OverviewPage() {
  const [days, setDays] = useState('14');
  const { data, error, loading } = useApi<AdminStatsQuery, AdminStatsQueryVariables>(
    ADMIN_STATS,
    { days: Number(days) },
    5000,
  );
  const stats = data?.adminStats;
  return (
    <Stack>
      <PageTitle title="Overview">
        <SegmentedControl
          value={days}
          onChange={setDays}
          data={[
            { label: '7 days', value: '7' },
            { label: '14 days', value: '14' },
            { label: '30 days', value: '30' },
          ]}
        />
      </PageTitle>
      <LoadState loading={loading} error={error} hasData={!!stats} />
      {stats && <Overview stats={stats} />}
    </Stack>
  );
}

function Overview({ stats }: { stats: AdminStatsQuery['adminStats'] }) {
  const low = stats.providers.filter((provider) => provider.lowBalance);
  const broken = stats.providers.filter((provider) => provider.breakerOpen);
  const ordersToday = stats.ordersByStatusToday.reduce((sum, entry) => sum + entry.count, 0);
  return (
    <Stack>
      {low.map((provider) => (
        <Alert
          key={provider.id}
          color="red"
          variant="filled"
          title={`Low balance at ${provider.id}: ${formatMoney(provider.balance)}`}
          data-testid="low-balance-alarm"
        >
          Top up this upstream account: {provider.lowBalance}.
        </Alert>
      ))}
      {broken.map((provider) => (
        <Alert key={provider.id} color="orange" title={`${provider.id}: circuit breaker open`}>
          Routing skips it until {new Date(provider.breakerOpenUntil ?? '').toLocaleTimeString()}.
          Last error: {provider.lastError ?? '—'}
        </Alert>
      ))}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }}>
        <StatCard
          label="Orders today"
          value={String(ordersToday)}
          hint={`${stats.today.sold} sold`}
          testId="orders-today"
        />
        <StatCard
          label="Revenue today"
          value={formatMoney(stats.today.revenue)}
          hint="charged and kept"
          testId="revenue-today"
        />
        <StatCard
          label="Margin today"
          value={formatMoney(stats.today.margin)}
          color={isNegative(stats.today.margin) ? 'red' : 'teal'}
          hint={`upstream cost ${formatMoney(stats.today.upstreamCost)}`}
          testId="margin-today"
        />
        <StatCard
          label="Money held"
          value={formatMoney(stats.moneyHeld)}
          hint="for orders without a code yet"
          testId="money-held"
        />
        <StatCard
          label="Customer balances"
          value={formatMoney(stats.customerBalances)}
          hint="spendable, all wallets"
        />
      </SimpleGrid>

      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder h="100%">
            <Title order={4} mb="sm">
              Orders by status today
            </Title>
            {ordersToday === 0 ? (
              <Text c="dimmed" py="xl" ta="center">
                No orders yet today.
              </Text>
            ) : (
              <Center>
                <DonutChart
                  size={180}
                  thickness={28}
                  withLabelsLine={false}
                  chartLabel={`${ordersToday} today`}
                  data={stats.ordersByStatusToday
                    .filter((entry) => entry.count > 0)
                    .map((entry) => ({
                      name: entry.status,
                      value: entry.count,
                      color: `${statusColor(entry.status)}.6`,
                    }))}
                />
              </Center>
            )}
            <Group gap="xs" mt="sm" data-testid="status-today">
              {stats.ordersByStatusToday.map((entry) => (
                <Badge
                  key={entry.status}
                  color={statusColor(entry.status)}
                  variant={entry.count > 0 ? 'light' : 'outline'}
                >
                  {entry.status} {entry.count}
                </Badge>
              ))}
            </Group>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder h="100%">
            <Title order={4} mb="sm">
              Providers
            </Title>
            <Table striped data-testid="overview-providers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Provider</Table.Th>
                  <Table.Th>Health</Table.Th>
                  <Table.Th>Upstream balance</Table.Th>
                  <Table.Th>Open orders</Table.Th>
                  <Table.Th>Code rate</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {stats.providers.map((provider) => (
                  <Table.Tr key={provider.id} bg={provider.lowBalance ? 'red.1' : undefined}>
                    <Table.Td>
                      {provider.id}{' '}
                      <Text span c="dimmed" size="xs">
                        {provider.kind}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <HealthBadge provider={provider} />
                    </Table.Td>
                    <Table.Td
                      c={provider.lowBalance ? 'red.8' : undefined}
                      fw={provider.lowBalance ? 700 : undefined}
                    >
                      {provider.balance ? formatMoney(provider.balance) : 'not seen yet'}
                    </Table.Td>
                    <Table.Td>{provider.activeOrders}</Table.Td>
                    <Table.Td>{percent(provider.codeRate)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        </Grid.Col>
      </Grid>

      <Card withBorder>
        <Title order={4}>Orders and margin per day</Title>
        <Text size="xs" c="dimmed" mb="sm">
          UTC days; bars are orders, the lines revenue and margin in {stats.currency}.
        </Text>
        <CompositeChart
          h={280}
          data={salesChartData(stats.daily)}
          dataKey="key"
          withLegend
          withRightYAxis
          rightYAxisLabel={stats.currency}
          composedChartProps={{ syncId: 'daily' }}
          series={[
            { name: 'Orders', color: 'gray.4', type: 'bar' },
            { name: 'Sold', color: 'indigo.5', type: 'bar' },
            { name: 'Revenue', color: 'blue.7', type: 'line', yAxisId: 'right' },
            { name: 'Margin', color: 'teal.6', type: 'line', yAxisId: 'right' },
          ]}
          curveType="linear"
        />
      </Card>

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <BreakdownCard title="Per provider" buckets={stats.byProvider} currency={stats.currency} />
        <BreakdownCard title="Per service" buckets={stats.byService} currency={stats.currency} />
      </SimpleGrid>
    </Stack>
  );
}

function BreakdownCard(props: { title: string; buckets: SalesBucketFragment[]; currency: string }) {
  return (
    <Card withBorder>
      <Title order={4}>{props.title}</Title>
      <Text size="xs" c="dimmed" mb="sm">
        Revenue and margin over the window, {props.currency}
      </Text>
      {props.buckets.length === 0 ? (
        <Text c="dimmed">No orders in this window.</Text>
      ) : (
        <BarChart
          h={220}
          data={salesChartData(props.buckets.slice(0, 12))}
          dataKey="key"
          withLegend
          series={[
            { name: 'Revenue', color: 'blue.6' },
            { name: 'Margin', color: 'teal.6' },
          ]}
        />
      )}
    </Card>
  );
}
