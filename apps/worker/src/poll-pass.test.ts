import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '@numbroker/providers';
import type { Store } from '@numbroker/store';
import { useHarnessSuite } from './test-support/harness-suite.js';
import { UpstreamDebts } from './poll-pass.js';
import type { OrphanSightings } from './reconcile-pending.js';
import { DatabaseWorkerStore } from './database-worker-store.js';
import { DATABASE_KINDS } from '@numbroker/store/testing';
import {
  ORDER_TTL_SECONDS,
  POLL_INTERVAL_MS,
  PRICE_MINOR,
  withoutBatchStatus,
} from './test-support/harness.js';

const FUNDS = 10_000_000n;
/** The worker's default reconcile delay (pendingReconcileSeconds 120). */
const RECONCILE_DELAY_MS = 120_000;

describe.each(DATABASE_KINDS)('poll pass on %s', (kind) => {
  let store: Store;
  const harness = useHarnessSuite(kind, (opened) => {
    store = opened;
  });

  it('delivers a code: CODE_RECEIVED, stored once, hold captured exactly', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    expect(await h.wallet(userId)).toEqual({
      available: FUNDS - PRICE_MINOR,
      held: PRICE_MINOR,
      ledger: [`CREDIT ${FUNDS}`, `HOLD ${PRICE_MINOR}`],
    });

    expect(await h.pollPass()).toBe(1);
    expect((await h.order(orderId)).status).toBe('ACTIVE');

    h.sim.deliverSms(ref, 'Telegram code: 48213. Do not give this code to anyone');
    h.advancePastNextPoll();
    await h.pollPass();

    const order = await h.order(orderId);
    expect(order.status).toBe('CODE_RECEIVED');
    expect((await store.orders.messages(orderId)).map((m) => m.code)).toEqual(['48213']);
    expect(await h.wallet(userId)).toEqual({
      available: FUNDS - PRICE_MINOR,
      held: 0n,
      ledger: [`CREDIT ${FUNDS}`, `HOLD ${PRICE_MINOR}`, `CAPTURE ${PRICE_MINOR}`],
    });

    // The upstream keeps showing the same SMS: nothing more is written.
    const events = await h.events(orderId);
    for (let i = 0; i < 3; i++) {
      h.advancePastNextPoll();
      await h.pollPass();
    }
    expect(await h.events(orderId)).toEqual(events);
    expect(await store.orders.messages(orderId)).toHaveLength(1);
  });

  it('polls an order of a provider that pushes its SMS by webhook only at the safety-net interval', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    const safetyNet = 10 * POLL_INTERVAL_MS;
    const pushed = { pollIntervalOf: () => safetyNet };
    expect(await h.pollPass(pushed)).toBe(1);
    h.sim.deliverSms(ref, 'Telegram code: 11223');
    // A regular interval later the order is not due (the webhook should have brought it)...
    h.clock.advance(3 * POLL_INTERVAL_MS + 1);
    expect(await h.pollPass(pushed)).toBe(0);
    expect((await h.order(orderId)).status).toBe('ACTIVE');
    // ...and the safety net still finds the code.
    h.clock.advance(safetyNet);
    expect(await h.pollPass(pushed)).toBe(1);
    expect((await h.order(orderId)).status).toBe('CODE_RECEIVED');
  });

  it('stores an SMS once even when the batch listing and the single status word it differently', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const first = await h.activeOrder(userId);
    h.sim.deliverSms(first.ref, 'Telegram code: 55120. Do not give this code to anyone');
    await h.pollPass(); // one order due: getStatus, which gives the code alone
    expect(await store.orders.messages(first.orderId)).toHaveLength(1);

    // A restarted worker (empty cache), and two orders due: the batch listing, code and text.
    await h.activeOrder(userId);
    h.workerStore = new DatabaseWorkerStore(store);
    h.advancePastNextPoll();
    const from = h.sim.requests.length;
    await h.pollPass();
    expect(h.statusRequests(from).some((url) => url.includes('getActiveActivations'))).toBe(true);
    expect(await store.orders.messages(first.orderId)).toHaveLength(1);
    expect((await h.wallet(userId)).ledger.filter((e) => e.startsWith('CAPTURE'))).toHaveLength(1);
  });

  it('delivers a second SMS after requestAnotherSms, charging once', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    h.sim.deliverSms(ref, 'Telegram code: 11111');
    await h.pollPass();
    expect((await h.order(orderId)).status).toBe('CODE_RECEIVED');

    // What the server does for requestAnotherSms.
    await h.adapter.requestAnotherSms!(ref);
    await store.orders.applyOrderCommand(
      orderId,
      { type: 'REQUEST_ANOTHER_SMS' },
      { now: h.clock.now() },
    );
    h.advancePastNextPoll();
    await h.pollPass();
    expect(await store.orders.messages(orderId)).toHaveLength(1);

    h.sim.deliverSms(ref, 'Telegram code: 22222');
    h.advancePastNextPoll();
    await h.pollPass();

    expect((await store.orders.messages(orderId)).map((m) => m.code)).toEqual(['11111', '22222']);
    expect(await h.wallet(userId)).toEqual({
      available: FUNDS - PRICE_MINOR,
      held: 0n,
      ledger: [`CREDIT ${FUNDS}`, `HOLD ${PRICE_MINOR}`, `CAPTURE ${PRICE_MINOR}`],
    });
    expect((await h.events(orderId)).filter((type) => type === 'SMS_RECEIVED')).toHaveLength(2);
  });

  it('completes an order of a per-SMS upstream at its first code, and reads no later SMS', async () => {
    const h = await harness();
    const perSms = perSmsUpstream(h.adapter);
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    h.sim.deliverSms(ref, 'Telegram code: 48213');
    await h.pollPass({ adapters: h.adapters(perSms) });

    // Before: CODE_RECEIVED until the TTL, a status check every interval, later SMS read.
    expect((await h.order(orderId)).status).toBe('COMPLETED');
    expect(await h.events(orderId)).toEqual(
      expect.arrayContaining(['SMS_RECEIVED', 'ORDER_COMPLETED']),
    );
    expect((await store.orders.messages(orderId)).map((m) => m.code)).toEqual(['48213']);
    expect((await h.order(orderId)).nextPollAt).toBeNull();
    const from = h.sim.requests.length;
    h.advancePastNextPoll();
    await h.pollPass({ adapters: h.adapters(perSms) });
    expect(h.statusRequests(from)).toEqual([]);
    expect(await h.wallet(userId)).toEqual({
      available: FUNDS - PRICE_MINOR,
      held: 0n,
      ledger: [`CREDIT ${FUNDS}`, `HOLD ${PRICE_MINOR}`, `CAPTURE ${PRICE_MINOR}`],
    });
  });

  it('completes a per-SMS order left CODE_RECEIVED by a crash at its next check', async () => {
    const h = await harness();
    const perSms = perSmsUpstream(h.adapter);
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    h.sim.deliverSms(ref, 'Telegram code: 48213');
    await h.pollPass(); // the code is stored, the process "dies" before completing
    expect((await h.order(orderId)).status).toBe('CODE_RECEIVED');
    h.advancePastNextPoll();
    await h.pollPass({ adapters: h.adapters(perSms) });
    expect((await h.order(orderId)).status).toBe('COMPLETED');
    expect((await h.wallet(userId)).ledger.filter((e) => e.startsWith('CAPTURE'))).toHaveLength(1);
  });

  it('expires an order at its TTL: cancelled upstream, hold released exactly', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    await h.pollPass();

    h.clock.advance(ORDER_TTL_SECONDS * 1000);
    await h.pollPass();

    expect(h.cancelRequests(ref)).toBe(1);
    expect(h.sim.activation(ref)?.state).toBe('cancelled');
    expect((await h.order(orderId)).status).toBe('EXPIRED');
    expect(await h.wallet(userId)).toEqual({
      available: FUNDS,
      held: 0n,
      ledger: [`CREDIT ${FUNDS}`, `HOLD ${PRICE_MINOR}`, `RELEASE ${PRICE_MINOR}`],
    });
    expect((await h.order(orderId)).nextPollAt).toBeNull();
  });

  it('checks a waiting order again no later than its TTL', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId } = await h.activeOrder(userId);
    h.clock.advance(ORDER_TTL_SECONDS * 1000 - 500);
    await h.pollPass();
    const order = await h.order(orderId);
    expect(order.nextPollAt!.getTime()).toBeLessThanOrEqual(order.expiresAt.getTime());
  });

  it('checks orders due within the lease-ahead window now, and none due later', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId } = await h.activeOrder(userId);
    await h.pollPass(); // first check right after the buy; the next is one interval later
    const nextPollAt = (await h.order(orderId)).nextPollAt!.getTime();
    const untilDue = nextPollAt - h.clock.now().getTime();
    expect(await h.pollPass({ leaseAheadMs: untilDue - 1 })).toBe(0);
    expect(await h.pollPass({ leaseAheadMs: untilDue })).toBe(1);
  });

  it('retries a refused early cancel until the upstream allows it', async () => {
    const h = await harness({
      simulator: { earlyCancelDeniedMs: (ORDER_TTL_SECONDS + 60) * 1000 },
    });
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);

    h.clock.advance(ORDER_TTL_SECONDS * 1000);
    await h.pollPass();
    expect(h.cancelRequests(ref)).toBe(1);
    expect((await h.order(orderId)).status).toBe('ACTIVE');
    expect((await h.wallet(userId)).held).toBe(PRICE_MINOR);

    h.advancePastNextPoll();
    await h.pollPass();
    expect(h.cancelRequests(ref)).toBe(2);
    expect((await h.order(orderId)).status).toBe('ACTIVE');

    h.clock.advance(60_000);
    await h.pollPass();
    expect(h.cancelRequests(ref)).toBe(3);
    expect((await h.order(orderId)).status).toBe('EXPIRED');
    expect(await h.wallet(userId)).toMatchObject({ available: FUNDS, held: 0n });
  });

  it('lets a code that arrives while the cancel is refused win: charged and completed', async () => {
    const h = await harness({
      simulator: { earlyCancelDeniedMs: (ORDER_TTL_SECONDS + 60) * 1000 },
    });
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    h.clock.advance(ORDER_TTL_SECONDS * 1000);
    await h.pollPass();
    expect((await h.order(orderId)).status).toBe('ACTIVE');

    h.sim.deliverSms(ref, 'Telegram code: 90817');
    h.advancePastNextPoll();
    await h.pollPass();
    expect((await h.order(orderId)).status).toBe('CODE_RECEIVED');
    expect((await store.orders.messages(orderId)).map((m) => m.code)).toEqual(['90817']);

    h.advancePastNextPoll();
    await h.pollPass();
    expect((await h.order(orderId)).status).toBe('COMPLETED');
    expect(h.sim.activation(ref)?.state).toBe('finished');
    expect(await h.wallet(userId)).toEqual({
      available: FUNDS - PRICE_MINOR,
      held: 0n,
      ledger: [`CREDIT ${FUNDS}`, `HOLD ${PRICE_MINOR}`, `CAPTURE ${PRICE_MINOR}`],
    });
  });

  it('expires an order within the grace when its upstream cancel keeps failing: hold released, debt recorded, cancel retried until it goes through', async () => {
    const h = await harness();
    const debts = new UpstreamDebts();
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    h.sim.injectFault({ kind: 'http500', times: 3, match: 'setStatus' });
    h.clock.advance(ORDER_TTL_SECONDS * 1000);
    await h.pollPass({ debts, expiryGraceMs: 10_000 });
    expect((await h.order(orderId)).status).toBe('ACTIVE');
    // The retry is due within the grace, however far the backoff has grown.
    expect((await h.order(orderId)).nextPollAt!.getTime()).toBeLessThanOrEqual(
      (await h.order(orderId)).expiresAt.getTime() + 10_000,
    );
    h.clock.advance(10_000);
    await h.pollPass({ debts, expiryGraceMs: 10_000 });
    expect((await h.order(orderId)).status).toBe('EXPIRED');
    expect(await h.wallet(userId)).toMatchObject({ available: FUNDS, held: 0n });
    const attempts = async () =>
      (await store.orders.attemptsSince(new Date(0)))
        .filter((row) => row.orderId === orderId)
        .map((row) => row.operation);
    expect(await attempts()).toContain('upstream-debt');
    expect(debts.size).toBe(1);
    // Still failing once more, then the upstream lets us: settled, the activation cancelled.
    for (let i = 0; i < 4 && debts.size > 0; i++) {
      h.clock.advance(60_000);
      await h.pollPass({ debts, expiryGraceMs: 10_000 });
    }
    expect(debts.size).toBe(0);
    expect(h.sim.activation(ref)?.state).toBe('cancelled');
    expect(await attempts()).toContain('debt-settled');
  });

  it('checks an order at its TTL however far its status backoff has grown', async () => {
    const h = await harness({ withoutBatchStatus: true });
    const userId = await h.newUser(FUNDS);
    const { orderId } = await h.activeOrder(userId);
    h.sim.injectFault({ kind: 'html502', times: 100, match: 'getStatus' });
    // Failing checks grow the backoff towards a minute; the TTL is 20 s away.
    h.clock.advance(ORDER_TTL_SECONDS * 1000 - 20_000);
    for (let i = 0; i < 6; i++) {
      await h.pollPass();
      const order = await h.order(orderId);
      expect(order.nextPollAt!.getTime()).toBeLessThanOrEqual(order.expiresAt.getTime());
      h.clock.ms = Math.min(order.nextPollAt!.getTime(), order.expiresAt.getTime() - 1);
    }
  });

  it('treats a refund upstream after a code as the report it is: REPORTED, the price refunded', async () => {
    const h = await harness({ withoutBatchStatus: true });
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    h.sim.deliverSms(ref, 'Telegram code: 77001');
    await h.pollPass();
    expect((await h.order(orderId)).status).toBe('CODE_RECEIVED');
    // The customer's report reached the upstream (which refunded us), but its REPORT write was
    // lost; the upstream now shows the activation cancelled.
    const inner = withoutBatchStatus(h.adapter);
    const refunding: ProviderAdapter = {
      ...inner,
      capabilities: { ...inner.capabilities, report: true, reportRefunds: true },
      status: async (upstreamRef) => ({ upstreamRef, state: 'cancelled', messages: [] }),
    };
    h.advancePastNextPoll();
    await h.pollPass({ adapters: h.adapters(refunding) });
    expect((await h.order(orderId)).status).toBe('REPORTED');
    expect(await h.wallet(userId)).toMatchObject({ available: FUNDS, held: 0n });
  });

  it('renews the leases of a pass that outlasts them, so no other worker takes its orders meanwhile', async () => {
    const h = await harness({ withoutBatchStatus: true });
    const userId = await h.newUser(FUNDS);
    // About to expire: the claim gives it a plain lease of leaseMs (150 ms of the test clock).
    const { orderId } = await h.activeOrder(userId);
    h.clock.advance(ORDER_TTL_SECONDS * 1000 - 1000);
    const taken: string[][] = [];
    const inner = withoutBatchStatus(h.adapter);
    const slow: ProviderAdapter = {
      ...inner,
      status: async (ref) => {
        h.clock.advance(100);
        // Real time for the renewal (every 100 ms) to run.
        await new Promise((resolve) => setTimeout(resolve, 350));
        h.clock.advance(100); // now past the first lease
        const other = await h.workerStore.leaseDueOrders('other', h.clock.now(), 10, 150);
        taken.push(other.map((order) => order.id));
        return inner.status(ref);
      },
    };
    await h.pollPass({ adapters: h.adapters(slow), leaseMs: 150 });
    expect(taken).toEqual([[]]);
    expect((await h.order(orderId)).status).toBe('ACTIVE');
    await h.workerStore.releaseLeases('other');
  });

  it('refunds an order the upstream ended on its own', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    await h.pollPass();
    h.sim.expireActivation(ref);
    h.advancePastNextPoll();
    await h.pollPass();
    expect((await h.order(orderId)).status).toBe('EXPIRED');
    expect(h.cancelRequests(ref)).toBe(0);
    expect(await h.wallet(userId)).toEqual({
      available: FUNDS,
      held: 0n,
      ledger: [`CREDIT ${FUNDS}`, `HOLD ${PRICE_MINOR}`, `RELEASE ${PRICE_MINOR}`],
    });
  });

  it('keeps an order through a spell of HTML 502s and delivers the code after', async () => {
    const h = await harness({ withoutBatchStatus: true });
    const userId = await h.newUser(FUNDS);
    const { orderId, ref } = await h.activeOrder(userId);
    h.sim.injectFault({ kind: 'html502', times: 3, match: 'getStatus' });
    for (let i = 0; i < 3; i++) {
      await h.pollPass();
      expect((await h.order(orderId)).status).toBe('ACTIVE');
      h.clock.advance(60_000); // past the longest backoff
    }
    expect(h.sim.pendingFaults).toBe(0);
    h.sim.deliverSms(ref, 'Telegram code: 31337');
    await h.pollPass();
    expect((await h.order(orderId)).status).toBe('CODE_RECEIVED');
    expect((await h.wallet(userId)).ledger).toContain(`CAPTURE ${PRICE_MINOR}`);
  });

  it('backs off an order whose status check fails', async () => {
    const h = await harness({ withoutBatchStatus: true });
    const userId = await h.newUser(FUNDS);
    const { orderId } = await h.activeOrder(userId);
    h.sim.injectFault({ kind: 'html502', times: 2, match: 'getStatus' });
    const start = h.clock.ms;
    await h.pollPass();
    const first = (await h.order(orderId)).nextPollAt!.getTime() - start;
    h.clock.ms = start + first;
    await h.pollPass();
    const second = (await h.order(orderId)).nextPollAt!.getTime() - h.clock.ms;
    expect(second).toBeGreaterThan(first);
  });

  it('checks N orders of a batch-status provider with at most ceil(N/100) requests per pass', async () => {
    const h = await harness();
    h.sim.setOffer({ service: 'telegram', country: 'RU', cost: '12.50', stock: 1000 });
    h.sim.setBalance('100000.00');
    const userId = await h.newUser(1_000_000_000n);
    const count = 120;
    const limit = pLimit(4);
    const orders = await Promise.all(
      Array.from({ length: count }, () => limit(() => h.activeOrder(userId))),
    );

    let from = h.sim.requests.length;
    expect(await h.pollPass()).toBe(count);
    expect(h.statusRequests(from).length).toBeLessThanOrEqual(Math.ceil(count / 100));

    for (const [index, { ref }] of orders.entries()) {
      h.sim.deliverSms(ref, `Telegram code: ${String(100000 + index)}`);
    }
    h.advancePastNextPoll();
    from = h.sim.requests.length;
    expect(await h.pollPass()).toBe(count);
    expect(h.statusRequests(from).length).toBeLessThanOrEqual(Math.ceil(count / 100));
    const statuses = await Promise.all(orders.map(({ orderId }) => h.order(orderId)));
    expect(statuses.every((order) => order.status === 'CODE_RECEIVED')).toBe(true);
    expect((await h.wallet(userId)).held).toBe(0n);
  });

  it('fails a stuck PENDING order with its hold released when nothing upstream is its', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const orderId = await h.pendingOrder(userId, h.clock.now());
    await h.pollPass();
    const order = await h.order(orderId);
    expect(order.status).toBe('FAILED');
    expect(await h.wallet(userId)).toEqual({
      available: FUNDS,
      held: 0n,
      ledger: [`CREDIT ${FUNDS}`, `HOLD ${PRICE_MINOR}`, `RELEASE ${PRICE_MINOR}`],
    });
  });

  it('leaves a PENDING order alone before its reconcile time', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const orderId = await h.pendingOrder(userId, new Date(h.clock.ms + 120_000));
    expect(await h.pollPass()).toBe(0);
    expect((await h.order(orderId)).status).toBe('PENDING');
  });

  it('lets a stuck PENDING order adopt the one activation no order owns', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const known = await h.activeOrder(userId); // owned: never adopted nor cancelled
    const orderId = await h.pendingOrder(userId, h.clock.now());
    const orphan = await h.buyUpstream(); // the server died before writing this
    await h.pollPass();

    const order = await h.order(orderId);
    expect(order).toMatchObject({
      status: 'ACTIVE',
      upstreamRef: orphan.upstreamRef,
      phoneNumber: orphan.phoneNumber,
      providerId: h.providerId,
    });
    expect(h.sim.activation(known.ref)?.state).toBe('waiting');

    h.sim.deliverSms(orphan.upstreamRef, 'Telegram code: 70707');
    h.advancePastNextPoll();
    await h.pollPass();
    expect((await h.order(orderId)).status).toBe('CODE_RECEIVED');
    expect((await h.wallet(userId)).held).toBe(PRICE_MINOR); // the other order's hold
  });

  it('fails the stuck orders when it cannot tell whose is whose, and cancels the orphan once it is older than the reconcile delay', async () => {
    const h = await harness();
    const orphansSeen: OrphanSightings = new Map();
    const userId = await h.newUser(FUNDS);
    const first = await h.pendingOrder(userId, h.clock.now());
    const second = await h.pendingOrder(userId, h.clock.now());
    const orphan = await h.buyUpstream();
    await h.pollPass({ orphansSeen });
    expect((await h.order(first)).status).toBe('FAILED');
    expect((await h.order(second)).status).toBe('FAILED');
    expect(await h.wallet(userId)).toMatchObject({ available: FUNDS, held: 0n });
    // Young: it may be a buy still in flight. Left alone, then cancelled once old enough.
    expect(h.sim.activation(orphan.upstreamRef)?.state).toBe('waiting');
    h.clock.advance(RECONCILE_DELAY_MS - 1000);
    await h.pollPass({ orphansSeen });
    expect(h.sim.activation(orphan.upstreamRef)?.state).toBe('waiting');
    h.clock.advance(1000);
    await h.pollPass({ orphansSeen });
    expect(h.sim.activation(orphan.upstreamRef)?.state).toBe('cancelled');
    expect(orphansSeen.size).toBe(0);
  });

  it("never hands a stuck order the activation of a buy still in flight (another customer's number)", async () => {
    const h = await harness();
    const orphansSeen: OrphanSightings = new Map();
    const victim = await h.newUser(FUNDS);
    const stranger = await h.newUser(FUNDS);
    // The stranger's buy is in flight: its activation exists upstream, transaction 2 not yet
    // committed, its reconcile time far away.
    const inFlight = await h.pendingOrder(stranger, new Date(h.clock.ms + 120_000));
    const strangersNumber = await h.buyUpstream();
    // The victim's order is stuck (its server died before anything reached the upstream).
    const stuck = await h.pendingOrder(victim, h.clock.now());
    await h.pollPass({ orphansSeen });
    const order = await h.order(stuck);
    expect(order.status).toBe('FAILED');
    expect(order.upstreamRef).toBeNull();
    expect(await h.wallet(victim)).toMatchObject({ available: FUNDS, held: 0n });
    // Not cancelled either: the stranger's transaction 2 lands and the number is theirs.
    expect(h.sim.activation(strangersNumber.upstreamRef)?.state).toBe('waiting');
    await store.orders.applyOrderCommand(
      inFlight,
      {
        type: 'PURCHASED',
        phoneNumber: strangersNumber.phoneNumber,
        upstreamRef: strangersNumber.upstreamRef,
      },
      { providerId: h.providerId, now: h.clock.now() },
    );
    h.sim.deliverSms(strangersNumber.upstreamRef, 'Telegram code: 13579');
    h.advancePastNextPoll();
    await h.pollPass({ orphansSeen });
    expect((await h.order(inFlight)).status).toBe('CODE_RECEIVED');
    expect(await store.orders.messages(stuck)).toEqual([]);
  });

  it('tells several stuck orders at one provider apart by what their recorded attempts asked', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const telegram = await h.pendingOrder(userId, h.clock.now());
    const whatsapp = await h.pendingOrder(userId, h.clock.now(), { service: 'whatsapp' });
    const tgNumber = await h.buyUpstream('telegram');
    const waNumber = await h.buyUpstream('whatsapp');
    await h.pollPass();
    expect(await h.order(telegram)).toMatchObject({
      status: 'ACTIVE',
      upstreamRef: tgNumber.upstreamRef,
    });
    expect(await h.order(whatsapp)).toMatchObject({
      status: 'ACTIVE',
      upstreamRef: waNumber.upstreamRef,
    });
  });

  it('tells stuck orders of one product apart by when their attempts ran', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const early = await h.pendingOrder(userId, new Date(h.clock.ms + 250_000));
    const earlyNumber = await h.buyUpstream();
    h.clock.advance(90_000); // past the first attempt's window
    const late = await h.pendingOrder(userId, new Date(h.clock.ms + 150_000));
    const lateNumber = await h.buyUpstream();
    h.clock.advance(200_000);
    await h.pollPass();
    expect(await h.order(early)).toMatchObject({
      status: 'ACTIVE',
      upstreamRef: earlyNumber.upstreamRef,
    });
    expect(await h.order(late)).toMatchObject({
      status: 'ACTIVE',
      upstreamRef: lateNumber.upstreamRef,
    });
  });

  it('never adopts an activation bought outside the order’s recorded attempt (another product, or before it)', async () => {
    const h = await harness();
    const orphansSeen: OrphanSightings = new Map();
    const userId = await h.newUser(FUNDS);
    const elsewhere = await h.buyUpstream('whatsapp'); // bought by something else on the account
    h.clock.advance(90_000);
    const before = await h.buyUpstream('telegram'); // before our attempt's window
    h.clock.advance(130_000);
    const stuck = await h.pendingOrder(userId, h.clock.now());
    const noAttempt = await h.pendingOrder(userId, h.clock.now(), { attempt: false });
    await h.pollPass({ orphansSeen });
    expect((await h.order(stuck)).status).toBe('FAILED');
    expect((await h.order(noAttempt)).status).toBe('FAILED');
    expect(await h.wallet(userId)).toMatchObject({ available: FUNDS, held: 0n });
    // Both are older than the reconcile delay by the upstream's own clock: cancelled now.
    expect(h.sim.activation(elsewhere.upstreamRef)?.state).toBe('cancelled');
    expect(h.sim.activation(before.upstreamRef)?.state).toBe('cancelled');
  });

  it("measures an orphan's age by the upstream's clock where it says, else since first seen", async () => {
    const h = await harness();
    const orphansSeen: OrphanSightings = new Map();
    const orphan = await h.buyUpstream();
    h.clock.advance(RECONCILE_DELAY_MS - 20_000);
    // First seen now (a sweep looks only at what it saw before: a stuck order brings it in).
    const userId = await h.newUser(FUNDS);
    await h.pendingOrder(userId, h.clock.now(), { service: 'whatsapp' });
    await h.pollPass({ orphansSeen });
    expect(h.sim.activation(orphan.upstreamRef)?.state).toBe('waiting');
    h.clock.advance(20_000); // the reconcile delay since it was bought, 20 s since first seen
    await h.pollPass({ orphansSeen });
    expect(h.sim.activation(orphan.upstreamRef)?.state).toBe('cancelled');
  });

  it("remembers an orphan's first sighting across a restart where the listing gives no creation time", async () => {
    const h = await harness();
    const untimed: ProviderAdapter = {
      ...withoutBatchStatus(h.adapter),
      listActivations: async () =>
        (await h.adapter.listActivations!()).map(({ createdAt: _, ...rest }) => rest),
    };
    const adapters = h.adapters(untimed);
    const userId = await h.newUser(FUNDS);
    const orphan = await h.buyUpstream();
    // A stuck order of another product brings a listing: the orphan is seen for the first time.
    await h.pendingOrder(userId, h.clock.now(), { service: 'whatsapp' });
    await h.pollPass({ adapters, orphansSeen: new Map() });
    h.clock.advance(RECONCILE_DELAY_MS - 20_000);
    // The worker restarted (nothing in memory): seen 100 s ago, still too young to cancel.
    const restarted: OrphanSightings = new Map();
    await h.pendingOrder(userId, h.clock.now(), { service: 'whatsapp' });
    await h.pollPass({ adapters, orphansSeen: restarted });
    expect(h.sim.activation(orphan.upstreamRef)?.state).toBe('waiting');
    h.clock.advance(20_000);
    await h.pollPass({ adapters, orphansSeen: restarted });
    expect(h.sim.activation(orphan.upstreamRef)?.state).toBe('cancelled');
  });

  it('never cancels a young orphan that a buy in flight could own, whatever the upstream clock says', async () => {
    const h = await harness();
    const orphansSeen: OrphanSightings = new Map();
    const userId = await h.newUser(FUNDS);
    // Old by the upstream's clock (which we may read wrong): outside the in-flight buy's window.
    const number = await h.buyUpstream();
    h.clock.advance(RECONCILE_DELAY_MS + 1000);
    const stuck = await h.pendingOrder(userId, h.clock.now(), { service: 'whatsapp' });
    const inFlight = await h.pendingOrder(userId, new Date(h.clock.ms + 120_000));
    await h.pollPass({ orphansSeen });
    expect((await h.order(stuck)).status).toBe('FAILED');
    expect((await h.order(inFlight)).status).toBe('PENDING');
    expect(h.sim.activation(number.upstreamRef)?.state).toBe('waiting');
    // Watched for longer than any buy takes: no buy in flight is its, and it is cancelled.
    h.clock.advance(61_000);
    await h.pollPass({ orphansSeen });
    expect(h.sim.activation(number.upstreamRef)?.state).toBe('cancelled');
  });

  it('looks for a stuck order at the provider it was last being bought from (after a failover)', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { order } = await store.orders.createPendingOrder({
      userId,
      service: 'telegram',
      country: 'RU',
      providerId: 'first-choice-that-failed-over',
      priceMinor: PRICE_MINOR,
      currency: 'IRT',
      ttlSeconds: ORDER_TTL_SECONDS,
      reconcileAt: h.clock.now(),
      now: h.clock.now(),
    });
    await store.orders.recordBuyAttempt(order.id, h.providerId, h.clock.now());
    const bought = await h.buyUpstream(); // then the server died
    await h.pollPass();
    expect(await h.order(order.id)).toMatchObject({
      status: 'ACTIVE',
      providerId: h.providerId,
      upstreamRef: bought.upstreamRef,
    });
  });

  it('refuses a second order on one upstream activation (unique provider + ref)', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { ref } = await h.activeOrder(userId);
    const other = await h.pendingOrder(userId);
    await expect(
      store.orders.applyOrderCommand(
        other,
        { type: 'PURCHASED', phoneNumber: '+79990001122', upstreamRef: ref },
        { providerId: h.providerId, now: h.clock.now() },
      ),
    ).rejects.toThrow();
    expect((await h.order(other)).status).toBe('PENDING');
  });

  it('writes a waiting order once per check: the claim schedules the next, an unchanged check writes nothing more', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId } = await h.activeOrder(userId);
    for (let check = 1; check <= 3; check++) {
      const claimedAt = h.clock.now().getTime();
      expect(await h.pollPass()).toBe(1);
      const order = await h.order(orderId);
      expect(order.status).toBe('ACTIVE');
      expect(order.pollCount).toBe(check);
      // Not released by a second write: the holder takes it again at the next check, and the
      // lease lapses for everyone else a lease period after it.
      expect(order.leaseOwner).toBe('test-worker');
      expect(order.nextPollAt!.getTime()).toBe(claimedAt + POLL_INTERVAL_MS);
      expect(order.leaseUntil!.getTime()).toBe(order.nextPollAt!.getTime() + 30_000);
      h.advancePastNextPoll();
    }
  });

  it("lets another worker take a crashed worker's claimed orders only once the lease lapses", async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId } = await h.activeOrder(userId);
    const now = h.clock.now();
    const claim = (workerId: string, dueBy = h.clock.now()) =>
      h.workerStore.leaseDueOrders(workerId, h.clock.now(), 10, 30_000, dueBy, POLL_INTERVAL_MS);
    expect((await claim('crashed')).map((order) => order.id)).toEqual([orderId]);
    const nextCheck = (await h.order(orderId)).nextPollAt!.getTime();
    expect(nextCheck).toBe(now.getTime() + POLL_INTERVAL_MS);

    // Due again, but still leased: a check of the holder may still be running.
    h.clock.advance(POLL_INTERVAL_MS + 30_000 - 1);
    expect(await claim('other')).toEqual([]);
    h.clock.advance(1);
    expect((await claim('other')).map((order) => order.id)).toEqual([orderId]);
    expect(await claim('crashed', new Date(nextCheck + 10 * POLL_INTERVAL_MS))).toEqual([]);
    await h.workerStore.releaseLeases('other');
    await h.workerStore.releaseLeases('crashed');
  });

  it('lets the holder take its claimed order again at the next check, and no one else', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId } = await h.activeOrder(userId);
    const claim = (workerId: string) =>
      h.workerStore.leaseDueOrders(
        workerId,
        h.clock.now(),
        10,
        30_000,
        h.clock.now(),
        POLL_INTERVAL_MS,
      );
    expect((await claim('holder')).map((order) => order.id)).toEqual([orderId]);
    h.clock.advance(POLL_INTERVAL_MS);
    expect(await claim('other')).toEqual([]);
    expect((await claim('holder')).map((order) => order.id)).toEqual([orderId]);
    await h.workerStore.releaseLeases('holder');
  });

  it('gives an order about to expire the long lease, which not even its holder takes early', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId } = await h.activeOrder(userId);
    h.clock.advance(ORDER_TTL_SECONDS * 1000 - POLL_INTERVAL_MS / 2);
    const claim = (workerId: string) =>
      h.workerStore.leaseDueOrders(
        workerId,
        h.clock.now(),
        10,
        30_000,
        h.clock.now(),
        POLL_INTERVAL_MS,
      );
    const before = (await h.order(orderId)).nextPollAt!.getTime();
    expect((await claim('holder')).map((order) => order.id)).toEqual([orderId]);
    const order = await h.order(orderId);
    // Its check is not scheduled past the TTL: it stays due, held until the pass writes it.
    expect(order.nextPollAt!.getTime()).toBe(before);
    expect(order.leaseUntil!.getTime()).toBe(h.clock.now().getTime() + 30_000);
    expect(await claim('holder')).toEqual([]);
    expect(await claim('other')).toEqual([]);
    await h.workerStore.releaseLeases('holder');
  });

  it('gives its leases back on releaseLeases, so another worker takes the orders at once', async () => {
    const h = await harness();
    const userId = await h.newUser(FUNDS);
    const { orderId } = await h.activeOrder(userId);
    const leased = await h.workerStore.leaseDueOrders('crashed-pass', h.clock.now(), 10, 30_000);
    expect(leased.map((order) => order.id)).toEqual([orderId]);
    expect(await h.workerStore.leaseDueOrders('other', h.clock.now(), 10, 30_000)).toEqual([]);

    expect(await h.workerStore.releaseLeases('crashed-pass')).toBe(1);
    expect((await h.order(orderId)).leaseOwner).toBeNull();
    const taken = await h.workerStore.leaseDueOrders('other', h.clock.now(), 10, 30_000);
    expect(taken.map((order) => order.id)).toEqual([orderId]);
    await h.workerStore.releaseLeases('other');
  });
});

/** The same adapter with VerifyPlus's capabilities: charged per SMS, no call for another one. */
function perSmsUpstream(adapter: ProviderAdapter): ProviderAdapter {
  return {
    ...withoutBatchStatus(adapter),
    capabilities: { ...adapter.capabilities, chargesPerSms: true, requestAnotherSms: false },
  };
}
