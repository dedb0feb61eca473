import type { Money } from '@numbroker/core';
import { isProviderError, type Offer, type ProviderAdapter } from '@numbroker/providers';
import type { Logger } from 'pino';
import type { WorkerMetrics } from './metrics.js';
import type { CatalogStore } from './worker-store.js';

export interface CatalogPassDeps {
  store: CatalogStore;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  metrics: WorkerMetrics;
  logger: Logger;
  now: () => Date;
}

/**
 * Syncs every provider once: its catalog (offers with stock and cost) and its balance. The
 * sync doubles as the health probe of the store's breaker: consecutive failures open it (the
 * provider leaves routing, and is not probed until its open period is over), and the next
 * successful sync closes it.
 */
export async function runCatalogPass(deps: CatalogPassDeps): Promise<void> {
  await Promise.all([...deps.adapters.values()].map((adapter) => syncProvider(deps, adapter)));
}

async function syncProvider(deps: CatalogPassDeps, adapter: ProviderAdapter): Promise<void> {
  const log = deps.logger.child({ provider: adapter.id });
  try {
    const before = await deps.store.providerHealth(adapter.id, deps.now());
    if (!before.usable) {
      log.debug('breaker open; not probing yet');
      return;
    }

    let offers: Offer[];
    try {
      offers = await deps.metrics.timeUpstream(adapter.id, 'catalog', () => adapter.catalog());
    } catch (error) {
      const after = await deps.store.recordSyncFailure(adapter.id, describe(error), deps.now());
      deps.metrics.providerHealthy.set({ provider: adapter.id }, after.healthy ? 1 : 0);
      deps.metrics.breakerOpen.set({ provider: adapter.id }, after.healthy ? 0 : 1);
      log.warn(
        { err: error, consecutiveFailures: after.consecutiveFailures, healthy: after.healthy },
        after.healthy
          ? `provider ${adapter.id}: catalog sync failed (${after.consecutiveFailures} in a row)`
          : `provider ${adapter.id}: catalog sync failed; breaker open, out of routing`,
      );
      return;
    }

    await deps.store.replaceOffers(adapter.id, offers, deps.now());
    let balance: Money | undefined;
    try {
      balance = await deps.metrics.timeUpstream(adapter.id, 'balance', () => adapter.balance());
    } catch (error) {
      // A provider without a balance call (or a failing one) still sells: health follows the
      // catalog.
      log.debug({ err: error }, `provider ${adapter.id}: balance unavailable`);
    }
    await deps.store.recordSyncSuccess(adapter.id, balance, deps.now());
    deps.metrics.providerHealthy.set({ provider: adapter.id }, 1);
    deps.metrics.breakerOpen.set({ provider: adapter.id }, 0);
    if (balance) {
      deps.metrics.upstreamBalance.set(
        { provider: adapter.id, currency: balance.currency },
        Number(balance.format()),
      );
    }
    deps.metrics.offers.set({ provider: adapter.id }, offers.length);
    if (!before.healthy) log.info(`provider ${adapter.id}: healthy again; breaker closed`);
    log.debug(
      { offers: offers.length, balance: balance?.format() },
      `provider ${adapter.id}: catalog synced`,
    );
  } catch (error) {
    // The store failed: one provider's trouble must not stop the others' sync.
    log.error({ err: error }, `provider ${adapter.id}: recording the catalog sync failed`);
  }
}

/** A short, secret-free description for provider_state.last_error. */
function describe(error: unknown): string {
  if (isProviderError(error)) return `${error.code}: ${error.message}`.slice(0, 500);
  return error instanceof Error ? error.name : 'unknown error';
}
