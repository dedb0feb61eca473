import type { Money, OrderCommand, OrderStatus } from '@numbroker/core';
import type { Offer } from '@numbroker/providers';
import type { ProviderHealth } from './provider-health.js';

/** An order the worker holds a lease on: due for a status check, for expiry, or both. */
export interface LeasedOrder {
  id: string;
  providerId: string;
  upstreamRef: string;
  status: Extract<OrderStatus, 'ACTIVE' | 'CODE_RECEIVED'>;
  createdAt: Date;
  expiresAt: Date;
  /** How many SMS the order already has: an upstream showing no more than this brings nothing new. */
  smsCount: number;
  /** Consecutive failed checks/cancels, for backoff. */
  failures: number;
}

export interface IncomingSms {
  code: string | null;
  text: string | null;
  receivedAt: Date;
}

export interface PendingOrder {
  id: string;
  /** The provider of its last buy attempt, if one was made. */
  providerId: string | null;
  service: string;
  country: string;
  createdAt: Date;
}

export type ApplyOutcome = 'applied' | 'unchanged' | 'refused';

/** What the worker needs from the store, narrow on purpose: one place adapts it to
 *  @numbroker/store, and the loops can be tested against it. */
export interface WorkerStore {
  /** Leases up to `limit` orders that are due (`next_poll_at <= now`) and not leased by a live
   *  worker; the lease lapses on its own after `leaseMs` (a `kill -9` loses nothing). */
  leaseDueOrders(
    workerId: string,
    now: Date,
    limit: number,
    leaseMs: number,
  ): Promise<LeasedOrder[]>;
  /** Sets the next check and drops the lease, for many orders in one statement. */
  reschedule(
    workerId: string,
    items: ReadonlyArray<{ id: string; nextPollAt: Date; failures: number }>,
  ): Promise<void>;
  /** Stores new SMS (the same SMS twice is stored once) and moves the order: the first code
   *  captures the hold; each new SMS writes one event. */
  recordSms(orderId: string, messages: readonly IncomingSms[]): Promise<number>;
  /** Runs one order command with its wallet movement and event, in one transaction. */
  applyCommand(orderId: string, command: OrderCommand, reason?: string): Promise<ApplyOutcome>;
  /** Writes an orphaned upstream activation to the log of upstream attempts. */
  recordOrphan(providerId: string, upstreamRef: string, action: string): Promise<void>;
  /** PENDING orders created before `olderThan` (a crash between the upstream buy and tx 2). */
  stalePendingOrders(olderThan: Date, limit: number): Promise<PendingOrder[]>;
  /** Which of these upstream refs already belong to an order of this provider. */
  knownUpstreamRefs(providerId: string, refs: readonly string[]): Promise<Set<string>>;
  /** Drops every lease this worker holds (graceful shutdown). */
  releaseLeases(workerId: string): Promise<void>;
}

export interface CatalogStore {
  /** Replaces a provider's offers with what it lists now (what it no longer lists is gone). */
  replaceOffers(providerId: string, offers: readonly Offer[], now: Date): Promise<void>;
  loadHealth(providerId: string): Promise<ProviderHealth | undefined>;
  saveHealth(
    providerId: string,
    health: ProviderHealth,
    details: { balance?: Money; lastError?: string | null },
    now: Date,
  ): Promise<void>;
}
