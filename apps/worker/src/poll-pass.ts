import type { OrderCommand } from '@numbroker/core';
import {
  CancelNotAllowed,
  NotFound,
  isProviderError,
  type ActivationStatus,
  type ProviderAdapter,
} from '@numbroker/providers';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { WorkerMetrics } from './metrics.js';
import { backoffDelayMs, nextPollDelayMs } from './poll-schedule.js';
import type { LeasedOrder, WorkerStore } from './worker-store.js';

export interface PollPassDeps {
  store: WorkerStore;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  metrics: WorkerMetrics;
  logger: Logger;
  workerId: string;
  pollIntervalMs: number;
  /** Orders leased per batch; a pass keeps leasing until nothing is due. */
  batchSize: number;
  leaseMs: number;
  /** Per-order status calls in flight at once per provider without a batch endpoint (the
   *  adapter's own rate limiter still applies on top). */
  perOrderConcurrency: number;
  now: () => Date;
}

type Reschedule = { id: string; nextPollAt: Date; failures: number };

/** The longest a failing order waits before it is tried again. */
const MAX_BACKOFF_MS = 60_000;

/**
 * One pass of the poll loop: lease every due order, ask each provider about its orders (one
 * batch request per provider where the protocol has one), turn what changed into order
 * commands, expire what outlived its TTL, and reschedule the rest in one statement.
 */
export async function runPollPass(deps: PollPassDeps): Promise<number> {
  let total = 0;
  for (;;) {
    const leased = await deps.store.leaseDueOrders(
      deps.workerId,
      deps.now(),
      deps.batchSize,
      deps.leaseMs,
    );
    if (leased.length === 0) return total;
    total += leased.length;
    const byProvider = groupBy(leased, (order) => order.providerId);
    const reschedules = await Promise.all(
      [...byProvider].map(([providerId, orders]) => pollProvider(deps, providerId, orders)),
    );
    await deps.store.reschedule(deps.workerId, reschedules.flat());
    if (leased.length < deps.batchSize) return total;
  }
}

async function pollProvider(
  deps: PollPassDeps,
  providerId: string,
  orders: LeasedOrder[],
): Promise<Reschedule[]> {
  const adapter = deps.adapters.get(providerId);
  const log = deps.logger.child({ provider: providerId });
  if (!adapter) {
    // The provider was removed from the config: its orders wait until it comes back (their
    // holds stay held, nothing is lost), checked rarely.
    log.warn({ orders: orders.length }, 'orders of an unconfigured provider are waiting');
    return orders.map((order) => later(deps, order, MAX_BACKOFF_MS, order.failures));
  }

  const statuses = await fetchStatuses(deps, adapter, orders, log);
  const results: Reschedule[] = [];
  await forEachLimited(orders, deps.perOrderConcurrency, async (order) => {
    const outcome = statuses.get(order.id);
    try {
      const next = await settleOrder(deps, adapter, order, outcome);
      if (next) results.push(next);
    } catch (error) {
      log.error({ err: error, orderId: order.id }, 'settling an order failed; retrying later');
      results.push(retryLater(deps, order));
    }
  });
  return results;
}

type StatusOutcome = { status: ActivationStatus } | { error: unknown };

async function fetchStatuses(
  deps: PollPassDeps,
  adapter: ProviderAdapter,
  orders: LeasedOrder[],
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
  order: LeasedOrder,
  outcome: StatusOutcome | undefined,
): Promise<Reschedule | undefined> {
  const log = deps.logger.child({ provider: adapter.id, orderId: order.id });
  if (!outcome || 'error' in outcome) {
    const error = outcome?.error;
    if (error instanceof NotFound && order.status === 'ACTIVE') {
      // The upstream has no such activation any more: it ended there without a code. The
      // customer gets the hold back (the upstream refunded us or never charged).
      log.warn({ ref: order.upstreamRef }, 'activation unknown upstream; ending the order');
      return endOrder(deps, order, { type: 'UPSTREAM_ENDED' }, 'upstream no longer knows it');
    }
    if (isExpired(deps, order)) return expireOrder(deps, adapter, order);
    return retryLater(deps, order);
  }

  const { status } = outcome;
  if (status.messages.length > 0) {
    const now = deps.now();
    const added = await deps.store.recordSms(
      order.id,
      status.messages.map((m) => ({ code: m.code, text: m.text, receivedAt: m.receivedAt ?? now })),
    );
    if (added > 0) {
      deps.metrics.codes.inc({ provider: adapter.id }, added);
      log.info({ added }, 'SMS delivered');
      return { id: order.id, nextPollAt: nextCheck(deps, order), failures: 0 };
    }
  }

  switch (status.state) {
    case 'waiting':
    case 'code':
      if (isExpired(deps, order)) return expireOrder(deps, adapter, order);
      return { id: order.id, nextPollAt: nextCheck(deps, order), failures: 0 };
    case 'cancelled':
    case 'expired':
    case 'finished':
      // Ended upstream on its own. Without a code this refunds the customer — the classic
      // reseller-bot failure is keeping the upstream's refund.
      return endOrder(deps, order, { type: 'UPSTREAM_ENDED' }, `upstream says ${status.state}`);
  }
}

/** At the TTL: an ACTIVE order is cancelled upstream then EXPIRED (hold released); an order
 *  that got its code is finished. A refused early cancel or a fault is tried again later. */
async function expireOrder(
  deps: PollPassDeps,
  adapter: ProviderAdapter,
  order: LeasedOrder,
): Promise<Reschedule | undefined> {
  const log = deps.logger.child({ provider: adapter.id, orderId: order.id });
  if (order.status === 'CODE_RECEIVED') {
    if (adapter.finish && adapter.capabilities.finish) {
      try {
        await deps.metrics.timeUpstream(adapter.id, 'finish', () =>
          adapter.finish!(order.upstreamRef),
        );
      } catch (error) {
        // The customer has the code; a failed upstream close costs nothing.
        log.warn({ err: error }, 'upstream finish at the TTL failed; completing anyway');
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
      if (error instanceof NotFound) {
        log.warn('activation unknown upstream at expiry; expiring');
      } else if (error instanceof CancelNotAllowed && !error.retryable) {
        // A code beat the cancel: check again right away so it is delivered (and charged).
        log.info('upstream refused the cancel (a code came?); polling again now');
        return { id: order.id, nextPollAt: deps.now(), failures: order.failures + 1 };
      } else {
        log.warn(
          { err: error, code: isProviderError(error) ? error.code : undefined },
          'upstream cancel at expiry failed; retrying later',
        );
        return retryLater(deps, order);
      }
    }
  }
  return endOrder(deps, order, { type: 'EXPIRE' }, 'ttl reached without a code');
}

async function endOrder(
  deps: PollPassDeps,
  order: LeasedOrder,
  command: OrderCommand,
  reason: string,
): Promise<Reschedule | undefined> {
  const outcome = await deps.store.applyCommand(order.id, command, reason);
  deps.metrics.orderEndings.inc({
    provider: order.providerId,
    outcome: command.type.toLowerCase(),
  });
  deps.logger.info(
    { orderId: order.id, provider: order.providerId, command: command.type, outcome, reason },
    'order ended by the worker',
  );
  // Refused means the order moved meanwhile (a code, a customer's cancel): look again soon.
  return outcome === 'refused'
    ? { id: order.id, nextPollAt: deps.now(), failures: order.failures }
    : undefined;
}

function isExpired(deps: PollPassDeps, order: LeasedOrder): boolean {
  return deps.now().getTime() >= order.expiresAt.getTime();
}

function nextCheck(deps: PollPassDeps, order: LeasedOrder): Date {
  const now = deps.now().getTime();
  const delay = nextPollDelayMs(now - order.createdAt.getTime(), deps.pollIntervalMs);
  // Never sleep past the TTL: expiry must happen within seconds of expiresAt.
  return new Date(Math.min(now + delay, Math.max(order.expiresAt.getTime(), now)));
}

function retryLater(deps: PollPassDeps, order: LeasedOrder): Reschedule {
  return later(
    deps,
    order,
    backoffDelayMs(order.failures, deps.pollIntervalMs, MAX_BACKOFF_MS),
    order.failures + 1,
  );
}

function later(deps: PollPassDeps, order: LeasedOrder, delayMs: number, failures: number) {
  return { id: order.id, nextPollAt: new Date(deps.now().getTime() + delayMs), failures };
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
