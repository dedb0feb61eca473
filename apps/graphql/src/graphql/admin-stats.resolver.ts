import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import {
  adminStats,
  DEFAULT_STATS_DAYS,
  MAX_STATS_DAYS,
  type ProviderHealth,
  type SalesBucket,
} from '../use-cases/admin-stats.js';
import {
  AdminStatsType,
  OrderStatusCountType,
  ProviderHealthType,
  SalesBucketType,
} from './admin-stats.type.js';
import { requireAdmin, type GraphQLContext } from './context.js';
import { MoneyType } from './money.type.js';
import type { OrderStatusEnum } from './order-status.enum.js';

const money = (value: Parameters<typeof MoneyType.from>[0] | null) =>
  value ? MoneyType.from(value) : null;

function toBucket(bucket: SalesBucket): SalesBucketType {
  return Object.assign(new SalesBucketType(), {
    ...bucket,
    revenue: MoneyType.from(bucket.revenue),
    upstreamCost: MoneyType.from(bucket.upstreamCost),
    margin: MoneyType.from(bucket.margin),
  });
}

function toProviderHealth(provider: ProviderHealth): ProviderHealthType {
  return Object.assign(new ProviderHealthType(), {
    ...provider,
    breakerOpenUntil: provider.breakerOpenUntil?.toISOString() ?? null,
    balance: money(provider.balance),
    balanceUpdatedAt: provider.balanceUpdatedAt?.toISOString() ?? null,
    cheapestOffer: money(provider.cheapestOffer),
    dailySpend: money(provider.dailySpend),
  });
}

@Resolver()
export class AdminStatsResolver {
  @Query(() => AdminStatsType, {
    description:
      "Admin: the dashboard's numbers — orders by status today, revenue and margin per day, provider and service, money held, and each provider's breaker, balance alarm, code rate and latency.",
  })
  async adminStats(
    @Ctx() context: GraphQLContext,
    @Arg('days', () => Int, {
      nullable: true,
      description: `UTC days to count, today included: 1 to ${MAX_STATS_DAYS} (default ${DEFAULT_STATS_DAYS}).`,
    })
    days?: number | null,
  ): Promise<AdminStatsType> {
    requireAdmin(context);
    const stats = await adminStats(context.deps, days ?? DEFAULT_STATS_DAYS);
    return Object.assign(new AdminStatsType(), {
      since: stats.since.toISOString(),
      days: stats.days,
      currency: stats.currency,
      ordersByStatusToday: stats.ordersByStatusToday.map((entry) =>
        Object.assign(new OrderStatusCountType(), {
          status: entry.status as OrderStatusEnum,
          count: entry.count,
        }),
      ),
      today: toBucket(stats.today),
      total: toBucket(stats.total),
      moneyHeld: MoneyType.from(stats.moneyHeld),
      customerBalances: MoneyType.from(stats.customerBalances),
      daily: stats.daily.map(toBucket),
      byProvider: stats.byProvider.map(toBucket),
      byService: stats.byService.map(toBucket),
      providers: stats.providers.map(toProviderHealth),
    });
  }
}
