import { LRUCache } from 'lru-cache';

/**
 * The SMS each waiting order is known to have (by the store's `smsIdentity`), so that an
 * upstream showing the same SMS on every poll costs no database write (nor read). Bounded: the
 * least recently used orders are forgotten first, and forgetting only costs one read the next
 * time that order shows an SMS.
 */
export class SmsSeenCache {
  private readonly seen: LRUCache<string, Set<string>>;

  constructor(maxOrders = 50_000) {
    this.seen = new LRUCache({ max: maxOrders });
  }

  /** True when every identity is known for the order. */
  hasAll(orderId: string, identities: readonly string[]): boolean {
    const known = this.seen.get(orderId);
    return known !== undefined && identities.every((identity) => known.has(identity));
  }

  /** Whether the order's entry exists (its stored SMS were loaded once). */
  isLoaded(orderId: string): boolean {
    return this.seen.has(orderId);
  }

  has(orderId: string, identity: string): boolean {
    return this.seen.get(orderId)?.has(identity) ?? false;
  }

  add(orderId: string, identities: Iterable<string>): void {
    let known = this.seen.get(orderId);
    if (!known) {
      known = new Set();
      this.seen.set(orderId, known);
    }
    for (const identity of identities) known.add(identity);
  }

  forget(orderId: string): void {
    this.seen.delete(orderId);
  }

  get size(): number {
    return this.seen.size;
  }
}
