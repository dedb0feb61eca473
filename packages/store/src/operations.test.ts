import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, BackupRefused } from './backup.js';
import { checkDatabaseHealth } from './database-health.js';
import { sql } from './database.js';
import { MigrationsPending, pendingMigrations } from './migrate.js';
import { ActivationIds1767200000000, MIGRATIONS } from './migrations/index.js';
import { openStore } from './open-store.js';
import { pruneHistory } from './retention.js';
import { Store } from './store.js';
import { DATABASE_KINDS, freshDatabase, type TestDatabase } from './testing/databases.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;

describe.each(DATABASE_KINDS)('operating the store on %s', (kind) => {
  let database: TestDatabase;
  const stores: Store[] = [];
  afterEach(async () => {
    while (stores.length > 0) await stores.pop()?.close();
    await database?.cleanup();
  });

  async function open(options: { migrationsRun?: boolean } = {}): Promise<Store> {
    const store = await Store.open(database.url, {
      ...database.options,
      ...options,
      currency: 'IRT',
    });
    stores.push(store);
    return store;
  }

  async function order(store: Store, userId: string, now: Date) {
    const { order: created } = await store.orders.createPendingOrder({
      userId,
      service: 'telegram',
      country: 'RU',
      providerId: 'p',
      priceMinor: 100n,
      currency: 'IRT',
      ttlSeconds: 600,
      now,
    });
    return created;
  }

  it('cold starts at once migrate once, under the lock, and all come up', async () => {
    database = await freshDatabase(kind);
    const opened = await Promise.all([open(), open(), open(), open()]);
    for (const store of opened) {
      expect(await pendingMigrations(store.db.dataSource)).toEqual([]);
    }
    const rows = await opened[0].db.read((m) => sql(m, 'SELECT name FROM migrations'));
    expect(rows.rows.map((row) => String(row.name)).sort()).toEqual(
      MIGRATIONS.map((migration) => migration.name).sort(),
    );
    if (kind === 'sqlite') {
      expect(existsSync(`${database.url.slice('sqlite:'.length)}.migrate-lock`)).toBe(false);
    }
  });

  it('autoMigrate false refuses a database that needs migrations, and readiness says so', async () => {
    database = await freshDatabase(kind);
    const config = { database: database.url, currency: 'IRT' as const, autoMigrate: false };
    await expect(openStore(config, database.options)).rejects.toThrow(MigrationsPending);
    await expect(openStore(config, database.options)).rejects.toThrow(
      /run `pnpm numbroker migrate`/,
    );
    const bare = await open({ migrationsRun: false });
    expect(await checkDatabaseHealth(bare.db)).toMatchObject({
      reachable: true,
      migrationsCurrent: false,
    });
    await open(); // migrates
    expect(await checkDatabaseHealth(bare.db)).toEqual({
      reachable: true,
      migrationsCurrent: true,
      detail: 'ok',
    });
    stores.push(await openStore(config, database.options));
  });

  it('readiness reports an unreachable database without throwing', async () => {
    database = await freshDatabase(kind);
    const store = await open();
    await store.db.dataSource.destroy();
    const health = await checkDatabaseHealth(store.db);
    expect(health.reachable).toBe(false);
    expect(health.detail).toMatch(/^unreachable: /);
    stores.pop();
  });

  it('gives every order a durable increasing activation id, kept when its events are pruned', async () => {
    database = await freshDatabase(kind);
    const store = await open();
    const { user } = await store.users.createUser({ name: 'a' });
    await store.users.creditWallet({ userId: user.id, amountMinor: 10_000n, reference: 'r' });
    await order(store, user.id, T0); // so that event ids and activation ids differ below
    const old = await order(store, user.id, new Date(T0.getTime() - 60 * DAY));
    const created = await store.orders.eventsAfter(null, 10, { orderId: old.id });
    // Orders from before the migration keep the number they had: their creation event's id.
    // Back to just before ActivationIds (and every migration after it), then forward again.
    const undo = MIGRATIONS.length - MIGRATIONS.indexOf(ActivationIds1767200000000);
    for (let step = 0; step < undo; step += 1) await store.db.dataSource.undoLastMigration();
    await store.db.dataSource.runMigrations();
    expect(await store.activationIds.ofOrder(old.id)).toBe(String(created[0]!.id));
    await store.orders.applyOrderCommand(
      old.id,
      { type: 'PURCHASE_FAILED', reason: 'test' },
      { now: new Date(T0.getTime() - 60 * DAY) },
    );
    const recent = await order(store, user.id, T0);
    const oldId = BigInt((await store.activationIds.ofOrder(old.id))!);
    const recentId = BigInt((await store.activationIds.ofOrder(recent.id))!);
    expect(recentId > oldId).toBe(true);

    const pruned = await pruneHistory(store.db, { before: new Date(T0.getTime() - DAY) });
    expect(pruned.orderEvents).toBe(2);
    expect(await store.activationIds.ofOrder(old.id)).toBe(String(oldId));
    expect(await store.orders.eventsAfter(null, 10, { orderId: old.id })).toEqual([]);
    expect(await store.activationIds.resolve(String(oldId))).toEqual({
      orderId: old.id,
      userId: user.id,
    });
    expect(await store.activationIds.resolve('999999999999')).toBeNull();
    expect(await store.activationIds.resolve('12abc')).toBeNull();
  });

  it('announces each committed money movement once, never an idempotent repeat', async () => {
    database = await freshDatabase(kind);
    const store = await open();
    const seen: string[] = [];
    store.moneyMovements.on((m) => seen.push(`${m.kind} ${m.amount} ${m.currency}`));
    const { user } = await store.users.createUser({ name: 'm' });
    await store.users.creditWallet({ userId: user.id, amountMinor: 500n, reference: 'once' });
    await store.users.creditWallet({ userId: user.id, amountMinor: 500n, reference: 'once' });
    const created = await order(store, user.id, T0);
    await store.orders.applyOrderCommand(created.id, { type: 'PURCHASE_FAILED', reason: 'x' });
    await expect(
      store.orders.applyOrderCommand(created.id, { type: 'PURCHASE_FAILED', reason: 'x' }),
    ).resolves.toMatchObject({ changed: false });
    expect(seen).toEqual(['CREDIT 500 IRT', 'HOLD 100 IRT', 'RELEASE 100 IRT']);
  });

  it('prunes only history older than the horizon, never an open order’s events or the newest event', async () => {
    database = await freshDatabase(kind);
    const store = await open();
    const { user } = await store.users.createUser({ name: 'a' });
    await store.users.creditWallet({ userId: user.id, amountMinor: 10_000n, reference: 'r' });
    const longAgo = new Date(T0.getTime() - 90 * DAY);
    const ended = await order(store, user.id, longAgo);
    await store.orders.applyOrderCommand(
      ended.id,
      { type: 'PURCHASE_FAILED', reason: 'x' },
      { now: longAgo },
    );
    const stillOpen = await order(store, user.id, longAgo);
    await store.orders.createPendingOrder({
      userId: user.id,
      service: 'telegram',
      country: 'RU',
      priceMinor: 100n,
      currency: 'IRT',
      ttlSeconds: 600,
      idempotencyKey: 'old-key',
      now: longAgo,
    });
    await store.orders.recordAttempts([
      { providerId: 'p', operation: 'buy', outcome: 'OK', durationMs: 5, now: longAgo },
      { providerId: 'p', operation: 'buy', outcome: 'OK', durationMs: 5, now: T0 },
    ]);

    const result = await pruneHistory(store.db, {
      before: new Date(T0.getTime() - DAY),
      batchSize: 1,
    });
    expect(result).toEqual({ orderEvents: 2, upstreamAttempts: 1, idempotencyKeys: 1 });
    expect(await store.orders.eventsAfter(null, 10, { orderId: ended.id })).toEqual([]);
    expect(await store.orders.eventsAfter(null, 10, { orderId: stillOpen.id })).toHaveLength(1);
    // Money is never pruned: the wallet still matches its ledger.
    expect((await store.users.ledger(user.id)).length).toBeGreaterThan(0);
    expect(await pruneHistory(store.db, { before: T0 })).toEqual({
      orderEvents: 0,
      upstreamAttempts: 0,
      idempotencyKeys: 0,
    });
  });
});

describe('backup', () => {
  let database: TestDatabase;
  let store: Store;
  const dir = mkdtempSync(join(tmpdir(), 'nb-backup-'));
  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    store = await Store.open(database.url, { currency: 'IRT' });
  });
  afterAll(async () => {
    await store?.close();
    await database?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies a live SQLite database into one consistent file that opens with the same balances', async () => {
    const { user } = await store.users.createUser({ name: 'saver' });
    await store.users.creditWallet({ userId: user.id, amountMinor: 4200n, reference: 'r1' });
    // Writes keep landing while the copy is made.
    const writes = Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.users.creditWallet({ userId: user.id, amountMinor: 1n, reference: `w${i}` }),
      ),
    );
    const file = join(dir, 'copy.sqlite');
    const result = await backupDatabase(store.db, file);
    await writes;
    expect(result.bytes).toBeGreaterThan(0);
    const copy = await Store.open(`sqlite:${file}`, { currency: 'IRT' });
    try {
      const wallet = await copy.users.getWallet(user.id);
      const entries = await copy.users.ledger(user.id);
      const sum = entries.reduce((total, entry) => total + entry.amountMinor, 0n);
      // A point in time: the balance is exactly what its ledger says.
      expect(wallet.availableMinor).toBe(sum);
      expect(wallet.availableMinor >= 4200n).toBe(true);
    } finally {
      await copy.close();
    }
    await expect(backupDatabase(store.db, file)).rejects.toThrow(BackupRefused);
    await expect(backupDatabase(store.db, file)).rejects.toThrow(/already exists/);
  });

  it('refuses Postgres and names pg_dump', async () => {
    const pgDatabase = await freshDatabase('postgres');
    const pgStore = await Store.open(pgDatabase.url, { ...pgDatabase.options, currency: 'IRT' });
    try {
      await expect(backupDatabase(pgStore.db, join(dir, 'x'))).rejects.toThrow(/pg_dump/);
    } finally {
      await pgStore.close();
      await pgDatabase.cleanup();
    }
  });
});
