import type { OrderEventRecord } from '../services/records.js';

/** The routings of an outbox event: by the user who owns the order ("all my orders"), by order
 *  id (a subscription to one order hears only its own, so 10,000 one-order subscriptions of one
 *  user cost one listener call per event, not 10,000), and to everyone's (the admin key's "all
 *  orders", the dashboard). */
export type OrderEventTopic = 'ORDER_EVENT' | 'ORDER_EVENT_OF_ORDER' | 'ORDER_EVENT_OF_ANYONE';

/** The key each topic routes by: the user id, the order id, or none. */
export type OrderEventRoute =
  | { topic: 'ORDER_EVENT'; userId: string }
  | { topic: 'ORDER_EVENT_OF_ORDER'; orderId: string }
  | { topic: 'ORDER_EVENT_OF_ANYONE' };

export type OrderEventListener = (event: OrderEventRecord) => void;

/** In-process fan-out of outbox events to this server's subscriptions. Listeners are plain
 *  synchronous callbacks into each subscriber's own bounded buffer: publishing never waits for
 *  a subscriber, and a listener that throws is reported and skipped — it can neither end the
 *  process (an EventTarget listener's throw is an uncaught exception) nor starve the others. */
export interface OrderEventsPubSub {
  publish(event: OrderEventRecord): void;
  /** Returns the unsubscribe. */
  listen(route: OrderEventRoute, listener: OrderEventListener): () => void;
  /** Open listeners (tests, metrics). */
  listenerCount(): number;
}

/** How many undelivered events one subscriber may have waiting before it is told it is too far
 *  behind (SUBSCRIBER_TOO_SLOW, with the last event id it got, to resume from with `after`). */
export const SUBSCRIBER_BUFFER = 10_000;

const routeName = (route: OrderEventRoute): string =>
  route.topic === 'ORDER_EVENT'
    ? `ORDER_EVENT:${route.userId}`
    : route.topic === 'ORDER_EVENT_OF_ORDER'
      ? `ORDER_EVENT_OF_ORDER:${route.orderId}`
      : 'ORDER_EVENT_OF_ANYONE';

export function createOrderEventsPubSub(
  onListenerError: (error: unknown) => void = () => {},
): OrderEventsPubSub {
  const listeners = new Map<string, Set<OrderEventListener>>();
  let count = 0;
  const emit = (name: string, event: OrderEventRecord) => {
    const set = listeners.get(name);
    if (!set) return;
    // A copy: a listener may unsubscribe itself (or another) while we iterate.
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (error) {
        onListenerError(error);
      }
    }
  };
  return {
    publish(event) {
      emit(routeName({ topic: 'ORDER_EVENT', userId: event.userId }), event);
      emit(routeName({ topic: 'ORDER_EVENT_OF_ORDER', orderId: event.orderId }), event);
      emit(routeName({ topic: 'ORDER_EVENT_OF_ANYONE' }), event);
    },
    listen(route, listener) {
      const name = routeName(route);
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      count += 1;
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        count -= 1;
        set.delete(listener);
        if (set.size === 0 && listeners.get(name) === set) listeners.delete(name);
      };
    },
    listenerCount: () => count,
  };
}

export function publishOrderEvent(pubSub: OrderEventsPubSub, event: OrderEventRecord): void {
  pubSub.publish(event);
}
