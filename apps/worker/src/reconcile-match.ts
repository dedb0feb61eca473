import type { ListedActivation } from '@numbroker/providers';
import type { OpenBuyAttempt } from './worker-store.js';

/** Longer than any upstream buy call can take (timeouts and retries included): an activation
 *  a buy created exists by then. */
export const BUY_WINDOW_MS = 60_000;
/** How far the upstream's clock (to the second) may be from ours. */
export const CLOCK_SKEW_MS = 10_000;

/** An open upstream activation no order owns. */
export type Orphan = ListedActivation;

/**
 * Could this buy attempt have created this activation? Only on what both sides say: the same
 * service and country (and operator, where the attempt named one and the listing says one),
 * created inside the attempt's window. An activation whose listing does not say what was
 * bought, or when, matches nothing: it is never adopted on a guess.
 */
export function attemptMatches(attempt: OpenBuyAttempt, orphan: Orphan): boolean {
  if (orphan.service === undefined || orphan.country === undefined) return false;
  if (orphan.createdAt === undefined) return false;
  if (orphan.service !== attempt.service || orphan.country !== attempt.country) return false;
  if (attempt.operator && orphan.operator && attempt.operator !== orphan.operator) return false;
  const created = orphan.createdAt.getTime();
  const started = attempt.startedAt.getTime();
  return created >= started - CLOCK_SKEW_MS && created <= started + BUY_WINDOW_MS + CLOCK_SKEW_MS;
}

/** What bought it could be, by what was asked only (time left out: an upstream clock we read
 *  wrong must not let an in-flight buy's activation look old). */
export function sameProduct(attempt: OpenBuyAttempt, orphan: Orphan): boolean {
  if (orphan.service === undefined || orphan.country === undefined) return true;
  return orphan.service === attempt.service && orphan.country === attempt.country;
}

/**
 * Pairs stuck orders with the orphans that are positively theirs:
 * 1. the upstream's echo of our idempotency key (the order id we sent with the buy) is the
 *    strongest match — an orphan carrying a key is that order's or nobody's here;
 * 2. otherwise an orphan goes to a stuck order when that order's attempt is the only buy
 *    attempt of all (stuck, in flight, or ended without an activation) that matches it, and
 *    it is the only orphan that order's attempts match.
 * Anything less is no match: the order fails, and the orphan is cancelled once old enough.
 */
export function matchOrphans(
  stuck: ReadonlySet<string>,
  attempts: readonly OpenBuyAttempt[],
  orphans: readonly Orphan[],
): Map<string, Orphan> {
  const adopted = new Map<string, Orphan>();
  const byKey = new Map<string, Orphan[]>();
  for (const orphan of orphans) {
    if (orphan.idempotencyKey === undefined) continue;
    byKey.set(orphan.idempotencyKey, [...(byKey.get(orphan.idempotencyKey) ?? []), orphan]);
  }
  for (const [key, owned] of byKey) {
    if (stuck.has(key) && owned.length === 1) adopted.set(key, owned[0]!);
  }

  const unkeyed = orphans.filter((orphan) => orphan.idempotencyKey === undefined);
  const ordersOf = (orphan: Orphan) =>
    new Set(attempts.filter((a) => attemptMatches(a, orphan)).map((a) => a.orderId));
  const candidates = new Map(unkeyed.map((orphan) => [orphan, ordersOf(orphan)]));
  for (const [orphan, orders] of candidates) {
    const [orderId] = [...orders];
    if (orders.size !== 1 || orderId === undefined) continue;
    if (!stuck.has(orderId) || adopted.has(orderId)) continue;
    const rivals = [...candidates].filter(([, other]) => other.has(orderId));
    if (rivals.length === 1) adopted.set(orderId, orphan);
  }
  return adopted;
}
