import type { ProviderAdapter } from '@numbroker/providers';
import type { Logger } from 'pino';
import type { WorkerMetrics } from './metrics.js';
import { backoffDelayMs } from './poll-schedule.js';
import type { LeasedPendingOrder, Reschedule, WorkerStore } from './worker-store.js';

export interface ReconcileDeps {
  store: WorkerStore;
  metrics: WorkerMetrics;
  logger: Logger;
  pollIntervalMs: number;
  now: () => Date;
  /** When this worker first saw each orphan (provider + ref): only one seen for longer than
   *  any buy can take is cancelled — a younger one may be a buy still in flight. */
  orphansSeen?: Map<string, number>;
}

const MAX_RETRY_MS = 60_000;
/** Longer than any upstream buy call can take (timeouts and retries included). */
export const ORPHAN_MIN_AGE_MS = 60_000;
const MAX_TRACKED_ORPHANS = 10_000;

/**
 * Resolves orders still PENDING at their reconcile time: the server died (or lost its
 * database) between the upstream buy and writing its outcome, or the buy ended ambiguous.
 * The orders are grouped by the provider they were last being bought from (the server writes
 * that durably before each attempt). Where the protocol lists activations, one no order knows
 * is an orphan. Adoption needs a positive match: the order is the only PENDING order at that
 * provider at all (no other buy in flight whose activation this could be) and the orphan is the
 * only one — otherwise one customer could be handed another's number, and read their code.
 * Anything less and the stuck orders fail with their holds released; orphans are cancelled
 * upstream only once this worker has seen them for longer than any buy can take. Returns the
 * orders to look at again (the listing failed).
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
  if (adapter?.listActivations && adapter.capabilities.listActivations && looking) {
    let orphans: Array<{ activationRef: string; phoneNumber?: string }>;
    try {
      const listed = await deps.metrics.timeUpstream(adapter.id, 'listActivations', () =>
        adapter.listActivations!(),
      );
      const open = listed.filter((a) => a.state === 'waiting' || a.state === 'code');
      const known = await deps.store.knownUpstreamRefs(
        adapter.id,
        open.map((a) => a.activationRef),
      );
      orphans = open.filter((a) => !known.has(a.activationRef));
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

    const [orphan] = orphans;
    const [order] = orders;
    const alone =
      orders.length === 1 && (await deps.store.countPending(adapter.id)) === orders.length;
    if (alone && orphans.length === 1 && orphan?.phoneNumber && order) {
      const outcome = await deps.store.applyCommand(
        order.id,
        { type: 'PURCHASED', phoneNumber: orphan.phoneNumber, upstreamRef: orphan.activationRef },
        { providerId: adapter.id, now },
      );
      log.warn(
        { orderId: order.id, ref: orphan.activationRef, outcome },
        `order ${order.id} was stuck buying; it adopted upstream activation ${orphan.activationRef}`,
      );
      deps.metrics.orderEndings.inc({ provider: adapter.id, outcome: 'reconciled_adopted' });
      // ACTIVE now: its first status check is due at once.
      return [{ id: order.id, nextPollAt: now, failures: 0 }];
    }

    const seen = deps.orphansSeen ?? new Map<string, number>();
    if (seen.size > MAX_TRACKED_ORPHANS) seen.clear();
    const nowMs = now.getTime();
    // Forget what is no orphan any more (adopted, bought, ended upstream).
    const current = new Set(orphans.map((stray) => `${adapter.id}\u0000${stray.activationRef}`));
    for (const key of seen.keys()) {
      if (key.startsWith(`${adapter.id}\u0000`) && !current.has(key)) seen.delete(key);
    }
    for (const stray of orphans) {
      const key = `${adapter.id}\u0000${stray.activationRef}`;
      const firstSeen = seen.get(key) ?? nowMs;
      seen.set(key, firstSeen);
      if (nowMs - firstSeen < ORPHAN_MIN_AGE_MS) {
        log.warn(
          { ref: stray.activationRef },
          `upstream activation ${stray.activationRef} belongs to no order yet; left alone for now (it may be a buy in flight)`,
        );
        continue;
      }
      seen.delete(key);
      let action = 'cancelled upstream';
      try {
        if (adapter.cancel && adapter.capabilities.cancel) {
          await deps.metrics.timeUpstream(adapter.id, 'cancel', () =>
            adapter.cancel!(stray.activationRef),
          );
        } else action = 'left upstream (no cancel in this protocol)';
      } catch (error) {
        action = 'cancel failed';
        log.warn({ err: error, ref: stray.activationRef }, 'could not cancel an orphan upstream');
      }
      await deps.store.recordOrphan(adapter.id, stray.activationRef, action, now);
      log.error(
        { ref: stray.activationRef, action },
        `upstream activation ${stray.activationRef} belongs to no order: ${action}`,
      );
    }
  }

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

/** Looks again at the providers where this worker saw orphans long enough ago: those still
 *  owned by no order are cancelled upstream (reconcilePendingOrders with no orders). */
export async function sweepOrphans(
  deps: ReconcileDeps,
  adapters: ReadonlyMap<string, ProviderAdapter>,
): Promise<void> {
  const seen = deps.orphansSeen;
  if (!seen || seen.size === 0) return;
  const nowMs = deps.now().getTime();
  const due = new Set<string>();
  for (const [key, firstSeen] of seen) {
    if (nowMs - firstSeen >= ORPHAN_MIN_AGE_MS) due.add(key.slice(0, key.indexOf('\u0000')));
  }
  for (const providerId of due) {
    try {
      await reconcilePendingOrders(deps, adapters.get(providerId), []);
    } catch (error) {
      deps.logger.warn({ err: error, provider: providerId }, 'sweeping orphans failed');
    }
  }
}
