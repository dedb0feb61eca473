import { Money } from '@numbroker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lowBalanceReason } from '../use-cases/admin-stats.js';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import {
  ADMIN_KEY,
  startTestServer,
  subscribe,
  type TestServer,
} from '../test-support/test-server.js';

const BUY = `mutation { buyNumber(input: { service: "telegram", country: "RU" }) { id price { amount } } }`;
const STATS = `query($days: Int) { adminStats(days: $days) {
  days currency since
  ordersByStatusToday { status count }
  today { key orders sold revenue { amount currency } upstreamCost { amount } margin { amount } codeRate }
  total { orders sold revenue { amount } margin { amount } unconvertedCosts }
  moneyHeld { amount currency } customerBalances { amount }
  daily { key orders margin { amount } }
  byProvider { key orders sold revenue { amount } margin { amount } codeRate }
  byService { key orders }
  providers { id kind healthy breakerOpen breakerOpenUntil consecutiveFailures balance { amount currency }
    lowBalance cheapestOffer { amount } activeOrders calls errors avgLatencyMs maxLatencyMs codeRate lastError }
} }`;

type Stats = {
  adminStats: {
    days: number;
    ordersByStatusToday: Array<{ status: string; count: number }>;
    today: Record<string, unknown>;
    total: Record<string, unknown>;
    moneyHeld: { amount: string; currency: string };
    customerBalances: { amount: string };
    daily: Array<{ key: string; orders: number; margin: { amount: string } }>;
    byProvider: Array<Record<string, unknown>>;
    byService: Array<{ key: string; orders: number }>;
    providers: Array<Record<string, unknown>>;
  };
};

describe('adminStats', () => {
  let t: TestServer;
  let user: { id: string; apiKey: string };
  beforeEach(async () => {
    t = await startTestServer({ adapters: [new ScriptedAdapter('alpha')] });
    await t.stockOffers('alpha', [{ service: 'telegram', country: 'RU', cost: '1000' }]);
    user = await t.createFundedUser('shop', '10000');
  });
  afterEach(async () => {
    await t?.close();
  });

  async function buy(): Promise<string> {
    const bought = await t.request<{ buyNumber: { id: string } }>(BUY, {}, user.apiKey);
    return bought.data!.buyNumber.id;
  }

  it('is for the admin key only', async () => {
    const denied = await t.request(STATS, {}, user.apiKey);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await t.request(STATS, { days: 0 });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('counts today, revenue, margin and money held from real orders', async () => {
    // 1000 IRT upstream +10% → 1100. One order gets its code, one stays open, one is cancelled.
    const sold = await buy();
    await t.store.orders.applyOrderCommand(
      sold,
      { type: 'CODE_RECEIVED' },
      { sms: { code: '111', text: 'code 111' } },
    );
    await buy();
    const cancelled = await buy();
    await t.request(`mutation { cancelOrder(id: "${cancelled}") { id } }`, {}, user.apiKey);
    await t.store.providers.setBalance('alpha', Money.parse('50000', 'IRT'));
    await t.server.deps.store.flush();

    const result = await t.request<Stats>(STATS, { days: 7 });
    expect(result.errors).toBeUndefined();
    const stats = result.data!.adminStats;
    expect(stats.days).toBe(7);
    expect(Object.fromEntries(stats.ordersByStatusToday.map((s) => [s.status, s.count]))).toEqual({
      PENDING: 0,
      ACTIVE: 1,
      CODE_RECEIVED: 1,
      COMPLETED: 0,
      CANCELLED: 1,
      EXPIRED: 0,
      FAILED: 0,
      REPORTED: 0,
    });
    expect(stats.today).toMatchObject({
      orders: 3,
      sold: 1,
      revenue: { amount: '1100', currency: 'IRT' },
      upstreamCost: { amount: '1000' },
      margin: { amount: '100' },
      codeRate: 0.5,
    });
    expect(stats.total).toMatchObject({ orders: 3, sold: 1, unconvertedCosts: 0 });
    expect(stats.moneyHeld).toEqual({ amount: '1100', currency: 'IRT' });
    expect(stats.customerBalances).toEqual({ amount: String(10000 - 1100 - 1100) });
    expect(stats.daily).toHaveLength(7);
    expect(stats.daily.at(-1)).toMatchObject({ orders: 3, margin: { amount: '100' } });
    expect(stats.daily.slice(0, 6).every((day) => day.orders === 0)).toBe(true);
    expect(stats.byProvider).toEqual([
      {
        key: 'alpha',
        orders: 3,
        sold: 1,
        revenue: { amount: '1100' },
        margin: { amount: '100' },
        codeRate: 0.5,
      },
    ]);
    expect(stats.byService).toEqual([{ key: 'telegram', orders: 3 }]);
    const [alpha] = stats.providers;
    expect(alpha).toMatchObject({
      id: 'alpha',
      healthy: true,
      breakerOpen: false,
      balance: { amount: '50000', currency: 'IRT' },
      lowBalance: null,
      cheapestOffer: { amount: '1000' },
      activeOrders: 2, // ACTIVE and CODE_RECEIVED are open
      codeRate: 0.5,
    });
    expect(alpha!.calls).toBeGreaterThanOrEqual(3);
  });

  it('raises the balance alarm and shows an open breaker', async () => {
    await t.store.providers.setBalance('alpha', Money.parse('999', 'IRT'));
    for (let i = 0; i < 5; i += 1) {
      await t.store.providers.recordFailure('alpha', 'UPSTREAM_ERROR: 502');
    }
    const result = await t.request<Stats>(STATS);
    const [alpha] = result.data!.adminStats.providers;
    expect(alpha).toMatchObject({
      healthy: false,
      breakerOpen: true,
      consecutiveFailures: 5,
      lastError: 'UPSTREAM_ERROR: 502',
      lowBalance: 'below the cheapest offer in stock (1000 IRT)',
    });
    expect(Date.parse(String(alpha!.breakerOpenUntil))).toBeGreaterThan(Date.now());
  });

  it('names every reason for a low balance, and none for a healthy or unknown one', () => {
    const irt = (amount: string) => Money.parse(amount, 'IRT');
    expect(lowBalanceReason(null, irt('10'), irt('10'))).toBeNull();
    expect(lowBalanceReason(irt('0'), null, null)).toMatch(/used up/);
    expect(lowBalanceReason(irt('5'), irt('10'), null)).toMatch(/cheapest offer/);
    expect(lowBalanceReason(irt('50'), irt('10'), irt('60'))).toMatch(/one day of sales/);
    expect(lowBalanceReason(irt('100'), irt('10'), irt('60'))).toBeNull();
  });

  it("streams every user's order events to the admin key, and only their own to a user", async () => {
    const other = await t.createFundedUser('other', '10000');
    const UPDATES = `subscription { orderUpdated { type order { id status } } }`;
    type Update = { orderUpdated: { type: string; order: { id: string; status: string } } };
    const own = subscribe<Update>(t.wsClient(other.apiKey), UPDATES);
    const adminStream = subscribe<Update>(t.wsClient(ADMIN_KEY), UPDATES);
    await waitFor(
      async () => ((await t.server.metrics.openSubscriptions.get()).values[0]?.value ?? 0) >= 2,
    );

    const orderId = await buy();
    expect((await adminStream.next()).data?.orderUpdated.order.id).toBe(orderId);
    // The other user's first event is its own order: it never heard of the first one.
    const bought = await t.request<{ buyNumber: { id: string } }>(BUY, {}, other.apiKey);
    const otherOrderId = bought.data!.buyNumber.id;
    expect((await own.next()).data?.orderUpdated.order.id).toBe(otherOrderId);
    let seen = (await adminStream.next()).data?.orderUpdated.order.id;
    while (seen === orderId) seen = (await adminStream.next()).data?.orderUpdated.order.id;
    expect(seen).toBe(otherOrderId);
    own.stop();
    adminStream.stop();
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
