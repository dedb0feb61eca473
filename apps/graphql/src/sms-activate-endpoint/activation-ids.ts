import type { ActivationIdStore, OrderStore } from '@numbroker/store';

/** What this module reads of the store: each order's durable activation id, and (for the
 *  retry state of setStatus 3) an order's outbox events. */
export interface ActivationIdsSource {
  activationIds: Pick<ActivationIdStore, 'ofOrder' | 'resolve'>;
  orders: Pick<OrderStore, 'eventsAfter'>;
}

export interface ActivationOwner {
  orderId: string;
  userId: string;
}

/** An order has a handful of events; this bounds a read of them. */
const MAX_EVENTS_PER_ORDER = 1000;

/**
 * SMS-Activate activation ids are decimal integers (clients parse them with `\d+`, often into
 * an int64), while our order ids are UUIDs. Each order has its own numeric `activation_id`,
 * numbered by the database when the order is written (orders from before that column keep the
 * number they had: their creation event's id), so pruning old outbox events never changes or
 * loses one. The pairing never changes, so it is cached.
 */
export class ActivationIds {
  private readonly idByOrder = new Map<string, string>();

  constructor(
    private readonly source: ActivationIdsSource,
    private readonly maxCached = 10_000,
  ) {}

  /** The activation id of an order, or null for an unknown order. */
  async ofOrder(orderId: string): Promise<string | null> {
    const cached = this.idByOrder.get(orderId);
    if (cached !== undefined) return cached;
    const id = await this.source.activationIds.ofOrder(orderId);
    if (id !== null) this.remember(orderId, id);
    return id;
  }

  /** The order behind an activation id and its owner, or null when the id names none. */
  async resolve(activationId: string): Promise<ActivationOwner | null> {
    const owner = await this.source.activationIds.resolve(activationId);
    if (owner) this.remember(owner.orderId, activationId.trim());
    return owner;
  }

  /** The order's event types, oldest first (an open order's events are never pruned). */
  async eventTypesOf(orderId: string): Promise<string[]> {
    const events = await this.source.orders.eventsAfter(null, MAX_EVENTS_PER_ORDER, { orderId });
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
