import { millis } from '../columns.js';
import { sql } from '../database.js';
import type { Store } from '../store.js';

/** Test-only looks at what the store keeps to itself (leases, next checks). */

export interface OrderScheduling {
  nextPollAt: Date | null;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  pollCount: number;
}

export async function schedulingOf(store: Store, orderId: string): Promise<OrderScheduling> {
  const result = await store.db.read((m) =>
    sql(m, 'SELECT next_poll_at, lease_owner, lease_until, poll_count FROM orders WHERE id = ?', [
      orderId,
    ]),
  );
  const row = result.rows[0];
  if (!row) throw new Error(`no order ${orderId}`);
  const date = (value: unknown) => (value === null ? null : new Date(Number(value)));
  return {
    nextPollAt: date(row.next_poll_at),
    leaseOwner: typeof row.lease_owner === 'string' ? row.lease_owner : null,
    leaseUntil: date(row.lease_until),
    pollCount: Number(row.poll_count),
  };
}

/** How many orders `workerId` holds a lease on. */
export async function leaseCount(store: Store, workerId: string): Promise<number> {
  const result = await store.db.read((m) =>
    sql(m, 'SELECT COUNT(*) AS n FROM orders WHERE lease_owner = ?', [workerId]),
  );
  return Number(result.rows[0]?.n ?? 0);
}

/** Orders `workerId` leases longer than one lease period past their next check (a
 *  claim-scheduled lease lapses exactly that long after it). */
export async function leasesHeldPastNextCheck(
  store: Store,
  workerId: string,
  leaseMs: number,
): Promise<number> {
  const result = await store.db.read((m) =>
    sql(
      m,
      `SELECT COUNT(*) AS n FROM orders WHERE lease_owner = ?
         AND (lease_until IS NULL OR next_poll_at IS NULL
              OR lease_until > next_poll_at + CAST(? AS BIGINT))`,
      [workerId, String(leaseMs)],
    ),
  );
  return Number(result.rows[0]?.n ?? 0);
}

/** Takes a provider's open orders out of the worker's way (no next check, no lease), so the
 *  next test on the same database sees only its own. */
export async function parkProviderOrders(store: Store, providerId: string): Promise<void> {
  await store.db.transaction((tx) =>
    sql(
      tx,
      'UPDATE orders SET next_poll_at = NULL, lease_owner = NULL, lease_until = NULL WHERE provider_id = ?',
      [providerId],
    ),
  );
}

/** Makes an order due at `at` (a test that cannot wait for its schedule). */
export async function setNextCheck(store: Store, orderId: string, at: Date): Promise<void> {
  await store.db.transaction((tx) =>
    sql(tx, 'UPDATE orders SET next_poll_at = CAST(? AS BIGINT) WHERE id = ?', [
      millis(at),
      orderId,
    ]),
  );
}
