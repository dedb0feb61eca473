import { describe, expect, it } from 'vitest';
import type { OrderEventRecord } from '../services/records.js';
import { orderEventStream } from './order-event-stream.js';
import { createOrderEventsPubSub, publishOrderEvent } from './topics.js';

const event = (id: number, orderId: string, userId = 'u1'): OrderEventRecord => ({
  id: String(id),
  orderId,
  userId,
  type: 'SMS_RECEIVED',
  createdAt: new Date(0),
  order: null,
});

async function take(stream: AsyncIterator<OrderEventRecord>, count: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count) {
    const next = await stream.next();
    if (next.done) break;
    ids.push(next.value.id);
  }
  return ids;
}

describe('orderEventStream', () => {
  it('gives every subscriber all of its own events, however many share a user', async () => {
    const pubSub = createOrderEventsPubSub();
    const orders = Array.from({ length: 200 }, (_, i) => `o${i}`);
    const perOrder = orders.map((orderId) =>
      orderEventStream({
        pubSub,
        userId: 'u1',
        orderId,
        matches: () => true,
        readEventsAfter: async () => [],
      }),
    );
    const allMine = orderEventStream({
      pubSub,
      userId: 'u1',
      matches: () => true,
      readEventsAfter: async () => [],
    });
    const otherUser = orderEventStream({
      pubSub,
      userId: 'u2',
      matches: () => true,
      readEventsAfter: async () => [],
    });
    // Start every stream (the first next() subscribes), then publish.
    const pending = perOrder.map((stream) => take(stream, 1));
    const allPending = take(allMine, orders.length);
    const otherPending = take(otherUser, 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    orders.forEach((orderId, i) => publishOrderEvent(pubSub, event(i + 1, orderId)));
    publishOrderEvent(pubSub, event(999, 'x', 'u2'));

    const received = await Promise.all(pending);
    received.forEach((ids, i) => expect(ids).toEqual([String(i + 1)]));
    expect(await allPending).toEqual(orders.map((_, i) => String(i + 1)));
    expect(await otherPending).toEqual(['999']);
    for (const stream of [...perOrder, allMine, otherUser]) await stream.return?.();
  });

  it('replays what came after `after` first, then goes live without a gap or a repeat', async () => {
    const pubSub = createOrderEventsPubSub();
    const stored = [event(5, 'o1'), event(6, 'o1'), event(7, 'o1')];
    const stream = orderEventStream({
      pubSub,
      userId: 'u1',
      after: '5',
      matches: () => true,
      readEventsAfter: async (afterId) => stored.filter((e) => Number(e.id) > Number(afterId)),
    });
    const first = take(stream, 3);
    await new Promise((resolve) => setTimeout(resolve, 10));
    publishOrderEvent(pubSub, event(7, 'o1')); // already replayed: not again
    publishOrderEvent(pubSub, event(8, 'o1'));
    expect(await first).toEqual(['6', '7', '8']);
    await stream.return?.();
  });
});
