import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '@numbroker/config';
import { createAdapter, type AdapterOptions, type ProviderAdapter } from '@numbroker/providers';
import {
  createMoneyCounter,
  recordMoneyMovement,
  startProbeServer,
  type ProbeServer,
  type Readiness,
} from '@numbroker/observability';
import {
  checkDatabaseHealth,
  openStore,
  pruneHistory,
  type BreakerPolicy,
  type Store,
} from '@numbroker/store';
import { WebhookDispatcher, WebhookSecretBox } from '@numbroker/webhooks';
import type { Logger } from 'pino';
import { DatabaseWorkerStore } from './database-worker-store.js';
import { WorkerMetrics } from './metrics.js';
import { PeriodicTask } from './periodic-task.js';
import { Worker } from './worker.js';

/** A unique lease owner: host, pid and a random part (two workers on one host, or a restarted
 *  worker with a recycled pid, never share one). */
export function newWorkerId(): string {
  return `${hostname().slice(0, 60)}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export interface StartWorkerOptions {
  logger: Logger;
  workerId?: string;
  /** Passed to every adapter (tests set maxRetries: 0). */
  adapterOptions?: Omit<AdapterOptions, 'logger'>;
  breaker?: BreakerPolicy;
  /** Overrides config `workerHost` for the probe and metrics listener. */
  probeHost?: string;
}

export interface RunningWorker {
  worker: Worker;
  store: Store;
  metrics: WorkerMetrics;
  /** The bound port of /healthz, /readyz and /metrics; undefined when `workerPort` is null. */
  probePort: number | undefined;
  /** What /readyz answers (also while draining: not ready). */
  readiness(): Promise<Readiness>;
  /** Finishes the passes in flight, releases the leases, closes the probe listener and the
   *  database. Safe to call twice. */
  stop(): Promise<void>;
}

/** One adapter per configured provider whose kind this build supports; the others are
 *  logged and left out (their orders wait, see poll-pass). */
export function buildAdapters(
  config: Config,
  logger: Logger,
  options: Omit<AdapterOptions, 'logger'> = {},
): Map<string, ProviderAdapter> {
  const adapters = new Map<string, ProviderAdapter>();
  for (const provider of config.providers) {
    try {
      const adapter = createAdapter(
        {
          id: provider.id,
          kind: provider.kind,
          baseUrl: provider.baseUrl,
          apiKey: provider.apiKey,
          currency: provider.currency,
          timeoutMs: provider.timeoutMs,
          ...(provider.prices ? { prices: provider.prices } : {}),
          ...(provider.ratePerSecond !== undefined
            ? { ratePerSecond: provider.ratePerSecond }
            : {}),
          ...(provider.maxConcurrent !== undefined
            ? { maxConcurrent: provider.maxConcurrent }
            : {}),
        },
        { ...options, logger: logger.child({ provider: provider.id }) },
      );
      adapters.set(provider.id, adapter);
    } catch (error) {
      logger.error(
        { provider: provider.id, kind: provider.kind, err: error },
        `provider ${provider.id}: no adapter for kind "${provider.kind}" in this build; left out`,
      );
    }
  }
  return adapters;
}

/** How long without a finished poll pass before /readyz says the worker is stuck. */
export function stallMs(config: Config): number {
  return (config.workerStallSeconds ?? Math.max(60, (30 * config.pollIntervalMs) / 1000)) * 1000;
}

/** Opens the database (migrating under the lock when autoMigrate), builds the adapters, starts
 *  the worker's loops, the retention task and the probe listener. */
export async function startWorker(
  config: Config,
  options: StartWorkerOptions,
): Promise<RunningWorker> {
  const { logger } = options;
  const store = await openStore(config);
  logger.info(
    { databaseKind: store.kind },
    `database open (${store.kind}); migrations are up to date`,
  );
  const metrics = new WorkerMetrics();
  const moneyCounter = createMoneyCounter(metrics.registry);
  const stopMoneyLog = store.moneyMovements.on((movement) =>
    recordMoneyMovement(logger, moneyCounter, movement),
  );

  const workerId = options.workerId ?? newWorkerId();
  const worker = new Worker(
    {
      workerId,
      pollIntervalMs: config.pollIntervalMs,
      // Pushed SMS arrive by webhook: polling those orders is only the safety net.
      pushedPollIntervalMs: new Map(
        config.providers
          .filter((provider) => provider.webhookSecret !== undefined)
          .map((provider) => [
            provider.id,
            Math.max(config.webhookPollIntervalMs, config.pollIntervalMs),
          ]),
      ),
      catalogSyncSeconds: config.catalogSyncSeconds,
      pendingReconcileSeconds: config.pendingReconcileSeconds,
    },
    {
      store: new DatabaseWorkerStore(store, options.breaker ? { breaker: options.breaker } : {}),
      adapters: buildAdapters(config, logger, options.adapterOptions),
      metrics,
      logger,
    },
  );
  const startedAt = Date.now();
  let draining = false;
  const readiness = async (): Promise<Readiness> => {
    const database = await checkDatabaseHealth(store.db);
    const last = worker.lastPollPass?.getTime() ?? startedAt;
    const idleMs = Date.now() - last;
    const passes =
      idleMs > stallMs(config)
        ? `stalled: no poll pass has finished for ${Math.round(idleMs / 1000)} s`
        : 'ok';
    const checks = {
      database: database.detail,
      pollPasses: passes,
      ...(draining ? { draining: 'stopping' } : {}),
    };
    return { ready: !draining && database.migrationsCurrent && passes === 'ok', checks };
  };

  let probe: ProbeServer | undefined;
  if (config.workerPort !== null) {
    try {
      probe = await startProbeServer({
        host: options.probeHost ?? config.workerHost,
        port: config.workerPort,
        readiness,
        registry: metrics.registry,
        ...(config.metrics.token ? { metricsToken: config.metrics.token } : {}),
      });
    } catch (error) {
      await store.close();
      throw new Error(
        `cannot listen on ${options.probeHost ?? config.workerHost}:${config.workerPort} for ` +
          `the worker's probes (${error instanceof Error ? error.message : String(error)}); ` +
          'set workerPort (null: no listener)',
      );
    }
    logger.info({ url: probe.url }, `worker probes at ${probe.url}/healthz, /readyz and /metrics`);
  }

  const retention =
    config.retention.days > 0
      ? new PeriodicTask(
          'retention',
          () => config.retention.everyMinutes * 60_000,
          async () => {
            const before = new Date(Date.now() - config.retention.days * 86_400_000);
            const pruned = await pruneHistory(store.db, { before });
            logger.info(
              { ...pruned, before: before.toISOString() },
              'retention: pruned history past the horizon',
            );
          },
          logger,
        )
      : undefined;

  worker.start();
  const webhooks = startWebhookDispatcher(config, store, logger, workerId);
  retention?.start();

  let stopping: Promise<void> | undefined;
  return {
    worker,
    store,
    metrics,
    probePort: probe?.port,
    readiness,
    stop: () =>
      (stopping ??= (async () => {
        draining = true;
        try {
          await retention?.stop();
          await Promise.all([worker.stop(), webhooks.stop()]);
        } finally {
          stopMoneyLog();
          await probe?.close();
          await store.close();
        }
      })()),
  };
}

/** Customer webhooks go out from the worker: off every request path, fed by the outbox. */
function startWebhookDispatcher(
  config: Config,
  store: Store,
  logger: Logger,
  workerId: string,
): WebhookDispatcher {
  const { box, sealedWithFallback } = WebhookSecretBox.fromConfig(config);
  if (sealedWithFallback) {
    logger.warn(
      'neither webhooks.secretKey nor adminApiKey is set: webhook secrets are stored sealed with a fixed key',
    );
  }
  const dispatcher = new WebhookDispatcher(
    {
      workerId,
      allowPrivateUrls: config.webhooks.allowPrivateUrls,
      timeoutMs: config.webhooks.timeoutMs,
      retryScheduleSeconds: config.webhooks.retryScheduleSeconds,
      maxConcurrentPerEndpoint: config.webhooks.maxConcurrentPerEndpoint,
      maxConcurrent: config.webhooks.maxConcurrent,
      pollIntervalMs: config.webhooks.pollIntervalMs,
    },
    { store: store.webhooks, secrets: box, logger: logger.child({ component: 'webhooks' }) },
  );
  dispatcher.start();
  return dispatcher;
}
