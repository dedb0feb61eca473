import type { Store } from '@numbroker/store';
import { useHarnessSuite } from './test-support/harness-suite.js';
import type { ProviderAdapter } from '@numbroker/providers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DatabaseWorkerStore } from './database-worker-store.js';
import { runPollPass } from './poll-pass.js';
import {
  DATABASE_KINDS,
  freshDatabase,
  leaseCount as leasesOf,
  leasesHeldPastNextCheck,
  type TestDatabase,
} from '@numbroker/store/testing';
import { PRICE_MINOR, WorkerHarness, withoutBatchStatus } from './test-support/harness.js';
import { Worker } from './worker.js';
import type { WorkerStore } from './worker-store.js';

describe.each(DATABASE_KINDS)('Worker loops on %s', (kind) => {
  let store: Store;
  const harness = useHarnessSuite(kind, (opened) => {
    store = opened;
  });

  it('polls on its own, delivers the code, and stop() finishes the pass in flight and releases its leases', async () => {
    const h = await harness();
    const userId = await h.newUser();
    const { orderId, ref } = await h.activeOrder(userId);

    // An adapter whose status check waits for the test, to catch the worker mid-pass.
    let releaseGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (releaseGate = resolve));
    let statusCalls = 0;
    const inner = withoutBatchStatus(h.adapter);
    const gated: ProviderAdapter = {
      ...inner,
      status: async (upstreamRef) => {
        statusCalls += 1;
        if (statusCalls === 2) await gate;
        return inner.status(upstreamRef);
      },
    };
    const worker = new Worker(
      { workerId: 'loop-worker', pollIntervalMs: 2000, catalogSyncSeconds: 3600, tickMs: 10 },
      {
        store: h.workerStore,
        adapters: h.adapters(gated),
        metrics: h.metrics,
        logger: h.logger,
        now: h.clock.now,
      },
    );
    worker.start();
    // The first pass has checked the order, and its claim already scheduled the next check:
    // the lease it keeps lapses one lease period after it (4 s for this worker: two poll
    // intervals, so a crash costs a few poll gaps).
    await vi.waitFor(
      async () => {
        expect(statusCalls).toBe(1);
        expect(await leasesHeldPastNextCheck(store, 'loop-worker', 4_000)).toBe(0);
      },
      { timeout: 5000, interval: 10 },
    );
    const checked = await h.order(orderId);
    expect(checked.status).toBe('ACTIVE');
    expect(checked.nextPollAt).not.toBeNull();
    expect(checked.leaseUntil?.getTime()).toBe(checked.nextPollAt!.getTime() + 4_000);

    h.sim.deliverSms(ref, 'Telegram code: 24680');
    h.advancePastNextPoll();
    await vi.waitFor(() => expect(statusCalls).toBe(2), { timeout: 5000, interval: 10 });
    expect(await leasesOf(store, 'loop-worker')).toBe(1);

    const stopped = worker.stop();
    releaseGate();
    await stopped;

    // The pass in flight finished: the code is in, the hold captured, no lease left.
    expect((await h.order(orderId)).status).toBe('CODE_RECEIVED');
    expect((await h.wallet(userId)).held).toBe(0n);
    expect(await leasesOf(store, 'loop-worker')).toBe(0);
    expect((await h.order(orderId)).nextPollAt).not.toBeNull();
  });

  it('stop() gives back leases a failed pass left behind', async () => {
    const h = await harness();
    const userId = await h.newUser();
    await h.activeOrder(userId);
    const worker = new Worker(
      { workerId: 'crashy-worker', pollIntervalMs: 2000, catalogSyncSeconds: 3600 },
      {
        store: h.workerStore,
        adapters: h.adapters(),
        metrics: h.metrics,
        logger: h.logger,
        now: h.clock.now,
      },
    );
    await h.workerStore.leaseDueOrders('crashy-worker', h.clock.now(), 10, 60_000);
    expect(await leasesOf(store, 'crashy-worker')).toBe(1);
    await worker.stop();
    expect(await leasesOf(store, 'crashy-worker')).toBe(0);
  });
});

describe('two workers on postgres', () => {
  let database: TestDatabase;
  let storeA: Store;
  let storeB: Store;
  let h: WorkerHarness;

  beforeAll(async () => {
    database = await freshDatabase('postgres');
    storeA = await database.open();
    storeB = await database.open();
    h = await WorkerHarness.start(storeA);
    h.sim.setBalance('100000.00');
  });
  afterAll(async () => {
    await h?.stop();
    await storeA?.close();
    await storeB?.close();
    await database?.cleanup();
  });

  it('never lease one order at once, and deliver each code once', async () => {
    const leasedBy = new Map<string, string>();
    const leaseCounts = new Map<string, number>();
    const overlaps: string[] = [];
    /** A worker store that records who holds which order, and flags two holders at once. */
    const tracked = (inner: DatabaseWorkerStore, name: string): WorkerStore => ({
      leaseDueOrders: async (...args) => {
        const orders = await inner.leaseDueOrders(...args);
        for (const order of orders) {
          const holder = leasedBy.get(order.id);
          if (holder !== undefined) overlaps.push(`${order.id}: ${holder} and ${name}`);
          leasedBy.set(order.id, name);
          leaseCounts.set(order.id, (leaseCounts.get(order.id) ?? 0) + 1);
        }
        // Give the other worker time to run into these rows while they are held.
        await new Promise((resolve) => setTimeout(resolve, 5));
        return orders;
      },
      reschedule: async (workerId, items) => {
        for (const item of items) if (leasedBy.get(item.id) === name) leasedBy.delete(item.id);
        await inner.reschedule(workerId, items);
      },
      recordSms: (...args) => inner.recordSms(...args),
      applyCommand: (...args) => inner.applyCommand(...args),
      recordOrphan: (...args) => inner.recordOrphan(...args),
      recordUpstreamDebt: (...args) => inner.recordUpstreamDebt(...args),
      renewLeases: (...args) => inner.renewLeases(...args),
      knownUpstreamRefs: (...args) => inner.knownUpstreamRefs(...args),
      openBuyAttempts: (...args) => inner.openBuyAttempts(...args),
      orphanSightings: (...args) => inner.orphanSightings(...args),
      releaseLeases: (...args) => inner.releaseLeases(...args),
    });
    const workers = [
      {
        name: 'worker-a',
        store: tracked(new DatabaseWorkerStore(storeA), 'worker-a'),
        adapter: h.newAdapter(),
      },
      {
        name: 'worker-b',
        store: tracked(new DatabaseWorkerStore(storeB), 'worker-b'),
        adapter: h.newAdapter(),
      },
    ];
    const round = () =>
      Promise.all(
        workers.map((worker) =>
          runPollPass(
            h.pollDeps({
              store: worker.store,
              adapters: h.adapters(worker.adapter),
              workerId: worker.name,
              batchSize: 7,
            }),
          ),
        ),
      );

    const userId = await h.newUser(100_000_000n);
    const count = 40;
    const orders: Array<{ orderId: string; ref: string }> = [];
    for (let i = 0; i < count; i++) orders.push(await h.activeOrder(userId));

    const looked = await round();
    expect(looked[0]! + looked[1]!).toBe(count);
    expect(overlaps).toEqual([]);
    expect([...leaseCounts.values()].every((n) => n === 1)).toBe(true);
    expect(leaseCounts.size).toBe(count);

    for (const [index, { ref }] of orders.entries()) {
      h.sim.deliverSms(ref, `Telegram code: ${String(500000 + index)}`);
    }
    for (let i = 0; i < 3; i++) {
      leaseCounts.clear();
      h.advancePastNextPoll();
      const again = await round();
      expect(again[0]! + again[1]!).toBe(count);
      expect([...leaseCounts.values()].every((n) => n === 1)).toBe(true);
    }
    expect(overlaps).toEqual([]);

    for (const { orderId } of orders) {
      expect((await h.order(orderId)).status).toBe('CODE_RECEIVED');
      expect(await storeA.orders.messages(orderId)).toHaveLength(1);
      expect((await h.events(orderId)).filter((type) => type === 'SMS_RECEIVED')).toHaveLength(1);
    }
    const wallet = await h.wallet(userId);
    expect(wallet.held).toBe(0n);
    expect(wallet.ledger.filter((entry) => entry === `CAPTURE ${PRICE_MINOR}`)).toHaveLength(count);
  });
});
