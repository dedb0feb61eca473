import type { Money, OrderCommand } from '@numbroker/core';
import type { Offer } from '@numbroker/providers';
import type { OpenBuyAttempt } from '@numbroker/store';

export type { OpenBuyAttempt };

/** An order the worker holds a lease on: due for a status check, for expiry, or — while
 *  still PENDING past its reconcile time — for reconciliation (a crash between the upstream
 *  buy and its write). */
export type LeasedOrder = LeasedOpenOrder | LeasedPendingOrder;

export interface LeasedOpenOrder {
  id: string;
  status: 'ACTIVE' | 'CODE_RECEIVED';
  providerId: string;
  upstreamRef: string;
  createdAt: Date;
  expiresAt: Date;
  /** Consecutive failed checks/cancels, for backoff. */
  failures: number;
}

export interface LeasedPendingOrder {
  id: string;
  status: 'PENDING';
  /** The provider its buy went to first, if one was chosen. */
  providerId: string | null;
  service: string;
  country: string;
  createdAt: Date;
  expiresAt: Date;
  failures: number;
}

export interface IncomingSms {
  code: string | null;
  text: string | null;
  receivedAt: Date;
}

export interface Reschedule {
  id: string;
  nextPollAt: Date;
  /** Consecutive failures so far (0 after a clean check). */
  failures: number;
}

export type ApplyOutcome = 'applied' | 'unchanged' | 'refused';

export interface ApplyCommandOptions {
  /** PURCHASED (a reconciled order adopting its activation): the provider that sold it. */
  providerId?: string;
  now?: Date;
}

/** A provider's poll interval: the configured one, or the slower safety net of a provider that
 *  pushes its SMS by webhook. */
export type PollIntervalOf = (providerId: string | null) => number;

/** What the worker needs from the store, narrow on purpose: one class adapts it to
 *  @numbroker/store (DatabaseWorkerStore), and the loops can be tested against it. */
export interface WorkerStore {
  /** Leases up to `limit` open orders whose next check is due by `dueBy` (`next_poll_at <=
   *  dueBy`) and that no other live worker holds; the lease lapses on its own (a `kill -9`
   *  loses nothing). With `pollIntervalMs`, claiming is scheduling: a waiting order's next
   *  regular check is written by the claim itself, with a lease that lapses at that check, so
   *  a check that changes nothing costs no second write; otherwise (and for orders about to
   *  expire or PENDING) the lease lasts `leaseMs` and `reschedule` writes the next check. */
  leaseDueOrders(
    workerId: string,
    now: Date,
    limit: number,
    leaseMs: number,
    dueBy?: Date,
    pollIntervalMs?: number | PollIntervalOf,
  ): Promise<LeasedOrder[]>;
  /** Sets the next check and drops the lease of many orders in one statement per batch —
   *  skipping orders whose claim already wrote a next check no later than asked, with no
   *  failures. Orders that ended meanwhile, or whose lease is no longer this worker's, are left
   *  alone. */
  reschedule(workerId: string, items: readonly Reschedule[]): Promise<void>;
  /** Stores the SMS the order does not have yet and moves it (the first code captures the
   *  hold; each new SMS writes one event). The same SMS polled again costs no write. Returns
   *  how many were new. */
  recordSms(orderId: string, messages: readonly IncomingSms[], now: Date): Promise<number>;
  /** Runs one order command with its wallet movement and event, in one transaction. */
  applyCommand(
    orderId: string,
    command: OrderCommand,
    options?: ApplyCommandOptions,
  ): Promise<ApplyOutcome>;
  /** Writes an order expired here while its upstream cancel kept failing (the activation may
   *  still be open and cost us upstream) to the log of upstream attempts, for the operator;
   *  `settled` once a later cancel went through. */
  recordUpstreamDebt(
    providerId: string,
    orderId: string,
    upstreamRef: string,
    settled: boolean,
    now: Date,
  ): Promise<void>;
  /** Writes an upstream activation no order owns to the log of upstream attempts. */
  recordOrphan(providerId: string, upstreamRef: string, action: string, now: Date): Promise<void>;
  /** The buy attempts at this provider since `since` whose order owns no activation (still
   *  PENDING, or ended without one), with what each asked: what an orphan could be. Newest
   *  first, at most `limit`. */
  openBuyAttempts(providerId: string, since: Date, limit: number): Promise<OpenBuyAttempt[]>;
  /** When each of these unowned activations was first seen by any worker (now, and written,
   *  for those seen for the first time): an orphan's age survives a restart. */
  orphanSightings(
    providerId: string,
    refs: readonly string[],
    now: Date,
  ): Promise<Map<string, Date>>;
  /** Which of these upstream refs already belong to an order of this provider. */
  knownUpstreamRefs(providerId: string, refs: readonly string[]): Promise<Set<string>>;
  /** Extends this worker's leases on `ids` to `until` where they would lapse sooner: a pass that
   *  runs long keeps its orders, while a crashed worker's short leases lapse within a few poll
   *  gaps. */
  renewLeases(workerId: string, ids: readonly string[], until: Date): Promise<void>;
  /** Drops every lease this worker holds (graceful shutdown): another worker picks the orders
   *  up at once instead of after the lease lapses. */
  releaseLeases(workerId: string): Promise<number>;
}

/** A provider's breaker as routing sees it (kept by the store, shared by every process). */
export interface ProviderHealthView {
  healthy: boolean;
  consecutiveFailures: number;
  /** May it be probed (and routed to) now: healthy, or its breaker's open period is over. */
  usable: boolean;
}

export interface CatalogStore {
  /** Replaces a provider's offers with what it lists now (what it no longer lists is gone). */
  replaceOffers(providerId: string, offers: readonly Offer[], now: Date): Promise<void>;
  providerHealth(providerId: string, now: Date): Promise<ProviderHealthView>;
  /** A successful sync: closes the breaker, and records the balance when there is one. */
  recordSyncSuccess(providerId: string, balance: Money | undefined, now: Date): Promise<void>;
  /** A failed sync: counts toward opening the breaker. `error` is secret-free. */
  recordSyncFailure(providerId: string, error: string, now: Date): Promise<ProviderHealthView>;
}
