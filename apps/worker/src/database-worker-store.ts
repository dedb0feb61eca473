import {
  OPEN_STATUSES,
  OrderTransitionRefused,
  isTerminalStatus,
  type Money,
  type OrderCommand,
} from '@numbroker/core';
import type { Offer } from '@numbroker/providers';
import {
  millis,
  providerUsable,
  sql,
  type BreakerPolicy,
  type ProviderStateEntity,
  type Store,
} from '@numbroker/store';
import { nextPollDelayMs } from './poll-schedule.js';
import { SmsSeenCache, smsFingerprint } from './sms-seen-cache.js';
import type {
  ApplyCommandOptions,
  ApplyOutcome,
  CatalogStore,
  IncomingSms,
  LeasedOrder,
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

/** Orders rescheduled per UPDATE statement: 2 parameters each, far below SQLite's (32766)
 *  and Postgres' (65535) limits, and one statement per leased batch at the default size. */
const RESCHEDULE_CHUNK = 1000;
/** Orders claimed per UPDATE statement (5 parameters each). */
const CLAIM_CHUNK = 1000;
const REF_LOOKUP_CHUNK = 500;
/** An open order the store returned without its provider or activation (should not happen):
 *  looked at again this much later rather than every pass. */
const BROKEN_ORDER_RETRY_MS = 10 * 60_000;
const MAX_TRACKED_FAILURES = 100_000;
const MAX_TRACKED_CLAIMS = 100_000;

/** An open order as the claim reads it. */
interface ClaimedRow {
  id: string;
  status: string;
  providerId: string | null;
  upstreamRef: string | null;
  service: string;
  country: string;
  createdAt: Date;
  expiresAt: Date;
}

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

  async leaseDueOrders(
    workerId: string,
    now: Date,
    limit: number,
    leaseMs: number,
    dueBy: Date = now,
    pollIntervalMs?: number,
  ): Promise<LeasedOrder[]> {
    const rows = await this.claim(workerId, now, limit, leaseMs, dueBy, pollIntervalMs);
    const leased: LeasedOrder[] = [];
    const broken: Reschedule[] = [];
    for (const row of rows) {
      const order = this.toLeased(row);
      if (order) leased.push(order);
      else
        broken.push({
          id: row.id,
          nextPollAt: new Date(now.getTime() + BROKEN_ORDER_RETRY_MS),
          failures: 0,
        });
    }
    if (broken.length > 0) await this.reschedule(workerId, broken);
    return leased;
  }

  /**
   * Claiming is scheduling: one transaction picks the due orders (Postgres: FOR UPDATE SKIP
   * LOCKED) and, in one UPDATE per chunk, leases them and — for a waiting order whose next
   * regular check is at least one interval away — already writes that next check, with a lease
   * that lapses `leaseMs` after it. Such an order needs no second write when its check changes
   * nothing. Orders about to expire, PENDING ones, or claims without `pollIntervalMs` get the
   * plain `leaseMs` lease and keep their next_poll_at until `reschedule` writes it.
   *
   * The worker that holds a claim-scheduled lease (recognised by lease_until = next_poll_at +
   * leaseMs) takes the order again at its next check — its own passes never overlap, so that
   * check is over — and checks it up to `dueBy` early. Every other worker waits for the lease
   * to lapse, so no order is ever checked by two workers at once, even when a check outlasts
   * the poll interval; if the holder dies, the order moves on `leaseMs` after its next check.
   * A plain lease is never taken early, not even by its holder.
   */
  private claim(
    workerId: string,
    now: Date,
    limit: number,
    leaseMs: number,
    dueBy: Date,
    pollIntervalMs: number | undefined,
  ): Promise<ClaimedRow[]> {
    return this.store.db
      .transaction(async (tx) => {
        const postgres = this.store.db.kind === 'postgres';
        const open = OPEN_STATUSES.map(() => '?').join(', ');
        const due = await sql(
          tx,
          `SELECT id, status, provider_id, upstream_ref, service, country, created_at, expires_at
         FROM orders
         WHERE status IN (${open}) AND next_poll_at <= CAST(? AS BIGINT)
           AND (lease_until IS NULL OR lease_until <= CAST(? AS BIGINT)
                OR (lease_owner = ? AND lease_until = next_poll_at + CAST(? AS BIGINT)))
         ORDER BY next_poll_at, id LIMIT ${Math.max(1, Math.trunc(limit))}
         ${postgres ? 'FOR UPDATE SKIP LOCKED' : ''}`,
          [...OPEN_STATUSES, millis(dueBy), millis(now), workerId, String(leaseMs)],
        );
        const rows = due.rows.map(toClaimedRow);
        const nowMs = now.getTime();
        const fullLease = nowMs + leaseMs;
        const claims = rows.map((row) => {
          const next =
            pollIntervalMs === undefined ? undefined : scheduledCheck(row, nowMs, pollIntervalMs);
          return { row, next, leaseUntil: next === undefined ? fullLease : next + leaseMs };
        });
        for (let start = 0; start < claims.length; start += CLAIM_CHUNK) {
          const chunk = claims.slice(start, start + CLAIM_CHUNK);
          const leaseCases = chunk.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
          const scheduled = chunk.filter((claim) => claim.next !== undefined);
          const nextCases = scheduled.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
          await sql(
            tx,
            `UPDATE orders SET lease_owner = ?, poll_count = poll_count + 1,
             lease_until = CASE id ${leaseCases} END
             ${scheduled.length > 0 ? `, next_poll_at = CASE id ${nextCases} ELSE next_poll_at END` : ''}
           WHERE id IN (${chunk.map(() => '?').join(', ')})`,
            [
              workerId,
              ...chunk.flatMap((claim) => [claim.row.id, String(claim.leaseUntil)]),
              ...scheduled.flatMap((claim) => [claim.row.id, String(claim.next)]),
              ...chunk.map((claim) => claim.row.id),
            ],
          );
        }
        return claims;
      })
      .then((claims) => {
        // Remembered only once the transaction committed.
        if (this.scheduledAtClaim.size >= MAX_TRACKED_CLAIMS) this.scheduledAtClaim.clear();
        for (const claim of claims) {
          if (claim.next === undefined) this.scheduledAtClaim.delete(claim.row.id);
          else this.scheduledAtClaim.set(claim.row.id, claim.next);
        }
        return claims.map((claim) => claim.row);
      });
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
    const open = OPEN_STATUSES.map(() => '?').join(', ');
    for (let start = 0; start < writes.length; start += RESCHEDULE_CHUNK) {
      const chunk = writes.slice(start, start + RESCHEDULE_CHUNK);
      const cases = chunk.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
      const ids = chunk.map(() => '?').join(', ');
      // One statement for the whole chunk. Orders that ended meanwhile keep next_poll_at NULL
      // (the status guard), and a lease another worker took over is not touched.
      await this.store.db.transaction((tx) =>
        sql(
          tx,
          `UPDATE orders SET lease_owner = NULL, lease_until = NULL,
             next_poll_at = CASE id ${cases} END
           WHERE id IN (${ids}) AND lease_owner = ? AND status IN (${open})`,
          [
            ...chunk.flatMap((item) => [item.id, millis(item.nextPollAt)]),
            ...chunk.map((item) => item.id),
            workerId,
            ...OPEN_STATUSES,
          ],
        ),
      );
    }
  }

  async recordSms(orderId: string, messages: readonly IncomingSms[], now: Date): Promise<number> {
    const fingerprints = messages.map(smsFingerprint);
    if (this.smsSeen.hasAll(orderId, fingerprints)) return 0;
    if (!this.smsSeen.isLoaded(orderId)) {
      const stored = await this.store.orders.messages(orderId);
      this.smsSeen.add(orderId, stored.map(smsFingerprint));
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

  async knownUpstreamRefs(providerId: string, refs: readonly string[]): Promise<Set<string>> {
    const known = new Set<string>();
    for (let start = 0; start < refs.length; start += REF_LOOKUP_CHUNK) {
      const chunk = refs.slice(start, start + REF_LOOKUP_CHUNK);
      const result = await this.store.db.read((manager) =>
        sql(
          manager,
          `SELECT upstream_ref FROM orders
           WHERE provider_id = ? AND upstream_ref IN (${chunk.map(() => '?').join(', ')})`,
          [providerId, ...chunk],
        ),
      );
      for (const row of result.rows) known.add(String(row.upstream_ref));
    }
    return known;
  }

  async releaseLeases(workerId: string): Promise<number> {
    const result = await this.store.db.transaction((tx) =>
      sql(tx, 'UPDATE orders SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?', [
        workerId,
      ]),
    );
    return result.affected;
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

  private toLeased(row: ClaimedRow): LeasedOrder | undefined {
    const failures = this.failures.get(row.id) ?? 0;
    const common = { id: row.id, createdAt: row.createdAt, expiresAt: row.expiresAt, failures };
    if (row.status === 'PENDING') {
      return {
        ...common,
        status: 'PENDING',
        providerId: row.providerId,
        service: row.service,
        country: row.country,
      };
    }
    if (
      (row.status === 'ACTIVE' || row.status === 'CODE_RECEIVED') &&
      row.providerId &&
      row.upstreamRef
    ) {
      return {
        ...common,
        status: row.status,
        providerId: row.providerId,
        upstreamRef: row.upstreamRef,
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

function healthView(state: ProviderStateEntity | null, now: Date): ProviderHealthView {
  return {
    healthy: state?.healthy ?? true,
    consecutiveFailures: state?.consecutiveFailures ?? 0,
    usable: providerUsable(state, now),
  };
}

/** The next regular check of a waiting order claimed at `nowMs` — or nothing when the order is
 *  about to expire (its check would come sooner than one interval, so it is settled, and
 *  written, by this pass with a full lease). */
function scheduledCheck(
  row: ClaimedRow,
  nowMs: number,
  pollIntervalMs: number,
): number | undefined {
  if (row.status !== 'ACTIVE' && row.status !== 'CODE_RECEIVED') return undefined;
  if (!row.providerId || !row.upstreamRef) return undefined;
  const next = nowMs + nextPollDelayMs(nowMs - row.createdAt.getTime(), pollIntervalMs);
  const expiresAt = row.expiresAt.getTime();
  return next <= expiresAt ? next : undefined;
}

function toClaimedRow(row: Record<string, unknown>): ClaimedRow {
  const text = (value: unknown) =>
    typeof value === 'string' || typeof value === 'number' ? String(value) : null;
  return {
    id: String(row.id),
    status: String(row.status),
    providerId: text(row.provider_id),
    upstreamRef: text(row.upstream_ref),
    service: String(row.service),
    country: String(row.country),
    createdAt: new Date(Number(row.created_at)),
    expiresAt: new Date(Number(row.expires_at)),
  };
}
