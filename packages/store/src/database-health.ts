import type { Database } from './database.js';
import { pendingMigrations } from './migrate.js';

export interface DatabaseHealth {
  /** The database answered a query. */
  reachable: boolean;
  /** Every migration of this build has run. */
  migrationsCurrent: boolean;
  /** "ok", or why not (no URL, no password: safe for a probe's body). */
  detail: string;
}

/** What `/readyz` asks of the database: does it answer, and is its schema this build's?
 *  Two small reads; never throws. */
export async function checkDatabaseHealth(
  db: Database,
  options: { timeoutMs?: number } = {},
): Promise<DatabaseHealth> {
  const timeoutMs = options.timeoutMs ?? 2000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const pending = await Promise.race([
      db.read(async (manager) => {
        await manager.query('SELECT 1');
        return pendingMigrations(manager.connection);
      }),
      timeout,
    ]);
    if (pending.length > 0) {
      return {
        reachable: true,
        migrationsCurrent: false,
        detail: `${pending.length} pending migration(s): run \`pnpm numbroker migrate\``,
      };
    }
    return { reachable: true, migrationsCurrent: true, detail: 'ok' };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { reachable: false, migrationsCurrent: false, detail: `unreachable: ${why}` };
  } finally {
    clearTimeout(timer);
  }
}
