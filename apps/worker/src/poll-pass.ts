import type { OrderCommand } from '@numbroker/core';
import {
  CancelNotAllowed,
  NotFound,
  RateLimited,
  isProviderError,
  type ActivationStatus,
  type ProviderAdapter,
} from '@numbroker/providers';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { WorkerMetrics } from './metrics.js';
import { backoffDelayMs, nextCheckAt } from './poll-schedule.js';
import { reconcilePendingOrders, sweepOrphans, type OrphanSightings } from './reconcile-pending.js';
import type {
  LeasedOpenOrder,
  LeasedOrder,
  LeasedPendingOrder,
  PollIntervalOf,
  Reschedule,
  WorkerStore,
} from './worker-store.js';

export interface PollPassDeps {
  store: WorkerStore;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  metrics: WorkerMetrics;
  logger: Logger;
  workerId: string;
  pollIntervalMs: number;
  /** The interval of one provider's checks (default: `pollIntervalMs` for every one). */
  pollIntervalOf?: PollIntervalOf;
  /** Orders leased per batch; a pass keeps leasing until nothing is due. */
  batchSize: number;
  leaseMs: number;
  /** Orders due within this much are checked now: never late, at most this early, so a
   *  pass gathers more orders per batch status request and passes stay few. */
  leaseAheadMs: number;
  /** Per-order status calls in flight at once per provider without a batch endpoint (the
   *  adapter's own rate limiter still applies on top). */
  perOrderConcurrency: number;
  /** How long past its TTL an order may wait for an upstream cancel that keeps failing before
   *  it expires here anyway (hold released, the upstream debt recorded); default
   *  max(10 s, 5 poll intervals). */
  expiryGraceMs?: number;
  /** Upstream cancels of such orders still to try (this process, in the background). */
  debts?: UpstreamDebts;
  /** Orphans this worker has seen, and since when (see reconcile-pending.ts). */
  orphansSeen?: OrphanSightings;
  /** pendingReconcileSeconds in ms: no orphan younger than this is cancelled upstream. */
  reconcileDelayMs?: number;
  now: () => Date;
}

/** Cancels of orders that expired here while their upstream cancel kept failing: retried in the
 *  background with a growing gap (bounded in number and in time), so the activation stops
 *  costing once the upstream lets us — while the customer's hold was released at the TTL. */
export class UpstreamDebts {
  private readonly open = new Map<
    string,
    { providerId: string; ref: string; tries: number; nextAt: number }
  >();
  constructor(
    private readonly maxTries = 12,
    private readonly maxOpen = 10_000,
  ) {}

  add(orderId: string, providerId: string, ref: string, nowMs: number): void {
    if (this.open.size >= this.maxOpen) return;
    this.open.set(orderId, { providerId, ref, tries: 0, nextAt: nowMs });
  }

  get size(): number {
    return this.open.size;
  }

  /** One round: every debt whose next try is due. */
  async retry(deps: PollPassDeps): Promise<void> {
    const nowMs = deps.now().getTime();
    for (const [orderId, debt] of [...this.open]) {
      if (debt.nextAt > nowMs) continue;
      const adapter = deps.adapters.get(debt.providerId);
      if (!adapter?.cancel) {
        this.open.delete(orderId);
        continue;
      }
      try {
        await deps.metrics.timeUpstream(adapter.id, 'cancel', () => adapter.cancel!(debt.ref));
      } catch (error) {
        if (!(error instanceof NotFound)) {
          debt.tries += 1;
          debt.nextAt = nowMs + backoffDelayMs(debt.tries, deps.pollIntervalMs, MAX_BACKOFF_MS);
          if (debt.tries >= this.maxTries) {
            this.open.delete(orderId);
            deps.metrics.upstreamDebts.inc({ provider: debt.providerId, outcome: 'given_up' });
            deps.logger.error(
              { err: error, orderId, provider: debt.providerId },
              `order ${orderId}: gave up cancelling its activation upstream; the debt stays recorded`,
            );
          }
          continue;
        }
      }
      this.open.delete(orderId);
      deps.metrics.upstreamDebts.inc({ provider: debt.providerId, outcome: 'settled' });
      await deps.store.recordUpstreamDebt(debt.providerId, orderId, debt.ref, true, deps.now());
      deps.logger.info(
        { orderId, provider: debt.providerId },
        `order ${orderId}: upstream debt settled`,
      );
    }
  }
}

/** The longest a failing order waits before it is tried again. */
const MAX_BACKOFF_MS = 60_000;

/**
 * One pass of the poll loop: lease every due order, ask each provider about its orders (one
 * batch request per provider where the protocol has one), turn what changed into order
 * commands, expire what outlived its TTL, reconcile orders stuck in PENDING, and reschedule the
 * rest in one statement per batch. Returns how many orders it looked at.
 */
export async function runPollPass(deps: PollPassDeps): Promise<number> {
  if (deps.debts && deps.debts.size > 0) {
    await deps.debts.retry(deps).catch((error: unknown) => {
      deps.logger.warn({ err: error }, 'retrying upstream debts failed');
    });
  }
  await sweepOrphans(deps, deps.adapters);
  let total = 0;
  for (;;) {
    const now = deps.now();
    const leased = await deps.store.leaseDueOrders(
      deps.workerId,
      now,
      deps.batchSize,
      deps.leaseMs,
      new Date(now.getTime() + deps.leaseAheadMs),
      deps.pollIntervalOf ?? deps.pollIntervalMs,
    );
    if (leased.length === 0) return total;
    total += leased.length;
    const pending = leased.filter(
      (order): order is LeasedPendingOrder => order.status === 'PENDING',
    );
    const open = leased.filter((order): order is LeasedOpenOrder => order.status !== 'PENDING');
    const work = [
      ...[...groupBy(open, (order) => order.providerId)].map(([providerId, orders]) =>
        pollProvider(deps, providerId, orders),
      ),
      ...[...groupBy(pending, (order) => order.providerId ?? '')].map(([providerId, orders]) =>
        reconcileProvider(deps, providerId, orders),
      ),
    ];
    const renewal = keepLeases(deps, leased);
    let reschedules: Reschedule[][];
    try {
      reschedules = await Promise.all(work);
    } finally {
      renewal.stop();
    }
    await deps.store.reschedule(deps.workerId, reschedules.flat());
    if (leased.length < deps.batchSize) return total;
  }
}

/** Renews the batch's leases every third of a lease while the pass works on it: leases stay
 *  short (a crashed worker's orders are taken over within a few poll gaps) without lapsing
 *  under a pass that outlasts one (per-order status calls, a slow upstream). */
function keepLeases(deps: PollPassDeps, leased: readonly LeasedOrder[]): { stop(): void } {
  const ids = leased.map((order) => order.id);
  let renewing: Promise<void> | undefined;
  const timer = setInterval(
    () => {
      if (renewing) return;
      const until = new Date(deps.now().getTime() + deps.leaseMs);
      renewing = deps.store
        .renewLeases(deps.workerId, ids, until)
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'renewing leases failed'))
        .finally(() => (renewing = undefined));
    },
    Math.max(100, Math.floor(deps.leaseMs / 3)),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

async function reconcileProvider(
  deps: PollPassDeps,
  providerId: string,
  orders: LeasedPendingOrder[],
): Promise<Reschedule[]> {
  try {
    return await reconcilePendingOrders(deps, deps.adapters.get(providerId), orders);
  } catch (error) {
    deps.logger.error(
      { err: error, provider: providerId || null, orders: orders.length },
      'reconciling stuck orders failed; retrying later',
    );
    return orders.map((order) => retryLater(deps, order));
  }
}

async function pollProvider(
  deps: PollPassDeps,
  providerId: string,
  orders: LeasedOpenOrder[],
): Promise<Reschedule[]> {
  const adapter = deps.adapters.get(providerId);
  const log = deps.logger.child({ provider: providerId });
  if (!adapter) return waitForUnconfiguredProvider(deps, providerId, orders);

  const statuses = await fetchStatuses(deps, adapter, orders, log);
  const results: Reschedule[] = [];
  await forEachLimited(orders, deps.perOrderConcurrency, async (order) => {
    const outcome = statuses.get(order.id);
    try {
      const next = await settleOrder(deps, adapter, order, outcome);
      if (next) results.push(next);
    } catch (error) {
      log.error(
        { err: error, orderId: order.id },
        `order ${order.id}: settling failed; retrying later`,
      );
      results.push(retryLater(deps, order));
    }
  });
  return results;
}

/** The provider was removed from the config: its orders wait (holds held, nothing lost),
 *  checked rarely, until it comes back; at their TTL they expire here, since no one can cancel
 *  them upstream any more (the upstream ends an unused activation on its own). */
async function waitForUnconfiguredProvider(
  deps: PollPassDeps,
  providerId: string,
  orders: LeasedOpenOrder[],
): Promise<Reschedule[]> {
  const results: Reschedule[] = [];
  for (const order of orders) {
    if (!isExpired(deps, order)) {
      results.push(later(deps, order, MAX_BACKOFF_MS, order.failures));
      continue;
    }
    const command =
      order.status === 'ACTIVE' ? ({ type: 'EXPIRE' } as const) : ({ type: 'FINISH' } as const);
    const next = await endOrder(
      deps,
      order,
      command,
      'ttl reached; its provider is no longer configured',
    );
    if (next) results.push(next);
  }
  if (results.length > 0) {
    deps.logger.warn(
      { provider: providerId, orders: results.length },
      `${results.length} orders of unconfigured provider "${providerId}" are waiting`,
    );
  }
  return results;
}

type StatusOutcome = { status: ActivationStatus } | { error: unknown };

async function fetchStatuses(
  deps: PollPassDeps,
  adapter: ProviderAdapter,
  orders: LeasedOpenOrder[],
  log: Logger,
): Promise<Map<string, StatusOutcome>> {
  const outcomes = new Map<string, StatusOutcome>();
  let unresolved = orders;
  if (adapter.statusMany && orders.length > 1) {
    try {
      const refs = orders.map((order) => order.upstreamRef);
      const many = await deps.metrics.timeUpstream(adapter.id, 'statusMany', () =>
        adapter.statusMany!(refs),
      );
      unresolved = [];
      for (const order of orders) {
        const status = many.get(order.upstreamRef);
        if (status) outcomes.set(order.id, { status });
        // Not listed any more: it ended upstream or left the listing's window — ask about it
        // alone rather than guess.
        else unresolved.push(order);
      }
      deps.metrics.polls.inc({ provider: adapter.id, outcome: 'batch' });
    } catch (error) {
      log.warn({ err: error, orders: orders.length }, 'batch status failed');
      deps.metrics.polls.inc({ provider: adapter.id, outcome: 'error' });
      for (const order of orders) outcomes.set(order.id, { error });
      return outcomes;
    }
  }
  await forEachLimited(unresolved, deps.perOrderConcurrency, async (order) => {
    try {
      const status = await deps.metrics.timeUpstream(adapter.id, 'status', () =>
        adapter.status(order.upstreamRef),
      );
      outcomes.set(order.id, { status });
      deps.metrics.polls.inc({ provider: adapter.id, outcome: 'ok' });
    } catch (error) {
      outcomes.set(order.id, { error });
      deps.metrics.polls.inc({ provider: adapter.id, outcome: 'error' });
    }
  });
  return outcomes;
}

/** Decides what one order's upstream status means; returns its next check, or nothing when
 *  the order has ended. */
async function settleOrder(
  deps: PollPassDeps,
  adapter: ProviderAdapter,
  order: LeasedOpenOrder,
  outcome: StatusOutcome | undefined,
): Promise<Reschedule | undefined> {
  const log = lazyChild(deps.logger, { provider: adapter.id, orderId: order.id });
  if (!outcome || 'error' in outcome) {
    const error = outcome?.error;
    if (error instanceof NotFound) {
      // The upstream has no such activation any more: it ended there. Without a code the
      // customer gets the hold back (the upstream refunded us or never charged); after one the
      // order completes.
      log.warn({ ref: order.upstreamRef }, `order ${order.id}: activation unknown upstream`);
      return endOrder(deps, order, { type: 'UPSTREAM_ENDED' }, 'the upstream no longer knows it');
    }
    if (isExpired(deps, order)) return expireOrder(deps, adapter, order);
    if (error instanceof RateLimited && error.retryAfterMs !== undefined) {
      const backoff = backoffDelayMs(order.failures, deps.pollIntervalMs, MAX_BACKOFF_MS);
      return later(deps, order, Math.max(backoff, error.retryAfterMs), order.failures + 1);
    }
    return retryLater(deps, order);
  }

  const { status } = outcome;
  if (status.messages.length > 0) {
    const now = deps.now();
    const added = await deps.store.recordSms(
      order.id,
      status.messages.map((m) => ({ code: m.code, text: m.text, receivedAt: m.receivedAt ?? now })),
      now,
    );
    if (added > 0) {
      deps.metrics.codes.inc({ provider: adapter.id }, added);
      log.info(
        { added, firstCode: order.status === 'ACTIVE' },
        order.status === 'ACTIVE'
          ? `order ${order.id}: code received, hold captured`
          : `order ${order.id}: ${added} more SMS received`,
      );
      if (endsAtFirstCode(adapter)) return completeAtFirstCode(deps, order);
      return { id: order.id, nextPollAt: nextCheck(deps, order), failures: 0 };
    }
  }
  // A crash between storing the code and completing the order: complete it now.
  if (order.status === 'CODE_RECEIVED' && endsAtFirstCode(adapter)) {
    return completeAtFirstCode(deps, order);
  }

  switch (status.state) {
    case 'waiting':
    case 'code':
      if (isExpired(deps, order)) return expireOrder(deps, adapter, order);
      return { id: order.id, nextPollAt: nextCheck(deps, order), failures: 0 };
    case 'cancelled':
      // Refunded upstream after a code: that is a report (ours, whose write was lost to a
      // crash or a race, or the upstream's own) — the customer gets the refund we got.
      if (order.status === 'CODE_RECEIVED' && adapter.capabilities.reportRefunds) {
        return endOrder(
          deps,
          order,
          { type: 'REPORT', upstreamRefunded: true },
          'refunded upstream after a code',
        );
      }
      return endOrder(deps, order, { type: 'UPSTREAM_ENDED' }, `upstream says ${status.state}`);
    case 'expired':
    case 'finished':
      // Ended upstream on its own. Without a code this refunds the customer — the classic
      // reseller-bot failure is keeping the upstream's refund.
      return endOrder(deps, order, { type: 'UPSTREAM_ENDED' }, `upstream says ${status.state}`);
  }
}

/**
 * An upstream that charges per SMS (VerifyPlus) and cannot be asked for another one: every later
 * SMS would cost us while it is free to the customer (SPEC: later codes are free), and nothing
 * upstream ends the number. Such an order is one SMS: it completes at its first code, so no
 * customer waits on a CODE_RECEIVED that can never change and no later SMS is read (or paid).
 */
function endsAtFirstCode(adapter: ProviderAdapter): boolean {
  return adapter.capabilities.chargesPerSms && !adapter.capabilities.requestAnotherSms;
}

function completeAtFirstCode(
  deps: PollPassDeps,
  order: LeasedOpenOrder,
): Promise<Reschedule | undefined> {
  return endOrder(deps, order, { type: 'FINISH' }, 'one SMS per order: the upstream charges each');
}

/** At the TTL: an ACTIVE order is cancelled upstream then EXPIRED (hold released); an order
 *  that got its code is finished. A refused early cancel or a fault is tried again later. */
async function expireOrder(
  deps: PollPassDeps,
  adapter: ProviderAdapter,
  order: LeasedOpenOrder,
): Promise<Reschedule | undefined> {
  const log = lazyChild(deps.logger, { provider: adapter.id, orderId: order.id });
  if (order.status === 'CODE_RECEIVED') {
    if (adapter.finish && adapter.capabilities.finish) {
      try {
        await deps.metrics.timeUpstream(adapter.id, 'finish', () =>
          adapter.finish!(order.upstreamRef),
        );
      } catch (error) {
        // The customer has the code; a failed upstream close costs nothing.
        log.warn(
          { err: error },
          `order ${order.id}: upstream finish at the TTL failed; completing anyway`,
        );
      }
    }
    return endOrder(deps, order, { type: 'FINISH' }, 'ttl reached after a code');
  }

  if (adapter.cancel && adapter.capabilities.cancel) {
    try {
      await deps.metrics.timeUpstream(adapter.id, 'cancel', () =>
        adapter.cancel!(order.upstreamRef),
      );
    } catch (error) {
      if (!(error instanceof NotFound) && pastGrace(deps, order)) {
        // SPEC: the hold comes back within seconds of expiresAt, whatever the upstream says.
        // What the upstream may still charge us is ours to chase, not the customer's.
        return expireWithDebt(deps, order, error);
      }
      if (error instanceof NotFound) {
        log.warn(`order ${order.id}: activation unknown upstream at expiry; expiring`);
      } else if (error instanceof CancelNotAllowed && !error.retryable) {
        // A code beat the cancel: check again right away so it is delivered (and charged);
        // backing off if the upstream keeps refusing without ever showing one.
        log.info(
          `order ${order.id}: upstream refused the cancel at expiry (a code came?); checking again`,
        );
        return order.failures === 0
          ? { id: order.id, nextPollAt: deps.now(), failures: 1 }
          : retryLater(deps, order);
      } else if (error instanceof CancelNotAllowed) {
        // Too early for this upstream: try again at the poll interval, not a growing backoff,
        // so the order expires within seconds of the upstream allowing it.
        log.info(`order ${order.id}: upstream refuses an early cancel; retrying`);
        return later(deps, order, deps.pollIntervalMs, order.failures + 1);
      } else {
        log.warn(
          { err: error, code: isProviderError(error) ? error.code : undefined },
          `order ${order.id}: upstream cancel at expiry failed; retrying later`,
        );
        return retryLater(deps, order);
      }
    }
  }
  return endOrder(deps, order, { type: 'EXPIRE' }, 'ttl reached without a code');
}

function expiryGraceMs(deps: PollPassDeps): number {
  return deps.expiryGraceMs ?? Math.max(10_000, 5 * deps.pollIntervalMs);
}

function pastGrace(deps: PollPassDeps, order: LeasedOpenOrder): boolean {
  return deps.now().getTime() >= order.expiresAt.getTime() + expiryGraceMs(deps);
}

async function expireWithDebt(
  deps: PollPassDeps,
  order: LeasedOpenOrder,
  error: unknown,
): Promise<Reschedule | undefined> {
  const next = await endOrder(
    deps,
    order,
    { type: 'EXPIRE' },
    'ttl and grace passed; the upstream cancel kept failing',
  );
  if (next) return next; // it changed meanwhile (a code): look again
  deps.metrics.upstreamDebts.inc({ provider: order.providerId, outcome: 'recorded' });
  await deps.store.recordUpstreamDebt(
    order.providerId,
    order.id,
    order.upstreamRef,
    false,
    deps.now(),
  );
  deps.debts?.add(order.id, order.providerId, order.upstreamRef, deps.now().getTime());
  deps.logger.error(
    {
      err: error,
      orderId: order.id,
      provider: order.providerId,
      code: isProviderError(error) ? error.code : undefined,
    },
    `order ${order.id}: expired with its hold released although the upstream cancel keeps failing; upstream debt recorded`,
  );
  return undefined;
}

async function endOrder(
  deps: PollPassDeps,
  order: LeasedOpenOrder,
  command: OrderCommand,
  reason: string,
): Promise<Reschedule | undefined> {
  const outcome = await deps.store.applyCommand(order.id, command, { now: deps.now() });
  const log = {
    orderId: order.id,
    provider: order.providerId,
    command: command.type,
    outcome,
    reason,
  };
  if (outcome === 'refused') {
    deps.logger.info(log, `order ${order.id}: not ended (${reason}), it changed meanwhile`);
  } else {
    deps.metrics.orderEndings.inc({
      provider: order.providerId,
      outcome: command.type.toLowerCase(),
    });
    deps.logger.info(log, `order ${order.id} ${ENDING_WORDS[command.type] ?? 'ended'}: ${reason}`);
  }
  // Refused means the order moved meanwhile (a code, a customer's cancel): look again soon.
  return outcome === 'refused'
    ? { id: order.id, nextPollAt: deps.now(), failures: order.failures }
    : undefined;
}

const ENDING_WORDS: Partial<Record<OrderCommand['type'], string>> = {
  EXPIRE: 'expired, hold released',
  UPSTREAM_ENDED: 'ended upstream',
  FINISH: 'completed',
};

function isExpired(deps: PollPassDeps, order: LeasedOrder): boolean {
  return deps.now().getTime() >= order.expiresAt.getTime();
}

function nextCheck(deps: PollPassDeps, order: LeasedOrder): Date {
  const interval = deps.pollIntervalOf?.(order.providerId) ?? deps.pollIntervalMs;
  return new Date(nextCheckAt(order, deps.now().getTime(), interval));
}

function retryLater(deps: PollPassDeps, order: LeasedOrder): Reschedule {
  return later(
    deps,
    order,
    backoffDelayMs(order.failures, deps.pollIntervalMs, MAX_BACKOFF_MS),
    order.failures + 1,
  );
}

/** A check `delayMs` from now — but never past the order's TTL (its expiry is due then,
 *  whatever the backoff), nor, once past it, past the end of the expiry grace. */
function later(deps: PollPassDeps, order: LeasedOrder, delayMs: number, failures: number) {
  const now = deps.now().getTime();
  const expiresAt = order.expiresAt.getTime();
  const bound = now < expiresAt ? expiresAt : expiresAt + expiryGraceMs(deps);
  const at = now + delayMs;
  return { id: order.id, nextPollAt: new Date(at > bound && bound > now ? bound : at), failures };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Runs `run` over `items`, at most `limit` at a time. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  const limiter = pLimit(Math.max(1, limit));
  await Promise.all(items.map((item) => limiter(() => run(item))));
}

type LogMethod = 'debug' | 'info' | 'warn' | 'error';

/** `logger.child(bindings)`, made only when a line is written: pino serialises and redacts a
 *  child's bindings when the child is made, and settling makes one per order per pass — 5,000
 *  a second at 10,000 orders, 7 % of the worker's CPU in the profile, for lines that are rare. */
function lazyChild(logger: Logger, bindings: Record<string, unknown>): Pick<Logger, LogMethod> {
  let child: Logger | undefined;
  const method =
    (name: LogMethod): Logger[LogMethod] =>
    (...args: Parameters<Logger[LogMethod]>) => {
      child ??= logger.child(bindings);
      child[name](...args);
    };
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
  };
}
