import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Paths pino censors wherever they appear in a log object: API keys travel in these places
 *  (HTTP headers, WebSocket connection_init payloads, config objects, provider accounts). */
export const REDACTED_PATHS = [
  'authorization',
  'apiKey',
  'api_key',
  'adminApiKey',
  '*.authorization',
  '*.apiKey',
  '*.api_key',
  '*.adminApiKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.query.api_key',
  'req.query.key',
  'headers.authorization',
  'connectionParams.authorization',
  'config.adminApiKey',
  'config.providers[*].apiKey',
  'providers[*].apiKey',
];

export interface CreateLoggerOptions {
  level?: string;
  /** Where JSON lines go (default stdout); tests pass a stream to assert on. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const loggerOptions: LoggerOptions = {
    name: options.name ?? 'numbroker-graphql',
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return options.destination ? pino(loggerOptions, options.destination) : pino(loggerOptions);
}

export type { Logger };
