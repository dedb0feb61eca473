import type { ProviderSimulator } from '@numbroker/providers';
import { expect } from 'vitest';
import { eventually } from './async-queue.js';
import type { Subscription } from './graphql-ws-client.js';
import {
  FINISH_ORDER,
  getOrder,
  ORDER_UPDATED,
  SMS_RECEIVED,
  type OrderUpdatedEvent,
  type OrderView,
  type SmsReceivedEvent,
} from './orders.js';
import type { Stack } from './stack.js';

export const EVENT_WAIT_MS = 30_000;

export interface OrderWatch {
  updates: Subscription<OrderUpdatedEvent>;
  codes: Subscription<SmsReceivedEvent>;
}

/** Subscribes to one order's updates and codes from its first event (`after: "0"` replays
 *  what came before), and waits for the replayed ORDER_ACTIVE so both are known to be live. */
export async function watchOrder(
  stack: Stack,
  apiKey: string,
  orderId: string,
  serverIndex = 0,
): Promise<OrderWatch> {
  const socket = stack.connect(apiKey, serverIndex);
  await socket.ready();
  const updates = socket.subscribe<OrderUpdatedEvent>(ORDER_UPDATED, { id: orderId, after: '0' });
  const codes = socket.subscribe<SmsReceivedEvent>(SMS_RECEIVED, { orderId, after: '0' });
  await updates.nextData(
    `order ${orderId} ACTIVE on orderUpdated`,
    EVENT_WAIT_MS,
    (e) => e.orderUpdated.order.status === 'ACTIVE',
  );
  return { updates, codes };
}

/** Status requests the simulator got about `ref` (its own getStatus, or a batch listing). */
export function statusChecksOf(sim: ProviderSimulator, ref: string, since = 0): number {
  return sim.requests.filter(
    (r) =>
      r.at >= since &&
      (r.url.includes('action=getActiveActivations') ||
        (r.url.includes('action=getStatus') &&
          new URLSearchParams(r.url.split('?')[1]).get('id') === ref)),
  ).length;
}

/**
 * After its code: lets the worker(s) see the same SMS on two more status checks, finishes the
 * order, and checks that the code was stored once and announced once on each subscription.
 */
export async function expectCodeDeliveredOnce(
  stack: Stack,
  apiKey: string,
  order: { id: string },
  sim: ProviderSimulator,
  ref: string,
  code: string,
  watches: OrderWatch[],
): Promise<void> {
  const since = Date.now();
  await eventually(
    'two more status checks after the code',
    () => statusChecksOf(sim, ref, since) >= 2,
    { timeoutMs: EVENT_WAIT_MS },
  );
  const finished = await stack.gql<{ finishOrder: OrderView }>(apiKey, FINISH_ORDER, {
    id: order.id,
  });
  expect(finished.finishOrder.status).toBe('COMPLETED');
  for (const watch of watches) {
    // Events are published in id order: once COMPLETED is here, a duplicate would be too.
    await watch.updates.nextData(
      `order ${order.id} COMPLETED on orderUpdated`,
      EVENT_WAIT_MS,
      (e) => e.orderUpdated.order.status === 'COMPLETED',
    );
    const smsEvents = watch.updates.received.filter((e) => e.orderUpdated.type === 'SMS_RECEIVED');
    expect(smsEvents).toHaveLength(1);
    expect(watch.codes.received.map((e) => e.smsReceived.code)).toEqual([code]);
  }
  const final = await getOrder(stack, apiKey, order.id);
  expect(final.messages.map((m) => m.code)).toEqual([code]);
  expect(final.smsCode).toBe(code);
}
