import type { Config } from '@numbroker/config';
import type { ProviderAdapter } from '@numbroker/providers';
import type { WebhookSecretBox } from '@numbroker/webhooks';
import type { Logger } from 'pino';
import type { ServerMetrics } from '../observability/metrics.js';
import type { OrderEventsPubSub } from '../subscriptions/topics.js';
import type { Store } from '@numbroker/store';
import type { ApiStore } from './api-store.js';
import type { CodeRates } from './code-rates.js';

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
  /** Uniform in [0, 1): routing's exploration draw (tests inject their own). */
  random(): number;
  /** Per-route code rates for success-rate routing, refreshed in the background. */
  codeRates: CodeRates;
  /** Tell the outbox tail to read now (this process just wrote an event). */
  wakeOutboxTail(): void;
  /** The reseller console's stores (admin lists, API keys, audit log, webhooks). */
  console: Pick<Store, 'admin' | 'apiKeys' | 'audit' | 'webhooks' | 'users'>;
  /** A key was revoked or a user disabled here: drop cached keys, close their sockets, now. */
  authChanged(): Promise<void>;
  /** Seals webhook secrets for storage (see @numbroker/webhooks). */
  webhookSecrets: WebhookSecretBox;
  /** How long a buy that found its order PENDING (an idempotent repeat racing the first
   *  call, an ambiguous upstream answer) waits for it to settle (default 20 s). */
  settleWaitMs?: number;
}
