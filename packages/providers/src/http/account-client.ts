import type { Logger } from 'pino';
import type { ProviderAccount } from '../adapter.js';
import { HttpClient } from './http-client.js';

/** What every adapter constructor takes beside its account: `new XAdapter(account, options)`. */
export interface AdapterOptions {
  /** Where the HTTP client logs (secret-free); silent by default. */
  logger?: Logger;
  /** Retries of idempotent calls (default 2); tests set 0 to see a single fault as is. */
  maxRetries?: number;
  /** Base backoff between retries, ms (default 150). */
  retryBaseDelayMs?: number;
  /** Retry-After longer than this is not waited out (default 5000 ms). */
  maxRetryDelayMs?: number;
}

/** Used when an account has no `timeoutMs` (config validation normally fills it in). */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** The one way adapters build their client, so every account gets the same limits and redaction. */
export function createHttpClient(
  account: ProviderAccount,
  options: AdapterOptions = {},
  extraSecrets: string[] = [],
): HttpClient {
  return new HttpClient({
    providerId: account.id,
    baseUrl: account.baseUrl,
    timeoutMs: account.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    secrets: [account.apiKey, ...extraSecrets],
    ratePerSecond: account.ratePerSecond,
    maxConcurrent: account.maxConcurrent,
    maxRetries: options.maxRetries,
    retryBaseDelayMs: options.retryBaseDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs,
    logger: options.logger,
  });
}
