import { OPEN_STATUSES } from '@numbroker/core';
import { sql, type Database } from './database.js';

export interface OpenOrderCount {
  status: string;
  providerId: string | null;
  count: number;
}

/** Open orders (PENDING, ACTIVE, CODE_RECEIVED) by status and provider: what a metrics scrape
 *  asks for. Reads only the open orders through the (status, next_poll_at) index, never the
 *  whole history. */
export async function countOpenOrders(db: Database): Promise<OpenOrderCount[]> {
  const open = OPEN_STATUSES.map(() => '?').join(', ');
  const { rows } = await db.read((m) =>
    sql(
      m,
      `SELECT status, provider_id, COUNT(*) AS n FROM orders WHERE status IN (${open})
       GROUP BY status, provider_id`,
      [...OPEN_STATUSES],
    ),
  );
  return rows.map((row) => ({
    status: String(row.status),
    providerId: typeof row.provider_id === 'string' ? row.provider_id : null,
    count: Number(row.n),
  }));
}
