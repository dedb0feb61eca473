import type { Config } from '@numbroker/config';
import type { ProviderAdapter } from '@numbroker/providers';
import type { Logger } from 'pino';
import type { ServerMetrics } from '../observability/metrics.js';
import type { OrderEventsPubSub } from '../subscriptions/topics.js';
import type { ApiStore } from './api-store.js';

/** Everything the use cases need, built once per server. */
export interface AppDeps {
  config: Config;
  store: ApiStore;
  /** By configured provider id. */
  adapters: ReadonlyMap<string, ProviderAdapter>;
  pubSub: OrderEventsPubSub;
  metrics: ServerMetrics;
  logger: Logger;
  now(): Date;
  /** Tell the outbox tail to read now (this process just wrote an event). */
  wakeOutboxTail(): void;
}
