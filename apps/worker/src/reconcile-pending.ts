import type { ProviderAdapter } from '@numbroker/providers';
import type { Logger } from 'pino';
import type { WorkerMetrics } from './metrics.js';
import { backoffDelayMs } from './poll-schedule.js';
import {
  attemptMatches,
  BUY_WINDOW_MS,
  CLOCK_SKEW_MS,
  matchOrphans,
  sameProduct,
  type Orphan,
} from './reconcile-match.js';
import type {
  LeasedPendingOrder,
  OpenBuyAttempt,
  Reschedule,
  WorkerStore,
} from './worker-store.js';

export interface ReconcileDeps {
  store: WorkerStore;
  metrics: WorkerMetrics;
  logger: Logger;
  pollIntervalMs: number;
  now: () => Date;
  /** The orphans this worker has seen (provider + ref), since when, and when one is due for a
   *  look again. */
  orphansSeen?: OrphanSightings;
  /** pendingReconcileSeconds, in ms: no orphan younger than this is cancelled upstream. */
  reconcileDelayMs?: number;
}

export interface OrphanSighting {
  firstSeenMs: number;
  /** When it may be cancelled (its age reaches the reconcile delay), or looked at again. */
  dueMs: number;
}
export type OrphanSightings = Map<string, OrphanSighting>;

const MAX_RETRY_MS = 60_000;
const DEFAULT_RECONCILE_DELAY_MS = 120_000;
const MAX_TRACKED_ORPHANS = 10_000;
/** Buy attempts read per look at most (a provider's buys around its orphans). */
const MAX_ATTEMPTS_READ = 5000;
/** Never look back further than this for the buy an orphan could have come from. */
const MAX_LOOK_BACK_MS = 24 * 3_600_000;

/**
 * Resolves orders still PENDING at their reconcile time: the server died (or lost its
 * database) between the upstream buy and writing its outcome, or the buy ended ambiguous.
 * The orders are grouped by the provider they were last being bought from (the server writes
 * that, and what it asked, durably before each attempt). Where the protocol lists activations,
 * one no order owns is an orphan, and a stuck order adopts it only on a positive match
 * (reconcile-match.ts: the upstream's echo of our order id, or the only buy attempt of all that
 * matches its service, country, operator and creation time, both ways) — never on a guess, or
 * one customer could be handed another's number and read their code. The other stuck orders
 * fail with their holds released; an orphan is cancelled upstream only once older than the
 * reconcile delay (by the upstream's clock where it says, else since a worker first saw it)
 * and while no buy in flight could be its owner. Returns the orders to look at again.
 */
export async function reconcilePendingOrders(
  deps: ReconcileDeps,
  adapter: ProviderAdapter | undefined,
  orders: readonly LeasedPendingOrder[],
): Promise<Reschedule[]> {
  const log = deps.logger.child({ provider: adapter?.id ?? orders[0]?.providerId ?? null });
  const now = deps.now();
  const undecided = orders.filter((order) => now.getTime() < order.expiresAt.getTime());
  // No orders: a sweep of orphans remembered from an earlier look (see sweepOrphans).
  const looking = undecided.length > 0 || orders.length === 0;
  let failing: readonly LeasedPendingOrder[] = orders;
  if (adapter?.listActivations && adapter.capabilities.listActivations && looking) {
    let orphans: Orphan[];
    try {
      const listed = await deps.metrics.timeUpstream(adapter.id, 'listActivations', () =>
        adapter.listActivations!(),
      );
      const open = listed.filter((a) => a.state === 'waiting' || a.state === 'code');
      const known = await deps.store.knownUpstreamRefs(
        adapter.id,
        open.map((a) => a.upstreamRef),
      );
      orphans = open.filter((a) => !known.has(a.upstreamRef));
    } catch (error) {
      // Not knowing is no reason to fail a paid order yet: look again later, and give up at
      // its TTL (the upstream ends an unused activation on its own by then).
      log.warn(
        { err: error, orders: orders.length },
        'listing activations to reconcile stuck orders failed; retrying later',
      );
      return orders.map((order) => ({
        id: order.id,
        nextPollAt: new Date(
          now.getTime() + backoffDelayMs(order.failures, deps.pollIntervalMs, MAX_RETRY_MS),
        ),
        failures: order.failures + 1,
      }));
    }
    if (orphans.length === 0) {
      await handleStrays(deps, log, adapter, [], [], now);
      return failAll(deps, log, orders, now);
    }

    const nowMs = now.getTime();
    const oldest = Math.min(
      nowMs,
      ...orphans.flatMap((orphan) => (orphan.createdAt ? [orphan.createdAt.getTime()] : [])),
    );
    const since = Math.max(oldest, nowMs - MAX_LOOK_BACK_MS) - BUY_WINDOW_MS - CLOCK_SKEW_MS;
    const attempts = await deps.store.openBuyAttempts(
      adapter.id,
      new Date(since),
      MAX_ATTEMPTS_READ + 1,
    );
    const stuck = new Set(undecided.map((order) => order.id));
    // More attempts than read: a rival may be among those left out, so only the upstream's
    // echo of our order id can match.
    const complete = attempts.length <= MAX_ATTEMPTS_READ;
    const adopted = matchOrphans(
      stuck,
      complete ? attempts : [],
      complete ? orphans : orphans.filter((orphan) => orphan.idempotencyKey !== undefined),
    );

    const again: Reschedule[] = [];
    for (const [orderId, orphan] of adopted) {
      if (!orphan.phoneNumber) continue;
      const outcome = await deps.store.applyCommand(
        orderId,
        { type: 'PURCHASED', phoneNumber: orphan.phoneNumber, upstreamRef: orphan.upstreamRef },
        { providerId: adapter.id, now },
      );
      log.warn(
        { orderId, ref: orphan.upstreamRef, outcome, byKey: orphan.idempotencyKey === orderId },
        `order ${orderId} was stuck buying; it adopted upstream activation ${orphan.upstreamRef}`,
      );
      deps.metrics.orderEndings.inc({ provider: adapter.id, outcome: 'reconciled_adopted' });
      // ACTIVE now: its first status check is due at once.
      again.push({ id: orderId, nextPollAt: now, failures: 0 });
    }
    const taken = new Set(again.map((item) => item.id));
    const strays = orphans.filter((orphan) => ![...adopted.values()].includes(orphan));
    // Buys that may still be landing: PENDING orders this pass does not fail.
    const inFlight = attempts.filter((a) => a.orderStatus === 'PENDING' && !stuck.has(a.orderId));
    await handleStrays(deps, log, adapter, strays, inFlight, now);
    failing = orders.filter((order) => !taken.has(order.id));
    return [...again, ...(await failAll(deps, log, failing, now))];
  }
  return failAll(deps, log, failing, now);
}

/** Remembers each orphan, and cancels upstream those older than the reconcile delay that no
 *  buy in flight could own. */
async function handleStrays(
  deps: ReconcileDeps,
  log: Logger,
  adapter: ProviderAdapter,
  strays: readonly Orphan[],
  inFlight: readonly OpenBuyAttempt[],
  now: Date,
): Promise<void> {
  const seen = deps.orphansSeen ?? new Map<string, OrphanSighting>();
  if (seen.size > MAX_TRACKED_ORPHANS) seen.clear();
  const nowMs = now.getTime();
  const delayMs = deps.reconcileDelayMs ?? DEFAULT_RECONCILE_DELAY_MS;
  // Forget what is no orphan any more (adopted, bought, ended upstream).
  const current = new Set(strays.map((stray) => `${adapter.id}\u0000${stray.upstreamRef}`));
  for (const key of seen.keys()) {
    if (key.startsWith(`${adapter.id}\u0000`) && !current.has(key)) seen.delete(key);
  }
  // Where the listing does not say when an activation was created, its first sighting is
  // remembered in the database too: a restarted worker does not start its age again.
  const untimed = strays
    .filter((stray) => stray.createdAt === undefined)
    .filter((stray) => !seen.has(`${adapter.id}\u0000${stray.upstreamRef}`))
    .map((stray) => stray.upstreamRef);
  const sightings =
    untimed.length > 0
      ? await deps.store.orphanSightings(adapter.id, untimed, now)
      : new Map<string, Date>();
  for (const stray of strays) {
    const key = `${adapter.id}\u0000${stray.upstreamRef}`;
    const firstSeenMs =
      seen.get(key)?.firstSeenMs ?? sightings.get(stray.upstreamRef)?.getTime() ?? nowMs;
    const created = stray.createdAt?.getTime();
    // The upstream's own age where it says (and not from the future), else since first seen.
    const bornMs =
      created !== undefined && created <= nowMs + CLOCK_SKEW_MS ? created : firstSeenMs;
    const watchedMs = nowMs - firstSeenMs;
    const owner = inFlight.find(
      (attempt) =>
        attemptMatches(attempt, stray) ||
        (watchedMs < BUY_WINDOW_MS && sameProduct(attempt, stray)),
    );
    if (nowMs - bornMs < delayMs || owner) {
      const dueMs = Math.max(bornMs + delayMs, nowMs + Math.max(1000, deps.pollIntervalMs));
      seen.set(key, { firstSeenMs, dueMs });
      log.warn(
        { ref: stray.upstreamRef, inFlightOrder: owner?.orderId },
        `upstream activation ${stray.upstreamRef} belongs to no order yet; left alone for now (it may be a buy in flight)`,
      );
      continue;
    }
    seen.delete(key);
    let action = 'cancelled upstream';
    try {
      if (adapter.cancel && adapter.capabilities.cancel) {
        await deps.metrics.timeUpstream(adapter.id, 'cancel', () =>
          adapter.cancel!(stray.upstreamRef),
        );
      } else action = 'left upstream (no cancel in this protocol)';
    } catch (error) {
      action = 'cancel failed';
      log.warn({ err: error, ref: stray.upstreamRef }, 'could not cancel an orphan upstream');
    }
    await deps.store.recordOrphan(adapter.id, stray.upstreamRef, action, now);
    log.error(
      { ref: stray.upstreamRef, action },
      `upstream activation ${stray.upstreamRef} belongs to no order: ${action}`,
    );
  }
}

async function failAll(
  deps: ReconcileDeps,
  log: Logger,
  orders: readonly LeasedPendingOrder[],
  now: Date,
): Promise<Reschedule[]> {
  const again: Reschedule[] = [];
  for (const order of orders) {
    const outcome = await deps.store.applyCommand(
      order.id,
      { type: 'PURCHASE_FAILED', reason: 'the purchase did not complete (reconciled)' },
      { now },
    );
    log.warn(
      { orderId: order.id, outcome },
      outcome === 'refused'
        ? `order ${order.id} was stuck buying, but its buy completed meanwhile`
        : `order ${order.id} was stuck buying; failed it and released its hold`,
    );
    // Refused: the server finished its buy after all. The order is ACTIVE: check it now.
    if (outcome === 'refused') again.push({ id: order.id, nextPollAt: now, failures: 0 });
    else {
      deps.metrics.orderEndings.inc({
        provider: order.providerId ?? 'none',
        outcome: 'reconciled_failed',
      });
    }
  }
  return again;
}

/** Looks again at the providers where this worker saw orphans now due: those still owned
 *  by no order are cancelled upstream (reconcilePendingOrders with no orders). */
export async function sweepOrphans(
  deps: ReconcileDeps,
  adapters: ReadonlyMap<string, ProviderAdapter>,
): Promise<void> {
  const seen = deps.orphansSeen;
  if (!seen || seen.size === 0) return;
  const nowMs = deps.now().getTime();
  const due = new Set<string>();
  for (const [key, sighting] of seen) {
    if (nowMs >= sighting.dueMs) due.add(key.slice(0, key.indexOf('\u0000')));
  }
  for (const providerId of due) {
    try {
      await reconcilePendingOrders(deps, adapters.get(providerId), []);
    } catch (error) {
      deps.logger.warn({ err: error, provider: providerId }, 'sweeping orphans failed');
    }
  }
}
