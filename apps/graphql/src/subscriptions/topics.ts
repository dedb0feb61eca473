import { setMaxListeners } from 'node:events';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import type { OrderEventRecord } from '../services/records.js';

/** Every pubsub topic of this server, in one place. Payloads are plain serialisable objects. */
export interface PubSubTopics {
  /** An outbox event, routed by the id of the user who owns the order ("all my orders"). */
  ORDER_EVENT: [userId: string, event: OrderEventRecord];
  /** The same event, routed by order id: a subscription to one order hears only its own, so
   *  10,000 one-order subscriptions of one user cost one listener call per event, not 10,000. */
  ORDER_EVENT_OF_ORDER: [orderId: string, event: OrderEventRecord];
  /** Every event, for the admin key's "all orders" (the dashboard). */
  ORDER_EVENT_OF_ANYONE: [event: OrderEventRecord];
  [key: string]: [string, unknown] | [unknown];
}

export type OrderEventsPubSub = PubSub<PubSubTopics>;

/** How many undelivered events one slow subscriber may queue before the oldest are dropped
 *  (it can resume from its last event id). Each subscription gets its own buffer: a buffer
 *  passed to createPubSub would be one object shared by every subscriber, and they would
 *  take each other's events. */
export const SUBSCRIBER_BUFFER = 10_000;

export function createOrderEventsPubSub(): OrderEventsPubSub {
  // One listener per open subscription on its topic: thousands on one user's topic are
  // normal here, not the leak Node warns about past 10.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  return createPubSub<PubSubTopics>({ eventTarget });
}

export function publishOrderEvent(pubSub: OrderEventsPubSub, event: OrderEventRecord): void {
  pubSub.publish('ORDER_EVENT', event.userId, event);
  pubSub.publish('ORDER_EVENT_OF_ORDER', event.orderId, event);
  pubSub.publish('ORDER_EVENT_OF_ANYONE', event);
}
