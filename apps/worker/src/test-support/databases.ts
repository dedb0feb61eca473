import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPostgresUrl } from '@numbroker/config';
import { Database, Store } from '@numbroker/store';

export const DATABASE_KINDS = ['sqlite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/** The platform currency of the test databases. */
export const PLATFORM_CURRENCY = 'IRT';

export interface TestDatabase {
  kind: DatabaseKind;
  /** Opens one more connection (pool) to the same database, migrated: a second worker. */
  open(): Promise<Store>;
  /** Drops what was created (the SQLite directory, the Postgres schema). */
  cleanup(): Promise<void>;
}

/**
 * A fresh, empty database of `kind`: SQLite as a WAL file in a temp directory (the real
 * single-connection setup), Postgres as a new schema `nb_test_<random>` in the database of
 * testPostgresUrl() — the way packages/store's tests do it, whose helper is not exported.
 * Unreachable Postgres fails the tests loudly: never a skip.
 */
export async function freshDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'nb-worker-'));
    const url = `sqlite:${join(dir, 'data', 'test.sqlite')}`;
    return {
      kind,
      open: () => Store.open(url, { currency: PLATFORM_CURRENCY }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = testPostgresUrl();
  const schema = `nb_test_${randomBytes(6).toString('hex')}`;
  let admin: Database;
  try {
    admin = await Database.open(url, { migrationsRun: false, poolSize: 1 });
  } catch (error) {
    throw new Error(
      `Postgres is unreachable at ${url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')} ` +
        `(${error instanceof Error ? error.message : String(error)}). The worker tests run on ` +
        'SQLite AND Postgres: start Postgres or set NUMBROKER_TEST_POSTGRES_URL.',
    );
  }
  await admin.dataSource.query(`CREATE SCHEMA ${schema}`);
  return {
    kind,
    open: () => Store.open(url, { currency: PLATFORM_CURRENCY, schema, poolSize: 5 }),
    cleanup: async () => {
      try {
        await admin.dataSource.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await admin.close();
      }
    },
  };
}
