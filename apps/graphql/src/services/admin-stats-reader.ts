import type { AdminStatsStore } from '@numbroker/store';

/** A provider's breaker as the store keeps it (the worker and the server write it). */
export interface BreakerRecord {
  providerId: string;
  healthy: boolean;
  consecutiveFailures: number;
  breakerOpenUntil: Date | null;
  balanceMinor: bigint | null;
  balanceCurrency: string | null;
  lastError: string | null;
  updatedAt: Date;
}

/** The read-only aggregates behind the admin dashboard (see @numbroker/store AdminStatsStore). */
export interface AdminStatsReader extends Pick<
  AdminStatsStore,
  'orderSales' | 'ordersByStatus' | 'walletTotals' | 'upstreamCalls' | 'minOfferCosts'
> {
  breakers(): Promise<BreakerRecord[]>;
}
