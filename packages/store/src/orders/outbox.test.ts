import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../store.js';
import { freshDatabase, type TestDatabase } from '../testing/databases.js';
import type { EntityManager } from 'typeorm';
import { orderSnapshot, type OrderView } from './order-view.js';
import { insertOrderEvent } from './outbox.js';

/** Postgres runs event writers in parallel, and a sequence hands ids out at insert: these prove
 *  a tail still passes over nothing when a lower id commits after a higher one. (On SQLite one
 *  transaction runs at a time, so ids commit in order; store.test.ts covers both engines.) */
describe('the outbox on postgres, with concurrent writers', () => {
  let database: TestDatabase;
  let store: Store;
  let orders: OrderView[];

  /** One more event of `order` (its snapshot as it is), in `tx`. */
  const append = async (tx: EntityManager, order: OrderView) =>
    (
      await insertOrderEvent(
        tx,
        order,
        'ORDER_EXPIRED',
        { order: orderSnapshot(order) },
        new Date(),
      )
    ).id;

  beforeAll(async () => {
    database = await freshDatabase('postgres');
    store = await database.open();
    const { user } = await store.users.createUser({ name: 'outbox' });
    await store.users.creditWallet({ userId: user.id, amountMinor: 1000n, reference: 'seed' });
    orders = [];
    for (let i = 0; i < 2; i += 1) {
      const { order } = await store.orders.createPendingOrder({
        userId: user.id,
        service: 'telegram',
        country: 'RU',
        priceMinor: 10n,
        currency: 'IRT',
        ttlSeconds: 60,
      });
      orders.push(order);
    }
  });
  afterAll(async () => {
    await store?.close();
    await database?.cleanup();
  });

  it('a tail read waits for a writer that holds a lower id, then returns both events', async () => {
    const start = await store.orders.latestEventId();
    let inserted!: (id: string) => void;
    const lowerInserted = new Promise<string>((resolve) => (inserted = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Writer A takes the lower id and stays open.
    const writerA = store.db.transaction(async (tx) => {
      const id = await append(tx, orders[0]!);
      inserted(id);
      await released;
      return id;
    });
    const lower = await lowerInserted;
    // Writer B takes a higher id and commits first: it does not wait for A.
    const higher = await store.db.transaction((tx) => append(tx, orders[1]!));
    expect(BigInt(higher)).toBeGreaterThan(BigInt(lower));

    let settled = false;
    const read = store.orders.eventsAfter(start, 100).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Answering now could only say [higher]: a cursor moved there would skip `lower` for good.
    expect(settled).toBe(false);
    release();
    expect(await writerA).toBe(lower);
    expect((await read).map((event) => event.id)).toEqual([lower, higher]);
  });

  it('a tail following the outbox while writers race and some roll back sees each commit once', async () => {
    let cursor = await store.orders.latestEventId();
    const seen: string[] = [];
    const committed: string[] = [];
    let writing = true;
    const tail = (async () => {
      for (;;) {
        const stillWriting = writing;
        const batch = await store.orders.eventsAfter(cursor, 50);
        for (const event of batch) seen.push(event.id);
        if (batch.length > 0) cursor = batch.at(-1)!.id;
        else if (!stillWriting) return;
      }
    })();
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const write = store.db.transaction(async (tx) => {
          const id = await append(tx, orders[i % 2]!);
          // Hold some transactions open a little, so commits land out of id order.
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 30));
          if (i % 5 === 0) throw new Error('rolled back');
          return id;
        });
        try {
          committed.push(await write);
        } catch {
          // The rolled-back ones leave a gap in the ids: nothing to see there.
        }
      }),
    );
    writing = false;
    await tail;
    const byId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : 1);
    expect(seen).toEqual([...committed].sort(byId));
  });
});
