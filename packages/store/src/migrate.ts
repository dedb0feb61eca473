import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import type { DataSource } from 'typeorm';

/** How long a process waits for another's migrations before giving up. */
const LOCK_WAIT_MS = 120_000;
const LOCK_POLL_MS = 100;

/** The database has migrations this build knows and the database has not run. */
export class MigrationsPending extends Error {
  override readonly name = 'MigrationsPending';
  constructor(readonly pending: readonly string[]) {
    super(
      `the database needs ${pending.length} migration${pending.length === 1 ? '' : 's'} ` +
        `(${pending.join(', ')}): run \`pnpm numbroker migrate\` (autoMigrate is false)`,
    );
  }
}

/** The names of this build's migrations the database has not run, oldest first. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const known = dataSource.migrations.map((migration) => migration.name ?? '');
  let executed: Set<string>;
  try {
    const rows: Array<{ name: string }> = await dataSource.query(`SELECT name FROM "${table}"`);
    executed = new Set(rows.map((row) => row.name));
  } catch (error) {
    // No migrations table yet: a fresh database, every migration pending.
    if (isMissingTable(error)) return known;
    throw error;
  }
  return known.filter((name) => !executed.has(name));
}

/**
 * Runs the pending migrations while holding a lock that every numbroker process takes before
 * migrating, so servers, workers and `numbroker migrate` starting together (a cold start of a
 * fleet) migrate once instead of racing each other's CREATE TABLEs. Postgres: a session
 * advisory lock per schema. SQLite: a lock file beside the database (a stale one, whose
 * process is gone, is taken over). Returns the names of the migrations it ran.
 */
export async function migrateUnderLock(dataSource: DataSource): Promise<string[]> {
  const lock =
    dataSource.options.type === 'postgres' ? postgresLock(dataSource) : sqliteLock(dataSource);
  try {
    await lock.acquire();
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((migration) => migration.name);
  } finally {
    await lock.release();
  }
}

interface MigrationLock {
  acquire(): Promise<void>;
  /** Frees the lock if it was taken (and whatever acquire() opened in any case). */
  release(): Promise<void>;
}

function postgresLock(dataSource: DataSource): MigrationLock {
  const runner = dataSource.createQueryRunner();
  // Keyed by schema: tests (a schema each) and separate deployments in one database do not
  // wait for each other.
  const key = "hashtext('numbroker-migrate:' || current_schema())";
  let held = false;
  return {
    acquire: async () => {
      await runner.query(`SELECT pg_advisory_lock(${key})`);
      held = true;
    },
    release: async () => {
      try {
        if (held) await runner.query(`SELECT pg_advisory_unlock(${key})`);
      } finally {
        await runner.release();
      }
    },
  };
}

function sqliteLock(dataSource: DataSource): MigrationLock {
  const database = String(dataSource.options.database);
  const path = `${database}.migrate-lock`;
  let held = false;
  return {
    acquire: async () => {
      if (database === ':memory:') return;
      const deadline = Date.now() + LOCK_WAIT_MS;
      for (;;) {
        try {
          const fd = openSync(path, 'wx');
          writeSync(fd, String(process.pid));
          closeSync(fd);
          held = true;
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        if (lockHolderGone(path)) {
          try {
            unlinkSync(path);
          } catch {
            // Another process took it over first: try again.
          }
          continue;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `another process has been migrating for ${LOCK_WAIT_MS / 1000} s (lock file ${path}); ` +
              'if none is running, remove the file',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      }
    },
    release: async () => {
      if (held) unlinkSync(path);
      held = false;
    },
  };
}

/** The lock file names a pid that no longer runs (a process killed mid-migration). */
function lockHolderGone(path: string): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    return false; // just removed: look again
  }
  // Empty: created a moment ago and its pid not yet written, unless it stayed so for long.
  if (text === '') {
    const age = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    return age > 10_000;
  }
  const pid = Number(text);
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function isMissingTable(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string; message?: string } }).driverError;
  return (
    driverError?.code === '42P01' ||
    (driverError?.code === 'SQLITE_ERROR' && /no such table/.test(driverError.message ?? ''))
  );
}
