import { InsufficientFunds, StateConflict } from '@numbroker/core';
import { describe, expect, it } from 'vitest';
import { AdjustmentReferenceReused } from './admin-store.js';
import { MAX_EXACT_MINOR } from './columns.js';
import { ApiKeyNotFound } from './api-key-store.js';
import { Database, sql } from './database.js';
import type { Store } from './store.js';
import { DATABASE_KINDS, freshDatabase } from './testing/databases.js';
import { useFreshStore } from './test-support/fresh-store.js';
import { MIGRATIONS, ResellerConsole1767100000000 } from './migrations/index.js';

const ADMIN = { id: 'admin', name: 'admin' };
const T0 = new Date('2026-03-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe.each(DATABASE_KINDS)('reseller console store on %s', (kind) => {
  let store: Store;
  useFreshStore(kind, (opened) => {
    store = opened;
  });

  it('several named keys per user: rotation keeps a key working at every moment', async () => {
    const { user, apiKey: first } = await store.users.createUser({ name: 'rotator' });
    expect((await store.apiKeys.authenticate(first))?.user.id).toBe(user.id);
    const [original] = await store.apiKeys.list(user.id);
    expect(original).toMatchObject({ name: 'default', revokedAt: null });

    const second = await store.apiKeys.create({ userId: user.id, name: 'bot v2', actor: ADMIN });
    expect((await store.apiKeys.authenticate(second.apiKey))?.keyId).toBe(second.key.id);
    const generation = await store.apiKeys.generation();
    await store.apiKeys.revoke({ keyId: original!.id, userId: user.id, actor: ADMIN });
    expect(await store.apiKeys.generation()).toBe(generation + 1n);
    expect(await store.apiKeys.authenticate(first)).toBeNull();
    expect(await store.users.findByApiKey(first)).toBeNull();
    expect((await store.apiKeys.authenticate(second.apiKey))?.user.id).toBe(user.id);
    expect(await store.apiKeys.stillValid([original!.id, second.key.id])).toEqual(
      new Set([second.key.id]),
    );

    // The last live key stays: revoking it would lock the user out for good.
    await expect(
      store.apiKeys.revoke({ keyId: second.key.id, userId: user.id, actor: ADMIN }),
    ).rejects.toBeInstanceOf(StateConflict);
    // Another user's key is NOT_FOUND, as if it did not exist.
    const other = await store.users.createUser({ name: 'other' });
    await expect(
      store.apiKeys.revoke({ keyId: second.key.id, userId: other.user.id, actor: ADMIN }),
    ).rejects.toBeInstanceOf(ApiKeyNotFound);

    const actions = (await store.audit.list({ targetId: second.key.id })).items.map(
      (e) => e.action,
    );
    expect(actions).toEqual(['CREATE_API_KEY']);
  });

  it('a disabled user authenticates with none of its keys until enabled again', async () => {
    const { user, apiKey } = await store.users.createUser({ name: 'to-disable' });
    const before = await store.apiKeys.generation();
    await store.admin.setUserDisabled({ userId: user.id, disabled: true, actor: ADMIN });
    expect(await store.apiKeys.generation()).toBe(before + 1n);
    expect(await store.apiKeys.authenticate(apiKey)).toBeNull();
    await store.admin.setUserDisabled({ userId: user.id, disabled: true, actor: ADMIN }); // no-op
    await store.admin.setUserDisabled({ userId: user.id, disabled: false, actor: ADMIN });
    expect((await store.apiKeys.authenticate(apiKey))?.user.id).toBe(user.id);
    const audit = (await store.audit.list({ targetId: user.id })).items.map((e) => e.action);
    expect(audit).toEqual(['ENABLE_USER', 'DISABLE_USER']);
    await expect(
      store.admin.setUserDisabled({
        userId: user.id,
        disabled: true,
        actor: { id: user.id, name: 'x' },
      }),
    ).rejects.toBeInstanceOf(StateConflict);
  });

  it('adjustWallet: signed, idempotent by reference, never below zero, audited with the change', async () => {
    const { user } = await store.users.createUser({ name: 'adjusted', actor: ADMIN });
    await store.users.creditWallet({
      userId: user.id,
      amountMinor: 1000n,
      reference: 'pay-1',
      actor: ADMIN,
    });
    const down = await store.admin.adjustWallet({
      userId: user.id,
      amountMinor: -300n,
      reference: 'wrong-topup',
      note: 'typo in the amount',
      actor: ADMIN,
    });
    expect(down).toMatchObject({ adjusted: true, wallet: { availableMinor: 700n } });
    const again = await store.admin.adjustWallet({
      userId: user.id,
      amountMinor: -300n,
      reference: 'wrong-topup',
      actor: ADMIN,
    });
    expect(again).toMatchObject({ adjusted: false, wallet: { availableMinor: 700n } });
    await expect(
      store.admin.adjustWallet({
        userId: user.id,
        amountMinor: -1n,
        reference: 'wrong-topup',
        actor: ADMIN,
      }),
    ).rejects.toBeInstanceOf(AdjustmentReferenceReused);
    await expect(
      store.admin.adjustWallet({
        userId: user.id,
        amountMinor: -701n,
        reference: 'too-much',
        actor: ADMIN,
      }),
    ).rejects.toBeInstanceOf(InsufficientFunds);
    // The refused one left no trace: no audit entry, no ledger entry.
    const audit = (await store.audit.list({ targetId: user.id })).items;
    expect(audit.map((e) => [e.action, e.amountMinor, e.reference])).toEqual([
      ['ADJUST_WALLET', -300n, 'wrong-topup'],
      ['CREDIT_WALLET', 1000n, 'pay-1'],
      ['CREATE_USER', null, null],
    ]);
    const ledger = await store.admin.ledger(user.id, { first: 10 });
    expect(ledger.items.map((e) => [e.kind, e.amountMinor])).toEqual([
      ['ADJUST_OUT', 300n],
      ['CREDIT', 1000n],
    ]);
    // Concurrent adjustments that together would go below zero: one wins, the wallet stays ≥ 0.
    const results = await Promise.allSettled(
      [1, 2, 3].map((n) =>
        store.admin.adjustWallet({
          userId: user.id,
          amountMinor: -300n,
          reference: `race-${n}`,
          actor: ADMIN,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect((await store.users.getWallet(user.id)).availableMinor).toBe(100n);
  });

  it('adjustWallet: refused past the exact-balance limit (as creditWallet), the wallet unchanged', async () => {
    const { user } = await store.users.createUser({ name: 'near the top', actor: ADMIN });
    await store.users.creditWallet({
      userId: user.id,
      amountMinor: MAX_EXACT_MINOR - 10n,
      reference: 'pay-top',
      actor: ADMIN,
    });
    const adjust = (amountMinor: bigint, reference: string) =>
      store.admin.adjustWallet({ userId: user.id, amountMinor, reference, actor: ADMIN });
    await expect(adjust(11n, 'one-too-many')).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
      apiCode: 'BAD_USER_INPUT',
    });
    await expect(adjust(10n ** 23n, 'huge')).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    await expect(adjust(-(10n ** 23n), 'huge-down')).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
    });
    expect(await adjust(10n, 'to-the-top')).toMatchObject({
      adjusted: true,
      wallet: { availableMinor: MAX_EXACT_MINOR },
    });
    // The refused ones left no audit entry: their references are still free.
    const audit = (await store.audit.list({ targetId: user.id })).items;
    expect(audit.filter((e) => e.action === 'ADJUST_WALLET').map((e) => e.reference)).toEqual([
      'to-the-top',
    ]);
  });

  it('lists users by search with pages, and a ledger with pages', async () => {
    for (const n of [1, 2, 3]) await store.users.createUser({ name: `Shop_${n}%`, now: at(n) });
    const firstPage = await store.admin.listUsers({ first: 2, search: 'shop_' });
    expect(firstPage.items.map((u) => u.name)).toEqual(['Shop_3%', 'Shop_2%']);
    expect(firstPage).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = await store.admin.listUsers({
      first: 2,
      search: 'shop_',
      after: firstPage.cursorOf(firstPage.items[1]!),
    });
    expect(next.items.map((u) => u.name)).toEqual(['Shop_1%']);
    expect(next).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    // LIKE wildcards in the search are literal.
    expect((await store.admin.listUsers({ search: '2%' })).items.map((u) => u.name)).toEqual([
      'Shop_2%',
    ]);
    const byId = await store.admin.listUsers({ search: firstPage.items[0]!.id });
    expect(byId.items).toHaveLength(1);
  });

  it('webhooks: fan-out once per event and endpoint, lease, attempt, retry, redeliver', async () => {
    const { user } = await store.users.createUser({ name: 'hooked' });
    const order = await store.orders
      .createPendingOrder({
        userId: user.id,
        service: 'telegram',
        country: 'RU',
        providerId: 'p',
        priceMinor: 0n,
        currency: 'IRT',
        ttlSeconds: 600,
      })
      .catch(() => null);
    // No funds are needed to see the fan-out: make the event with a credit-free order.
    expect(order === null || order.created).toBe(true);
    const endpoint = await store.webhooks.createEndpoint({
      userId: user.id,
      url: 'https://example.com/hook',
      events: ['order.updated'],
      secretSealed: 'sealed',
      actor: { id: user.id, name: user.name },
      now: new Date(0),
    });
    // Drain whatever came before, then make one event of this user.
    const messages = (event: { id: number }) => [
      { type: 'order.updated', payload: `{"e":${event.id}}` },
    ];
    while ((await store.webhooks.fanOut(messages)) > 0);
    await store.users.creditWallet({ userId: user.id, amountMinor: 5000n, reference: 'w' });
    const made = await store.orders.createPendingOrder({
      userId: user.id,
      service: 'telegram',
      country: 'RU',
      providerId: 'p',
      priceMinor: 100n,
      currency: 'IRT',
      ttlSeconds: 600,
    });
    expect(await store.webhooks.fanOut(messages)).toBe(1);
    // A fan-out that crashed before its cursor moved, run again: still one delivery.
    await store.db.transaction((tx) =>
      sql(tx, "UPDATE counters SET value = value - 1 WHERE name = 'webhook_fanout_cursor'"),
    );
    expect(await store.webhooks.fanOut(messages)).toBe(1);
    const page = await store.webhooks.listDeliveries({ endpointId: endpoint.id });
    expect(page.items).toHaveLength(1);
    const delivery = page.items[0]!;
    expect(delivery).toMatchObject({ status: 'PENDING', type: 'order.updated', userId: user.id });
    expect(made.order.userId).toBe(user.id);

    const now = new Date();
    expect(await store.webhooks.endpointsWithDueDeliveries(now)).toContain(endpoint.id);
    const [leased] = await store.webhooks.claimDue({
      endpointId: endpoint.id,
      workerId: 'w1',
      limit: 4,
      leaseMs: 60_000,
      now,
    });
    expect(leased?.delivery.id).toBe(delivery.id);
    // Leased: nobody else takes it.
    expect(
      await store.webhooks.claimDue({
        endpointId: endpoint.id,
        workerId: 'w2',
        limit: 4,
        leaseMs: 60_000,
        now,
      }),
    ).toEqual([]);
    expect(
      await store.webhooks.recordAttempt({
        deliveryId: delivery.id,
        workerId: 'w2',
        outcome: { delivered: true, statusCode: 200, error: null, nextAttemptAt: null },
      }),
    ).toBe(false);
    await store.webhooks.recordAttempt({
      deliveryId: delivery.id,
      workerId: 'w1',
      outcome: { delivered: false, statusCode: 500, error: 'HTTP 500', nextAttemptAt: null },
    });
    expect(await store.webhooks.findDelivery(delivery.id)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastStatusCode: 500,
    });
    const again = await store.webhooks.redeliver({
      deliveryId: delivery.id,
      userId: user.id,
      actor: ADMIN,
    });
    expect(again).toMatchObject({ status: 'PENDING', scheduleStep: 0, attempts: 1 });
    expect(
      await store.webhooks.deleteEndpoint({
        endpointId: endpoint.id,
        userId: user.id,
        actor: ADMIN,
      }),
    ).toBe(true);
    expect(await store.webhooks.findDelivery(delivery.id)).toMatchObject({ status: 'FAILED' });
    expect(await store.webhooks.listEndpoints(user.id)).toEqual([]);
    await expect(
      store.webhooks.redeliver({ deliveryId: delivery.id, userId: user.id, actor: ADMIN }),
    ).rejects.toBeInstanceOf(StateConflict);
  });
});

describe.each(DATABASE_KINDS)('the reseller-console migration on %s', (kind) => {
  it('keeps every existing user key working (as its key "default")', async () => {
    const database = await freshDatabase(kind);
    const db = await Database.open(database.url, database.options);
    try {
      // Back to just before the reseller console (and every migration after it).
      const undo = MIGRATIONS.length - MIGRATIONS.indexOf(ResellerConsole1767100000000);
      for (let step = 0; step < undo; step += 1) await db.dataSource.undoLastMigration();
      await db.transaction((tx) =>
        sql(
          tx,
          `INSERT INTO users (id, name, api_key_hash, is_admin, created_at)
           VALUES ('00000000-0000-0000-0000-000000000001', 'old', ?, ?, 1)`,
          ['a'.repeat(64), false],
        ),
      );
      await db.dataSource.runMigrations();
      const keys = await db.read((m) => sql(m, 'SELECT user_id, name, key_hash FROM api_keys'));
      expect(keys.rows).toEqual([
        {
          user_id: '00000000-0000-0000-0000-000000000001',
          name: 'default',
          key_hash: 'a'.repeat(64),
        },
      ]);
    } finally {
      await db.close();
      await database.cleanup();
    }
  });
});
