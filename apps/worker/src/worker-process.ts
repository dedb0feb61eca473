import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '@numbroker/config';
import { createAdapter, type AdapterOptions, type ProviderAdapter } from '@numbroker/providers';
import { Store, type BreakerPolicy } from '@numbroker/store';
import { WebhookDispatcher, WebhookSecretBox } from '@numbroker/webhooks';
import type { Logger } from 'pino';
import { DatabaseWorkerStore } from './database-worker-store.js';
import { WorkerMetrics } from './metrics.js';
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
  /** Host the metrics endpoint binds (default: every interface, for a scraper elsewhere). */
  metricsHost?: string;
}

export interface RunningWorker {
  worker: Worker;
  store: Store;
  /** The bound metrics port, when `workerMetricsPort` is non-zero. */
  metricsPort: number | undefined;
  /** Finishes the passes in flight, releases the leases, closes the metrics server and the
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

/** Opens the database (migrations run), builds the adapters, starts the worker's loops and
 *  the metrics endpoint. */
export async function startWorker(
  config: Config,
  options: StartWorkerOptions,
): Promise<RunningWorker> {
  const { logger } = options;
  const store = await Store.open(config.database, { currency: config.currency });
  logger.info(
    { databaseKind: store.kind },
    `database open (${store.kind}); migrations are up to date`,
  );
  const metrics = new WorkerMetrics();
  let metricsServer: { port: number; close(): Promise<void> } | undefined;
  try {
    if (config.workerMetricsPort !== 0) {
      metricsServer = await metrics.serve(config.workerMetricsPort, options.metricsHost);
      logger.info(
        { port: metricsServer.port },
        `metrics served on port ${metricsServer.port} at /metrics`,
      );
    }
  } catch (error) {
    await store.close();
    throw error;
  }

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
    },
    {
      store: new DatabaseWorkerStore(store, options.breaker ? { breaker: options.breaker } : {}),
      adapters: buildAdapters(config, logger, options.adapterOptions),
      metrics,
      logger,
    },
  );
  worker.start();
  const webhooks = startWebhookDispatcher(config, store, logger, workerId);

  let stopping: Promise<void> | undefined;
  return {
    worker,
    store,
    metricsPort: metricsServer?.port,
    stop: () =>
      (stopping ??= (async () => {
        try {
          await Promise.all([worker.stop(), webhooks.stop()]);
        } finally {
          await metricsServer?.close();
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
