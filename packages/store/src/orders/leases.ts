import { OPEN_STATUSES } from '@numbroker/core';
import { millis } from '../columns.js';
import { sql, type Database } from '../database.js';
import { ORDER_COLUMNS, orderFromRow, placeholders } from './order-rows.js';
import { toOrderView, type OrderView } from './order-view.js';

export interface ClaimOptions {
  now: Date;
  /** At most this many orders. */
  limit: number;
  /** How long a plain lease lasts; a scheduled one lapses this long after the check the
   *  claim wrote. */
  leaseMs: number;
  /** Also take orders due up to this time (a worker checking a little early, so one batch
   *  status request covers more orders); default `now`. */
  dueBy?: Date;
  /**
   * The caller's scheduling policy. For each claimed order: its next regular check, if the
   * claim may already write it (claiming is scheduling: an unchanged check then costs no
   * second write); undefined for a plain lease of `leaseMs` (the caller reschedules it).
   */
  scheduleAt?: (order: OrderView, now: Date) => Date | undefined;
}

export interface ClaimedOrder {
  order: OrderView;
  /** The next check the claim wrote (the lease lapses `leaseMs` after it), or null: a plain
   *  lease, and the order keeps its next check until `reschedule` writes one. */
  scheduledAt: Date | null;
}

export interface Reschedule {
  id: string;
  nextPollAt: Date;
}

/** Orders claimed per UPDATE statement (3 parameters each, at most 4 with a schedule). */
const CLAIM_CHUNK = 1000;
/** Orders rescheduled per UPDATE statement (3 parameters each): far below SQLite's (32766)
 *  and Postgres' (65535) limits. */
const RESCHEDULE_CHUNK = 1000;

/**
 * Leases up to `limit` open orders whose next check is due by `dueBy`, in one transaction:
 * one SELECT picks them (Postgres: FOR UPDATE SKIP LOCKED, so any number of workers share the
 * work), one UPDATE per chunk leases them and writes the next check `scheduleAt` gives.
 *
 * Who may take an order: anybody once its lease lapsed; and the worker that holds a
 * claim-scheduled lease (recognised by lease_until = next_poll_at + leaseMs) at its next
 * check, up to `dueBy` early — its own passes never overlap, so that check is over. Every
 * other worker waits for the lease to lapse, so no order is checked by two workers at once,
 * even when a check outlasts the poll interval; if the holder dies, the order moves on
 * `leaseMs` after its next check. A plain lease is never taken early, not even by its holder.
 */
export async function claimDueOrders(
  db: Database,
  workerId: string,
  options: ClaimOptions,
): Promise<ClaimedOrder[]> {
  const { now, leaseMs } = options;
  const dueBy = options.dueBy ?? now;
  const limit = Math.max(1, Math.trunc(options.limit));
  return db.transaction(async (tx) => {
    const postgres = db.kind === 'postgres';
    const due = await sql(
      tx,
      `SELECT ${ORDER_COLUMNS} FROM orders
       WHERE status IN (${placeholders(OPEN_STATUSES.length)}) AND next_poll_at <= CAST(? AS BIGINT)
         AND (lease_until IS NULL OR lease_until <= CAST(? AS BIGINT)
              OR (lease_owner = ? AND lease_until = next_poll_at + CAST(? AS BIGINT)))
       ORDER BY next_poll_at, id LIMIT ${limit}
       ${postgres ? 'FOR UPDATE SKIP LOCKED' : ''}`,
      [...OPEN_STATUSES, millis(dueBy), millis(now), workerId, String(leaseMs)],
    );
    const claims = due.rows.map((row) => {
      const order = toOrderView(orderFromRow(row));
      const next = options.scheduleAt?.(order, now);
      return { order, scheduledAt: next ?? null };
    });
    const plainLease = String(now.getTime() + leaseMs);
    for (let start = 0; start < claims.length; start += CLAIM_CHUNK) {
      const chunk = claims.slice(start, start + CLAIM_CHUNK);
      const leaseCases = chunk.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
      const scheduled = chunk.filter((claim) => claim.scheduledAt !== null);
      const nextCases = scheduled.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
      await sql(
        tx,
        `UPDATE orders SET lease_owner = ?, poll_count = poll_count + 1,
           lease_until = CASE id ${leaseCases} END
           ${scheduled.length > 0 ? `, next_poll_at = CASE id ${nextCases} ELSE next_poll_at END` : ''}
         WHERE id IN (${placeholders(chunk.length)})`,
        [
          workerId,
          ...chunk.flatMap((claim) => [
            claim.order.id,
            claim.scheduledAt ? String(claim.scheduledAt.getTime() + leaseMs) : plainLease,
          ]),
          ...scheduled.flatMap((claim) => [claim.order.id, millis(claim.scheduledAt!)]),
          ...chunk.map((claim) => claim.order.id),
        ],
      );
    }
    return claims;
  });
}

/**
 * Sets the next check and drops `workerId`'s lease of many orders, one statement per chunk.
 * Orders that ended meanwhile keep next_poll_at NULL (the status guard), and a lease another
 * worker took over is not touched. Returns how many orders were written.
 */
export async function reschedule(
  db: Database,
  workerId: string,
  items: readonly Reschedule[],
): Promise<number> {
  let written = 0;
  for (let start = 0; start < items.length; start += RESCHEDULE_CHUNK) {
    const chunk = items.slice(start, start + RESCHEDULE_CHUNK);
    const cases = chunk.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
    const result = await db.transaction((tx) =>
      sql(
        tx,
        `UPDATE orders SET lease_owner = NULL, lease_until = NULL,
           next_poll_at = CASE id ${cases} END
         WHERE id IN (${placeholders(chunk.length)}) AND lease_owner = ?
           AND status IN (${placeholders(OPEN_STATUSES.length)})`,
        [
          ...chunk.flatMap((item) => [item.id, millis(item.nextPollAt)]),
          ...chunk.map((item) => item.id),
          workerId,
          ...OPEN_STATUSES,
        ],
      ),
    );
    written += result.affected;
  }
  return written;
}

/** A PENDING order whose buy ended ambiguous (may have reached the upstream): reconciled at
 *  `at` instead of at its later default reconcile time. */
export async function reconcileAt(db: Database, orderId: string, at: Date): Promise<void> {
  await db.transaction((tx) =>
    sql(
      tx,
      `UPDATE orders SET next_poll_at = CAST(? AS BIGINT)
       WHERE id = ? AND status = 'PENDING'
         AND (next_poll_at IS NULL OR next_poll_at > CAST(? AS BIGINT))`,
      [millis(at), orderId, millis(at)],
    ),
  );
}

/** Extends `workerId`'s leases on `ids` to `until` where they would lapse sooner: a pass that
 *  runs long keeps its orders, while a crashed worker's short leases lapse within a few poll
 *  gaps. A lease another worker took over is not touched. */
export async function renewLeases(
  db: Database,
  workerId: string,
  ids: readonly string[],
  until: Date,
): Promise<number> {
  let renewed = 0;
  for (let start = 0; start < ids.length; start += RESCHEDULE_CHUNK) {
    const chunk = ids.slice(start, start + RESCHEDULE_CHUNK);
    const result = await db.transaction((tx) =>
      sql(
        tx,
        `UPDATE orders SET lease_until = CAST(? AS BIGINT)
         WHERE id IN (${placeholders(chunk.length)}) AND lease_owner = ?
           AND lease_until < CAST(? AS BIGINT)`,
        [millis(until), ...chunk, workerId, millis(until)],
      ),
    );
    renewed += result.affected;
  }
  return renewed;
}

/** Drops every lease `workerId` holds (graceful shutdown): another worker takes those orders
 *  at once instead of after the lease lapses. */
export async function releaseLeases(db: Database, workerId: string): Promise<number> {
  const result = await db.transaction((tx) =>
    sql(tx, 'UPDATE orders SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?', [
      workerId,
    ]),
  );
  return result.affected;
}
