import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPostgresUrl } from '@numbroker/config';
import pg from 'pg';
import type { CurrencyCode } from '@numbroker/core';
import type { DataSourceOptions } from '../database.js';
import { Store } from '../store.js';

export const DATABASE_KINDS = ['sqlite', 'postgres'] as const;
export type TestDatabaseKind = (typeof DATABASE_KINDS)[number];

/** The platform currency of test databases unless a test says otherwise. */
export const TEST_CURRENCY: CurrencyCode = 'IRT';

export interface FreshDatabaseOptions {
  /** Postgres: a new schema of the test database (default; cheap, the store's own tests) or
   *  a whole new database — when the URL alone must name it (a config file's `database`
   *  for a separate process) or LISTEN/NOTIFY must not reach other runs (channels are per
   *  database). */
  postgres?: 'schema' | 'database';
  /** Postgres server to create it on (default testPostgresUrl()). */
  postgresUrl?: string;
  /** Prefix of the name (SQLite directory, schema or database). */
  prefix?: string;
}

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** What goes in the config's `database`. With a schema, `options` must go with it. */
  url: string;
  options: DataSourceOptions;
  /** Opens one more connection (pool) to it, migrated: each call another process's view. */
  open(options?: { currency?: CurrencyCode; poolSize?: number }): Promise<Store>;
  /** Drops what was created (the SQLite directory, the Postgres schema or database). */
  cleanup(): Promise<void>;
}

/**
 * A fresh, empty database of `kind`: SQLite as a WAL file in a temp directory (the real
 * single-connection setup, not :memory:), Postgres as a new schema `nb_test_<random>` (or a
 * new database) on testPostgresUrl(). Unreachable Postgres fails loudly: never a skip.
 */
export async function freshDatabase(
  kind: TestDatabaseKind,
  options: FreshDatabaseOptions = {},
): Promise<TestDatabase> {
  const prefix = options.prefix ?? 'nb_test';
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `${prefix.replace(/_/g, '-')}-`));
    const url = `sqlite:${join(dir, 'data', 'test.sqlite')}`;
    return {
      kind,
      url,
      options: {},
      open: (opened = {}) => Store.open(url, { currency: opened.currency ?? TEST_CURRENCY }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const serverUrl = options.postgresUrl ?? testPostgresUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid name "${name}"`);
  if (options.postgres === 'database') {
    await withAdmin(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      kind,
      url: url.toString(),
      options: {},
      open: (opened = {}) =>
        Store.open(url.toString(), {
          currency: opened.currency ?? TEST_CURRENCY,
          poolSize: opened.poolSize ?? 5,
        }),
      // WITH (FORCE): a process killed with -9 may leave a connection behind for a moment.
      cleanup: () =>
        withAdmin(serverUrl, (client) =>
          client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
        ).then(() => undefined),
    };
  }
  await withAdmin(serverUrl, (client) => client.query(`CREATE SCHEMA ${name}`));
  return {
    kind,
    url: serverUrl,
    options: { schema: name, poolSize: 10 },
    open: (opened = {}) =>
      Store.open(serverUrl, {
        currency: opened.currency ?? TEST_CURRENCY,
        schema: name,
        poolSize: opened.poolSize ?? 5,
      }),
    cleanup: () =>
      withAdmin(serverUrl, (client) => client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`)).then(
        () => undefined,
      ),
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(
      `Postgres is unreachable at ${redact(url)} (${error instanceof Error ? error.message : String(error)}). ` +
        'The tests run on SQLite AND Postgres: start Postgres or set NUMBROKER_TEST_POSTGRES_URL.',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
