/** What identifies one SMS of an order across protocols and endpoints: the code when there is
 *  one (a host's single-status call may give only the code, its batch listing code and text),
 *  else the text with its spacing normalised. */
export function smsFingerprint(message: { code: string | null; text: string | null }): string {
  const code = message.code?.trim();
  if (code) return `c:${code}`;
  return `t:${(message.text ?? '').replace(/\s+/g, ' ').trim()}`;
}

/**
 * The SMS each waiting order is known to have, so that an upstream showing the same SMS on
 * every poll costs no database write (nor read). Bounded: the least recently used orders are
 * forgotten first, and forgetting only costs one read the next time that order shows an SMS.
 */
export class SmsSeenCache {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly maxOrders = 50_000) {}

  /** True when every fingerprint is known for the order. */
  hasAll(orderId: string, fingerprints: readonly string[]): boolean {
    const known = this.seen.get(orderId);
    if (!known) return false;
    this.touch(orderId, known);
    return fingerprints.every((fingerprint) => known.has(fingerprint));
  }

  /** Whether the order's entry exists (its stored SMS were loaded once). */
  isLoaded(orderId: string): boolean {
    return this.seen.has(orderId);
  }

  has(orderId: string, fingerprint: string): boolean {
    return this.seen.get(orderId)?.has(fingerprint) ?? false;
  }

  add(orderId: string, fingerprints: Iterable<string>): void {
    let known = this.seen.get(orderId);
    if (!known) {
      known = new Set();
      this.seen.set(orderId, known);
      this.evict();
    }
    for (const fingerprint of fingerprints) known.add(fingerprint);
  }

  forget(orderId: string): void {
    this.seen.delete(orderId);
  }

  get size(): number {
    return this.seen.size;
  }

  private touch(orderId: string, known: Set<string>): void {
    // A Map iterates in insertion order: re-inserting makes it the most recent.
    this.seen.delete(orderId);
    this.seen.set(orderId, known);
  }

  private evict(): void {
    while (this.seen.size > this.maxOrders) {
      const oldest = this.seen.keys().next();
      if (oldest.done) return;
      this.seen.delete(oldest.value);
    }
  }
}
