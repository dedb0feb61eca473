import type { ProviderAdapter } from '@numbroker/providers';
import type { Logger } from 'pino';
import { runCatalogPass } from './catalog-pass.js';
import type { WorkerMetrics } from './metrics.js';
import { PeriodicTask } from './periodic-task.js';
import { runPollPass } from './poll-pass.js';
import { runReconcilePass } from './reconcile-pass.js';
import type { CatalogStore, WorkerStore } from './worker-store.js';

export interface WorkerSettings {
  workerId: string;
  pollIntervalMs: number;
  catalogSyncSeconds: number;
  pendingReconcileSeconds: number;
  /** How often due orders are looked for; bounds how late a due check can start. */
  tickMs?: number;
  batchSize?: number;
  perOrderConcurrency?: number;
}

export interface WorkerDeps {
  store: WorkerStore & CatalogStore;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  metrics: WorkerMetrics;
  logger: Logger;
  now?: () => Date;
}

/** The worker's loops: poll due orders (codes, upstream endings, expiry), sync the catalog and
 *  provider health, reconcile stuck purchases. `stop()` lets every pass in flight finish and
 *  gives its leases back, so another worker picks the orders up at once. */
export class Worker {
  private readonly tasks: PeriodicTask[];

  constructor(
    private readonly settings: WorkerSettings,
    private readonly deps: WorkerDeps,
  ) {
    const now = deps.now ?? (() => new Date());
    const tickMs = settings.tickMs ?? Math.max(20, Math.min(100, settings.pollIntervalMs / 10));
    const leaseMs = Math.max(30_000, settings.pollIntervalMs * 5);
    this.tasks = [
      new PeriodicTask(
        'poll',
        () => tickMs,
        async () => {
          await runPollPass({
            ...deps,
            workerId: settings.workerId,
            pollIntervalMs: settings.pollIntervalMs,
            batchSize: settings.batchSize ?? 1000,
            leaseMs,
            perOrderConcurrency: settings.perOrderConcurrency ?? 16,
            now,
          });
        },
        deps.logger,
      ),
      new PeriodicTask(
        'catalog',
        () => settings.catalogSyncSeconds * 1000,
        () => runCatalogPass({ ...deps, now }),
        deps.logger,
      ),
      new PeriodicTask(
        'reconcile',
        () => Math.min(30_000, settings.pendingReconcileSeconds * 500),
        async () => {
          await runReconcilePass({
            ...deps,
            pendingTimeoutMs: settings.pendingReconcileSeconds * 1000,
            now,
          });
        },
        deps.logger,
      ),
    ];
  }

  start(): void {
    this.deps.logger.info(
      { workerId: this.settings.workerId, providers: [...this.deps.adapters.keys()] },
      'worker started',
    );
    for (const task of this.tasks) task.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.stop()));
    await this.deps.store.releaseLeases(this.settings.workerId);
    this.deps.logger.info({ workerId: this.settings.workerId }, 'worker stopped');
  }
}
