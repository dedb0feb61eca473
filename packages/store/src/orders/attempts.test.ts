import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../store.js';
import { DATABASE_KINDS, freshDatabase, type TestDatabase } from '../testing/databases.js';

/** The buy attempts the reconciler matches unowned upstream activations against. */
describe.each(DATABASE_KINDS)('open buy attempts on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;
  let userId: string;

  beforeAll(async () => {
    database = await freshDatabase(kind);
    store = await database.open();
    const { user } = await store.users.createUser({ name: 'attempts' });
    userId = user.id;
    await store.users.creditWallet({ userId, amountMinor: 10_000_000n, reference: 'seed' });
  });
  afterAll(async () => {
    await store?.close();
    await database?.cleanup();
  });

  async function pendingOrder(service: string, now: Date): Promise<string> {
    const { order } = await store.orders.createPendingOrder({
      userId,
      service,
      country: 'RU',
      providerId: 'first',
      priceMinor: 10n,
      currency: 'IRT',
      ttlSeconds: 600,
      now,
      reconcileAt: new Date(now.getTime() + 120_000),
    });
    return order.id;
  }

  it("records the first attempt in the order's own transaction when asked (buyStarted)", async () => {
    const t0 = new Date(Date.UTC(2031, 0, 2));
    const { order } = await store.orders.createPendingOrder({
      userId,
      service: 'signal',
      country: 'RU',
      operator: 'beeline',
      providerId: 'tx1-provider',
      priceMinor: 10n,
      currency: 'IRT',
      ttlSeconds: 600,
      now: t0,
      reconcileAt: new Date(t0.getTime() + 120_000),
      buyStarted: true,
    });
    expect(await store.orders.openBuyAttempts('tx1-provider', t0, 10)).toEqual([
      {
        orderId: order.id,
        orderStatus: 'PENDING',
        service: 'signal',
        country: 'RU',
        operator: 'beeline',
        startedAt: t0,
      },
    ]);
    // Without it, the order alone: the caller records its attempts (recordBuyAttempt).
    await pendingOrder('signal', t0);
    expect(await store.orders.openBuyAttempts('first', t0, 10)).toEqual([]);
  });

  it('lists each attempt whose order owns no activation, with what it asked and when', async () => {
    const t0 = new Date(Date.UTC(2031, 0, 1));
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    const stuck = await pendingOrder('telegram', t0);
    const bought = await pendingOrder('whatsapp', t0);
    const failedOver = await pendingOrder('viber', t0);

    await store.orders.recordBuyAttempt(stuck, 'sa', at(1), 'mts');
    await store.orders.recordBuyAttempt(bought, 'sa', at(2));
    await store.orders.applyOrderCommand(
      bought,
      { type: 'PURCHASED', phoneNumber: '+79001112233', upstreamRef: 'att-1' },
      { providerId: 'sa', now: at(3) },
    );
    // Failed over: its first attempt stays a candidate at the first provider (its buy may
    // have reached it), and the order now names the second.
    await store.orders.recordBuyAttempt(failedOver, 'sa', at(4));
    await store.orders.recordBuyAttempt(failedOver, 'shiz', at(5));
    await store.orders.recordAttempt({
      orderId: stuck,
      providerId: 'sa',
      operation: 'buy',
      outcome: 'ERROR',
      durationMs: 5,
      now: at(6),
    });

    const attempts = await store.orders.openBuyAttempts('sa', t0, 100);
    expect(attempts).toEqual([
      {
        orderId: failedOver,
        orderStatus: 'PENDING',
        service: 'viber',
        country: 'RU',
        operator: null,
        startedAt: at(4),
      },
      {
        orderId: stuck,
        orderStatus: 'PENDING',
        service: 'telegram',
        country: 'RU',
        operator: 'mts',
        startedAt: at(1),
      },
    ]);
    expect((await store.orders.findOrder(failedOver))?.providerId).toBe('shiz');
    expect(await store.orders.openBuyAttempts('sa', at(2), 100)).toHaveLength(1);
    expect(await store.orders.openBuyAttempts('shiz', t0, 100)).toHaveLength(1);
    // Newest first, at most `limit`.
    expect((await store.orders.openBuyAttempts('sa', t0, 1)).map((a) => a.orderId)).toEqual([
      failedOver,
    ]);
  });

  it('remembers when each orphan was first seen, across callers', async () => {
    const t0 = new Date(Date.UTC(2031, 1, 1));
    const later = new Date(t0.getTime() + 60_000);
    expect(await store.orders.orphanSightings('sa', ['o-1'], t0)).toEqual(new Map([['o-1', t0]]));
    expect(await store.orders.orphanSightings('sa', ['o-1', 'o-2'], later)).toEqual(
      new Map([
        ['o-1', t0],
        ['o-2', later],
      ]),
    );
    // Per provider.
    expect(await store.orders.orphanSightings('shiz', ['o-1'], later)).toEqual(
      new Map([['o-1', later]]),
    );
  });
});
