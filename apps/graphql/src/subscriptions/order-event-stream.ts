import { Repeater } from '@graphql-yoga/subscription';
import type { OrderEventRecord } from '../services/records.js';
import { SUBSCRIBER_BUFFER, type OrderEventsPubSub } from './topics.js';

export interface OrderEventStreamOptions {
  pubSub: OrderEventsPubSub;
  /** Whose events; undefined: everyone's (the admin key). */
  userId: string | undefined;
  /** One order's events only (its own topic); all of the user's when absent. */
  orderId?: string | undefined;
  /** The last event id the subscriber saw: what came later is replayed from the outbox first. */
  after?: string | undefined;
  /** Which events this subscription wants. */
  matches(event: OrderEventRecord): boolean;
  /** The outbox, read by id for the replay (this user's events, ascending, at most `limit`). */
  readEventsAfter(
    afterId: string,
    userId: string | undefined,
    limit: number,
  ): Promise<OrderEventRecord[]>;
  /** Called once the stream listens (nothing published from then on is missed). */
  onOpen?: () => void;
  onClose?: () => void;
  /** Live events that may wait for this subscriber (default SUBSCRIBER_BUFFER). */
  bufferLimit?: number;
}

/** The last item of a stream whose subscriber fell more than its buffer behind: nothing was
 *  dropped silently — it resumes with `after: lastEventId` and gets the rest from the outbox. */
export interface SubscriberTooSlow {
  tooSlow: true;
  lastEventId: string | null;
}

export type OrderStreamItem = OrderEventRecord | SubscriberTooSlow;

export const isTooSlow = (item: OrderStreamItem): item is SubscriberTooSlow => 'tooSlow' in item;

const REPLAY_PAGE = 200;

/** Live events of one user, preceded by a replay from the outbox when `after` is given.
 *  It listens before it replays, buffers live events (bounded) while the replay runs, and skips
 *  ids it already delivered, so no event falls into the gap and none is delivered twice. A
 *  subscriber that lets more than `bufferLimit` live events pile up (a long replay, a client
 *  that does not read) gets a SubscriberTooSlow item and the stream ends. */
export function orderEventStream(
  options: OrderEventStreamOptions,
): AsyncIterableIterator<OrderStreamItem> {
  const limit = options.bufferLimit ?? SUBSCRIBER_BUFFER;
  return new Repeater<OrderStreamItem>(async (push, stop) => {
    const waiting: OrderEventRecord[] = [];
    let overflowed = false;
    let wake: (() => void) | undefined;
    const unlisten = options.pubSub.listen(
      options.orderId !== undefined
        ? { topic: 'ORDER_EVENT_OF_ORDER', orderId: options.orderId }
        : options.userId !== undefined
          ? { topic: 'ORDER_EVENT', userId: options.userId }
          : { topic: 'ORDER_EVENT_OF_ANYONE' },
      (event) => {
        if (overflowed || !options.matches(event)) return;
        if (waiting.length >= limit) {
          overflowed = true;
          waiting.length = 0;
        } else {
          waiting.push(event);
        }
        const woken = wake;
        wake = undefined;
        woken?.();
      },
    );
    options.onOpen?.();
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      unlisten();
      options.onClose?.();
    });
    let lastId: bigint | undefined =
      options.after === undefined ? undefined : BigInt(options.after);
    const deliver = async (event: OrderEventRecord) => {
      const id = BigInt(event.id);
      if (lastId !== undefined && id <= lastId) return;
      lastId = id;
      if (options.matches(event)) await push(event);
    };
    const tooSlow = async () => {
      await push({ tooSlow: true, lastEventId: lastId === undefined ? null : String(lastId) });
      stop();
    };
    try {
      if (options.after !== undefined) {
        let cursor = options.after;
        for (;;) {
          const page = await options.readEventsAfter(cursor, options.userId, REPLAY_PAGE);
          for (const event of page) {
            if (stopped) return;
            if (overflowed) return await tooSlow();
            await deliver(event);
          }
          const last = page.at(-1);
          if (!last || page.length < REPLAY_PAGE) break;
          cursor = last.id;
        }
      }
      while (!stopped) {
        if (overflowed) return await tooSlow();
        const event = waiting.shift();
        if (event) {
          await deliver(event);
          continue;
        }
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), stop]);
      }
    } catch (error) {
      stop(error);
      return;
    } finally {
      unlisten();
    }
    stop();
  });
}
