import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Paths pino censors wherever they appear in a log object: where keys, tokens and
 *  passwords could travel (provider accounts, config objects, HTTP headers and queries). */
export const REDACTED_PATHS = [
  'apiKey',
  'api_key',
  'token',
  'adminApiKey',
  'authorization',
  'database',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.adminApiKey',
  '*.authorization',
  '*.database',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'config.providers[*].apiKey',
  'providers[*].apiKey',
];

export interface CreateLoggerOptions {
  level?: string;
  /** Where JSON lines go (default stdout); tests pass a stream to assert on. */
  destination?: DestinationStream;
}

/** The worker's JSON logger: one line per event, secrets censored. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const loggerOptions: LoggerOptions = {
    name: 'numbroker-worker',
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return options.destination ? pino(loggerOptions, options.destination) : pino(loggerOptions);
}

export type { Logger };
