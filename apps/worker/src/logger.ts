import {
  createLogger as createProcessLogger,
  REDACTED_PATHS,
  type CreateLoggerOptions as ProcessLoggerOptions,
  type Logger,
} from '@numbroker/observability';

export type CreateLoggerOptions = Omit<ProcessLoggerOptions, 'name'>;

/** The worker's JSON logger: @numbroker/observability's, under the worker's name (one
 *  redaction list for every process). */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return createProcessLogger({ name: 'numbroker-worker', ...options });
}

export { REDACTED_PATHS };
export type { Logger };
