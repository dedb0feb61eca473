import type { SimulatorBase } from '@numbroker/providers';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/async-queue.js';
import { buyNumber, getOrder, irt, priceOf, walletOf } from './support/orders.js';
import { useStack } from './support/lifecycle.js';
import {
  EVENT_WAIT_MS,
  expectCodeDeliveredOnce,
  statusChecksOf,
  watchOrder,
} from './support/watch-order.js';

/** A worker killed inside a poll pass leaves its leases behind: they lapse after the worker's
 *  lease time (2 poll intervals, at least 2 s: a pass renews the leases it works on), then the
 *  order is due again. Well under the old 30 s lease, so a crash costs a few poll gaps. */
const LEASE_LAPSE_WAIT_MS = 12_000;

const TELEGRAM_RU = { service: 'telegram', country: 'RU', cost: '12.50', stock: 50 };

describe.each(['sqlite', 'postgres'] as const)('the worker killed with -9 (%s)', (database) => {
  const stackOf = useStack({
    database,
    providers: [{ id: 'sa', kind: 'smsactivate', offers: [TELEGRAM_RU] }],
  });

  it('an SMS that lands while no worker runs arrives once after the restart', async () => {
    const stack = stackOf();
    const user = await stack.createUser('50000');
    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    const price = priceOf(order);
    const watch = await watchOrder(stack, user.apiKey, order.id);
    const ref = await stack.upstreamRefOf(order.id);
    const sim = stack.sim('sa');

    // The order is waiting: the worker has asked about it.
    await eventually('a status check of the waiting order', () => statusChecksOf(sim, ref) > 0, {
      timeoutMs: EVENT_WAIT_MS,
    });
    const worker = stack.workers.at(-1)!;
    await worker.kill9();
    expect((await worker.exited()).signal).toBe('SIGKILL');

    sim.deliverSms(ref, 'Your Telegram code is 61520');
    // No worker, no code: the order still waits (the server never polls).
    expect((await getOrder(stack, user.apiKey, order.id)).status).toBe('ACTIVE');

    stack.startWorker();
    // Killed between passes, the order is free at once; killed in one, after its lease lapses.
    const sms = await watch.codes.nextData('the code after the restart', LEASE_LAPSE_WAIT_MS);
    expect(sms.smsReceived).toMatchObject({ code: '61520', order: { id: order.id } });

    const wallet = await walletOf(stack, user.apiKey);
    expect(wallet.balance.format()).toBe(irt('50000').minus(price).format());
    expect(wallet.held.format()).toBe('0');
    await expectCodeDeliveredOnce(stack, user.apiKey, order, sim, ref, '61520', [watch]);
  });

  it('killed in the middle of a status call, its lease lapses and the restarted worker delivers the code once', async () => {
    const stack = stackOf();
    const user = await stack.createUser('50000');
    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    const price = priceOf(order);
    const watch = await watchOrder(stack, user.apiKey, order.id);
    const ref = await stack.upstreamRefOf(order.id);
    const sim = stack.sim('sa');

    // The next status call about this activation never gets an answer: the worker sits in
    // its poll pass holding the order's lease when it dies.
    sim.injectFault({ kind: 'timeout', match: `id=${ref}` });
    await eventually(
      'the worker to be stuck in a status call',
      () => sim.requests.some((r) => r.fault === 'timeout' && r.url.includes(`id=${ref}`)),
      { timeoutMs: EVENT_WAIT_MS },
    );
    const worker = stack.workers.at(-1)!;
    await worker.kill9();

    sim.deliverSms(ref, 'Telegram code: 30512');
    stack.startWorker();
    const sms = await watch.codes.nextData('the code once the lease lapsed', LEASE_LAPSE_WAIT_MS);
    expect(sms.smsReceived).toMatchObject({ code: '30512', order: { id: order.id } });
    const wallet = await walletOf(stack, user.apiKey);
    expect(wallet.balance.format()).toBe(irt('50000').minus(price).format());
    expect(wallet.held.format()).toBe('0');
    await expectCodeDeliveredOnce(stack, user.apiKey, order, sim, ref, '30512', [watch]);
  });
});

describe('an upstream answering HTML 502 for a while (sqlite)', () => {
  const stackOf = useStack({
    database: 'sqlite',
    providers: [{ id: 'sa', kind: 'smsactivate', offers: [TELEGRAM_RU] }],
  });

  it('the order survives and its code arrives', async () => {
    const stack = stackOf();
    const user = await stack.createUser('50000');
    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    const watch = await watchOrder(stack, user.apiKey, order.id);
    const ref = await stack.upstreamRefOf(order.id);
    const sim = stack.sim('sa');

    // Every request from now on gets nginx's 502 page until six have.
    const faultsFrom = Date.now();
    sim.injectFault({ kind: 'html502', times: 6 });
    sim.deliverSms(ref, 'Telegram code: 77031');

    const sms = await watch.codes.nextData('the code after the 502s', EVENT_WAIT_MS);
    expect(sms.smsReceived).toMatchObject({ code: '77031', order: { id: order.id } });
    const faulted = sim.requests.filter((r) => r.at >= faultsFrom && r.fault === 'html502');
    expect(faulted).toHaveLength(6);
    expect((sim as SimulatorBase).pendingFaults).toBe(0);

    await watch.updates.nextData(
      'CODE_RECEIVED on orderUpdated',
      EVENT_WAIT_MS,
      (e) => e.orderUpdated.order.status === 'CODE_RECEIVED',
    );
    // Nothing happened to the order between its purchase and its code: the faults neither
    // failed, cancelled nor expired it.
    const types = watch.updates.received.map((e) => e.orderUpdated.type);
    expect(types).toEqual(['ORDER_CREATED', 'ORDER_ACTIVE', 'SMS_RECEIVED']);
    await expectCodeDeliveredOnce(stack, user.apiKey, order, sim, ref, '77031', [watch]);
  });

  it('an activation the upstream ends on its own is refunded to the customer', async () => {
    const stack = stackOf();
    const user = await stack.createUser('50000');
    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    const watch = await watchOrder(stack, user.apiKey, order.id);
    const ref = await stack.upstreamRefOf(order.id);
    const sim = stack.sim('sa');

    sim.expireActivation(ref);
    const ended = await watch.updates.nextData(
      'the order to end on orderUpdated',
      EVENT_WAIT_MS,
      (e) => !['PENDING', 'ACTIVE'].includes(e.orderUpdated.order.status),
    );
    expect(['CANCELLED', 'EXPIRED']).toContain(ended.orderUpdated.order.status);
    const wallet = await walletOf(stack, user.apiKey);
    expect(wallet.balance.format()).toBe('50000');
    expect(wallet.held.format()).toBe('0');
    expect(watch.codes.received).toEqual([]);
  });
});
