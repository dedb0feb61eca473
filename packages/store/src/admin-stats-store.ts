import { toBigInt, millis } from './columns.js';
import { sql, type Database } from './database.js';

const DAY_MS = 86_400_000;

/** Orders created in one UTC day, at one provider, for one service, whose upstream cost is in
 *  one currency: the finest grain the dashboard's charts add up from. */
export interface OrderSalesRow {
  /** Days since the epoch (UTC): `created_at / 86400000`. */
  day: number;
  /** Null for orders no provider could serve. */
  providerId: string | null;
  service: string;
  /** Null where no upstream cost was recorded. */
  costCurrency: string | null;
  /** Every order created. */
  orders: number;
  /** Orders charged and not refunded: a CAPTURE and no REFUND. */
  sold: number;
  /** Orders that got a code (CODE_RECEIVED, COMPLETED, REPORTED). */
  withCode: number;
  /** Orders that ended without one after a number was given (EXPIRED, CANCELLED). */
  withoutCode: number;
  /** Σ CAPTURE − Σ REFUND, in the platform currency (minor units). */
  revenueMinor: bigint;
  /** Σ upstream cost of the sold orders, in `costCurrency` (minor units). */
  costMinor: bigint;
}

export interface UpstreamCallStats {
  providerId: string;
  calls: number;
  errors: number;
  avgDurationMs: number;
  maxDurationMs: number;
}

export interface ProviderMinOfferCost {
  providerId: string;
  costCurrency: string;
  /** The cheapest offer in stock: below this balance the provider can sell nothing. */
  minCostMinor: bigint;
}

export interface WalletTotals {
  availableMinor: bigint;
  heldMinor: bigint;
  wallets: number;
}

/** Read-only aggregates for the admin dashboard. Each is one grouped query; the API layer
 *  converts currencies and sums the groups. */
export class AdminStatsStore {
  constructor(private readonly db: Database) {}

  /** Orders created at or after `since`, grouped by (UTC day, provider, service, cost currency). */
  async orderSales(since: Date): Promise<OrderSalesRow[]> {
    const result = await this.db.read((m) =>
      sql(
        m,
        `SELECT o.created_at / ${DAY_MS} AS day, o.provider_id, o.service, o.cost_currency,
           COUNT(*) AS orders,
           SUM(CASE WHEN c.id IS NOT NULL AND r.id IS NULL THEN 1 ELSE 0 END) AS sold,
           SUM(CASE WHEN o.status IN ('CODE_RECEIVED', 'COMPLETED', 'REPORTED') THEN 1 ELSE 0 END) AS with_code,
           SUM(CASE WHEN o.status IN ('EXPIRED', 'CANCELLED') THEN 1 ELSE 0 END) AS without_code,
           SUM(COALESCE(c.amount_minor, 0) - COALESCE(r.amount_minor, 0)) AS revenue_minor,
           SUM(CASE WHEN c.id IS NOT NULL AND r.id IS NULL THEN COALESCE(o.cost_minor, 0) ELSE 0 END) AS cost_minor
         FROM orders o
         LEFT JOIN ledger_entries c ON c.order_id = o.id AND c.kind = 'CAPTURE'
         LEFT JOIN ledger_entries r ON r.order_id = o.id AND r.kind = 'REFUND'
         WHERE o.created_at >= CAST(? AS BIGINT)
         GROUP BY o.created_at / ${DAY_MS}, o.provider_id, o.service, o.cost_currency
         ORDER BY day, o.provider_id, o.service`,
        [millis(since)],
      ),
    );
    return result.rows.map((row) => ({
      day: Number(row.day),
      providerId: row.provider_id === null ? null : String(row.provider_id as string),
      service: String(row.service),
      costCurrency: row.cost_currency === null ? null : String(row.cost_currency as string),
      orders: Number(row.orders),
      sold: Number(row.sold),
      withCode: Number(row.with_code),
      withoutCode: Number(row.without_code),
      revenueMinor: toBigInt(row.revenue_minor ?? 0),
      costMinor: toBigInt(row.cost_minor ?? 0),
    }));
  }

  /** How many orders created at or after `since` are in each status. */
  async ordersByStatus(since: Date): Promise<Map<string, number>> {
    const result = await this.db.read((m) =>
      sql(
        m,
        `SELECT status, COUNT(*) AS n FROM orders WHERE created_at >= CAST(? AS BIGINT) GROUP BY status`,
        [millis(since)],
      ),
    );
    return new Map(result.rows.map((row) => [String(row.status), Number(row.n)]));
  }

  /** Every wallet of `currency` added up: what customers may spend and what open orders hold. */
  async walletTotals(currency: string): Promise<WalletTotals> {
    const result = await this.db.read((m) =>
      sql(
        m,
        `SELECT COALESCE(SUM(available_minor), 0) AS available, COALESCE(SUM(held_minor), 0) AS held,
           COUNT(*) AS wallets
         FROM wallets WHERE currency = ?`,
        [currency],
      ),
    );
    const row = result.rows[0] ?? {};
    return {
      availableMinor: toBigInt(row.available ?? 0),
      heldMinor: toBigInt(row.held ?? 0),
      wallets: Number(row.wallets ?? 0),
    };
  }

  /** Calls to each upstream since `since`: count, errors and latency. */
  async upstreamCalls(since: Date): Promise<UpstreamCallStats[]> {
    const result = await this.db.read((m) =>
      sql(
        m,
        `SELECT provider_id, COUNT(*) AS calls,
           SUM(CASE WHEN outcome = 'ERROR' THEN 1 ELSE 0 END) AS errors,
           AVG(duration_ms) AS avg_ms, MAX(duration_ms) AS max_ms
         FROM upstream_attempts WHERE created_at >= CAST(? AS BIGINT)
         GROUP BY provider_id ORDER BY provider_id`,
        [millis(since)],
      ),
    );
    return result.rows.map((row) => ({
      providerId: String(row.provider_id),
      calls: Number(row.calls),
      errors: Number(row.errors),
      avgDurationMs: Math.round(Number(row.avg_ms ?? 0)),
      maxDurationMs: Number(row.max_ms ?? 0),
    }));
  }

  /** The cheapest offer in stock per provider (and cost currency). */
  async minOfferCosts(): Promise<ProviderMinOfferCost[]> {
    const result = await this.db.read((m) =>
      sql(
        m,
        `SELECT provider_id, cost_currency, MIN(cost_minor) AS min_cost FROM offers
         WHERE stock > 0 GROUP BY provider_id, cost_currency`,
      ),
    );
    return result.rows.map((row) => ({
      providerId: String(row.provider_id),
      costCurrency: String(row.cost_currency),
      minCostMinor: toBigInt(row.min_cost),
    }));
  }
}

/** The first millisecond of `date`'s UTC day. */
export function startOfUtcDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}

/** `day` (days since the epoch) as YYYY-MM-DD. */
export function utcDayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
