import type { OrderCommand } from '@numbroker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../store.js';
import { DATABASE_KINDS, freshDatabase, type TestDatabase } from '../testing/databases.js';
import { leaseCount, schedulingOf } from '../testing/inspect.js';
import type { OrderView } from './order-view.js';

const LEASE_MS = 30_000;
const INTERVAL_MS = 2000;
// A fresh upstream activation per purchase: (provider, ref) is unique.
let refs = 0;
const purchased = (): OrderCommand => ({
  type: 'PURCHASED',
  phoneNumber: '+79001234567',
  upstreamRef: `act-lease-${++refs}`,
});

/** The worker's policy in miniature: a waiting order's next check one interval on. */
const everyInterval = (order: OrderView, now: Date) =>
  order.status === 'PENDING' ? undefined : new Date(now.getTime() + INTERVAL_MS);

/** The one suite for the claim, reschedule and releaseLeases, on both engines. Every test
 *  works in a time window of its own, before the others', so their orders are never due in it. */
describe.each(DATABASE_KINDS)('order leases on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;
  let userId: string;
  let window = 0;

  beforeAll(async () => {
    database = await freshDatabase(kind);
    store = await database.open();
    const { user } = await store.users.createUser({ name: 'leases' });
    userId = user.id;
    await store.users.creditWallet({ userId, amountMinor: 10_000_000n, reference: 'seed' });
  });
  afterAll(async () => {
    await store?.close();
    await database?.cleanup();
  });

  /** A start time ten years before the previous test's: what earlier tests left behind is
   *  due only later. */
  function freshWindow(): Date {
    window += 1;
    return new Date(Date.UTC(2500 - window * 10, 0, 1));
  }

  /** An ACTIVE order due at `due`. */
  async function activeOrder(due: Date, ttlSeconds = 3600): Promise<string> {
    const { order } = await store.orders.createPendingOrder({
      userId,
      service: 'telegram',
      country: 'RU',
      providerId: 'lease-p',
      priceMinor: 10n,
      currency: 'IRT',
      ttlSeconds,
      now: due,
      reconcileAt: due,
    });
    await store.orders.applyOrderCommand(order.id, purchased(), { now: due, nextPollAt: due });
    return order.id;
  }

  const ids = (claimed: { order: OrderView }[]) => claimed.map((claim) => claim.order.id);

  it('a plain lease keeps every other worker out until it lapses', async () => {
    const due = freshWindow();
    const id = await activeOrder(due);
    // Claimed a moment after its check was due (at exactly that moment a plain lease would
    // look like a scheduled one, which its holder may take again: harmless, as the holder
    // reschedules every plain lease it took).
    const t = new Date(due.getTime() + 5);
    const a = await store.orders.claimDueOrders('a', { now: t, limit: 10, leaseMs: LEASE_MS });
    expect(ids(a)).toEqual([id]);
    expect(a[0]).toMatchObject({
      scheduledAt: null,
      order: { status: 'ACTIVE', upstreamRef: expect.stringMatching(/^act-lease-/) },
    });
    expect(await schedulingOf(store, id)).toEqual({
      nextPollAt: due,
      leaseOwner: 'a',
      leaseUntil: new Date(t.getTime() + LEASE_MS),
      pollCount: 1,
    });
    const justBefore = new Date(t.getTime() + LEASE_MS - 1);
    expect(
      ids(
        await store.orders.claimDueOrders('b', { now: justBefore, limit: 10, leaseMs: LEASE_MS }),
      ),
    ).toEqual([]);
    // Not even its holder takes a plain lease early.
    expect(
      ids(
        await store.orders.claimDueOrders('a', { now: justBefore, limit: 10, leaseMs: LEASE_MS }),
      ),
    ).toEqual([]);
    const lapsed = new Date(t.getTime() + LEASE_MS);
    expect(
      ids(await store.orders.claimDueOrders('b', { now: lapsed, limit: 10, leaseMs: LEASE_MS })),
    ).toEqual([id]);
    // The old holder's reschedule touches an order that is not its own any more: nothing.
    expect(await store.orders.reschedule('a', [{ id, nextPollAt: lapsed }])).toBe(0);
    const next = new Date(lapsed.getTime() + INTERVAL_MS);
    expect(await store.orders.reschedule('b', [{ id, nextPollAt: next }])).toBe(1);
    expect(await schedulingOf(store, id)).toEqual({
      nextPollAt: next,
      leaseOwner: null,
      leaseUntil: null,
      pollCount: 2,
    });
    expect(
      ids(await store.orders.claimDueOrders('c', { now: lapsed, limit: 10, leaseMs: LEASE_MS })),
    ).toEqual([]);
    expect(
      ids(await store.orders.claimDueOrders('c', { now: next, limit: 10, leaseMs: LEASE_MS })),
    ).toEqual([id]);
  });

  it('claiming is scheduling: the holder takes the order again at the check it wrote, others a lease later', async () => {
    const t = freshWindow();
    const id = await activeOrder(t);
    const claim = (worker: string, now: Date, dueBy = now) =>
      store.orders.claimDueOrders(worker, {
        now,
        dueBy,
        limit: 10,
        leaseMs: LEASE_MS,
        scheduleAt: everyInterval,
      });
    const first = await claim('a', t);
    const next = new Date(t.getTime() + INTERVAL_MS);
    expect(first).toEqual([expect.objectContaining({ scheduledAt: next })]);
    expect(await schedulingOf(store, id)).toMatchObject({
      nextPollAt: next,
      leaseOwner: 'a',
      leaseUntil: new Date(next.getTime() + LEASE_MS),
    });
    // At the next check (a little early, within dueBy) the holder has it again …
    const early = new Date(next.getTime() - 100);
    expect(ids(await claim('b', early, next))).toEqual([]);
    expect(ids(await claim('a', early, next))).toEqual([id]);
    // … and another worker only once the lease after that check lapsed.
    const second = new Date(next.getTime() + INTERVAL_MS - 100 + INTERVAL_MS);
    expect(ids(await claim('b', second))).toEqual([]);
    const lapse = (await schedulingOf(store, id)).leaseUntil!;
    expect(ids(await claim('b', lapse))).toEqual([id]);
  });

  it('reschedule leaves an order that ended meanwhile alone', async () => {
    const t = freshWindow();
    const id = await activeOrder(t);
    await store.orders.claimDueOrders('a', { now: t, limit: 10, leaseMs: LEASE_MS });
    await store.orders.applyOrderCommand(id, { type: 'CANCEL' }, { now: t });
    expect(
      await store.orders.reschedule('a', [{ id, nextPollAt: new Date(t.getTime() + 1) }]),
    ).toBe(0);
    expect(await schedulingOf(store, id)).toMatchObject({ nextPollAt: null, leaseOwner: null });
  });

  it('claims in next-check order, up to the limit, and releaseLeases hands them back', async () => {
    const t = freshWindow();
    const later = await activeOrder(new Date(t.getTime() + 10));
    const sooner = await activeOrder(t);
    const third = await activeOrder(new Date(t.getTime() + 20));
    const now = new Date(t.getTime() + 100);
    const claimed = await store.orders.claimDueOrders('a', { now, limit: 2, leaseMs: LEASE_MS });
    expect(ids(claimed)).toEqual([sooner, later]);
    expect(await leaseCount(store, 'a')).toBe(2);
    expect(await store.orders.releaseLeases('a')).toBe(2);
    expect(await leaseCount(store, 'a')).toBe(0);
    expect(
      ids(await store.orders.claimDueOrders('b', { now, limit: 10, leaseMs: LEASE_MS })),
    ).toEqual([sooner, later, third]);
  });

  it('concurrent claims never hand one order to two workers', async () => {
    const t = freshWindow();
    const orders: string[] = [];
    for (let i = 0; i < 30; i += 1) orders.push(await activeOrder(t));
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, w) =>
        store.orders.claimDueOrders(`w${w}`, {
          now: t,
          limit: 10,
          leaseMs: LEASE_MS,
          scheduleAt: everyInterval,
        }),
      ),
    );
    const claimed = claims.flatMap(ids);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual([...orders].sort());
  });
});
