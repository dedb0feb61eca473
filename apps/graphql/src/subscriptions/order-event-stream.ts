import { Repeater, SlidingBuffer } from '@graphql-yoga/subscription';
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
}

const REPLAY_PAGE = 200;

/** Live events of one user, preceded by a replay from the outbox when `after` is given.
 *  It listens before it replays and skips ids it already delivered, so no event falls into the
 *  gap between the two and none is delivered twice. */
export function orderEventStream(
  options: OrderEventStreamOptions,
): AsyncIterableIterator<OrderEventRecord> {
  return new Repeater<OrderEventRecord>(async (push, stop) => {
    const topic =
      options.orderId !== undefined
        ? options.pubSub.subscribe('ORDER_EVENT_OF_ORDER', options.orderId)
        : options.userId !== undefined
          ? options.pubSub.subscribe('ORDER_EVENT', options.userId)
          : options.pubSub.subscribe('ORDER_EVENT_OF_ANYONE');
    const live = topic[Symbol.asyncIterator]();
    // The first next() registers the listener synchronously; from here nothing is missed.
    let nextLive = live.next();
    options.onOpen?.();
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      options.onClose?.();
      void live.return?.();
    });
    let lastId: bigint | undefined =
      options.after === undefined ? undefined : BigInt(options.after);
    const deliver = async (event: OrderEventRecord) => {
      const id = BigInt(event.id);
      if (lastId !== undefined && id <= lastId) return;
      lastId = id;
      // The sliding buffer makes this immediate, so the live topic is drained at once and a
      // slow subscriber only ever delays (or, past the buffer, drops the oldest of) its own.
      if (options.matches(event)) await push(event);
    };
    try {
      if (options.after !== undefined) {
        let cursor = options.after;
        for (;;) {
          const page = await options.readEventsAfter(cursor, options.userId, REPLAY_PAGE);
          for (const event of page) {
            if (stopped) return;
            await deliver(event);
          }
          const last = page.at(-1);
          if (!last || page.length < REPLAY_PAGE) break;
          cursor = last.id;
        }
      }
      while (!stopped) {
        const result = await nextLive;
        if (result.done) break;
        nextLive = live.next();
        await deliver(result.value);
      }
    } catch (error) {
      stop(error);
      return;
    } finally {
      await live.return?.();
    }
    stop();
  }, new SlidingBuffer(SUBSCRIBER_BUFFER));
}
