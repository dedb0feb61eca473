import { millis } from './columns.js';
import { sql, type Database } from './database.js';

/** Statuses that say whether the provider delivered: a code came (the first three), or the
 *  order ended without one. FAILED is not among them: no number was sold, so it says nothing
 *  about codes (buy failures are the breaker's business). The partial index
 *  IDX_orders_outcome_updated holds exactly these rows, so the buy path (PENDING, ACTIVE)
 *  never writes to it. */
const OUTCOME_STATUSES = [
  'CODE_RECEIVED',
  'COMPLETED',
  'REPORTED',
  'EXPIRED',
  'CANCELLED',
] as const;
const WITH_CODE = `'CODE_RECEIVED', 'COMPLETED', 'REPORTED'`;
const OUTCOME_INDEX = 'IDX_orders_outcome_updated';
/** Must be the index's WHERE, word for word: both planners use a partial index only when the
 *  query repeats its condition. */
const OUTCOME_CONDITION = `"status" IN (${OUTCOME_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Did orders get a code, per (provider, service, country). */
export interface RouteOutcomeRow {
  providerId: string;
  service: string;
  country: string;
  /** Orders whose outcome counts. */
  samples: number;
  /** Of them, those that got a code. */
  codes: number;
}

export interface RouteOutcomeQuery {
  /** Outcomes known (the order's last change) at or after this moment. */
  since: Date;
  /** A customer's cancel this soon after the order was created is the customer's choice, not
   *  the provider's failure: left out. A later cancel counts as no code (people cancel
   *  because nothing came). */
  cancelGraceMs: number;
}

/** What success-rate routing learns from: ended orders, read from the orders themselves. */
export class RouteOutcomeStore {
  constructor(private readonly db: Database) {}

  /** One grouped read over the partial index (a range of `updated_at`, covering every column
   *  it needs): cost grows with the orders that ended in the window, not with the table. */
  async outcomes(query: RouteOutcomeQuery): Promise<RouteOutcomeRow[]> {
    const grace = String(Math.max(0, Math.trunc(query.cancelGraceMs)));
    // SQLite, without ANALYZE figures, would rather walk IDX_orders_status_next_poll for the
    // five statuses — every ended order ever. INDEXED BY pins the range scan (and fails loudly,
    // not slowly, should the index ever go).
    const from = this.db.kind === 'sqlite' ? `"orders" INDEXED BY "${OUTCOME_INDEX}"` : '"orders"';
    const result = await this.db.read((m) =>
      sql(
        m,
        `SELECT "provider_id", "service", "country",
           SUM(CASE WHEN "status" IN (${WITH_CODE}) THEN 1 ELSE 0 END) AS "codes",
           SUM(CASE WHEN "status" <> 'CANCELLED'
                      OR "updated_at" - "created_at" >= CAST(? AS BIGINT) THEN 1 ELSE 0 END) AS "samples"
         FROM ${from}
         WHERE ${OUTCOME_CONDITION} AND "updated_at" >= CAST(? AS BIGINT)
           AND "provider_id" IS NOT NULL
         GROUP BY "provider_id", "service", "country"`,
        [grace, millis(query.since)],
      ),
    );
    return result.rows
      .map((row) => ({
        providerId: String(row.provider_id),
        service: String(row.service),
        country: String(row.country),
        samples: Number(row.samples),
        codes: Number(row.codes),
      }))
      .filter((row) => row.samples > 0)
      .sort(
        (a, b) =>
          compare(a.providerId, b.providerId) ||
          compare(a.service, b.service) ||
          compare(a.country, b.country),
      );
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
