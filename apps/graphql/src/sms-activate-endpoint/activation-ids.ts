import type { OrderStore } from '@numbroker/store';

/** What this module reads of the outbox: the store's `eventsAfter`, which (unlike the API
 *  store's) can filter by order. */
export type OrderEventsSource = Pick<OrderStore, 'eventsAfter'>;

export interface ActivationOwner {
  orderId: string;
  userId: string;
}

/** Outbox ids are an INTEGER column: at most 10 digits. */
const ACTIVATION_ID = /^[1-9]\d{0,9}$/;
/** An order has a handful of events; this bounds a read of them. */
const MAX_EVENTS_PER_ORDER = 1000;

/**
 * SMS-Activate activation ids are decimal integers (clients parse them with `\d+`, often into
 * an int64), while our order ids are UUIDs. Every order's first outbox event, ORDER_CREATED, is
 * written with the order in one transaction and gets a unique increasing integer id: that id
 * is the order's activation id. Both directions are one indexed read, and the pairing never
 * changes, so it is cached.
 */
export class ActivationIds {
  private readonly idByOrder = new Map<string, string>();

  constructor(
    private readonly events: OrderEventsSource,
    private readonly maxCached = 10_000,
  ) {}

  /** The activation id of an order, or null if its creation event is gone. */
  async ofOrder(orderId: string): Promise<string | null> {
    const cached = this.idByOrder.get(orderId);
    if (cached !== undefined) return cached;
    const [first] = await this.events.eventsAfter(null, 1, { orderId });
    if (!first || first.type !== 'ORDER_CREATED') return null;
    const id = String(first.id);
    this.remember(orderId, id);
    return id;
  }

  /** The order behind an activation id and its owner, or null when the id names none. */
  async resolve(activationId: string): Promise<ActivationOwner | null> {
    const id = activationId.trim();
    if (!ACTIVATION_ID.test(id)) return null;
    const [event] = await this.events.eventsAfter(String(BigInt(id) - 1n), 1);
    if (!event || String(event.id) !== id || event.type !== 'ORDER_CREATED') return null;
    this.remember(event.orderId, id);
    return { orderId: event.orderId, userId: event.userId };
  }

  /** The order's event types, oldest first. */
  async eventTypesOf(orderId: string): Promise<string[]> {
    const events = await this.events.eventsAfter(null, MAX_EVENTS_PER_ORDER, { orderId });
    return events.map((event) => event.type);
  }

  private remember(orderId: string, id: string): void {
    if (this.idByOrder.size >= this.maxCached) {
      // Oldest first out: a Map iterates in insertion order.
      const oldest = this.idByOrder.keys().next().value;
      if (oldest !== undefined) this.idByOrder.delete(oldest);
    }
    this.idByOrder.set(orderId, id);
  }
}
