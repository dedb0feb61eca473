import { requireCountry, requireRankedOffers, requireService, rankOffers } from '@numbroker/core';
import { isProviderError, Unavailable, type ProviderError } from '@numbroker/providers';
import { ApiError, badUserInput } from '../errors/api-error.js';
import type { AppDeps } from '../services/app-deps.js';
import type { OrderRecord } from '../services/records.js';
import { countPlan, countSale, planBuy, routeHealth } from './purchase-routing.js';
import { callUpstream, parseAmount, priceOffers } from './shared.js';

export interface BuyNumberRequest {
  userId: string;
  service: string;
  country: string;
  maxPrice?: string | undefined;
  provider?: string | undefined;
  /** Only this operator's numbers; a list (the SMS-Activate endpoint's comma form) means any
   *  of them. */
  operator?: string | readonly string[] | undefined;
  idempotencyKey?: string | undefined;
}

/** An ambiguous buy is reconciled this soon (the upstream's listing has it by then). */
const AMBIGUOUS_RECONCILE_MS = 2000;

/** What a failed `buy` means for the next offer (Hyperswitch-style table, not scattered ifs).
 *  `next`: nothing was bought, try the next offer. `reconcile`: the request may have reached
 *  the upstream; buying again could spend twice, so the order stays PENDING for the worker. */
type BuyFailureAction = 'next' | 'reconcile';

function actionFor(error: unknown): BuyFailureAction {
  if (!isProviderError(error)) return 'reconcile';
  switch (error.code) {
    case 'NO_NUMBERS':
    case 'AUTH':
    case 'RATE_LIMITED':
    case 'INSUFFICIENT_UPSTREAM_BALANCE':
    case 'INVALID_REQUEST':
      return 'next';
    case 'UNAVAILABLE':
      return (error as Unavailable).surelyNotSent ? 'next' : 'reconcile';
    case 'NOT_FOUND':
    case 'CANCEL_NOT_ALLOWED':
      return 'next';
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
/** Operator names as upstreams spell them ("mts", "virtual21", "همراه اول"): no control
 *  characters, a sane length. */
const OPERATOR = /^[^\p{Cc}]{1,64}$/u;

/**
 * SPEC's buyNumber, in DESIGN.md's order: idempotency claim + hold + PENDING (transaction 1),
 * the upstream buy outside any transaction, then ACTIVE + event or FAILED + release
 * (transaction 2), cancelling upstream if transaction 2 fails.
 *
 * Failover: the offers are tried cheapest first (see purchase-routing.ts: the failover-loss
 * limit, exploration); the order keeps the price held in transaction 1 (the cheapest offer's),
 * so a customer never pays more than quoted when a dearer provider has to step in.
 */
export async function buyNumber(deps: AppDeps, request: BuyNumberRequest): Promise<OrderRecord> {
  const service = requireService(request.service).slug;
  const country = requireCountry(request.country).iso;
  const maxPrice =
    request.maxPrice === undefined ? undefined : parseAmount(deps, request.maxPrice, 'maxPrice');
  if (request.provider !== undefined && !deps.adapters.has(request.provider)) {
    throw badUserInput(`unknown provider "${request.provider}"`, { field: 'provider' });
  }
  const idempotencyKey = request.idempotencyKey;
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw badUserInput(
      'idempotencyKey must be 1 to 200 printable ASCII characters without spaces',
      {
        field: 'idempotencyKey',
      },
    );
  }

  const operators = request.operator === undefined ? [] : [request.operator].flat();
  for (const operator of operators) {
    if (!OPERATOR.test(operator) || operator.trim() === '') {
      throw badUserInput('operator must be 1 to 64 characters, without control characters', {
        field: 'operator',
      });
    }
  }
  const operator = operators.length === 0 ? undefined : operators;

  const states = await deps.store.providerStates();
  const codeRates = await deps.codeRates.get();
  // With an operator chosen, offers without stock count too: they tell "out of stock"
  // (NO_NUMBERS) from "nobody has that operator" (BAD_USER_INPUT). Ranking skips them.
  const stored = await deps.store.listOffers(service, country, { includeEmpty: !!operator });
  // What each offer costs upstream: recorded on the order (admin margins) when the upstream's
  // buy answer does not say what it charged.
  const catalogCost = new Map(stored.map((o) => [`${o.providerId}\u0000${o.ref}`, o.cost]));
  const ranked = rankOffers(priceOffers(deps, stored), {
    service,
    country,
    ...(maxPrice ? { maxPrice } : {}),
    ...(request.provider ? { provider: request.provider } : {}),
    ...(operator ? { operator } : {}),
    health: routeHealth(deps, states, codeRates),
    minSamples: deps.config.routing.minSamples,
  });
  const plan = planBuy(
    deps,
    requireRankedOffers(ranked, {
      service,
      country,
      ...(maxPrice ? { maxPrice } : {}),
      ...(request.provider ? { provider: request.provider } : {}),
      ...(operator ? { operator } : {}),
    }),
  );
  const first = plan.attempts[0]!.offer;

  const now = deps.now();
  // Transaction 1. Throws INSUFFICIENT_FUNDS before any upstream call; returns the existing
  // order when this user already used the idempotency key (concurrent calls included).
  const pending = await deps.store.createPendingOrder({
    userId: request.userId,
    service,
    country,
    operator: first.operator ?? null,
    providerId: first.providerId,
    price: plan.held,
    idempotencyKey: idempotencyKey ?? null,
    now,
    ttlSeconds: deps.config.orderTtlSeconds,
    reconcileAt: new Date(now.getTime() + deps.config.pendingReconcileSeconds * 1000),
    // The first attempt's record (durable before the call) rides in this transaction.
    buyStarted: true,
  });
  deps.wakeOutboxTail();
  if (!pending.created) return awaitSettled(deps, pending.order);
  const orderId = pending.order.id;
  countPlan(deps, plan);

  const failures: ProviderError[] = [];
  for (const [index, attempt] of plan.attempts.entries()) {
    const { offer } = attempt;
    const adapter = deps.adapters.get(offer.providerId);
    if (!adapter) continue;
    // Durable before the call: a crash after it leaves the reconciler the provider to look at.
    // Transaction 1 recorded the first offer's attempt (its provider and operator).
    if (index > 0) {
      await deps.store.recordBuyAttempt(
        orderId,
        offer.providerId,
        deps.now(),
        offer.operator ?? null,
      );
    }
    let purchase;
    try {
      purchase = await callUpstream(
        deps,
        { providerId: offer.providerId, orderId, operation: 'buy' },
        () =>
          adapter.buy({
            service,
            country,
            ref: offer.ref,
            ...(offer.operator ? { operator: offer.operator } : {}),
            // A price rise upstream since the sync is refused there, not charged to us.
            ...(offer.cost ? { maxPrice: offer.cost } : {}),
            // Where the upstream takes a client order id, the reconciler can match by it.
            idempotencyKey: orderId,
          }),
      );
    } catch (error) {
      if (actionFor(error) === 'reconcile') {
        deps.logger.warn(
          { err: error, orderId, provider: offer.providerId },
          'buy may have reached the upstream; the order stays PENDING for reconciliation',
        );
        // Nothing of ours is in flight any more: the reconciler may look upstream at once
        // (a few seconds, for the upstream's listing to show it) instead of at the default.
        await deps.store
          .reconcileAt(orderId, new Date(deps.now().getTime() + AMBIGUOUS_RECONCILE_MS))
          .catch((failure: unknown) =>
            deps.logger.warn({ err: failure, orderId }, 'could not bring reconciliation forward'),
          );
        return (await deps.store.findOrder(orderId)) ?? pending.order;
      }
      failures.push(error as ProviderError);
      deps.logger.info(
        { orderId, provider: offer.providerId, code: (error as ProviderError).code },
        'buy failed over',
      );
      continue;
    }
    // Transaction 2: ACTIVE + event. If it fails the number is bought but unrecorded: cancel it.
    const cost = purchase.cost ?? catalogCost.get(`${offer.providerId}\u0000${offer.ref}`);
    try {
      const active = await deps.store.applyOrderCommand(
        orderId,
        {
          type: 'PURCHASED',
          phoneNumber: purchase.phoneNumber,
          upstreamRef: purchase.upstreamRef,
        },
        {
          providerId: offer.providerId,
          operator: offer.operator ?? null,
          ...(cost ? { cost } : {}),
          expectedStatus: 'PENDING',
        },
      );
      deps.wakeOutboxTail();
      countSale(deps, attempt);
      return active;
    } catch (error) {
      // The reconciler found this very activation upstream and gave it to this order meanwhile:
      // the order is what we were about to write. Cancelling would take the customer's number.
      const now = await deps.store.findOrder(orderId).catch(() => null);
      if (
        now?.status !== 'PENDING' &&
        now?.providerId === offer.providerId &&
        now.upstreamRef === purchase.upstreamRef
      ) {
        deps.wakeOutboxTail();
        return now;
      }
      deps.logger.error(
        { err: error, orderId, provider: offer.providerId },
        'recording a bought number failed',
      );
      await compensate(deps, orderId, offer.providerId, purchase.upstreamRef);
      await failOrder(deps, orderId, 'the number could not be recorded and was cancelled upstream');
      throw error;
    }
  }

  const onlyNoNumbers =
    failures.length > 0 && failures.every((failure) => failure.code === 'NO_NUMBERS');
  await failOrder(
    deps,
    orderId,
    onlyNoNumbers
      ? 'no provider had numbers'
      : `no provider could sell (${[...new Set(failures.map((f) => f.code))].join(', ')})`,
  );
  if (onlyNoNumbers)
    throw new ApiError('NO_NUMBERS', `no numbers available for ${service} in ${country}`, {
      orderId,
    });
  throw new ApiError(
    'UPSTREAM_UNAVAILABLE',
    `no provider could sell ${service} in ${country} right now; try again later`,
    {
      orderId,
    },
  );
}

/** How long a buy waits for a PENDING order to settle by default. The first call's upstream
 *  buy is bounded by the adapter's timeout and the reconciler settles an ambiguous one within
 *  seconds; past this the order is answered as it is (PENDING) rather than hold the request. */
export const SETTLE_WAIT_MS = 20_000;

/** A PENDING order's outcome, waited for (bounded): what an idempotent repeat that raced the
 *  first call answers (ACTIVE with its number, or FAILED) instead of a PENDING row with no
 *  number that a caller cannot tell from a lost order. */
export async function awaitSettled(deps: AppDeps, order: OrderRecord): Promise<OrderRecord> {
  const deadline = Date.now() + (deps.settleWaitMs ?? SETTLE_WAIT_MS);
  let current = order;
  let gapMs = 20;
  while (current.status === 'PENDING' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    gapMs = Math.min(250, gapMs * 2);
    current = (await deps.store.findOrder(order.id)) ?? current;
  }
  return current;
}

async function compensate(
  deps: AppDeps,
  orderId: string,
  providerId: string,
  upstreamRef: string,
): Promise<void> {
  const adapter = deps.adapters.get(providerId);
  if (!adapter?.cancel) return;
  try {
    await callUpstream(deps, { providerId, orderId, operation: 'cancel' }, () =>
      adapter.cancel!(upstreamRef),
    );
  } catch (error) {
    deps.logger.error({ err: error, orderId, provider: providerId }, 'compensating cancel failed');
  }
}

async function failOrder(deps: AppDeps, orderId: string, reason: string): Promise<void> {
  try {
    await deps.store.applyOrderCommand(orderId, { type: 'PURCHASE_FAILED', reason });
    deps.wakeOutboxTail();
  } catch (error) {
    // Still PENDING: the worker's reconciliation fails it and releases the hold.
    deps.logger.error({ err: error, orderId }, 'could not mark the order FAILED');
  }
}
