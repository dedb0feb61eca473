import {
  createLogger as createProcessLogger,
  REDACTED_PATHS,
  type CreateLoggerOptions as ProcessLoggerOptions,
  type Logger,
} from '@numbroker/observability';

export type CreateLoggerOptions = Omit<ProcessLoggerOptions, 'name'> & { name?: string };

/** The server's JSON logger: @numbroker/observability's, under the server's name (one
 *  redaction list for every process, adapters' `token` and `x-api-key` headers included). */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return createProcessLogger({ ...options, name: options.name ?? 'numbroker-graphql' });
}

export { REDACTED_PATHS };
export type { Logger };
