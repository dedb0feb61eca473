import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPostgresUrl } from '@numbroker/config';
import pg from 'pg';
import type { DataSourceOptions } from '../database.js';

export const DATABASE_KINDS = ['sqlite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  options: DataSourceOptions;
  /** Drops what was created (the SQLite directory, the Postgres schema). */
  cleanup(): Promise<void>;
}

/**
 * A fresh, empty database of `kind`: SQLite as a WAL file in a temp directory (the real
 * single-connection setup, not :memory:), Postgres as a new schema `nb_test_<random>` in the
 * database of testPostgresUrl(). Unreachable Postgres fails the tests loudly: never a skip.
 */
export async function freshDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'nb-store-'));
    return {
      kind,
      url: `sqlite:${join(dir, 'data', 'test.sqlite')}`,
      options: {},
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = testPostgresUrl();
  const schema = `nb_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    await admin.end().catch(() => undefined);
    throw new Error(
      `Postgres is unreachable at ${redact(url)} (${error instanceof Error ? error.message : String(error)}). ` +
        'The store tests run on SQLite AND Postgres: start Postgres or set NUMBROKER_TEST_POSTGRES_URL.',
    );
  }
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    kind,
    url,
    options: { schema, poolSize: 10 },
    cleanup: async () => {
      try {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
