import { BarChart } from '@mantine/charts';
import { Card, SimpleGrid, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { HealthBadge, LoadState, PageTitle } from '../components.js';
import { chartNumber, formatMoney, percent, shortTime } from '../money.js';
import type { AdminStatsQuery, AdminStatsQueryVariables } from '../graphql/generated.js';
import { ADMIN_STATS } from '../stats.js';
import { useApi } from '../use-api.js';

export function ProvidersPage() {
  const { data, error, loading } = useApi<AdminStatsQuery, AdminStatsQueryVariables>(
    ADMIN_STATS,
    { days: 7 },
    5000,
  );
  const stats = data?.adminStats;
  return (
    <Stack>
      <PageTitle title="Providers" />
      <LoadState loading={loading} error={error} hasData={!!stats} />
      {stats && (
        <>
          <Card withBorder>
            <Table.ScrollContainer minWidth={1150}>
              <Table striped highlightOnHover data-testid="providers-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Provider</Table.Th>
                    <Table.Th>Breaker</Table.Th>
                    <Table.Th>Upstream balance</Table.Th>
                    <Table.Th>Cheapest offer</Table.Th>
                    <Table.Th>Spend / day</Table.Th>
                    <Table.Th>Open orders</Table.Th>
                    <Table.Th>Code rate (7 d)</Table.Th>
                    <Table.Th>Calls (24 h)</Table.Th>
                    <Table.Th>Latency avg / max</Table.Th>
                    <Table.Th>Last error</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {stats.providers.map((provider) => (
                    <Table.Tr key={provider.id} bg={provider.lowBalance ? 'red.1' : undefined}>
                      <Table.Td>
                        <Text fw={600}>{provider.id}</Text>
                        <Text size="xs" c="dimmed">
                          {provider.kind}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <HealthBadge provider={provider} />
                        {provider.breakerOpenUntil && (
                          <Text size="xs" c="dimmed">
                            until {shortTime(provider.breakerOpenUntil)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Tooltip
                          label={
                            provider.lowBalance ?? `seen ${shortTime(provider.balanceUpdatedAt)}`
                          }
                          disabled={!provider.balance}
                        >
                          <Text
                            c={provider.lowBalance ? 'red.8' : undefined}
                            fw={provider.lowBalance ? 700 : 400}
                          >
                            {provider.balance ? formatMoney(provider.balance) : 'not seen yet'}
                          </Text>
                        </Tooltip>
                      </Table.Td>
                      <Table.Td>{formatMoney(provider.cheapestOffer)}</Table.Td>
                      <Table.Td>{formatMoney(provider.dailySpend)}</Table.Td>
                      <Table.Td>{provider.activeOrders}</Table.Td>
                      <Table.Td>{percent(provider.codeRate)}</Table.Td>
                      <Table.Td>
                        {provider.calls}
                        {provider.errors > 0 && (
                          <Text span c="red" size="sm">
                            {' '}
                            ({provider.errors} failed)
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        {provider.avgLatencyMs === null
                          ? '—'
                          : `${provider.avgLatencyMs} / ${provider.maxLatencyMs} ms`}
                      </Table.Td>
                      <Table.Td maw={260} data-wrap>
                        <Text size="xs" c={provider.lastError ? 'red.8' : 'dimmed'} lineClamp={2}>
                          {provider.lastError ?? '—'}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Card>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Card withBorder>
              <Title order={4} mb="sm">
                Latency over the last 24 hours (ms)
              </Title>
              <BarChart
                h={220}
                data={stats.providers.map((provider) => ({
                  provider: provider.id,
                  Average: provider.avgLatencyMs ?? 0,
                  Slowest: provider.maxLatencyMs ?? 0,
                }))}
                dataKey="provider"
                withLegend
                series={[
                  { name: 'Average', color: 'indigo.6' },
                  { name: 'Slowest', color: 'orange.5' },
                ]}
              />
            </Card>
            <Card withBorder>
              <Title order={4} mb="sm">
                Margin per provider (7 days, {stats.currency})
              </Title>
              <BarChart
                h={220}
                data={stats.byProvider.map((bucket) => ({
                  provider: bucket.key,
                  Margin: chartNumber(bucket.margin),
                }))}
                dataKey="provider"
                withLegend
                series={[{ name: 'Margin', color: 'teal.6' }]}
              />
            </Card>
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
