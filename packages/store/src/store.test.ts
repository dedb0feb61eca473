import {
  balanceOfEntries,
  InsufficientFunds,
  Money,
  OrderTransitionRefused,
  type OrderCommand,
} from '@numbroker/core';
import { describe, expect, it } from 'vitest';
import { MAX_EXACT_MINOR } from './columns.js';
import { sql, TransactionConflict } from './database.js';
import { CreditReferenceReused, IdempotencyKeyReused, OrderNotFound } from './errors.js';
import { providerUsable } from './provider-state-store.js';
import type { Store } from './store.js';
import { DATABASE_KINDS } from './testing/databases.js';
import { useFreshStore } from './test-support/fresh-store.js';
import { schedulingOf } from './testing/inspect.js';
import { hashApiKey } from './user-store.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe.each(DATABASE_KINDS)('store on %s', (kind) => {
  let store: Store;
  useFreshStore(kind, (opened) => {
    store = opened;
  });

  async function fundedUser(amount: bigint, name = 'buyer') {
    const { user, apiKey } = await store.users.createUser({ name });
    if (amount > 0n) {
      await store.users.creditWallet({
        userId: user.id,
        amountMinor: amount,
        reference: `seed-${user.id}`,
      });
    }
    return { user, apiKey };
  }

  function pending(
    userId: string,
    extra: Partial<Parameters<Store['orders']['createPendingOrder']>[0]> = {},
  ) {
    return store.orders.createPendingOrder({
      userId,
      service: 'telegram',
      country: 'RU',
      providerId: 'shiz',
      priceMinor: 1000n,
      currency: 'IRT',
      ttlSeconds: 1200,
      now: T0,
      ...extra,
    });
  }

  // A fresh upstream activation per purchase: (provider, ref) is unique.
  let refs = 0;
  const purchased = (): OrderCommand => ({
    type: 'PURCHASED',
    phoneNumber: '+79001234567',
    upstreamRef: `act-${++refs}`,
  });

  async function activeOrder(userId: string, priceMinor = 1000n) {
    const { order } = await pending(userId, { priceMinor });
    await store.orders.applyOrderCommand(order.id, purchased(), { now: at(1) });
    return order.id;
  }

  async function expectLedgerMatchesWallet(userId: string) {
    const wallet = await store.users.getWallet(userId);
    const entries = await store.users.ledger(userId);
    expect(balanceOfEntries(entries)).toEqual({
      availableMinor: wallet.availableMinor,
      heldMinor: wallet.heldMinor,
    });
    return wallet;
  }

  describe('users and wallets', () => {
    it('creates a user with a one-time key stored only as its sha256', async () => {
      const { user, apiKey } = await store.users.createUser({ name: '  Alice ' });
      expect(apiKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(user.name).toBe('Alice');
      const stored = await store.db.read((m) =>
        sql(m, 'SELECT api_key_hash FROM users WHERE id = ?', [user.id]),
      );
      expect(stored.rows[0]?.api_key_hash).toBe(hashApiKey(apiKey));
      expect((await store.users.findByApiKey(apiKey))?.id).toBe(user.id);
      expect(await store.users.findByApiKey(`${apiKey}x`)).toBeNull();
      expect(await store.users.findByApiKey('')).toBeNull();
      const wallet = await store.users.getWallet(user.id);
      expect(wallet).toMatchObject({ currency: 'IRT', availableMinor: 0n, heldMinor: 0n });
    });

    it('credits once per reference', async () => {
      const { user } = await fundedUser(0n);
      const first = await store.users.creditWallet({
        userId: user.id,
        amountMinor: 5000n,
        reference: 'pay-1',
      });
      const again = await store.users.creditWallet({
        userId: user.id,
        amountMinor: 5000n,
        reference: 'pay-1',
      });
      expect([first.credited, again.credited]).toEqual([true, false]);
      expect(first.wallet.availableMinor).toBe(5000n);
      await expect(
        store.users.creditWallet({ userId: user.id, amountMinor: 7000n, reference: 'pay-1' }),
      ).rejects.toBeInstanceOf(CreditReferenceReused);
      await store.users.creditWallet({ userId: user.id, amountMinor: 1n, reference: 'pay-2' });
      expect((await expectLedgerMatchesWallet(user.id)).availableMinor).toBe(5001n);
    });

    it('refuses a balance past 2^53 - 1 on both databases (BAD_USER_INPUT); never rounds', async () => {
      const { user } = await fundedUser(0n);
      // node-sqlite3 hands integers back as JS numbers, exact only up to 2^53 - 1; one limit
      // on both databases, so a deployment can move between them.
      const big = 2n ** 60n + 7n;
      const refused = await store.users
        .creditWallet({ userId: user.id, amountMinor: big, reference: 'big' })
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'INVALID_AMOUNT', apiCode: 'BAD_USER_INPUT' });
      expect((await store.users.getWallet(user.id)).availableMinor).toBe(0n);
      // Past what Postgres's BIGINT could even cast: the same refusal, not a database error.
      await expect(
        store.users.creditWallet({ userId: user.id, amountMinor: 10n ** 23n, reference: 'huge' }),
      ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
      await store.users.creditWallet({
        userId: user.id,
        amountMinor: MAX_EXACT_MINOR,
        reference: 'top',
      });
      await expect(
        store.users.creditWallet({ userId: user.id, amountMinor: 1n, reference: 'one' }),
      ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
      expect((await store.users.getWallet(user.id)).availableMinor).toBe(MAX_EXACT_MINOR);
      expect(await store.users.ledger(user.id)).toHaveLength(1);
    });

    it('ensureUserWithApiKey is idempotent', async () => {
      const a = await store.users.ensureUserWithApiKey({
        name: 'admin',
        apiKey: 'admin-key-1',
        isAdmin: true,
      });
      const b = await store.users.ensureUserWithApiKey({
        name: 'admin',
        apiKey: 'admin-key-1',
        isAdmin: true,
      });
      expect(b.id).toBe(a.id);
      expect(a.isAdmin).toBe(true);
      expect((await store.users.findByApiKey('admin-key-1'))?.isAdmin).toBe(true);
    });
  });

  describe('order lifecycle', () => {
    it('holds the price, then captures it exactly once at the first code', async () => {
      const { user } = await fundedUser(5000n);
      const { order, created } = await pending(user.id);
      expect(created).toBe(true);
      expect(order).toMatchObject({ status: 'PENDING', expiresAt: at(1200) });
      expect(order.price).toEqual(Money.ofMinor(1000n, 'IRT'));
      expect(await store.users.getWallet(user.id)).toMatchObject({
        availableMinor: 4000n,
        heldMinor: 1000n,
      });

      const active = await store.orders.applyOrderCommand(order.id, purchased(), {
        now: at(2),
        providerId: 'man',
        costMinor: 1550n,
        costCurrency: 'RUB',
      });
      expect(active.order).toMatchObject({
        status: 'ACTIVE',
        phoneNumber: '+79001234567',
        upstreamRef: 'act-1',
        providerId: 'man',
        cost: Money.ofMinor(1550n, 'RUB'),
      });
      expect((await schedulingOf(store, order.id)).nextPollAt).toEqual(at(2));
      expect(active.event?.type).toBe('ORDER_ACTIVE');

      const code = { type: 'CODE_RECEIVED' } as const;
      const first = await store.orders.applyOrderCommand(order.id, code, {
        now: at(10),
        sms: { code: '12345', text: 'Telegram code 12345' },
      });
      expect(first).toMatchObject({ changed: true, movement: 'CAPTURE' });
      expect(first.order.status).toBe('CODE_RECEIVED');
      expect(first.event).toMatchObject({
        order: { id: order.id, status: 'CODE_RECEIVED', upstreamRef: null, cost: null },
        sms: { code: '12345', text: 'Telegram code 12345' },
      });
      expect(first.event?.order?.price.toJSON()).toEqual({ amount: '1000', currency: 'IRT' });

      const repeat = await store.orders.applyOrderCommand(order.id, code, {
        now: at(12),
        sms: { code: '12345', text: 'Telegram code 12345' },
      });
      expect(repeat).toMatchObject({ changed: false, event: null });

      const second = await store.orders.applyOrderCommand(order.id, code, {
        now: at(20),
        sms: { code: '67890', text: 'Telegram code 67890' },
      });
      expect(second).toMatchObject({ changed: true, movement: 'NONE' });
      expect(second.event?.type).toBe('SMS_RECEIVED');

      const messages = await store.orders.messages(order.id);
      expect(messages.map((m) => m.code)).toEqual(['12345', '67890']);
      const wallet = await expectLedgerMatchesWallet(user.id);
      expect(wallet).toMatchObject({ availableMinor: 4000n, heldMinor: 0n });
      const kinds = (await store.users.ledger(user.id)).map((e) => e.kind).sort();
      expect(kinds).toEqual(['CAPTURE', 'CREDIT', 'HOLD']);

      await expect(
        store.orders.applyOrderCommand(order.id, { type: 'CANCEL' }),
      ).rejects.toMatchObject({
        code: 'CANCEL_NOT_ALLOWED',
      });
      const finished = await store.orders.applyOrderCommand(
        order.id,
        { type: 'FINISH' },
        { now: at(30) },
      );
      expect(finished.order).toMatchObject({ status: 'COMPLETED' });
      expect(await schedulingOf(store, order.id)).toMatchObject({ nextPollAt: null });
    });

    it('returns each written order exactly as a fresh read sees it', async () => {
      const { user } = await fundedUser(5000n, 'round-trip');
      const created = await pending(user.id, {
        operator: 'mts',
        costMinor: 12n,
        costCurrency: 'RUB',
      });
      expect(await store.orders.findOrder(created.order.id)).toEqual(created.order);
      const active = await store.orders.applyOrderCommand(created.order.id, purchased(), {
        now: at(1),
        providerId: 'other',
        costMinor: 34n,
        costCurrency: 'USD',
      });
      expect(active.order.status).toBe('ACTIVE');
      expect(active.order.cost).toEqual(Money.ofMinor(34n, 'USD'));
      expect(await store.orders.findOrder(created.order.id)).toEqual(active.order);
      const coded = await store.orders.applyOrderCommand(
        created.order.id,
        { type: 'CODE_RECEIVED' },
        { now: at(2), sms: { code: '12345', text: 'code 12345' } },
      );
      expect(await store.orders.findOrder(created.order.id)).toEqual(coded.order);
      expect(coded.event?.order?.status).toBe('CODE_RECEIVED');
      await expectLedgerMatchesWallet(user.id);
    });

    it('refuses a code after a cancel, and stores nothing', async () => {
      const { user } = await fundedUser(1000n);
      const orderId = await activeOrder(user.id);
      const cancelled = await store.orders.applyOrderCommand(
        orderId,
        { type: 'CANCEL' },
        { userId: user.id },
      );
      expect(cancelled).toMatchObject({ changed: true, movement: 'RELEASE' });
      const refusal = await store.orders
        .applyOrderCommand(orderId, { type: 'CODE_RECEIVED' }, { sms: { code: '1', text: 'late' } })
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(OrderTransitionRefused);
      expect(refusal).toMatchObject({ code: 'ALREADY_FINAL' });
      expect(await store.orders.messages(orderId)).toEqual([]);
      // Cancelling again is an idempotent no-op: no second release.
      const again = await store.orders.applyOrderCommand(orderId, { type: 'CANCEL' });
      expect(again.changed).toBe(false);
      expect(await expectLedgerMatchesWallet(user.id)).toMatchObject({
        availableMinor: 1000n,
        heldMinor: 0n,
      });
    });

    it('releases on a failed purchase and refunds an upstream-refunded report', async () => {
      const { user } = await fundedUser(3000n);
      const { order: failing } = await pending(user.id);
      const failed = await store.orders.applyOrderCommand(failing.id, {
        type: 'PURCHASE_FAILED',
        reason: 'NO_NUMBERS: every provider is out of stock',
      });
      expect(failed.order).toMatchObject({
        status: 'FAILED',
        failureReason: 'NO_NUMBERS: every provider is out of stock',
      });

      const reportedId = await activeOrder(user.id);
      await store.orders.applyOrderCommand(
        reportedId,
        { type: 'CODE_RECEIVED' },
        { sms: { code: '9', text: null } },
      );
      const reported = await store.orders.applyOrderCommand(reportedId, {
        type: 'REPORT',
        upstreamRefunded: true,
      });
      expect(reported).toMatchObject({ movement: 'REFUND', order: { status: 'REPORTED' } });
      const wallet = await expectLedgerMatchesWallet(user.id);
      expect(wallet).toMatchObject({ availableMinor: 3000n, heldMinor: 0n });
    });

    it("hides another user's order", async () => {
      const { user: owner } = await fundedUser(1000n);
      const { user: other } = await fundedUser(0n, 'other');
      const orderId = await activeOrder(owner.id);
      expect(await store.orders.findOrderForUser(orderId, other.id)).toBeNull();
      expect((await store.orders.findOrderForUser(orderId, owner.id))?.id).toBe(orderId);
      await expect(
        store.orders.applyOrderCommand(orderId, { type: 'CANCEL' }, { userId: other.id }),
      ).rejects.toBeInstanceOf(OrderNotFound);
      await expect(
        store.orders.applyOrderCommand('00000000-0000-0000-0000-000000000000', { type: 'CANCEL' }),
      ).rejects.toBeInstanceOf(OrderNotFound);
    });

    it('an expected status that is wrong changes nothing: the same refusal, owner check and event', async () => {
      const { user: owner } = await fundedUser(1000n);
      const { user: other } = await fundedUser(0n, 'other');
      const { order } = await pending(owner.id);
      const purchase: OrderCommand = {
        type: 'PURCHASED',
        phoneNumber: '+79001234500',
        upstreamRef: 'expected-1',
      };
      // Another user's order is not found, with or without a guess at its status.
      await expect(
        store.orders.applyOrderCommand(order.id, purchase, {
          userId: other.id,
          expectedStatus: 'PENDING',
        }),
      ).rejects.toBeInstanceOf(OrderNotFound);
      const bought = await store.orders.applyOrderCommand(order.id, purchase, {
        expectedStatus: 'PENDING',
      });
      expect(bought).toMatchObject({
        changed: true,
        from: 'PENDING',
        movement: 'NONE',
        order: { status: 'ACTIVE', upstreamRef: 'expected-1' },
        event: { type: 'ORDER_ACTIVE' },
      });
      // The guess is now wrong (the order is ACTIVE): the order is read and decided as usual.
      const again = await store.orders
        .applyOrderCommand(order.id, purchase, { expectedStatus: 'PENDING' })
        .catch((error: unknown) => error);
      expect(again).toBeInstanceOf(OrderTransitionRefused);
      const cancelled = await store.orders.applyOrderCommand(
        order.id,
        { type: 'CANCEL' },
        { expectedStatus: 'PENDING' },
      );
      expect(cancelled).toMatchObject({ from: 'ACTIVE', movement: 'RELEASE', changed: true });
      expect(await expectLedgerMatchesWallet(owner.id)).toMatchObject({
        availableMinor: 1000n,
        heldMinor: 0n,
      });
    });

    it('the database itself refuses a second capture of one order', async () => {
      const { user } = await fundedUser(1000n);
      const orderId = await activeOrder(user.id);
      await store.orders.applyOrderCommand(
        orderId,
        { type: 'CODE_RECEIVED' },
        { sms: { code: '1', text: 'a' } },
      );
      const wallet = await store.users.getWallet(user.id);
      await expect(
        store.db.transaction((tx) =>
          sql(
            tx,
            `INSERT INTO ledger_entries (id, wallet_id, "kind", amount_minor, order_id, reference, created_at)
             VALUES ('dup-capture', ?, 'CAPTURE', 1000, ?, 'again', 0)`,
            [wallet.id, orderId],
          ),
        ),
      ).rejects.toThrow(/unique|UNIQUE/);
      // ... and a negative balance.
      await expect(
        store.db.transaction((tx) =>
          sql(tx, 'UPDATE wallets SET available_minor = -1 WHERE id = ?', [wallet.id]),
        ),
      ).rejects.toThrow(/check|CHECK/);
    });

    it('captures once when many different codes arrive at the same time', async () => {
      const { user } = await fundedUser(1000n);
      const orderId = await activeOrder(user.id);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.orders.applyOrderCommand(
            orderId,
            { type: 'CODE_RECEIVED' },
            { sms: { code: String(i), text: `code ${i}` } },
          ),
        ),
      );
      expect(results.filter((r) => r.movement === 'CAPTURE')).toHaveLength(1);
      expect(results.every((r) => r.changed)).toBe(true);
      expect(await store.orders.messages(orderId)).toHaveLength(20);
      const captures = (await store.users.ledger(user.id)).filter((e) => e.kind === 'CAPTURE');
      expect(captures).toHaveLength(1);
      expect(await expectLedgerMatchesWallet(user.id)).toMatchObject({
        availableMinor: 0n,
        heldMinor: 0n,
      });
    });

    it('stores the same SMS once when it is seen twice at the same time', async () => {
      const { user } = await fundedUser(1000n);
      const orderId = await activeOrder(user.id);
      const before = await store.orders.latestEventId();
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          store.orders.applyOrderCommand(
            orderId,
            { type: 'CODE_RECEIVED' },
            { sms: { code: '777', text: 'code 777' } },
          ),
        ),
      );
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      expect(await store.orders.messages(orderId)).toHaveLength(1);
      const events = await store.orders.eventsAfter(before, 100, { orderId });
      expect(events.map((e) => e.type)).toEqual(['SMS_RECEIVED']);
    });
    it('one SMS is one code: the same code read with or without its text is stored once', async () => {
      const { user } = await fundedUser(1000n);
      const orderId = await activeOrder(user.id);
      // getStatus shows the code alone, a batch list or a webhook the code and its text.
      const seen = [
        { code: '4242', text: null },
        { code: '4242', text: 'Telegram code 4242' },
        { code: ' 4242 ', text: 'Telegram code: 4242.' },
        { code: null, text: 'no code here' },
        { code: null, text: ' no  code here ' },
      ];
      const changed = [];
      for (const sms of seen) {
        changed.push(
          (await store.orders.applyOrderCommand(orderId, { type: 'CODE_RECEIVED' }, { sms }))
            .changed,
        );
      }
      expect(changed).toEqual([true, false, false, true, false]);
      expect(await store.orders.messages(orderId)).toHaveLength(2);
    });
  });

  describe('idempotency and concurrency', () => {
    it('200 concurrent holds against a wallet funded for exactly 50 of them', async () => {
      const { user } = await fundedUser(50n * 7n);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 200 }, () => pending(user.id, { priceMinor: 7n })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(50);
      expect(lost).toHaveLength(150);
      for (const loss of lost) expect(loss.reason).toBeInstanceOf(InsufficientFunds);
      const wallet = await expectLedgerMatchesWallet(user.id);
      expect(wallet).toMatchObject({ availableMinor: 0n, heldMinor: 350n });
      const holds = (await store.users.ledger(user.id)).filter((e) => e.kind === 'HOLD');
      expect(holds).toHaveLength(50);
    });

    it('100 concurrent buys with one idempotency key make one order and one hold', async () => {
      const { user } = await fundedUser(100_000n);
      const results = await Promise.all(
        Array.from({ length: 100 }, () => pending(user.id, { idempotencyKey: 'buy-42' })),
      );
      const ids = new Set(results.map((r) => r.order.id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const holds = (await store.users.ledger(user.id)).filter((e) => e.kind === 'HOLD');
      expect(holds).toHaveLength(1);
      expect(await expectLedgerMatchesWallet(user.id)).toMatchObject({
        availableMinor: 99_000n,
        heldMinor: 1000n,
      });
      // Sequentially too, and a different purchase under the same key is refused.
      expect((await pending(user.id, { idempotencyKey: 'buy-42' })).order.id).toBe([...ids][0]);
      await expect(
        pending(user.id, { idempotencyKey: 'buy-42', country: 'TR' }),
      ).rejects.toBeInstanceOf(IdempotencyKeyReused);
    });

    it('a tail reading by id sees every event once, in order, while writers race', async () => {
      const { user } = await fundedUser(1_000_000n);
      const start = await store.orders.latestEventId();
      let last: string = start;
      const seen: string[] = [];
      let writing = true;
      const tail = (async () => {
        for (;;) {
          const stillWriting = writing;
          const batch = await store.orders.eventsAfter(last, 50, { userId: user.id });
          for (const event of batch) seen.push(event.id);
          if (batch.length > 0) last = batch.at(-1)!.id;
          else if (!stillWriting) return;
          else await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await Promise.all(
        Array.from({ length: 60 }, async () => {
          const { order } = await pending(user.id, { priceMinor: 10n });
          await store.orders.applyOrderCommand(order.id, purchased());
          await store.orders.applyOrderCommand(order.id, { type: 'CANCEL' });
        }),
      );
      writing = false;
      await tail;
      const all = (await store.orders.eventsAfter(start, 1000, { userId: user.id })).map(
        (e) => e.id,
      );
      expect(all).toHaveLength(180);
      expect(seen).toEqual(all);
      for (let i = 1; i < seen.length; i += 1) {
        expect(BigInt(seen[i]!)).toBeGreaterThan(BigInt(seen[i - 1]!));
      }
    });

    it('of transactions committed together, a failed one loses only its own writes', async () => {
      const users = await Promise.all(
        Array.from({ length: 12 }, (_, i) => fundedUser(0n, `group-${i}`)),
      );
      let conflicts = 0;
      // Started in one tick: on SQLite they share one BEGIN…COMMIT (group commit).
      const results = await Promise.allSettled(
        users.map(({ user }, i) =>
          store.db.transaction(async (tx) => {
            await sql(tx, 'UPDATE users SET name = ? WHERE id = ?', [`renamed-${i}`, user.id]);
            if (i % 3 === 1) throw new Error(`boom ${i}`);
            if (i % 3 === 2 && conflicts++ < 2) throw new TransactionConflict('lost a race');
            return i;
          }),
        ),
      );
      for (const [i, { user }] of users.entries()) {
        const failed = i % 3 === 1;
        expect(results[i]).toEqual(
          failed
            ? { status: 'rejected', reason: new Error(`boom ${i}`) }
            : { status: 'fulfilled', value: i },
        );
        expect((await store.users.findById(user.id))?.name).toBe(
          failed ? `group-${i}` : `renamed-${i}`,
        );
      }
    });

    it('transactions never interleave (a rolled-back one takes nothing of another with it)', async () => {
      const { user: a } = await fundedUser(0n, 'a');
      const { user: b } = await fundedUser(0n, 'b');
      const failing = store.db.transaction(async (tx) => {
        await sql(tx, 'UPDATE users SET name = ? WHERE id = ?', ['renamed-a', a.id]);
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('boom');
      });
      const succeeding = store.db.transaction((tx) =>
        sql(tx, 'UPDATE users SET name = ? WHERE id = ?', ['renamed-b', b.id]),
      );
      await expect(failing).rejects.toThrow('boom');
      await succeeding;
      expect((await store.users.findById(a.id))?.name).toBe('a');
      expect((await store.users.findById(b.id))?.name).toBe('renamed-b');
    });
  });

  describe('listing, polling leases and the outbox', () => {
    it('pages a user’s orders newest first, with a status filter', async () => {
      const { user } = await fundedUser(100_000n);
      const created: string[] = [];
      for (let i = 0; i < 5; i += 1)
        created.push((await pending(user.id, { now: at(i) })).order.id);
      await store.orders.applyOrderCommand(created[1]!, purchased());
      const page1 = await store.orders.listOrders(user.id, { first: 2 });
      expect(page1.orders.map((o) => o.id)).toEqual([created[4], created[3]]);
      expect(page1.hasNextPage).toBe(true);
      const page2 = await store.orders.listOrders(user.id, { first: 2, after: page1.endCursor });
      expect(page2.orders.map((o) => o.id)).toEqual([created[2], created[1]]);
      const page3 = await store.orders.listOrders(user.id, { first: 2, after: page2.endCursor });
      expect(page3).toMatchObject({ hasNextPage: false });
      expect(page3.orders.map((o) => o.id)).toEqual([created[0]]);
      const active = await store.orders.listOrders(user.id, { status: 'ACTIVE' });
      expect(active.orders.map((o) => o.id)).toEqual([created[1]]);
      await expect(store.orders.listOrders(user.id, { after: 'garbage' })).rejects.toMatchObject({
        code: 'INVALID_CURSOR',
      });
      await expect(store.orders.listOrders(user.id, { first: 0 })).rejects.toMatchObject({
        code: 'INVALID_PAGE_SIZE',
      });
    });

    it('event ids strictly increase and resume from any id', async () => {
      const { user } = await fundedUser(1000n);
      const start = await store.orders.latestEventId();
      const orderId = await activeOrder(user.id);
      await store.orders.applyOrderCommand(orderId, { type: 'CANCEL' });
      const events = await store.orders.eventsAfter(start, 100, { userId: user.id });
      expect(events.map((e) => e.type)).toEqual([
        'ORDER_CREATED',
        'ORDER_ACTIVE',
        'ORDER_CANCELLED',
      ]);
      expect(BigInt(events[0]!.id)).toBeGreaterThan(BigInt(start));
      expect(BigInt(events[1]!.id)).toBeGreaterThan(BigInt(events[0]!.id));
      expect(BigInt(events[2]!.id)).toBeGreaterThan(BigInt(events[1]!.id));
      const resumed = await store.orders.eventsAfter(events[0]!.id, 100, { orderId });
      expect(resumed.map((e) => e.id)).toEqual([events[1]!.id, events[2]!.id]);
      expect(events[2]!.order).toMatchObject({
        id: orderId,
        status: 'CANCELLED',
        phoneNumber: '+79001234567',
        upstreamRef: null,
        cost: null,
      });
      const stored = await store.db.read((m) =>
        sql(m, 'SELECT payload FROM order_events WHERE id = CAST(? AS BIGINT)', [events[2]!.id]),
      );
      expect(String(stored.rows[0]?.payload)).not.toMatch(/cost|apiKey|act-1/);
    });

    it('records upstream attempts and counts open orders per provider', async () => {
      const since = new Date('2027-01-01T00:00:00Z');
      await store.orders.recordAttempt({
        providerId: 'stats-p',
        operation: 'buy',
        outcome: 'OK',
        durationMs: 12,
        now: since,
      });
      await store.orders.recordAttempt({
        providerId: 'stats-p',
        operation: 'buy',
        outcome: 'ERROR',
        errorCode: 'UNAVAILABLE',
        durationMs: 5000,
        now: since,
      });
      await store.orders.recordAttempt({
        providerId: 'stats-p',
        operation: 'status',
        outcome: 'OK',
        durationMs: 3,
        now: since,
      });
      const recorded = (await store.orders.attemptsSince(since)).filter(
        (attempt) => attempt.providerId === 'stats-p',
      );
      // One timestamp for all three: compare as a set.
      expect(
        recorded.map((a) => `${a.operation} ${a.outcome} ${a.errorCode ?? '-'}`).sort(),
      ).toEqual(['buy ERROR UNAVAILABLE', 'buy OK -', 'status OK -']);
      const { user } = await fundedUser(1000n);
      await pending(user.id, { providerId: 'count-p' });
      expect((await store.orders.openOrderCounts()).get('count-p')).toBe(1);
    });
  });

  describe('offers and provider state', () => {
    const offer = (
      service: string,
      country: string,
      cost: string,
      stock: number,
      ref: string,
      operator?: string,
    ) => ({
      service,
      country,
      cost: Money.parse(cost, 'RUB'),
      stock,
      ref,
      ...(operator ? { operator } : {}),
    });

    it('replaces a provider catalog, upserting and removing', async () => {
      await store.offers.replaceProviderOffers(
        'cat-a',
        [
          offer('telegram', 'RU', '15.50', 10, '1'),
          offer('telegram', 'TR', '20', 0, '2'),
          offer('whatsapp', 'RU', '30', 5, '3'),
        ],
        at(0),
      );
      await store.offers.replaceProviderOffers(
        'cat-b',
        [offer('telegram', 'RU', '12', 3, 'x', 'mts')],
        at(0),
      );
      let found = await store.offers.findOffers({
        service: 'telegram',
        providerIds: ['cat-a', 'cat-b'],
      });
      expect(found.map((o) => [o.providerId, o.country, o.cost.minor, o.operator])).toEqual([
        ['cat-b', 'RU', 1200n, 'mts'],
        ['cat-a', 'RU', 1550n, null],
      ]);
      const result = await store.offers.replaceProviderOffers(
        'cat-a',
        [offer('telegram', 'RU', '16', 4, '1'), offer('telegram', 'RU', '17', 4, '1')],
        at(60),
      );
      expect(result).toEqual({ upserted: 1, removed: 2 });
      found = await store.offers.findOffers({
        service: 'telegram',
        country: 'RU',
        providerIds: ['cat-a'],
      });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        cost: Money.ofMinor(1600n, 'RUB'),
        stock: 4,
        updatedAt: at(60),
      });
      expect(
        await store.offers.findOffer({
          providerId: 'cat-b',
          service: 'telegram',
          country: 'RU',
          operator: 'mts',
          ref: 'x',
        }),
      ).not.toBeNull();
      expect(
        await store.offers.findOffers({ service: 'whatsapp', providerIds: ['cat-a'] }),
      ).toEqual([]);
    });

    it('opens the breaker after consecutive failures and closes it on success', async () => {
      const now = at(0);
      for (let i = 0; i < 2; i += 1)
        await store.providers.recordFailure('flaky', 'UNAVAILABLE: timeout', now, {
          threshold: 3,
          openMs: 10_000,
        });
      expect(await store.providers.get('flaky')).toMatchObject({
        healthy: true,
        consecutiveFailures: 2,
        breakerOpenUntil: null,
      });
      const opened = await store.providers.recordFailure('flaky', 'UNAVAILABLE: 502', now, {
        threshold: 3,
        openMs: 10_000,
      });
      expect(opened).toMatchObject({
        healthy: false,
        consecutiveFailures: 3,
        breakerOpenUntil: at(10),
        lastError: 'UNAVAILABLE: 502',
      });
      expect(providerUsable(opened, at(5))).toBe(false);
      expect(providerUsable(opened, at(10))).toBe(true);
      await store.providers.recordSuccess('flaky', at(11));
      expect(await store.providers.get('flaky')).toMatchObject({
        healthy: true,
        consecutiveFailures: 0,
        breakerOpenUntil: null,
        lastError: null,
      });
      await store.providers.setBalance('flaky', Money.parse('123.45', 'RUB'), at(12));
      expect(await store.providers.get('flaky')).toMatchObject({
        balance: Money.ofMinor(12345n, 'RUB'),
        healthy: true,
      });
      expect((await store.providers.list()).map((p) => p.providerId)).toContain('flaky');
      expect(providerUsable(null, now)).toBe(true);
    });
  });
});
