/** The only module of the repo that reads `process.env`: every other package asks here. */
import { ConfigError } from './config-error.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export const DEFAULT_TEST_POSTGRES_URL = 'postgres://root@127.0.0.1:5432/test';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function processEnvironment(): Environment {
  return process.env;
}

/** Where tests find Postgres (`NUMBROKER_TEST_POSTGRES_URL`). */
export function testPostgresUrl(env: Environment = process.env): string {
  const url = env.NUMBROKER_TEST_POSTGRES_URL?.trim();
  return url ? url : DEFAULT_TEST_POSTGRES_URL;
}

/** True on a CI runner (`CI` set to anything but "" / "0" / "false"). */
export function isCI(env: Environment = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** `LOG_LEVEL`, default `info`, validated like every config value: an unknown level is a
 *  ConfigError naming it (processes with a config read it as the `logLevel` key instead). */
export function logLevel(env: Environment = process.env): LogLevel {
  const value = env.LOG_LEVEL?.trim().toLowerCase();
  if (!value) return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ConfigError(
    `config error at logLevel (from LOG_LEVEL): expected one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(value)}`,
    'LOG_LEVEL',
  );
}
