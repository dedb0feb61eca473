import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource, QueryFailedError, type EntityManager, type MixedList } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { migrateUnderLock } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface DataSourceOptions {
  /** Postgres only: run in this schema (set as the connections' search_path). Tests use a
   *  fresh `nb_test_<random>` schema each. */
  schema?: string;
  /** Postgres pool size (default 10). */
  poolSize?: number;
  /** Run pending migrations on open, under the migration lock (default true). */
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
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Prepared statements kept per connection (SQLite): TypeORM and the stores reuse a few dozen
 *  texts; the rest fall out, least recently used first. */
const STATEMENT_CACHE_SIZE = 200;

type StatementCallback = (this: sqlite3.Statement, err: Error | null, rows?: unknown[]) => void;

/**
 * sqlite3's `Database#run`/`all` prepare a new statement for every call and finalize it after:
 * two hops through the libuv thread pool per statement, each one waiting for a turn of the
 * event loop, and on SQLite every statement runs one after the other (see Database). The
 * profile of buyNumber showed the lane waiting on those hops, so a statement is prepared once
 * and then only bound and stepped (one hop).
 *
 * TypeORM switches a connection to WAL before it sets the busy timeout, so a process that
 * opens the file while another one writes (simultaneous cold starts, one migrating) failed at
 * once with SQLITE_BUSY. The timeout is set on the handle as soon as it exists instead.
 */
class PatientDatabase extends sqlite3.Database {
  private readonly statements = new Map<string, sqlite3.Statement>();

  constructor(...args: ConstructorParameters<typeof sqlite3.Database>) {
    super(...args);
    this.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
  }

  override run(sql: string, ...rest: unknown[]): this {
    return this.cached('run', sql, rest) ?? super.run(sql, ...(rest as []));
  }

  override all(sql: string, ...rest: unknown[]): this {
    return this.cached('all', sql, rest) ?? super.all(sql, ...(rest as []));
  }

  override close(callback?: (err: Error | null) => void): void {
    // sqlite3 refuses to close a handle with statements left; each finalize waits for its run.
    for (const statement of this.statements.values()) statement.finalize();
    this.statements.clear();
    super.close(callback);
  }

  /** The call as TypeORM makes it — (sql, parameters, callback) — on a kept statement; any
   *  other form is left to sqlite3 (undefined). */
  private cached(method: 'run' | 'all', sql: string, rest: unknown[]): this | undefined {
    const [params, callback] = rest as [unknown, StatementCallback | undefined];
    if (rest.length !== 2 || typeof callback !== 'function') return undefined;
    if (params !== undefined && !Array.isArray(params)) return undefined;
    // `run` steps once: a statement returning rows would stay active (its transaction open)
    // until reset. Those go through `all` (RETURNING_ROWS); any other is left to sqlite3.
    if (method === 'run' && /\bRETURNING\b/i.test(sql)) return undefined;
    const kept = this.statements.get(sql);
    if (kept) {
      // Most recently used last: the Map's first key is the one to drop.
      this.statements.delete(sql);
      this.statements.set(sql, kept);
    }
    // A failed prepare reports to this callback and drops the queued run (as sqlite3's own
    // Database#run does); only a statement that ran without error is kept.
    const statement =
      kept ?? this.prepare(sql, (err: Error | null) => err && callback.call(statement, err));
    const statements = this.statements;
    const done: StatementCallback = function (err, rows) {
      if (err) {
        // Dropped, not reused; finalize waits behind any run already queued on it.
        if (statements.get(sql) === statement) statements.delete(sql);
        statement.finalize();
      } else if (!kept && !statements.has(sql)) {
        statements.set(sql, statement);
        if (statements.size > STATEMENT_CACHE_SIZE) {
          const [oldest, dropped] = statements.entries().next().value!;
          statements.delete(oldest);
          dropped.finalize();
        }
      } else if (!kept) {
        // Another call prepared the same text meanwhile and was kept first.
        statement.finalize();
      }
      callback.call(this, err, rows);
    };
    statement[method](params ?? [], done);
    return this;
  }
}

const quietSqlite3: typeof sqlite3 = Object.assign(Object.create(sqlite3) as typeof sqlite3, {
  verbose: () => quietSqlite3,
  Database: PatientDatabase,
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
    // Never TypeORM's own run at initialize: Database.open migrates under a lock instead.
    migrationsRun: false,
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
      busyTimeout: SQLITE_BUSY_TIMEOUT_MS,
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
/** At most this many transactions share one SQLite COMMIT. */
const MAX_GROUP_SIZE = 64;

export interface TransactionOptions {
  /**
   * SQLite: the work may run at the same time as the other such transactions of its group
   * commit, their statements interleaved on the one connection, without a savepoint of its
   * own (see runGroup). For work whose every statement is safe beside the others' (inserts of
   * its own rows, conditional updates) and that may be run again from the start. Postgres:
   * no effect.
   */
  interleave?: boolean;
}

interface QueuedTransaction {
  work: (tx: EntityManager) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  interleave: boolean;
}

/** An interleaved member failed: the group is rolled back and run again one member at a time. */
class InterleavingFailed extends Error {
  override readonly name = 'InterleavingFailed';
}

/** A database error inside a group: the group is rolled back and each member re-run alone. */
class GroupAbandoned extends Error {
  override readonly name = 'GroupAbandoned';
  constructor(readonly error: unknown) {
    super('a group commit was abandoned');
  }
}

async function settle(queued: QueuedTransaction, run: () => Promise<unknown>): Promise<void> {
  try {
    queued.resolve(await run());
  } catch (error) {
    queued.reject(error);
  }
}

function isConstraintViolation(error: { driverError?: unknown }): boolean {
  const driverError = error.driverError as { code?: string } | undefined;
  return driverError?.code === 'SQLITE_CONSTRAINT';
}

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
  /** SQLite: transactions waiting for the lane, run together (see runGroup). */
  private readonly waiting: QueuedTransaction[] = [];
  private groupScheduled = false;

  constructor(readonly dataSource: DataSource) {
    this.kind = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  /** Creates, connects and (unless `migrationsRun: false`) migrates under the migration lock. */
  static async open(databaseUrl: string, options: DataSourceOptions = {}): Promise<Database> {
    const dataSource = createDataSource(databaseUrl, options);
    await dataSource.initialize();
    if (options.migrationsRun ?? true) {
      try {
        await migrateUnderLock(dataSource);
      } catch (error) {
        await dataSource.destroy();
        throw error;
      }
    }
    if (dataSource.options.type === 'sqlite') {
      // In WAL mode NORMAL never corrupts the database and loses nothing when a process
      // crashes; only an OS crash or power cut may roll back the last commits. FULL would
      // fsync every commit and cap buyNumber at the disk's fsync rate.
      await dataSource.query('PRAGMA synchronous = NORMAL');
      // The WAL is copied back into the database file (and that file fsynced) inside the
      // commit that fills it past this many pages, on the lane every statement waits for.
      // At SQLite's default (1,000 pages, 4 MiB) a stream of buys stalled there every few
      // groups; ten times less often copies a hot page once where it copied it ten times
      // (measured: +10–20 % buys/s, paired runs). The WAL file grows to about 40 MiB.
      await dataSource.query('PRAGMA wal_autocheckpoint = 10000');
    }
    return new Database(dataSource);
  }

  transaction<T>(
    work: (tx: EntityManager) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    if (this.kind === 'postgres') return this.withRetries(work);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        work,
        resolve: resolve as (value: unknown) => void,
        reject,
        interleave: options.interleave === true,
      });
      this.scheduleGroup();
    });
  }

  /** One transaction of its own, re-run from the start when it loses a race. */
  private withRetries<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return retried(() => this.dataSource.transaction(work));
  }

  /** Takes the lane once for whatever transactions are waiting when it gets its turn. */
  private scheduleGroup(): void {
    if (this.groupScheduled) return;
    this.groupScheduled = true;
    void this.serialized(async () => {
      this.groupScheduled = false;
      const group = this.waiting.splice(0, MAX_GROUP_SIZE);
      if (this.waiting.length > 0) this.scheduleGroup();
      await this.runGroup(group);
    });
  }

  /**
   * Group commit (SQLite): the transactions that queued up while the lane was busy run in one
   * BEGIN…COMMIT, each inside its own SAVEPOINT (TypeORM's nested transaction), so one that
   * fails rolls back only its own writes. Nobody hears of success before the COMMIT.
   *
   * A database error other than a constraint violation may have ended the whole transaction
   * (SQLite rolls back on its own after I/O errors, a full disk, …); the rest would then run in
   * autocommit mode. So such an error abandons the group, and every transaction of the group
   * re-runs on its own, as does each one that asked to be retried (TransactionConflict,
   * SQLITE_BUSY) — after the COMMIT, so its retry sees the others' writes.
   *
   * Interleaving: each statement is a trip to libuv's thread pool and back through a busy event
   * loop (about a third of a millisecond under load, measured), and one member after another
   * makes a group of 16 buys a hundred such trips in a row. So the members that allow it
   * (`interleave`) run first, all at once: their statements queue on the connection together
   * and come back together. They have no savepoints, so none of them can be undone alone: if
   * any of them fails, for whatever reason, the whole group is rolled back (nothing was
   * announced) and run again the plain way, one member at a time. A failing member costs its
   * group one wasted pass, never a wrong outcome.
   */
  private async runGroup(group: QueuedTransaction[], interleave = true): Promise<void> {
    if (group.length === 1) {
      await settle(group[0]!, () => this.withRetries(group[0]!.work));
      return;
    }
    const together = interleave ? group.filter((queued) => queued.interleave) : [];
    const outcomes = new Map<QueuedTransaction, { value: unknown } | { error: unknown }>();
    let alone: QueuedTransaction[] = [];
    try {
      await this.dataSource.transaction(async (outer) => {
        if (together.length > 1) {
          // Every member settles before a rollback: no statement of theirs is left in flight.
          const settled = await Promise.allSettled(together.map((queued) => queued.work(outer)));
          settled.forEach((result, i) => {
            if (result.status === 'fulfilled') outcomes.set(together[i]!, { value: result.value });
          });
          if (outcomes.size < together.length) throw new InterleavingFailed();
        }
        for (const queued of group) {
          if (outcomes.has(queued)) continue;
          try {
            outcomes.set(queued, { value: await outer.transaction(queued.work) });
          } catch (error) {
            if (error instanceof QueryFailedError && !isConstraintViolation(error)) {
              throw new GroupAbandoned(error);
            }
            if (isRetryable(error)) alone.push(queued);
            else outcomes.set(queued, { error });
          }
        }
      });
    } catch (error) {
      // Nothing of the group was kept (InterleavingFailed, GroupAbandoned, or the COMMIT failed).
      if (error instanceof InterleavingFailed) {
        await this.runGroup(group, false);
        return;
      }
      outcomes.clear();
      alone = group;
    }
    for (const [queued, outcome] of outcomes) {
      if ('value' in outcome) queued.resolve(outcome.value);
      else queued.reject(outcome.error);
    }
    for (const queued of alone) await settle(queued, () => this.withRetries(queued.work));
  }

  /** Postgres: work whose writes are one statement (its own transaction, no BEGIN/COMMIT
   *  round trips), re-run like a transaction when it loses a race (deadlock, serialization).
   *  SQLite: a transaction as any other. */
  async statement<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.kind !== 'postgres') return this.transaction(work);
    return retried(() => work(this.dataSource.manager));
  }

  /** A read outside any transaction. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.serialized(() => work(this.dataSource.manager));
  }

  async close(): Promise<void> {
    // A running group may queue the rest of the waiting transactions behind itself.
    let tail: Promise<unknown>;
    do {
      tail = this.tail;
      await tail.catch(() => undefined);
    } while (tail !== this.tail);
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

/** Runs `run` again from the start, with backoff, while it fails with a retryable error. */
async function retried<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryable(error)) throw error;
      await backoff(attempt);
    }
  }
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolveTimer) => setTimeout(resolveTimer, ms));
}

export interface SqlResult {
  rows: Record<string, unknown>[];
  affected: number;
  /** SQLite INSERT only: the rowid of the last inserted row (Postgres: use RETURNING). */
  insertId?: number;
}

/**
 * TypeORM's sqlite runner runs a statement that starts with INSERT, UPDATE or DELETE with
 * node-sqlite3's `run`, which drops the rows of a RETURNING clause. Starting the statement with
 * this comment makes it take the `all` path, which returns them; the affected count is then the
 * number of rows returned. Both databases ignore the comment.
 */
export const RETURNING_ROWS = '/* returning */ ';

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
  const postgres = manager.connection.options.type === 'postgres';
  if (!postgres && !manager.connection.options.logging) {
    return sqliteStatement(manager, text, parameters);
  }
  const runner = manager.queryRunner;
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
  const typed = result as { records?: unknown; affected?: number; raw?: unknown };
  const rows = Array.isArray(typed.records) ? (typed.records as Record<string, unknown>[]) : [];
  const returning = query.startsWith(RETURNING_ROWS);
  return {
    rows,
    affected: returning && !postgres ? rows.length : (typed.affected ?? 0),
    ...(!postgres && query.startsWith('INSERT ') && typeof typed.raw === 'number'
      ? { insertId: typed.raw }
      : {}),
  };
}

/** The one sqlite3 handle TypeORM's sqlite driver holds (every query runner shares it). */
interface SqliteHandle {
  run(sql: string, params: unknown[], callback: StatementCallback): unknown;
  all(sql: string, params: unknown[], callback: StatementCallback): unknown;
}

/**
 * SQLite, straight to the driver's handle (PatientDatabase above), past TypeORM's query runner:
 * its per-query promise chain, broadcaster and result objects cost more main-thread time than
 * the statement itself (a buy runs a dozen). The same handle, in the same order (the Database
 * lane), so transactions and savepoints TypeORM opened on it hold; errors are TypeORM's
 * QueryFailedError as before, which is what the retry and group-commit rules look at. With
 * `logging` on, queries go through TypeORM so its logger sees them.
 */
function sqliteStatement(
  manager: EntityManager,
  text: string,
  parameters: ReadonlyArray<string | number | boolean | null>,
): Promise<SqlResult> {
  const handle = (manager.connection.driver as unknown as { databaseConnection?: SqliteHandle })
    .databaseConnection;
  if (!handle) return Promise.reject(new Error('the SQLite database is not connected'));
  const params = parameters.map((p) => (typeof p === 'boolean' ? Number(p) : p));
  // As TypeORM's sqlite runner: INSERT/UPDATE/DELETE step once (run: changes, lastID);
  // anything else, RETURNING_ROWS included, collects its rows (all).
  const writes = /^(INSERT|UPDATE|DELETE) /.test(text);
  return new Promise((resolve, reject) => {
    const done: StatementCallback = function (err, rows) {
      if (err) {
        reject(new QueryFailedError(text, params, err));
        return;
      }
      const statement = this as unknown as { changes?: number; lastID?: number };
      const records = Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
      resolve({
        rows: records,
        affected: text.startsWith(RETURNING_ROWS) ? records.length : (statement.changes ?? 0),
        ...(text.startsWith('INSERT ') && typeof statement.lastID === 'number'
          ? { insertId: statement.lastID }
          : {}),
      });
    };
    if (writes) handle.run(text, params, done);
    else handle.all(text, params, done);
  });
}
