import {
  OrderTransitionRefused,
  isTerminalStatus,
  type Money,
  type OrderCommand,
} from '@numbroker/core';
import type { Offer } from '@numbroker/providers';
import {
  providerUsable,
  type BreakerPolicy,
  type ClaimedOrder,
  type OrderView,
  type ProviderStateView,
  type Store,
  smsIdentity,
} from '@numbroker/store';
import { scheduledCheckAt } from './poll-schedule.js';
import { SmsSeenCache } from './sms-seen-cache.js';
import type {
  ApplyCommandOptions,
  ApplyOutcome,
  CatalogStore,
  IncomingSms,
  LeasedOrder,
  OpenBuyAttempt,
  PollIntervalOf,
  ProviderHealthView,
  Reschedule,
  WorkerStore,
} from './worker-store.js';

export interface DatabaseWorkerStoreOptions {
  /** The provider breaker (store defaults: opens after 5 consecutive failures, for 30 s). */
  breaker?: BreakerPolicy;
  /** Orders whose SMS are remembered in memory (least recently used forgotten first). */
  smsCacheOrders?: number;
}

/** An open order the store returned without its provider or activation (should not happen):
 *  looked at again this much later rather than every pass. */
const BROKEN_ORDER_RETRY_MS = 10 * 60_000;
const MAX_TRACKED_FAILURES = 100_000;
const MAX_TRACKED_CLAIMS = 100_000;

/**
 * The worker's WorkerStore and CatalogStore over @numbroker/store (SQLite or Postgres).
 *
 * Two things live in this process's memory, on purpose: the SMS each order is known to have
 * (an order showing the same SMS every poll costs no write), and each order's consecutive
 * failure count (backoff). Losing either on a restart costs one read, or resets one backoff.
 */
export class DatabaseWorkerStore implements WorkerStore, CatalogStore {
  private readonly smsSeen: SmsSeenCache;
  private readonly failures = new Map<string, number>();
  /** Orders whose claim already wrote their next check (and a lease that lapses then): order
   *  id → that next check (epoch ms). A check that changes nothing writes nothing more. */
  private readonly scheduledAtClaim = new Map<string, number>();

  constructor(
    readonly store: Store,
    private readonly options: DatabaseWorkerStoreOptions = {},
  ) {
    this.smsSeen = new SmsSeenCache(options.smsCacheOrders);
  }

  // ---- WorkerStore ----------------------------------------------------------------------------

  /** Claiming is scheduling (see the store's claimDueOrders): with `pollIntervalMs`, the
   *  claim already writes a waiting order's next regular check, so an unchanged check needs no
   *  second write; what it wrote is remembered here until the order's reschedule. */
  async leaseDueOrders(
    workerId: string,
    now: Date,
    limit: number,
    leaseMs: number,
    dueBy: Date = now,
    pollIntervalMs?: number | PollIntervalOf,
  ): Promise<LeasedOrder[]> {
    const intervalOf = typeof pollIntervalMs === 'number' ? () => pollIntervalMs : pollIntervalMs;
    const claims = await this.store.orders.claimDueOrders(workerId, {
      now,
      limit,
      leaseMs,
      dueBy,
      ...(intervalOf === undefined
        ? {}
        : {
            scheduleAt: (order: OrderView, at: Date) => {
              const next = scheduledCheckAt(order, at.getTime(), intervalOf(order.providerId));
              return next === undefined ? undefined : new Date(next);
            },
          }),
    });
    // Remembered only once the claim committed.
    if (this.scheduledAtClaim.size >= MAX_TRACKED_CLAIMS) this.scheduledAtClaim.clear();
    const leased: LeasedOrder[] = [];
    const broken: Reschedule[] = [];
    for (const claim of claims) {
      const id = claim.order.id;
      if (claim.scheduledAt === null) this.scheduledAtClaim.delete(id);
      else this.scheduledAtClaim.set(id, claim.scheduledAt.getTime());
      const order = this.toLeased(claim);
      if (order) leased.push(order);
      else
        broken.push({
          id,
          nextPollAt: new Date(now.getTime() + BROKEN_ORDER_RETRY_MS),
          failures: 0,
        });
    }
    if (broken.length > 0) await this.reschedule(workerId, broken);
    return leased;
  }

  async reschedule(workerId: string, items: readonly Reschedule[]): Promise<void> {
    const writes: Reschedule[] = [];
    for (const item of items) {
      this.trackFailures(item.id, item.failures);
      const scheduled = this.scheduledAtClaim.get(item.id);
      this.scheduledAtClaim.delete(item.id);
      // The claim already wrote a next check no later than this one, with a lease that lapses
      // then: nothing to write. (Checking a little earlier than asked is harmless.)
      if (scheduled !== undefined && item.failures === 0 && item.nextPollAt.getTime() >= scheduled)
        continue;
      writes.push(item);
    }
    await this.store.orders.reschedule(
      workerId,
      writes.map((item) => ({ id: item.id, nextPollAt: item.nextPollAt })),
    );
  }

  async recordSms(orderId: string, messages: readonly IncomingSms[], now: Date): Promise<number> {
    const fingerprints = messages.map(smsIdentity);
    if (this.smsSeen.hasAll(orderId, fingerprints)) return 0;
    if (!this.smsSeen.isLoaded(orderId)) {
      const stored = await this.store.orders.messages(orderId);
      this.smsSeen.add(orderId, stored.map(smsIdentity));
    }
    let added = 0;
    for (const [index, message] of messages.entries()) {
      const fingerprint = fingerprints[index]!;
      if (this.smsSeen.has(orderId, fingerprint)) continue;
      try {
        const result = await this.store.orders.applyOrderCommand(
          orderId,
          { type: 'CODE_RECEIVED' },
          {
            sms: { code: message.code, text: message.text, receivedAt: message.receivedAt },
            now,
          },
        );
        if (result.changed) added += 1;
      } catch (error) {
        // The order ended here meanwhile (the customer cancelled, another worker expired it):
        // a code arriving after that is not the customer's any more.
        if (error instanceof OrderTransitionRefused) {
          this.forget(orderId);
          return added;
        }
        throw error;
      }
      this.smsSeen.add(orderId, [fingerprint]);
    }
    return added;
  }

  async applyCommand(
    orderId: string,
    command: OrderCommand,
    options: ApplyCommandOptions = {},
  ): Promise<ApplyOutcome> {
    try {
      const result = await this.store.orders.applyOrderCommand(orderId, command, {
        ...(options.providerId !== undefined ? { providerId: options.providerId } : {}),
        now: options.now ?? new Date(),
      });
      if (isTerminalStatus(result.order.status)) this.forget(orderId);
      return result.changed ? 'applied' : 'unchanged';
    } catch (error) {
      if (error instanceof OrderTransitionRefused) return 'refused';
      throw error;
    }
  }

  async recordOrphan(
    providerId: string,
    upstreamRef: string,
    action: string,
    now: Date,
  ): Promise<void> {
    await this.store.orders.recordAttempt({
      providerId,
      operation: 'reconcile-orphan',
      outcome: action === 'cancel failed' ? 'ERROR' : 'OK',
      errorCode: `orphan ${upstreamRef}`.slice(0, 64),
      durationMs: 0,
      now,
    });
  }

  recordUpstreamDebt(
    providerId: string,
    orderId: string,
    upstreamRef: string,
    settled: boolean,
    now: Date,
  ): Promise<void> {
    return this.store.orders.recordUpstreamDebt({ providerId, orderId, upstreamRef, settled, now });
  }

  openBuyAttempts(providerId: string, since: Date, limit: number): Promise<OpenBuyAttempt[]> {
    return this.store.orders.openBuyAttempts(providerId, since, limit);
  }

  orphanSightings(
    providerId: string,
    refs: readonly string[],
    now: Date,
  ): Promise<Map<string, Date>> {
    return this.store.orders.orphanSightings(providerId, refs, now);
  }

  knownUpstreamRefs(providerId: string, refs: readonly string[]): Promise<Set<string>> {
    return this.store.orders.knownUpstreamRefs(providerId, refs);
  }

  async renewLeases(workerId: string, ids: readonly string[], until: Date): Promise<void> {
    await this.store.orders.renewLeases(workerId, ids, until);
  }

  releaseLeases(workerId: string): Promise<number> {
    return this.store.orders.releaseLeases(workerId);
  }

  // ---- CatalogStore ---------------------------------------------------------------------------

  async replaceOffers(providerId: string, offers: readonly Offer[], now: Date): Promise<void> {
    await this.store.offers.replaceProviderOffers(providerId, offers, now);
  }

  async providerHealth(providerId: string, now: Date): Promise<ProviderHealthView> {
    return healthView(await this.store.providers.get(providerId), now);
  }

  async recordSyncSuccess(
    providerId: string,
    balance: Money | undefined,
    now: Date,
  ): Promise<void> {
    await this.store.providers.recordSuccess(providerId, now);
    if (balance) await this.store.providers.setBalance(providerId, balance, now);
  }

  async recordSyncFailure(
    providerId: string,
    error: string,
    now: Date,
  ): Promise<ProviderHealthView> {
    const state = await this.store.providers.recordFailure(
      providerId,
      error,
      now,
      this.options.breaker,
    );
    return healthView(state, now);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private toLeased({ order }: ClaimedOrder): LeasedOrder | undefined {
    const failures = this.failures.get(order.id) ?? 0;
    const common = {
      id: order.id,
      createdAt: order.createdAt,
      expiresAt: order.expiresAt,
      failures,
    };
    if (order.status === 'PENDING') {
      return {
        ...common,
        status: 'PENDING',
        providerId: order.providerId,
        service: order.service,
        country: order.country,
      };
    }
    if (
      (order.status === 'ACTIVE' || order.status === 'CODE_RECEIVED') &&
      order.providerId &&
      order.upstreamRef
    ) {
      return {
        ...common,
        status: order.status,
        providerId: order.providerId,
        upstreamRef: order.upstreamRef,
      };
    }
    return undefined;
  }

  private trackFailures(orderId: string, failures: number): void {
    if (failures <= 0) {
      this.failures.delete(orderId);
      return;
    }
    // Orders another worker finished are never cleared here: a crude bound keeps it small.
    if (this.failures.size >= MAX_TRACKED_FAILURES) this.failures.clear();
    this.failures.set(orderId, failures);
  }

  private forget(orderId: string): void {
    this.smsSeen.forget(orderId);
    this.failures.delete(orderId);
    this.scheduledAtClaim.delete(orderId);
  }
}

function healthView(state: ProviderStateView | null, now: Date): ProviderHealthView {
  return {
    healthy: state?.healthy ?? true,
    consecutiveFailures: state?.consecutiveFailures ?? 0,
    usable: providerUsable(state, now),
  };
}
