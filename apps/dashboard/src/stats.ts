import type { Money } from './money.js';

export interface SalesBucket {
  key: string;
  orders: number;
  sold: number;
  revenue: Money;
  upstreamCost: Money;
  margin: Money;
  unconvertedCosts: number;
  codeRate: number | null;
}

export interface ProviderHealth {
  id: string;
  kind: string;
  healthy: boolean;
  breakerOpen: boolean;
  breakerOpenUntil: string | null;
  consecutiveFailures: number;
  balance: Money | null;
  balanceUpdatedAt: string | null;
  lowBalance: string | null;
  cheapestOffer: Money | null;
  dailySpend: Money | null;
  activeOrders: number;
  calls: number;
  errors: number;
  avgLatencyMs: number | null;
  maxLatencyMs: number | null;
  codeRate: number | null;
  lastError: string | null;
}

export interface AdminStats {
  since: string;
  days: number;
  currency: string;
  ordersByStatusToday: Array<{ status: string; count: number }>;
  today: SalesBucket;
  total: SalesBucket;
  moneyHeld: Money;
  customerBalances: Money;
  daily: SalesBucket[];
  byProvider: SalesBucket[];
  byService: SalesBucket[];
  providers: ProviderHealth[];
}

const MONEY = '{ amount currency }';
const BUCKET = `{ key orders sold revenue ${MONEY} upstreamCost ${MONEY} margin ${MONEY} unconvertedCosts codeRate }`;

export const ADMIN_STATS = `query AdminStats($days: Int) {
  adminStats(days: $days) {
    since days currency
    ordersByStatusToday { status count }
    today ${BUCKET}
    total ${BUCKET}
    moneyHeld ${MONEY}
    customerBalances ${MONEY}
    daily ${BUCKET}
    byProvider ${BUCKET}
    byService ${BUCKET}
    providers {
      id kind healthy breakerOpen breakerOpenUntil consecutiveFailures
      balance ${MONEY} balanceUpdatedAt lowBalance cheapestOffer ${MONEY} dailySpend ${MONEY}
      activeOrders calls errors avgLatencyMs maxLatencyMs codeRate lastError
    }
  }
}`;
