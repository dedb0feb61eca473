import type { ProviderAdapter } from '@numbroker/providers';
import type { Logger } from 'pino';
import { runCatalogPass } from './catalog-pass.js';
import type { WorkerMetrics } from './metrics.js';
import { PeriodicTask } from './periodic-task.js';
import { runPollPass, UpstreamDebts, type PollPassDeps } from './poll-pass.js';
import type { CatalogStore, WorkerStore } from './worker-store.js';

export interface WorkerSettings {
  /** Names this process in order leases: unique per running worker. */
  workerId: string;
  pollIntervalMs: number;
  /** Providers whose upstream pushes SMS by webhook, with their slower safety-net interval. */
  pushedPollIntervalMs?: ReadonlyMap<string, number>;
  catalogSyncSeconds: number;
  /** How often due orders are looked for; bounds how late a due check can start
   *  (default pollIntervalMs / 4, between 20 and 500 ms). */
  tickMs?: number;
  /** Orders leased per batch (default 5000); a pass keeps leasing until nothing is due. */
  batchSize?: number;
  /** Per-order status calls in flight per provider without a batch endpoint (default 16). */
  perOrderConcurrency?: number;
  /** How long a lease holds if this worker dies mid-pass (default max(2 s, 2 poll intervals));
   *  a pass renews the leases it works on, so this bounds a crash's cost, not a pass. */
  leaseMs?: number;
  /** pendingReconcileSeconds: no orphan activation younger than this is cancelled upstream
   *  (default 120). */
  pendingReconcileSeconds?: number;
}

export interface WorkerDeps {
  store: WorkerStore & CatalogStore;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  metrics: WorkerMetrics;
  logger: Logger;
  now?: () => Date;
}

/** The worker's loops: poll due orders (codes, upstream endings, expiry, reconciliation of
 *  stuck purchases), and sync the catalog, balances and provider health. `stop()` lets every
 *  pass in flight finish and gives its leases back, so another worker picks the orders up at
 *  once. */
export class Worker {
  private readonly poll: PeriodicTask;
  private readonly catalog: PeriodicTask;
  private readonly pollDeps: PollPassDeps;
  private readonly now: () => Date;
  private lastPollPassAt: Date | undefined;

  constructor(
    private readonly settings: WorkerSettings,
    private readonly deps: WorkerDeps,
  ) {
    this.now = deps.now ?? (() => new Date());
    // A pass every quarter interval (at most 500 ms) that also takes what falls due before the
    // next pass can start: no order is checked late, none more than two ticks early, and a
    // provider with a batch status call gets about four requests per interval however many
    // orders wait.
    const tickMs = settings.tickMs ?? Math.max(20, Math.min(500, settings.pollIntervalMs / 4));
    this.pollDeps = {
      ...deps,
      workerId: settings.workerId,
      pollIntervalMs: settings.pollIntervalMs,
      pollIntervalOf: (providerId) =>
        (providerId === null ? undefined : settings.pushedPollIntervalMs?.get(providerId)) ??
        settings.pollIntervalMs,
      batchSize: settings.batchSize ?? 5000,
      leaseAheadMs: 2 * tickMs,
      leaseMs: settings.leaseMs ?? Math.max(2_000, settings.pollIntervalMs * 2),
      debts: new UpstreamDebts(),
      orphansSeen: new Map(),
      reconcileDelayMs: (settings.pendingReconcileSeconds ?? 120) * 1000,
      perOrderConcurrency: settings.perOrderConcurrency ?? 16,
      now: this.now,
    };
    this.poll = new PeriodicTask(
      'poll',
      () => tickMs,
      () => this.pollOnce().then(() => undefined),
      deps.logger,
    );
    this.catalog = new PeriodicTask(
      'catalog',
      () => settings.catalogSyncSeconds * 1000,
      () => this.syncCatalogOnce(),
      deps.logger,
    );
  }

  /** When the last poll pass finished without error (readiness: passes stalled or not). */
  get lastPollPass(): Date | undefined {
    return this.lastPollPassAt;
  }

  get workerId(): string {
    return this.settings.workerId;
  }

  /** Starts both loops; the catalog syncs at once. */
  start(): void {
    this.deps.logger.info(
      { workerId: this.settings.workerId, providers: [...this.deps.adapters.keys()] },
      `worker ${this.settings.workerId} started with ${this.deps.adapters.size} providers`,
    );
    this.poll.start();
    this.catalog.start();
  }

  /** One poll pass over every due order; returns how many it looked at. */
  async pollOnce(): Promise<number> {
    const end = this.deps.metrics.passSeconds.startTimer({ task: 'poll' });
    try {
      const orders = await runPollPass(this.pollDeps);
      this.deps.metrics.passOrders.inc(orders);
      this.lastPollPassAt = this.now();
      return orders;
    } finally {
      end();
    }
  }

  /** One catalog, balance and health sync of every provider. */
  async syncCatalogOnce(): Promise<void> {
    const end = this.deps.metrics.passSeconds.startTimer({ task: 'catalog' });
    try {
      await runCatalogPass({ ...this.deps, now: this.now });
    } finally {
      end();
    }
  }

  /** Stops both loops after their passes in flight, then releases this worker's leases. */
  async stop(): Promise<void> {
    await Promise.all([this.poll.stop(), this.catalog.stop()]);
    const released = await this.deps.store.releaseLeases(this.settings.workerId);
    this.deps.logger.info(
      { workerId: this.settings.workerId, released },
      `worker ${this.settings.workerId} stopped; ${released} leases released`,
    );
  }
}
