import { TERMINAL_STATUSES } from '@numbroker/core';
import { millis } from './columns.js';
import { sql, type Database } from './database.js';

export interface PruneResult {
  orderEvents: number;
  upstreamAttempts: number;
  idempotencyKeys: number;
}

export interface PruneOptions {
  /** Rows created before this go. */
  before: Date;
  /** Rows per DELETE: short transactions, so the server and the worker are never held up long. */
  batchSize?: number;
}

/**
 * Deletes history older than `before`, keeping what still depends on it:
 * - order events only of orders that ended before `before` (an open order's events feed the
 *   SMS-Activate endpoint's setStatus 3 and the subscriptions replaying it); never the newest
 *   event of all (where a fresh outbox tail starts). A subscription resuming from an event
 *   older than the horizon gets what is left after it, not the pruned ones;
 * - upstream attempts (routing statistics look back minutes, not days);
 * - idempotency keys: a key older than the horizon may buy again.
 * Orders, ledger entries, SMS messages and wallets are never pruned: they are the money's
 * record, and activation ids are the orders' own column.
 */
export async function pruneHistory(db: Database, options: PruneOptions): Promise<PruneResult> {
  const batchSize = options.batchSize ?? 1000;
  const before = millis(options.before);
  const terminal = TERMINAL_STATUSES.map(() => '?').join(', ');
  const orderEvents = await deleteInBatches(db, batchSize, (limit) => [
    `DELETE FROM order_events WHERE id IN (
       SELECT e.id FROM order_events e JOIN orders o ON o.id = e.order_id
       WHERE e.created_at < CAST(? AS BIGINT) AND o.updated_at < CAST(? AS BIGINT)
         AND o.status IN (${terminal})
         AND e.id < (SELECT MAX(id) FROM order_events)
       LIMIT ${limit})`,
    [before, before, ...TERMINAL_STATUSES],
  ]);
  const upstreamAttempts = await deleteInBatches(db, batchSize, (limit) => [
    `DELETE FROM upstream_attempts WHERE id IN (
       SELECT id FROM upstream_attempts WHERE created_at < CAST(? AS BIGINT) LIMIT ${limit})`,
    [before],
  ]);
  const idempotencyKeys = await deleteInBatches(db, batchSize, (limit) => [
    `DELETE FROM idempotency_keys WHERE (user_id, idempotency_key) IN (
       SELECT user_id, idempotency_key FROM idempotency_keys
       WHERE created_at < CAST(? AS BIGINT) LIMIT ${limit})`,
    [before],
  ]);
  return { orderEvents, upstreamAttempts, idempotencyKeys };
}

async function deleteInBatches(
  db: Database,
  batchSize: number,
  statement: (limit: number) => [string, string[]],
): Promise<number> {
  const limit = Math.max(1, Math.trunc(batchSize));
  let total = 0;
  for (;;) {
    const [text, params] = statement(limit);
    const { affected } = await db.transaction((tx) => sql(tx, text, params));
    total += affected;
    if (affected < limit) return total;
  }
}
