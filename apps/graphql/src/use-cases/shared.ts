import {
  Money,
  MoneyError,
  sellPrice,
  transitionOrder,
  type OrderCommand,
  type PricedOffer,
  type PricingPolicy,
} from '@numbroker/core';
import {
  isProviderError,
  type ProviderAdapter,
  type ProviderOperation,
} from '@numbroker/providers';
import { badUserInput, notFound } from '../errors/api-error.js';
import type { AppDeps } from '../services/app-deps.js';
import type { StoredOfferRecord } from '../services/api-store.js';
import type { OrderRecord } from '../services/records.js';

export function pricingPolicy(deps: AppDeps): PricingPolicy {
  const { config } = deps;
  return {
    currency: config.currency,
    exchangeRates: config.exchangeRates,
    markupPercent: config.pricing.markupPercent,
    roundTo: config.pricing.roundTo,
    rules: config.pricing.rules,
  };
}

export function priceOffers(deps: AppDeps, offers: readonly StoredOfferRecord[]): PricedOffer[] {
  const policy = pricingPolicy(deps);
  return offers.map((offer) => ({
    providerId: offer.providerId,
    service: offer.service,
    country: offer.country,
    ...(offer.operator ? { operator: offer.operator } : {}),
    price: sellPrice(
      {
        cost: offer.cost,
        provider: offer.providerId,
        service: offer.service,
        country: offer.country,
      },
      policy,
    ),
    cost: offer.cost,
    stock: offer.stock,
    ref: offer.ref,
  }));
}

/** An amount typed by a person, in the platform currency. */
export function parseAmount(deps: AppDeps, text: string, field: string): Money {
  try {
    return Money.parse(text, deps.config.currency);
  } catch (error) {
    if (error instanceof MoneyError) throw badUserInput(`${field}: ${error.message}`, { field });
    throw error;
  }
}

/** The caller's own order; another user's is NOT_FOUND, exactly like a missing one. */
export async function ownOrder(
  deps: AppDeps,
  userId: string,
  orderId: string,
): Promise<OrderRecord> {
  const order = await deps.store.findOrder(orderId);
  if (!order || order.userId !== userId) throw notFound('order', orderId);
  return order;
}

/** Refuses early, before any upstream call, what the state machine would refuse anyway.
 *  False for an idempotent repeat (cancelling a cancelled order): answer the order as it is,
 *  without calling the upstream again. */
export function assertTransition(order: OrderRecord, command: OrderCommand): boolean {
  const result = transitionOrder(order, command);
  if (!result.ok) throw result.refusal;
  return result.changed;
}

export function adapterOf(deps: AppDeps, providerId: string | null): ProviderAdapter | undefined {
  return providerId === null ? undefined : deps.adapters.get(providerId);
}

/** Runs one upstream call, counting it in metrics and writing its attempt row. */
export async function callUpstream<T>(
  deps: AppDeps,
  context: { providerId: string; orderId: string | null; operation: ProviderOperation },
  call: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const finish = async (ok: boolean, errorCode: string | null) => {
    deps.metrics.upstreamCalls.inc({
      provider: context.providerId,
      operation: context.operation,
      outcome: ok ? 'ok' : (errorCode ?? 'ERROR'),
    });
    try {
      await deps.store.recordAttempt({
        orderId: context.orderId,
        providerId: context.providerId,
        operation: context.operation,
        ok,
        errorCode,
        durationMs: Date.now() - started,
      });
    } catch (error) {
      // The attempt row is statistics; losing one must not change the outcome of the call.
      deps.logger.warn({ err: error, ...context }, 'could not record an upstream attempt');
    }
  };
  try {
    const result = await call();
    await finish(true, null);
    return result;
  } catch (error) {
    await finish(false, isProviderError(error) ? error.code : 'UNEXPECTED');
    throw error;
  }
}
