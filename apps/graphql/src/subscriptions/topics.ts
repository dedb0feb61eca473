import { createPubSub, SlidingBuffer, type PubSub } from '@graphql-yoga/subscription';
import type { OrderEventRecord } from '../services/records.js';

/** Every pubsub topic of this server, in one place. Payloads are plain serialisable objects. */
export interface PubSubTopics {
  /** An outbox event, routed by the id of the user who owns the order. */
  ORDER_EVENT: [userId: string, event: OrderEventRecord];
  [key: string]: [string, unknown] | [unknown];
}

export type OrderEventsPubSub = PubSub<PubSubTopics>;

/** How many undelivered events one slow subscriber may queue before the oldest are dropped
 *  (it can resume from its last event id); beyond it the default buffer would throw. */
const SUBSCRIBER_BUFFER = 10_000;

export function createOrderEventsPubSub(): OrderEventsPubSub {
  return createPubSub<PubSubTopics>({ repeaterBuffer: new SlidingBuffer(SUBSCRIBER_BUFFER) });
}
