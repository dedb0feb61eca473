import { Money, type OrderCommand } from '@numbroker/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startOfUtcDay, utcDayKey } from './admin-stats-store.js';
import type { Store } from './store.js';
import { DATABASE_KINDS } from './testing/databases.js';
import { purchasedCommand, useFreshStore } from './test-support/fresh-store.js';

const DAY1 = new Date('2026-03-01T10:00:00.000Z');
const DAY2 = new Date('2026-03-02T23:59:59.000Z');

describe.each(DATABASE_KINDS)('admin stats on %s', (kind) => {
  let store: Store;
  useFreshStore(kind, (opened) => {
    store = opened;
  });
  let userId: string;

  beforeAll(async () => {
    const { user } = await store.users.createUser({ name: 'stats' });
    userId = user.id;
    await store.users.creditWallet({ userId, amountMinor: 100_000n, reference: 'seed' });

    // Day 1, provider "shiz", telegram: one sold (code), one refunded report, one expired.
    await order({ now: DAY1, price: 1000n, cost: 700n, then: [{ type: 'CODE_RECEIVED' }] });
    await order({
      now: DAY1,
      price: 2000n,
      cost: 1500n,
      then: [{ type: 'CODE_RECEIVED' }, { type: 'REPORT', upstreamRefunded: true }],
    });
    await order({ now: DAY1, price: 1000n, cost: 700n, then: [{ type: 'EXPIRE' }] });
    // Day 2, provider "man" (costs in RUB), whatsapp: one completed, one still waiting.
    await order({
      now: DAY2,
      provider: 'man',
      service: 'whatsapp',
      price: 3000n,
      cost: 150n,
      costCurrency: 'RUB',
      then: [{ type: 'CODE_RECEIVED' }, { type: 'FINISH' }],
    });
    await order({
      now: DAY2,
      provider: 'man',
      service: 'whatsapp',
      price: 500n,
      cost: 20n,
      costCurrency: 'RUB',
      then: [],
    });
  });

  async function order(input: {
    now: Date;
    provider?: string;
    service?: string;
    price: bigint;
    cost: bigint;
    costCurrency?: string;
    then: OrderCommand[];
  }) {
    const { order } = await store.orders.createPendingOrder({
      userId,
      service: input.service ?? 'telegram',
      country: 'RU',
      providerId: input.provider ?? 'shiz',
      priceMinor: input.price,
      currency: 'IRT',
      costMinor: input.cost,
      costCurrency: input.costCurrency ?? 'IRT',
      ttlSeconds: 1200,
      now: input.now,
    });
    await store.orders.applyOrderCommand(order.id, purchasedCommand(), { now: input.now });
    for (const command of input.then) {
      await store.orders.applyOrderCommand(order.id, command, {
        now: input.now,
        ...(command.type === 'CODE_RECEIVED' ? { sms: { code: '1234', text: 'code 1234' } } : {}),
      });
    }
  }

  it('groups orders by UTC day, provider, service and cost currency, counting only what was kept', async () => {
    const rows = await store.stats.orderSales(startOfUtcDay(DAY1));
    const byKey = Object.fromEntries(
      rows.map((row) => [`${utcDayKey(row.day)}/${row.providerId}/${row.service}`, row]),
    );
    expect(Object.keys(byKey).sort()).toEqual([
      '2026-03-01/shiz/telegram',
      '2026-03-02/man/whatsapp',
    ]);
    // The refunded report is neither revenue nor cost; the expired order is neither.
    expect(byKey['2026-03-01/shiz/telegram']).toMatchObject({
      costCurrency: 'IRT',
      orders: 3,
      sold: 1,
      withCode: 2,
      withoutCode: 1,
      revenueMinor: 1000n,
      costMinor: 700n,
    });
    // 23:59:59 belongs to its own day; an open order counts as an order, not a sale.
    expect(byKey['2026-03-02/man/whatsapp']).toMatchObject({
      costCurrency: 'RUB',
      orders: 2,
      sold: 1,
      withCode: 1,
      withoutCode: 0,
      revenueMinor: 3000n,
      costMinor: 150n,
    });
    expect(await store.stats.orderSales(startOfUtcDay(DAY2))).toHaveLength(1);
  });

  it('counts statuses since a moment, and adds up the wallets', async () => {
    const today = await store.stats.ordersByStatus(startOfUtcDay(DAY2));
    expect(Object.fromEntries(today)).toEqual({ COMPLETED: 1, ACTIVE: 1 });
    const all = await store.stats.ordersByStatus(startOfUtcDay(DAY1));
    expect(Object.fromEntries(all)).toMatchObject({ CODE_RECEIVED: 1, REPORTED: 1, EXPIRED: 1 });

    // 100000 credited; 1000 + 3000 captured; 2000 captured then refunded; 500 held.
    expect(await store.stats.walletTotals('IRT')).toEqual({
      availableMinor: 100_000n - 1000n - 3000n - 500n,
      heldMinor: 500n,
      wallets: 1,
    });
    expect(await store.stats.walletTotals('USD')).toEqual({
      availableMinor: 0n,
      heldMinor: 0n,
      wallets: 0,
    });
  });

  it('sums upstream calls with their errors and latency, and finds the cheapest offer in stock', async () => {
    const since = new Date('2026-04-01T00:00:00.000Z');
    await store.orders.recordAttempts([
      { providerId: 'shiz', operation: 'buy', outcome: 'OK', durationMs: 100, now: since },
      { providerId: 'shiz', operation: 'status', outcome: 'ERROR', durationMs: 300, now: since },
      { providerId: 'man', operation: 'buy', outcome: 'OK', durationMs: 50, now: since },
      { providerId: 'man', operation: 'buy', outcome: 'OK', durationMs: 5, now: new Date(0) },
    ]);
    expect(await store.stats.upstreamCalls(since)).toEqual([
      { providerId: 'man', calls: 1, errors: 0, avgDurationMs: 50, maxDurationMs: 50 },
      { providerId: 'shiz', calls: 2, errors: 1, avgDurationMs: 200, maxDurationMs: 300 },
    ]);

    await store.offers.replaceProviderOffers('shiz', [
      { service: 'telegram', country: 'RU', cost: Money.ofMinor(900n, 'IRT'), stock: 3, ref: 'x' },
      { service: 'telegram', country: 'KZ', cost: Money.ofMinor(400n, 'IRT'), stock: 0, ref: 'y' },
      { service: 'whatsapp', country: 'RU', cost: Money.ofMinor(600n, 'IRT'), stock: 1, ref: 'z' },
    ]);
    expect(await store.stats.minOfferCosts()).toEqual([
      { providerId: 'shiz', costCurrency: 'IRT', minCostMinor: 600n },
    ]);
  });
});
