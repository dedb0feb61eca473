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
}

const MAX_RETRY_MS = 60_000;

/**
 * Resolves orders still PENDING at their reconcile time: the server died (or lost its
 * database) between the upstream buy and writing its outcome. Where the protocol lists
 * activations, one no order knows is the orphan: with one stuck order and one orphan at that
 * provider the order adopts it (the customer gets the number they paid for); otherwise the
 * orphans are cancelled upstream so they stop costing, and the stuck orders fail with their
 * holds released. Returns the orders to look at again (the listing failed).
 */
export async function reconcilePendingOrders(
  deps: ReconcileDeps,
  adapter: ProviderAdapter | undefined,
  orders: readonly LeasedPendingOrder[],
): Promise<Reschedule[]> {
  const log = deps.logger.child({ provider: adapter?.id ?? orders[0]?.providerId ?? null });
  const now = deps.now();
  const undecided = orders.filter((order) => now.getTime() < order.expiresAt.getTime());
  if (adapter?.listActivations && adapter.capabilities.listActivations && undecided.length > 0) {
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
    if (orphans.length === 1 && orders.length === 1 && orphan?.phoneNumber && order) {
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

    for (const stray of orphans) {
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
