import type { ProviderAdapter } from '@numbroker/providers';
import type { Logger } from 'pino';
import type { WorkerMetrics } from './metrics.js';
import type { PendingOrder, WorkerStore } from './worker-store.js';

export interface ReconcilePassDeps {
  store: WorkerStore;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  metrics: WorkerMetrics;
  logger: Logger;
  /** A PENDING order older than this crashed between the upstream buy and its write. */
  pendingTimeoutMs: number;
  now: () => Date;
}

/**
 * Resolves orders stuck in PENDING (the server died between the upstream buy and tx 2).
 * Where the protocol lists activations, an activation no order knows is the orphan: with one
 * stuck order and one orphan at that provider the order adopts it (the customer gets the
 * number they paid for); otherwise the orphans are cancelled upstream so they stop costing,
 * and the stuck orders fail with their holds released. Every orphan is logged with its ref.
 */
export async function runReconcilePass(deps: ReconcilePassDeps): Promise<number> {
  const olderThan = new Date(deps.now().getTime() - deps.pendingTimeoutMs);
  const stale = await deps.store.stalePendingOrders(olderThan, 100);
  if (stale.length === 0) return 0;
  const byProvider = new Map<string | null, PendingOrder[]>();
  for (const order of stale) {
    const group = byProvider.get(order.providerId) ?? [];
    group.push(order);
    byProvider.set(order.providerId, group);
  }
  for (const [providerId, orders] of byProvider) {
    const adapter = providerId ? deps.adapters.get(providerId) : undefined;
    await reconcileProvider(deps, adapter, orders);
  }
  return stale.length;
}

async function reconcileProvider(
  deps: ReconcilePassDeps,
  adapter: ProviderAdapter | undefined,
  orders: PendingOrder[],
): Promise<void> {
  const log = deps.logger.child({ provider: adapter?.id ?? null });
  if (adapter?.listActivations && adapter.capabilities.listActivations) {
    let orphans: Array<{ activationRef: string; phoneNumber?: string }>;
    try {
      const listed = await deps.metrics.timeUpstream(adapter.id, 'listActivations', () =>
        adapter.listActivations!(),
      );
      const active = listed.filter((a) => a.state === 'waiting' || a.state === 'code');
      const known = await deps.store.knownUpstreamRefs(
        adapter.id,
        active.map((a) => a.activationRef),
      );
      orphans = active.filter((a) => !known.has(a.activationRef));
    } catch (error) {
      // Not knowing is no reason to fail a paid order: try again next pass.
      log.warn({ err: error }, 'listing activations for reconciliation failed; retrying later');
      return;
    }
    const [orphan] = orphans;
    const [order] = orders;
    if (orphans.length === 1 && orders.length === 1 && orphan?.phoneNumber && order) {
      const outcome = await deps.store.applyCommand(order.id, {
        type: 'PURCHASED',
        phoneNumber: orphan.phoneNumber,
        activationRef: orphan.activationRef,
      });
      log.warn(
        { orderId: order.id, ref: orphan.activationRef, outcome },
        'stuck order adopted its upstream activation',
      );
      deps.metrics.orderEndings.inc({ provider: adapter.id, outcome: 'reconciled_adopted' });
      return;
    }
    for (const stray of orphans) {
      let action = 'cancelled upstream';
      try {
        if (adapter.cancel && adapter.capabilities.cancel)
          await adapter.cancel(stray.activationRef);
        else action = 'left upstream (no cancel in this protocol)';
      } catch (error) {
        action = 'cancel failed';
        log.warn({ err: error, ref: stray.activationRef }, 'could not cancel an orphan upstream');
      }
      await deps.store.recordOrphan(adapter.id, stray.activationRef, action);
      log.error({ ref: stray.activationRef, action }, 'orphaned upstream activation');
    }
  }
  for (const order of orders) {
    const outcome = await deps.store.applyCommand(
      order.id,
      { type: 'PURCHASE_FAILED', reason: 'the purchase did not complete (reconciled)' },
      'reconciled: stuck in PENDING',
    );
    log.warn({ orderId: order.id, outcome }, 'stuck PENDING order failed; hold released');
    deps.metrics.orderEndings.inc({
      provider: order.providerId ?? 'none',
      outcome: 'reconciled_failed',
    });
  }
}
