/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** Where an order is in its lifecycle. */
export type OrderStatus =
  /** The number is yours; waiting for an SMS. The price is held. */
  | 'ACTIVE'
  /** Cancelled before any code; the hold was released. */
  | 'CANCELLED'
  /** A code arrived; the price is charged. More SMS may follow. */
  | 'CODE_RECEIVED'
  /** Closed after a code (finishOrder). */
  | 'COMPLETED'
  /** No code before expiresAt; cancelled upstream, the hold released. */
  | 'EXPIRED'
  /** No provider could sell; the hold was released (see failureReason). */
  | 'FAILED'
  /** Being bought upstream; the price is held. */
  | 'PENDING'
  /** The code was wrong (reportOrder); refunded where the upstream refunds. */
  | 'REPORTED';

export type AdminStatsQueryVariables = Exact<{
  days?: number | null | undefined;
}>;


export type AdminStatsQuery = { adminStats: { since: string, days: number, currency: string, ordersByStatusToday: Array<{ status: OrderStatus, count: number }>, today: { key: string, orders: number, sold: number, unconvertedCosts: number, codeRate: number | null, revenue: { amount: string, currency: string }, upstreamCost: { amount: string, currency: string }, margin: { amount: string, currency: string } }, total: { key: string, orders: number, sold: number, unconvertedCosts: number, codeRate: number | null, revenue: { amount: string, currency: string }, upstreamCost: { amount: string, currency: string }, margin: { amount: string, currency: string } }, moneyHeld: { amount: string, currency: string }, customerBalances: { amount: string, currency: string }, daily: Array<{ key: string, orders: number, sold: number, unconvertedCosts: number, codeRate: number | null, revenue: { amount: string, currency: string }, upstreamCost: { amount: string, currency: string }, margin: { amount: string, currency: string } }>, byProvider: Array<{ key: string, orders: number, sold: number, unconvertedCosts: number, codeRate: number | null, revenue: { amount: string, currency: string }, upstreamCost: { amount: string, currency: string }, margin: { amount: string, currency: string } }>, byService: Array<{ key: string, orders: number, sold: number, unconvertedCosts: number, codeRate: number | null, revenue: { amount: string, currency: string }, upstreamCost: { amount: string, currency: string }, margin: { amount: string, currency: string } }>, providers: Array<{ id: string, kind: string, healthy: boolean, breakerOpen: boolean, breakerOpenUntil: string | null, consecutiveFailures: number, balanceUpdatedAt: string | null, lowBalance: string | null, activeOrders: number, calls: number, errors: number, avgLatencyMs: number | null, maxLatencyMs: number | null, codeRate: number | null, lastError: string | null, balance: { amount: string, currency: string } | null, cheapestOffer: { amount: string, currency: string } | null, dailySpend: { amount: string, currency: string } | null }> } };

export type MoneyFragment = { amount: string, currency: string };

export type SalesBucketFragment = { key: string, orders: number, sold: number, unconvertedCosts: number, codeRate: number | null, revenue: { amount: string, currency: string }, upstreamCost: { amount: string, currency: string }, margin: { amount: string, currency: string } };

export type ProviderHealthFragment = { id: string, kind: string, healthy: boolean, breakerOpen: boolean, breakerOpenUntil: string | null, consecutiveFailures: number, balanceUpdatedAt: string | null, lowBalance: string | null, activeOrders: number, calls: number, errors: number, avgLatencyMs: number | null, maxLatencyMs: number | null, codeRate: number | null, lastError: string | null, balance: { amount: string, currency: string } | null, cheapestOffer: { amount: string, currency: string } | null, dailySpend: { amount: string, currency: string } | null };
