import { describe, expect, it } from 'vitest';
import type { OrderEventRecord } from '../services/records.js';
import { isTooSlow, orderEventStream, type OrderStreamItem } from './order-event-stream.js';
import { createOrderEventsPubSub, publishOrderEvent } from './topics.js';

const event = (id: number, orderId: string, userId = 'u1'): OrderEventRecord => ({
  id: String(id),
  orderId,
  userId,
  type: 'SMS_RECEIVED',
  createdAt: new Date(0),
  order: null,
});

async function take(stream: AsyncIterator<OrderStreamItem>, count: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count) {
    const next = await stream.next();
    if (next.done) break;
    ids.push(isTooSlow(next.value) ? `tooSlow after ${next.value.lastEventId}` : next.value.id);
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

  it('buffers live events during a long replay: no crash, none lost, none twice', async () => {
    const pubSub = createOrderEventsPubSub();
    const history = Array.from({ length: 3000 }, (_, i) => event(i + 1, 'o1'));
    const stream = orderEventStream({
      pubSub,
      userId: 'u1',
      after: '0',
      matches: () => true,
      readEventsAfter: async (afterId, _userId, limit) =>
        history.filter((e) => Number(e.id) > Number(afterId)).slice(0, limit),
    });
    // The first next() starts the stream; then 2,000 live events land before anything is read
    // (the old stream queued them unbuffered and threw past 1,024, inside the publisher).
    const first = await stream.next();
    expect(first.value).toMatchObject({ id: '1' });
    for (let i = 3001; i <= 5000; i++) publishOrderEvent(pubSub, event(i, 'o1'));
    publishOrderEvent(pubSub, event(2500, 'o1')); // replayed already: not again
    const rest = await take(stream, 4999);
    expect(rest).toEqual(Array.from({ length: 4999 }, (_, i) => String(i + 2)));
    await stream.return?.();
    expect(pubSub.listenerCount()).toBe(0);
  });

  it("buffers everyone's live events (the admin key) during a replay too", async () => {
    const pubSub = createOrderEventsPubSub();
    const history = [event(1, 'o1', 'u1'), event(2, 'o2', 'u2')];
    const stream = orderEventStream({
      pubSub,
      userId: undefined,
      after: '0',
      matches: () => true,
      readEventsAfter: async (afterId, userId, limit) => {
        expect(userId).toBeUndefined();
        return history.filter((e) => Number(e.id) > Number(afterId)).slice(0, limit);
      },
    });
    const first = await stream.next();
    expect(first.value).toMatchObject({ id: '1' });
    publishOrderEvent(pubSub, event(3, 'o3', 'u3'));
    publishOrderEvent(pubSub, event(2, 'o2', 'u2')); // replayed already: not again
    publishOrderEvent(pubSub, event(4, 'o1', 'u1'));
    expect(await take(stream, 3)).toEqual(['2', '3', '4']);
    await stream.return?.();
    expect(pubSub.listenerCount()).toBe(0);
  });

  it('tells a subscriber that falls more than its buffer behind, with the id to resume from', async () => {
    const pubSub = createOrderEventsPubSub();
    let closed = 0;
    const stream = orderEventStream({
      pubSub,
      userId: 'u1',
      bufferLimit: 5,
      matches: () => true,
      readEventsAfter: async () => [],
      onClose: () => (closed += 1),
    });
    const first = stream.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    publishOrderEvent(pubSub, event(1, 'o1'));
    expect((await first).value).toMatchObject({ id: '1' });
    // Not read: 20 more pile up, past the buffer of 5.
    for (let i = 2; i <= 21; i++) publishOrderEvent(pubSub, event(i, 'o1'));
    const items = await take(stream, 30);
    expect(items.at(-1)).toMatch(/^tooSlow after \d+$/);
    // Whatever it got before the notice is in order and gapless from 2 on.
    const got = items.slice(0, -1);
    expect(got).toEqual(got.map((_, i) => String(i + 2)));
    expect(items.at(-1)).toBe(`tooSlow after ${got.at(-1) ?? '1'}`);
    expect((await stream.next()).done).toBe(true);
    expect(closed).toBe(1);
    expect(pubSub.listenerCount()).toBe(0);
  });

  it('a listener that throws neither reaches the publisher nor starves the others', async () => {
    const errors: unknown[] = [];
    const pubSub = createOrderEventsPubSub((error) => errors.push(error));
    const seen: string[] = [];
    pubSub.listen({ topic: 'ORDER_EVENT', userId: 'u1' }, () => {
      throw new Error('boom');
    });
    pubSub.listen({ topic: 'ORDER_EVENT', userId: 'u1' }, (e) => seen.push(e.id));
    expect(() => publishOrderEvent(pubSub, event(1, 'o1'))).not.toThrow();
    expect(seen).toEqual(['1']);
    expect(errors).toHaveLength(1);
  });
});
