import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from './database.js';
import { listenForOrderEvents } from './order-event-listener.js';
import { Store } from './store.js';
import { freshDatabase, type TestDatabase } from './testing/databases.js';

describe('sqlite connection', () => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    db = await Database.open(database.url, database.options);
  });
  afterAll(async () => {
    await db?.close();
    await database?.cleanup();
  });

  it('runs in WAL mode with a busy timeout, foreign keys on, NORMAL sync and a 10,000-page checkpoint', async () => {
    const pragma = async (name: string) => {
      const rows = await db.dataSource.query<Array<Record<string, unknown>>>(`PRAGMA ${name}`);
      return Object.values(rows[0]!)[0];
    };
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('busy_timeout')).toBe(5000);
    expect(await pragma('foreign_keys')).toBe(1);
    // Commits that lose nothing when a process dies, and checkpoints every 10,000 pages.
    expect(await pragma('synchronous')).toBe(1);
    expect(await pragma('wal_autocheckpoint')).toBe(10000);
  });

  it('refuses a listener: LISTEN/NOTIFY is Postgres only', async () => {
    await expect(listenForOrderEvents(database.url, () => undefined)).rejects.toThrow(/Postgres/);
  });
});

describe('postgres order event notifications', () => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await freshDatabase('postgres');
    store = await Store.open(database.url, { ...database.options, currency: 'IRT' });
  });
  afterAll(async () => {
    await store?.close();
    await database?.cleanup();
  });

  it('wakes a listener with the last event id when an event commits', async () => {
    const woken: number[] = [];
    let wake: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (wake = resolve));
    const listener = await listenForOrderEvents(database.url, (id) => {
      woken.push(id);
      wake();
    });
    try {
      const { user } = await store.users.createUser({ name: 'n' });
      await store.users.creditWallet({ userId: user.id, amountMinor: 10n, reference: 'r' });
      await store.orders.createPendingOrder({
        userId: user.id,
        service: 'telegram',
        country: 'RU',
        priceMinor: 10n,
        currency: 'IRT',
        ttlSeconds: 60,
      });
      await first;
      expect(woken).toEqual([Number(await store.orders.latestEventId())]);
    } finally {
      await listener.close();
    }
  });
});
