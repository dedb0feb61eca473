import { createSimulator, type ProviderSimulator } from '@numbroker/providers';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/async-queue.js';
import type { WsConnection } from './support/graphql-ws-client.js';
import {
  buyNumber,
  FINISH_ORDER,
  getOrder,
  ORDER_UPDATED,
  SMS_RECEIVED,
  type OrderUpdatedEvent,
  type OrderView,
  type SmsReceivedEvent,
} from './support/orders.js';
import { overlappingCalls, RecordingProxy, type ProxiedCall } from './support/recording-proxy.js';
import { useStack } from './support/lifecycle.js';
import { EVENT_WAIT_MS } from './support/watch-order.js';

const ORDERS = 6;
/** SMS-Man has no batch status call: every check is a `get-sms` naming one request_id. Holding
 *  each for a while makes two workers asking about one activation at once overlap for sure. */
const GET_SMS_HOLD_MS = 120;

describe('two servers and two workers on Postgres', () => {
  let sim: ProviderSimulator | undefined;
  const proxies = new Map<string, RecordingProxy>();
  const stackOf = useStack(
    async () => {
      const simulator = createSimulator('smsman');
      sim = simulator;
      await simulator.start(0, '127.0.0.1');
      simulator.setBalance('10000.00');
      // One proxy per worker, so each status call is known by the worker that made it.
      const proxyUrls = new Map<string, string>();
      for (const worker of ['worker-0', 'worker-1']) {
        const proxy = new RecordingProxy(new URL(simulator.baseUrl), {
          match: '/get-sms',
          ms: GET_SMS_HOLD_MS,
        });
        proxies.set(worker, proxy);
        proxyUrls.set(worker, await proxy.start());
      }
      return {
        database: 'postgres',
        servers: 2,
        workers: 2,
        pollIntervalMs: 200,
        providers: [
          {
            id: 'man',
            kind: 'smsman',
            instance: simulator,
            offers: [{ service: 'telegram', country: 'RU', cost: '10.00', stock: 100 }],
            baseUrl: (started, process) => proxyUrls.get(process) ?? started.baseUrl,
          },
        ],
      };
    },
    async () => {
      // The stack stops the simulator it was given; this is for a start that failed early.
      await sim?.stop();
      await Promise.all([...proxies.values()].map((proxy) => proxy.stop()));
    },
  );

  it('every order is polled by one worker at a time and every code reaches both servers once', async () => {
    const stack = stackOf();
    const simulator = stack.sim('man');
    const user = await stack.createUser('1000000');
    // Subscribers of all the user's orders on each server; `after: "0"` replays from the start.
    const sockets: WsConnection[] = [stack.connect(user.apiKey, 0), stack.connect(user.apiKey, 1)];
    await Promise.all(sockets.map((socket) => socket.ready()));
    const watches = sockets.map((socket) => ({
      codes: socket.subscribe<SmsReceivedEvent>(SMS_RECEIVED, { after: '0' }),
      updates: socket.subscribe<OrderUpdatedEvent>(ORDER_UPDATED, { after: '0' }),
    }));

    // Bought through both servers.
    const orders: OrderView[] = [];
    for (let i = 0; i < ORDERS; i += 1) {
      orders.push(
        await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' }, i % 2),
      );
    }
    expect(new Set(orders.map((o) => o.status))).toEqual(new Set(['ACTIVE']));
    const refs = new Map<string, string>();
    for (const order of orders) refs.set(order.id, await stack.upstreamRefOf(order.id));

    // Both workers at work on the waiting orders before any code lands.
    await eventually(
      'status checks from both workers',
      () =>
        [...proxies.values()].every((proxy) => proxy.calls.some((c) => c.url.includes('/get-sms'))),
      { timeoutMs: EVENT_WAIT_MS },
    );

    const codeOf = (index: number) => String(40_100 + index * 11);
    orders.forEach((order, index) => {
      simulator.deliverSms(refs.get(order.id)!, `Telegram code: ${codeOf(index)}`);
    });

    for (const [w, watch] of watches.entries()) {
      for (const [index, order] of orders.entries()) {
        const sms = await watch.codes.nextData(
          `the code of order ${index} on server ${w}`,
          EVENT_WAIT_MS,
          (e) => e.smsReceived.order.id === order.id,
        );
        expect(sms.smsReceived.code).toBe(codeOf(index));
      }
    }

    // Let the workers see every code again, then close the orders.
    const since = Date.now();
    await eventually(
      'two more checks of every order after its code',
      () =>
        orders.every(
          (order) =>
            allCalls().filter((c) => c.startedAt >= since && requestIdOf(c) === refs.get(order.id))
              .length >= 2,
        ),
      { timeoutMs: EVENT_WAIT_MS },
    );
    for (const order of orders) {
      const finished = await stack.gql<{ finishOrder: OrderView }>(user.apiKey, FINISH_ORDER, {
        id: order.id,
      });
      expect(finished.finishOrder.status).toBe('COMPLETED');
    }
    for (const [w, watch] of watches.entries()) {
      for (const order of orders) {
        await watch.updates.nextData(
          `order ${order.id} COMPLETED on server ${w}`,
          EVENT_WAIT_MS,
          (e) =>
            e.orderUpdated.order.id === order.id && e.orderUpdated.order.status === 'COMPLETED',
        );
      }
      // Once every COMPLETED is here (events go out in id order), a duplicate code would be too.
      for (const [index, order] of orders.entries()) {
        const codes = watch.codes.received.filter((e) => e.smsReceived.order.id === order.id);
        expect(codes.map((e) => e.smsReceived.code)).toEqual([codeOf(index)]);
        const smsEvents = watch.updates.received.filter(
          (e) => e.orderUpdated.order.id === order.id && e.orderUpdated.type === 'SMS_RECEIVED',
        );
        expect(smsEvents).toHaveLength(1);
      }
    }
    for (const [index, order] of orders.entries()) {
      const final = await getOrder(stack, user.apiKey, order.id);
      expect(final.messages.map((m) => m.code)).toEqual([codeOf(index)]);
    }

    // The lease: no two status calls about one activation were ever in flight at once, across
    // both workers, though both did check activations.
    const statusCalls = allCalls().filter((c) => c.url.includes('/get-sms'));
    expect(overlappingCalls(statusCalls, requestIdOf)).toEqual([]);
    for (const [worker, proxy] of proxies) {
      expect(
        proxy.calls.filter((c) => c.url.includes('/get-sms')).length,
        `${worker}'s status calls`,
      ).toBeGreaterThan(0);
    }
  });

  function allCalls(): ProxiedCall[] {
    return [...proxies.values()].flatMap((proxy) => proxy.calls);
  }
});

function requestIdOf(call: ProxiedCall): string | undefined {
  const query = new URLSearchParams(call.url.split('?')[1] ?? '');
  return query.get('request_id') ?? undefined;
}
