import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource, QueryFailedError, type EntityManager, type MixedList } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface DataSourceOptions {
  /** Postgres only: run in this schema (set as the connections' search_path). Tests use a
   *  fresh `nb_test_<random>` schema each. */
  schema?: string;
  /** Postgres pool size (default 10). */
  poolSize?: number;
  /** Run pending migrations on initialize (default true). */
  migrationsRun?: boolean;
  /** TypeORM's query logging, for debugging only. */
  logging?: boolean;
  /** Create the schema from the entities instead of the migrations. Never in production: only
   *  a test comparing the two may set it. */
  synchronize?: boolean;
}

export interface ParsedDatabaseUrl {
  kind: DatabaseKind;
  /** SQLite: the file path or ":memory:". Postgres: the URL as given. */
  location: string;
}

export function parseDatabaseUrl(databaseUrl: string): ParsedDatabaseUrl {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (!path)
      throw new Error('sqlite database URL needs a path: "sqlite:PATH" or "sqlite::memory:"');
    return { kind: 'sqlite', location: path === ':memory:' ? ':memory:' : path };
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return { kind: 'postgres', location: databaseUrl };
  // The URL may carry a password: say what is expected, never echo it.
  throw new Error('database URL must be "sqlite:PATH", "sqlite::memory:" or postgres://...');
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** TypeORM turns on sqlite3's verbose mode, which captures a stack trace on every call to
 *  the database: about a fifth of each transaction's time. Hand it the same module with a
 *  `verbose()` that leaves tracing off. */
const quietSqlite3: typeof sqlite3 = Object.assign(Object.create(sqlite3) as typeof sqlite3, {
  verbose: () => quietSqlite3,
});

/**
 * A TypeORM DataSource (not yet initialized) for `sqlite:PATH` or a `postgres://` URL, with every
 * entity and migration listed as classes. SQLite runs in WAL mode with a busy timeout and foreign
 * keys on (set on connect); its parent directory is created.
 */
export function createDataSource(databaseUrl: string, options: DataSourceOptions = {}): DataSource {
  const { kind, location } = parseDatabaseUrl(databaseUrl);
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS as MixedList<string | (new () => unknown)>,
    migrationsRun: options.migrationsRun ?? true,
    migrationsTransactionMode: 'each' as const,
    synchronize: options.synchronize ?? false,
    logging: options.logging ?? false,
  };
  if (kind === 'sqlite') {
    const memory = location === ':memory:';
    if (!memory) mkdirSync(dirname(resolve(location)), { recursive: true });
    return new DataSource({
      ...common,
      type: 'sqlite',
      database: memory ? ':memory:' : resolve(location),
      // WAL lets the server read while the worker writes; the busy timeout makes one process
      // wait for the other's write lock instead of failing at once.
      enableWAL: !memory,
      busyTimeout: 5000,
      driver: quietSqlite3,
    });
  }
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`invalid schema name "${options.schema}"`);
  }
  return new DataSource({
    ...common,
    type: 'postgres',
    url: location,
    extra: {
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    },
  });
}

/** Errors after which re-running the whole transaction is safe and likely to succeed. */
export class TransactionConflict extends Error {
  override readonly name = 'TransactionConflict';
}

const MAX_TRANSACTION_ATTEMPTS = 10;

/**
 * The one way the stores reach the database.
 *
 * TypeORM's sqlite driver has one connection and one query runner: two `dataSource.transaction`
 * calls at once do not queue, the second becomes a SAVEPOINT inside the first and is committed or
 * rolled back with it. So on SQLite every unit of work (transactions and reads alike, so no read
 * sees another's uncommitted writes) runs one after the other through a queue. On Postgres
 * they run in parallel on the pool.
 *
 * A transaction that loses a race (a conditional update that found the row changed, a
 * serialization failure, a deadlock, SQLITE_BUSY from another process) is re-run from the start.
 */
export class Database {
  readonly kind: DatabaseKind;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {
    this.kind = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  /** Creates, connects and migrates. */
  static async open(databaseUrl: string, options: DataSourceOptions = {}): Promise<Database> {
    const dataSource = createDataSource(databaseUrl, options);
    await dataSource.initialize();
    if (dataSource.options.type === 'sqlite') {
      // In WAL mode NORMAL never corrupts the database and loses nothing when a process
      // crashes; only an OS crash or power cut may roll back the last commits. FULL would
      // fsync every commit and cap buyNumber at the disk's fsync rate.
      await dataSource.query('PRAGMA synchronous = NORMAL');
    }
    return new Database(dataSource);
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.serialized(async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await this.dataSource.transaction(work);
        } catch (error) {
          if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryable(error)) throw error;
          await backoff(attempt);
        }
      }
    });
  }

  /** A read outside any transaction. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.serialized(() => work(this.dataSource.manager));
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') return work();
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof TransactionConflict) return true;
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; message?: string } | undefined;
  const code = driverError?.code ?? '';
  // Postgres: serialization_failure, deadlock_detected. SQLite: another process holds the lock.
  return code === '40001' || code === '40P01' || code === 'SQLITE_BUSY';
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolveTimer) => setTimeout(resolveTimer, ms));
}

export interface SqlResult {
  rows: Record<string, unknown>[];
  affected: number;
}

/**
 * Raw SQL with `?` placeholders on either database (numbered `$n` for Postgres), returning rows
 * and the affected-row count. For the conditional updates and ON CONFLICT inserts that TypeORM's
 * builders cannot express portably. Integer parameters must be strings (see columns.ts).
 */
export async function sql(
  manager: EntityManager,
  text: string,
  parameters: ReadonlyArray<string | number | boolean | null> = [],
): Promise<SqlResult> {
  const runner = manager.queryRunner;
  const postgres = manager.connection.options.type === 'postgres';
  let index = 0;
  const query = postgres ? text.replace(/\?/g, () => `$${++index}`) : text;
  const params = postgres
    ? [...parameters]
    : parameters.map((p) => (typeof p === 'boolean' ? Number(p) : p));
  let result: unknown;
  if (runner) {
    result = await runner.query(query, params, true);
  } else {
    const own = manager.connection.createQueryRunner();
    try {
      result = await own.query(query, params, true);
    } finally {
      await own.release();
    }
  }
  const typed = result as { records?: unknown; affected?: number };
  return {
    rows: Array.isArray(typed.records) ? (typed.records as Record<string, unknown>[]) : [],
    affected: typed.affected ?? 0,
  };
}

export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; message?: string } | undefined;
  return (
    driverError?.code === '23505' ||
    (driverError?.code === 'SQLITE_CONSTRAINT' &&
      /UNIQUE|PRIMARY KEY/.test(driverError.message ?? ''))
  );
}
