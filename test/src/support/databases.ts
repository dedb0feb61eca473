import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPostgresUrl } from '@numbroker/config';
import pg from 'pg';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface E2eDatabase {
  kind: DatabaseKind;
  /** What goes in the config's `database`. */
  url: string;
  /** Drops it (the SQLite directory, the Postgres database). */
  drop(): Promise<void>;
}

/**
 * A database of its own for one stack: SQLite as a file in a temp directory, Postgres as a new
 * database `nb_e2e_<random>` on the server of testPostgresUrl() (a whole database rather than
 * a schema: the config's `database` is a plain postgres:// URL, and LISTEN/NOTIFY channels are
 * per database, so stacks running side by side never wake each other). Postgres unreachable is
 * an error, never a skip.
 */
export async function createE2eDatabase(kind: DatabaseKind): Promise<E2eDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'nb-e2e-db-'));
    return {
      kind,
      url: `sqlite:${join(dir, 'numbroker.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const adminUrl = testPostgresUrl();
  const name = `nb_e2e_${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      // WITH (FORCE): a process killed with -9 may leave a connection behind for a moment.
      await withAdminClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

async function withAdminClient<T>(url: string, work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(
      `Postgres is unreachable at ${redactPassword(url)} ` +
        `(${error instanceof Error ? error.message : String(error)}). The end-to-end tests run ` +
        'on SQLite AND Postgres: start Postgres or set NUMBROKER_TEST_POSTGRES_URL.',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function redactPassword(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
