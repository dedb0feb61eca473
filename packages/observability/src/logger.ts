import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * The one redaction list of numbroker: every path where a key, token or password travels in a
 * log object of the server, the worker, the CLI or an adapter (provider accounts, config
 * objects, HTTP request and response headers, query strings, WebSocket connection_init).
 * pino censors them wherever they appear at these depths.
 */
export const REDACTED_PATHS = [
  'apiKey',
  'api_key',
  'token',
  'adminApiKey',
  'authorization',
  'database',
  'password',
  'secret',
  'webhookSecret',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.adminApiKey',
  '*.authorization',
  '*.database',
  '*.password',
  '*.secret',
  '*.webhookSecret',
  'headers.authorization',
  'headers.cookie',
  'headers.token',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers.token',
  '*.headers["x-api-key"]',
  '*.headers["set-cookie"]',
  'req.query.api_key',
  'req.query.key',
  'req.query.token',
  'connectionParams.authorization',
  'config.providers[*].apiKey',
  'providers[*].apiKey',
];

export const REDACTION_CENSOR = '[redacted]';

export interface CreateLoggerOptions {
  /** Which process writes: `numbroker-graphql`, `numbroker-worker`, `numbroker-cli`. */
  name: string;
  level?: string;
  /** Where JSON lines go (default stdout); tests pass a stream to assert on. */
  destination?: DestinationStream;
}

/** The JSON logger of every numbroker process: one line per event, secrets censored. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const loggerOptions: LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR },
    base: { pid: process.pid },
  };
  return options.destination ? pino(loggerOptions, options.destination) : pino(loggerOptions);
}

export type { Logger };
