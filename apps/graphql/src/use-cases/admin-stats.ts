import { convertMoney, Money, ORDER_STATUSES, type OrderStatus } from '@numbroker/core';
import { startOfUtcDay, utcDayKey, type OrderSalesRow } from '@numbroker/store';
import { badUserInput } from '../errors/api-error.js';
import type { AppDeps } from '../services/app-deps.js';

const DAY_MS = 86_400_000;
export const MAX_STATS_DAYS = 90;
export const DEFAULT_STATS_DAYS = 14;

/** Orders and money of one day, provider or service. */
export interface SalesBucket {
  key: string;
  orders: number;
  sold: number;
  revenue: Money;
  /** The sold orders' upstream cost, in the platform currency. */
  upstreamCost: Money;
  margin: Money;
  /** Sold orders whose cost currency has no exchange rate: left out of cost and margin. */
  unconvertedCosts: number;
  /** Of the orders that ended with or without a code, the share with one; null when none did. */
  codeRate: number | null;
}

export interface ProviderHealth {
  id: string;
  kind: string;
  /** Usable for routing now (healthy, or its breaker's time is up). */
  healthy: boolean;
  breakerOpen: boolean;
  breakerOpenUntil: Date | null;
  consecutiveFailures: number;
  balance: Money | null;
  balanceUpdatedAt: Date | null;
  /** Why the balance is an alarm, or null when it is not (or unknown). */
  lowBalance: string | null;
  /** The cheapest offer in stock, in the provider's currency. */
  cheapestOffer: Money | null;
  /** The average daily upstream cost over the window, in the provider's currency. */
  dailySpend: Money | null;
  activeOrders: number;
  calls: number;
  errors: number;
  avgLatencyMs: number | null;
  maxLatencyMs: number | null;
  codeRate: number | null;
  lastError: string | null;
}

export interface AdminStats {
  since: Date;
  days: number;
  currency: string;
  ordersByStatusToday: Array<{ status: OrderStatus; count: number }>;
  today: SalesBucket;
  total: SalesBucket;
  moneyHeld: Money;
  customerBalances: Money;
  daily: SalesBucket[];
  byProvider: SalesBucket[];
  byService: SalesBucket[];
  providers: ProviderHealth[];
}

class BucketSum {
  orders = 0;
  sold = 0;
  withCode = 0;
  withoutCode = 0;
  unconvertedCosts = 0;
  revenue: Money;
  cost: Money;

  constructor(currency: string) {
    this.revenue = Money.zero(currency);
    this.cost = Money.zero(currency);
  }

  add(row: OrderSalesRow, cost: Money | null): void {
    this.orders += row.orders;
    this.sold += row.sold;
    this.withCode += row.withCode;
    this.withoutCode += row.withoutCode;
    this.revenue = this.revenue.plus(Money.ofMinor(row.revenueMinor, this.revenue.currency));
    if (cost) this.cost = this.cost.plus(cost);
    else if (row.costMinor > 0n) this.unconvertedCosts += row.sold;
  }

  toBucket(key: string): SalesBucket {
    const ended = this.withCode + this.withoutCode;
    return {
      key,
      orders: this.orders,
      sold: this.sold,
      revenue: this.revenue,
      upstreamCost: this.cost,
      margin: this.revenue.minus(this.cost),
      unconvertedCosts: this.unconvertedCosts,
      codeRate: ended === 0 ? null : this.withCode / ended,
    };
  }
}

function sumBy(
  rows: readonly OrderSalesRow[],
  costs: readonly (Money | null)[],
  keyOf: (row: OrderSalesRow) => string,
  currency: string,
  keys: readonly string[] = [],
): Map<string, BucketSum> {
  const sums = new Map<string, BucketSum>(keys.map((key) => [key, new BucketSum(currency)]));
  rows.forEach((row, index) => {
    const key = keyOf(row);
    let sum = sums.get(key);
    if (!sum) sums.set(key, (sum = new BucketSum(currency)));
    sum.add(row, costs[index] ?? null);
  });
  return sums;
}

/** The dashboard's numbers for the last `days` UTC days (today included): sales, margins,
 *  money held, and each configured provider's health and balance alarm. */
export async function adminStats(deps: AppDeps, days = DEFAULT_STATS_DAYS): Promise<AdminStats> {
  if (!Number.isInteger(days) || days < 1 || days > MAX_STATS_DAYS) {
    throw badUserInput(`"days" must be 1 to ${MAX_STATS_DAYS}; got ${days}`);
  }
  const { config, store } = deps;
  const currency = config.currency;
  const now = deps.now();
  const today = startOfUtcDay(now);
  const since = new Date(today.getTime() - (days - 1) * DAY_MS);
  const dayHorizon = new Date(now.getTime() - DAY_MS);
  const [rows, statusesToday, wallets, calls, minCosts, breakers, open] = await Promise.all([
    store.stats.orderSales(since),
    store.stats.ordersByStatus(today),
    store.stats.walletTotals(currency),
    store.stats.upstreamCalls(dayHorizon),
    store.stats.minOfferCosts(),
    store.stats.breakers(),
    store.countOpenOrdersByProvider(),
  ]);

  // Each group's cost in the platform currency, or null where there is no rate for it.
  const costs = rows.map((row) => {
    if (row.costMinor === 0n) return Money.zero(currency);
    try {
      return convertMoney(
        Money.ofMinor(row.costMinor, row.costCurrency ?? currency),
        currency,
        config.exchangeRates,
      );
    } catch {
      return null;
    }
  });
  const dayKeys = Array.from({ length: days }, (_, index) =>
    utcDayKey(since.getTime() / DAY_MS + index),
  );
  const daily = sumBy(rows, costs, (row) => utcDayKey(row.day), currency, dayKeys);
  const byProvider = sumBy(rows, costs, (row) => row.providerId ?? '(none)', currency);
  const byService = sumBy(rows, costs, (row) => row.service, currency);
  const total = sumBy(rows, costs, () => 'total', currency, ['total']);
  const toBuckets = (sums: Map<string, BucketSum>) =>
    [...sums].map(([key, sum]) => sum.toBucket(key));
  const byRevenue = (a: SalesBucket, b: SalesBucket) =>
    b.revenue.compare(a.revenue) || b.orders - a.orders || a.key.localeCompare(b.key);

  const breakerOf = new Map(breakers.map((breaker) => [breaker.providerId, breaker]));
  const callsOf = new Map(calls.map((call) => [call.providerId, call]));
  const providers = config.providers.map((account): ProviderHealth => {
    const breaker = breakerOf.get(account.id);
    const call = callsOf.get(account.id);
    const balance =
      breaker?.balanceMinor != null && breaker.balanceCurrency
        ? Money.ofMinor(breaker.balanceMinor, breaker.balanceCurrency)
        : null;
    const breakerOpen =
      breaker !== undefined &&
      !breaker.healthy &&
      breaker.breakerOpenUntil !== null &&
      breaker.breakerOpenUntil.getTime() > now.getTime();
    const cheapestMinor = minCosts
      .filter((cost) => cost.providerId === account.id && cost.costCurrency === balance?.currency)
      .map((cost) => cost.minCostMinor)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0];
    const cheapestOffer =
      balance && cheapestMinor !== undefined
        ? Money.ofMinor(cheapestMinor, balance.currency)
        : null;
    // What the window's sold orders cost at this provider, in its own currency, per day.
    const spentMinor = rows
      .filter((row) => row.providerId === account.id && row.costCurrency === balance?.currency)
      .reduce((sum, row) => sum + row.costMinor, 0n);
    const dailySpend =
      balance && spentMinor > 0n
        ? Money.ofMinor((spentMinor + BigInt(days) - 1n) / BigInt(days), balance.currency)
        : null;
    const providerSales = byProvider.get(account.id)?.toBucket(account.id);
    return {
      id: account.id,
      kind: account.kind,
      healthy: !breakerOpen,
      breakerOpen,
      breakerOpenUntil: breakerOpen ? (breaker?.breakerOpenUntil ?? null) : null,
      consecutiveFailures: breaker?.consecutiveFailures ?? 0,
      balance,
      balanceUpdatedAt: balance ? (breaker?.updatedAt ?? null) : null,
      lowBalance: lowBalanceReason(balance, cheapestOffer, dailySpend),
      cheapestOffer,
      dailySpend,
      activeOrders: open.get(account.id) ?? 0,
      calls: call?.calls ?? 0,
      errors: call?.errors ?? 0,
      avgLatencyMs: call ? call.avgDurationMs : null,
      maxLatencyMs: call ? call.maxDurationMs : null,
      codeRate: providerSales?.codeRate ?? null,
      lastError: breaker?.lastError ?? null,
    };
  });

  const todayKey = utcDayKey(today.getTime() / DAY_MS);
  return {
    since,
    days,
    currency,
    ordersByStatusToday: ORDER_STATUSES.map((status) => ({
      status,
      count: statusesToday.get(status) ?? 0,
    })),
    today: (daily.get(todayKey) ?? new BucketSum(currency)).toBucket(todayKey),
    total: (total.get('total') ?? new BucketSum(currency)).toBucket('total'),
    moneyHeld: Money.ofMinor(wallets.heldMinor, currency),
    customerBalances: Money.ofMinor(wallets.availableMinor, currency),
    daily: toBuckets(daily),
    byProvider: toBuckets(byProvider).sort(byRevenue),
    byService: toBuckets(byService).sort(byRevenue),
    providers,
  };
}

/** The operator's first alarm: an upstream account that cannot (or soon cannot) pay. */
export function lowBalanceReason(
  balance: Money | null,
  cheapestOffer: Money | null,
  dailySpend: Money | null,
): string | null {
  if (!balance) return null;
  if (balance.minor <= 0n) return 'the balance is used up: this provider can sell nothing';
  if (cheapestOffer && balance.compare(cheapestOffer) < 0) {
    return `below the cheapest offer in stock (${cheapestOffer.format()} ${cheapestOffer.currency})`;
  }
  if (dailySpend && balance.compare(dailySpend) < 0) {
    return `less than one day of sales at the recent rate (${dailySpend.format()} ${dailySpend.currency} a day)`;
  }
  return null;
}
