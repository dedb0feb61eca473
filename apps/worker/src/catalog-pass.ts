import type { Money } from '@numbroker/core';
import { isProviderError, type Offer, type ProviderAdapter } from '@numbroker/providers';
import type { Logger } from 'pino';
import type { WorkerMetrics } from './metrics.js';
import { afterProbe, HEALTHY, probeDue } from './provider-health.js';
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
 * sync doubles as the health probe: consecutive failures open the provider's breaker (it
 * leaves routing), and the next successful sync closes it.
 */
export async function runCatalogPass(deps: CatalogPassDeps): Promise<void> {
  await Promise.all([...deps.adapters.values()].map((adapter) => syncProvider(deps, adapter)));
}

async function syncProvider(deps: CatalogPassDeps, adapter: ProviderAdapter): Promise<void> {
  const log = deps.logger.child({ provider: adapter.id });
  const previous = (await deps.store.loadHealth(adapter.id)) ?? HEALTHY;
  if (!probeDue(previous, deps.now())) return;

  let offers: Offer[];
  try {
    offers = await deps.metrics.timeUpstream(adapter.id, 'catalog', () => adapter.catalog());
  } catch (error) {
    const health = afterProbe(previous, false, deps.now());
    const lastError = describe(error);
    await deps.store.saveHealth(adapter.id, health, { lastError }, deps.now());
    log.warn(
      { err: error, consecutiveFailures: health.consecutiveFailures, healthy: health.healthy },
      'catalog sync failed',
    );
    return;
  }

  await deps.store.replaceOffers(adapter.id, offers, deps.now());
  let balance: Money | undefined;
  try {
    balance = await deps.metrics.timeUpstream(adapter.id, 'balance', () => adapter.balance());
  } catch (error) {
    // A provider without a balance call (or a failing one) still sells: health follows the catalog.
    log.debug({ err: error }, 'balance unavailable');
  }
  const health = afterProbe(previous, true, deps.now());
  await deps.store.saveHealth(adapter.id, health, { balance, lastError: null }, deps.now());
  if (!previous.healthy) log.info('provider healthy again');
  log.debug({ offers: offers.length, balance: balance?.format() }, 'catalog synced');
}

/** A short, secret-free description for provider_state.last_error. */
function describe(error: unknown): string {
  if (isProviderError(error)) return `${error.code}: ${error.message}`.slice(0, 500);
  return error instanceof Error ? error.name : 'unknown error';
}
