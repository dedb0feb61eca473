import type { Money } from '../money/index.js';
import { NoNumbersAvailable, PriceAboveMax, UnknownOperator } from './routing-errors.js';

/** An upstream offer with our sell price already computed (platform currency). */
export interface PricedOffer {
  providerId: string;
  service: string;
  country: string;
  operator?: string;
  price: Money;
  stock: number;
  /** The provider's own id for the product (what `buy` takes). */
  ref: string;
  /** What the upstream charges us, in its currency, as of the last sync: the buy's price cap,
   *  and what is recorded on the order for margins when the upstream's answer names none. */
  cost?: Money;
}

export interface ProviderHealth {
  healthy: boolean;
  /** Share of recent orders that got a code, 0..1. */
  codeRate?: number;
  /** How many orders `codeRate` is over. */
  samples?: number;
}

export interface RankOptions {
  service: string;
  country: string;
  /** Offers dearer than this are left out (counted in `excludedByMaxPrice`). */
  maxPrice?: Money;
  /** Only this provider id. */
  provider?: string;
  /** Only offers of this operator, or of any of these (SMS-Activate clients send a comma list);
   *  compared case-insensitively. Absent, empty or `any`: every offer, whatever its operator. */
  operator?: string | readonly string[];
  /** Called once per provider; the service and country are given for per-route stats. */
  health: (providerId: string, route: { service: string; country: string }) => ProviderHealth;
  /** Below this many samples a code rate is not trusted and `neutralCodeRate` is used. */
  minSamples?: number;
  neutralCodeRate?: number;
}

export interface RankedOffer extends PricedOffer {
  /** 0 = try first. */
  rank: number;
  /** The code rate ranking used: the provider's when trusted, else the neutral prior. */
  codeRate: number;
  codeRateTrusted: boolean;
}

export interface RankResult {
  /** The failover order: try the first, on "no numbers" or a fault the next, and so on. */
  offers: RankedOffer[];
  /** Offers that qualified on everything but price. */
  excludedByMaxPrice: number;
  cheapestExcluded?: Money;
  /** Operators the offers of this service and country (and forced provider) name, whatever their
   *  stock, health or price; sorted. Tells an unknown operator from one out of stock. */
  knownOperators: string[];
}

export const DEFAULT_MIN_CODE_RATE_SAMPLES = 20;
export const DEFAULT_NEUTRAL_CODE_RATE = 0.5;

/**
 * The order to try providers in for one purchase. Only offers for the service and country,
 * with stock, from healthy providers (and the forced one, if any). Sorted by price ascending
 * — the customer pays the price of the offer bought, so cheaper first — then by code rate
 * descending (trusted only over `minSamples`; below that a neutral prior, so one lucky order
 * does not outrank a proven provider), then provider id and ref so the order is deterministic.
 */
export function rankOffers(offers: readonly PricedOffer[], options: RankOptions): RankResult {
  const service = options.service.trim().toLowerCase();
  const country = options.country.trim().toUpperCase();
  const minSamples = options.minSamples ?? DEFAULT_MIN_CODE_RATE_SAMPLES;
  const neutral = options.neutralCodeRate ?? DEFAULT_NEUTRAL_CODE_RATE;
  const healthByProvider = new Map<string, ProviderHealth>();
  const healthOf = (providerId: string): ProviderHealth => {
    let health = healthByProvider.get(providerId);
    if (health === undefined) {
      health = options.health(providerId, { service, country });
      healthByProvider.set(providerId, health);
    }
    return health;
  };

  const operator = operatorFilter(options.operator);
  const knownOperators = new Set<string>();

  const qualifying: Array<Omit<RankedOffer, 'rank'>> = [];
  let excludedByMaxPrice = 0;
  let cheapestExcluded: Money | undefined;
  for (const offer of offers) {
    if (offer.service.toLowerCase() !== service || offer.country.toUpperCase() !== country)
      continue;
    if (options.provider !== undefined && offer.providerId !== options.provider) continue;
    const offerOperator = operatorName(offer.operator);
    if (offerOperator !== undefined) knownOperators.add(offerOperator);
    if (operator !== undefined && (offerOperator === undefined || !operator.has(offerOperator)))
      continue;
    if (!(Number.isFinite(offer.stock) && offer.stock > 0)) continue;
    const health = healthOf(offer.providerId);
    if (!health.healthy) continue;
    if (options.maxPrice !== undefined && offer.price.compare(options.maxPrice) > 0) {
      excludedByMaxPrice++;
      if (cheapestExcluded === undefined || offer.price.compare(cheapestExcluded) < 0)
        cheapestExcluded = offer.price;
      continue;
    }
    const trusted = (health.samples ?? 0) >= minSamples && isRate(health.codeRate);
    qualifying.push({
      ...offer,
      codeRate: trusted ? (health.codeRate as number) : neutral,
      codeRateTrusted: trusted,
    });
  }

  // No operator asked: a host's any-operator offer already covers its operators' numbers
  // (SMS-Activate lists them beside it), so their offers would only spend failover attempts
  // on the same host. Hosts that sell per operator only (Shomare) keep every offer.
  const coversOperators = new Set(
    qualifying
      .filter((offer) => operatorName(offer.operator) === undefined)
      .map((o) => o.providerId),
  );
  if (operator === undefined) {
    for (let index = qualifying.length - 1; index >= 0; index -= 1) {
      const offer = qualifying[index]!;
      if (operatorName(offer.operator) !== undefined && coversOperators.has(offer.providerId)) {
        qualifying.splice(index, 1);
      }
    }
  }

  qualifying.sort(
    (a, b) =>
      a.price.compare(b.price) ||
      b.codeRate - a.codeRate ||
      compareText(a.providerId, b.providerId) ||
      compareText(a.ref, b.ref) ||
      compareText(a.operator ?? '', b.operator ?? ''),
  );
  return {
    offers: qualifying.map((offer, rank) => ({ ...offer, rank })),
    excludedByMaxPrice,
    ...(cheapestExcluded === undefined ? {} : { cheapestExcluded }),
    knownOperators: [...knownOperators].sort(compareText),
  };
}

/** An operator name as routing compares it: trimmed, lower case; undefined for "no choice"
 *  (absent, empty, or `any`, which is how SMS-Activate clients say it). */
export function operatorName(operator: string | null | undefined): string | undefined {
  const name = operator?.trim().toLowerCase();
  return name === undefined || name === '' || name === 'any' ? undefined : name;
}

/** The operators a buyer accepts, or undefined when any will do (none named, or `any` among
 *  them). */
export function operatorFilter(
  operator: string | readonly string[] | undefined,
): ReadonlySet<string> | undefined {
  if (operator === undefined) return undefined;
  const names = (typeof operator === 'string' ? [operator] : operator).map(operatorName);
  if (names.length === 0 || names.includes(undefined)) return undefined;
  return new Set(names as string[]);
}

/** The ranked offers, or the error the API answers when there are none: BAD_USER_INPUT for an
 *  operator no offer of the service and country names, PRICE_ABOVE_MAX when only `maxPrice`
 *  stood in the way, else NO_NUMBERS. */
export function requireRankedOffers(
  result: RankResult,
  options: Pick<RankOptions, 'service' | 'country' | 'maxPrice' | 'provider' | 'operator'>,
): RankedOffer[] {
  if (result.offers.length > 0) return result.offers;
  const operator = operatorFilter(options.operator);
  if (
    operator !== undefined &&
    ![...operator].some((name) => result.knownOperators.includes(name))
  ) {
    throw new UnknownOperator(
      [...operator].join(','),
      options.service,
      options.country,
      result.knownOperators,
      options.provider,
    );
  }
  if (result.cheapestExcluded !== undefined && options.maxPrice !== undefined) {
    throw new PriceAboveMax(options.maxPrice, result.cheapestExcluded);
  }
  throw new NoNumbersAvailable(options.service, options.country, options.provider);
}

function isRate(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value >= 0 && value <= 1;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
