import { DomainError } from '../errors.js';
import {
  convertMoney,
  Money,
  MoneyError,
  parseDecimal,
  type ExchangeRates,
} from '../money/index.js';

/** One markup rule. Given fields must all match (provider id exactly, service slug and ISO
 *  country case-insensitively); an omitted field matches anything. */
export interface PricingRule {
  provider?: string;
  service?: string;
  country?: string;
  /** Replaces the policy's `markupPercent` for what this rule matches. */
  markupPercent?: string;
  /** Added after the percentage, in the platform currency ("500"). Default none. */
  markupFixed?: string;
}

export interface PricingPolicy {
  /** The platform currency every sell price is in. */
  currency: string;
  exchangeRates: ExchangeRates;
  /** Default markup, a decimal string ("15" = +15%). */
  markupPercent: string;
  /** Sell prices are rounded up to a multiple of this (a decimal in the platform currency,
   *  "100"); default the currency's smallest unit. */
  roundTo?: string;
  rules: readonly PricingRule[];
}

export interface PricedItem {
  /** The upstream cost, in the provider's currency. */
  cost: Money;
  provider: string;
  service: string;
  country: string;
}

export interface PriceQuote {
  price: Money;
  /** The cost converted to the platform currency (rounded up to its minor unit). */
  converted: Money;
  markupPercent: string;
  markupFixed: Money;
  /** The rule that set the markup, by index in `policy.rules`; undefined for the default. */
  ruleIndex?: number;
}

export type PricingErrorCode = 'INVALID_PRICING_POLICY' | 'MISSING_EXCHANGE_RATE' | 'INVALID_COST';

/** A policy that can't price (a bad percentage, a missing rate): a configuration problem,
 *  so the API reports INTERNAL; the config loader should call `validatePricingPolicy` at
 *  start to stop the program with this message instead. */
export class PricingError extends DomainError {
  override readonly name = 'PricingError';
  readonly apiCode = 'INTERNAL' as const;
  constructor(
    readonly code: PricingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The sell price of an upstream offer in the platform currency. See `quoteSellPrice`. */
export function sellPrice(item: PricedItem, policy: PricingPolicy): Money {
  return quoteSellPrice(item, policy).price;
}

/**
 * Price = roundUp(convert(cost) + percent% + fixed, roundTo), every step exact and rounding up
 * so a reseller never sells below cost:
 * 1. convert the cost to the platform currency with `exchangeRates` (rounded up to a minor unit)
 * 2. add the markup percentage (rounded up to a minor unit), then the fixed markup
 * 3. round up to a multiple of `roundTo`
 *
 * The markup comes from the most specific matching rule — the one with the most of provider /
 * service / country given; among equally specific matches the LATER rule wins (so a config
 * can append an override without reordering). A rule without `markupPercent` keeps the
 * policy's; without `markupFixed` adds nothing fixed.
 */
export function quoteSellPrice(item: PricedItem, policy: PricingPolicy): PriceQuote {
  const currency = platformCurrency(policy);
  if (!(item.cost instanceof Money) || item.cost.isNegative()) {
    throw new PricingError(
      'INVALID_COST',
      `cost of ${item.provider}/${item.service}/${item.country} must be a non-negative amount`,
    );
  }
  let converted: Money;
  try {
    converted = convertMoney(item.cost, currency, policy.exchangeRates);
  } catch (error) {
    if (error instanceof MoneyError) {
      throw new PricingError(
        error.code === 'MISSING_RATE' ? 'MISSING_EXCHANGE_RATE' : 'INVALID_PRICING_POLICY',
        `cannot price ${item.provider}/${item.service}/${item.country}: ${error.message}`,
      );
    }
    throw error;
  }

  const match = findMarkupRule(item, policy.rules);
  const percentText = match?.rule.markupPercent ?? policy.markupPercent;
  const percentWhere =
    match?.rule.markupPercent === undefined
      ? 'markupPercent'
      : `rules[${match.index}].markupPercent`;
  checkPercent(percentText, percentWhere);
  const markupFixed =
    match?.rule.markupFixed === undefined
      ? Money.zero(currency)
      : parseMoney(match.rule.markupFixed, currency, `rules[${match.index}].markupFixed`);

  const step = roundingStep(policy, currency);
  const price = converted.addPercent(percentText).plus(markupFixed).roundUpTo(step);
  return {
    price,
    converted,
    markupPercent: percentText,
    markupFixed,
    ...(match === undefined ? {} : { ruleIndex: match.index }),
  };
}

/** The rule that decides the markup for an item, with its index, or undefined. */
export function findMarkupRule(
  item: Pick<PricedItem, 'provider' | 'service' | 'country'>,
  rules: readonly PricingRule[],
): { rule: PricingRule; index: number } | undefined {
  let best: { rule: PricingRule; index: number; specificity: number } | undefined;
  rules.forEach((rule, index) => {
    const specificity = matchSpecificity(rule, item);
    // `>=`: a later rule of equal specificity wins.
    if (specificity !== undefined && (best === undefined || specificity >= best.specificity)) {
      best = { rule, index, specificity };
    }
  });
  return best && { rule: best.rule, index: best.index };
}

/** Checks a whole policy once (at start), so pricing later can only fail on a missing rate
 *  for a currency nobody configured. Throws PricingError naming the key. */
export function validatePricingPolicy(policy: PricingPolicy): void {
  const currency = platformCurrency(policy);
  checkPercent(policy.markupPercent, 'markupPercent');
  roundingStep(policy, currency);
  for (const [code, rate] of Object.entries(policy.exchangeRates)) {
    try {
      Money.currencyCode(code);
      const { units } = parseDecimal(rate, `exchangeRates.${code}`);
      if (units <= 0n)
        throw new MoneyError('INVALID_RATE', `exchangeRates.${code} must be positive`);
    } catch (error) {
      if (error instanceof MoneyError)
        throw new PricingError('INVALID_PRICING_POLICY', `exchangeRates.${code}: ${error.message}`);
      throw error;
    }
  }
  policy.rules.forEach((rule, index) => {
    if (rule.markupPercent !== undefined)
      checkPercent(rule.markupPercent, `rules[${index}].markupPercent`);
    if (rule.markupFixed !== undefined)
      parseMoney(rule.markupFixed, currency, `rules[${index}].markupFixed`);
  });
}

function matchSpecificity(
  rule: PricingRule,
  item: Pick<PricedItem, 'provider' | 'service' | 'country'>,
): number | undefined {
  let specificity = 0;
  if (rule.provider !== undefined) {
    if (rule.provider !== item.provider) return undefined;
    specificity++;
  }
  if (rule.service !== undefined) {
    if (rule.service.toLowerCase() !== item.service.toLowerCase()) return undefined;
    specificity++;
  }
  if (rule.country !== undefined) {
    if (rule.country.toUpperCase() !== item.country.toUpperCase()) return undefined;
    specificity++;
  }
  return specificity;
}

function platformCurrency(policy: PricingPolicy): string {
  try {
    return Money.currencyCode(policy.currency);
  } catch (error) {
    if (error instanceof MoneyError)
      throw new PricingError('INVALID_PRICING_POLICY', `currency: ${error.message}`);
    throw error;
  }
}

function checkPercent(text: string, where: string): void {
  let units: bigint;
  try {
    units = parseDecimal(text, where).units;
  } catch {
    throw new PricingError(
      'INVALID_PRICING_POLICY',
      `${where} "${String(text)}" is not a decimal number`,
    );
  }
  // A markup never sells below cost; discounts are not a markup.
  if (units < 0n)
    throw new PricingError('INVALID_PRICING_POLICY', `${where} "${text}" must not be negative`);
}

function roundingStep(policy: PricingPolicy, currency: string): bigint {
  if (policy.roundTo === undefined) return 1n;
  const step = parseMoney(policy.roundTo, currency, 'roundTo').minor;
  if (step <= 0n)
    throw new PricingError(
      'INVALID_PRICING_POLICY',
      `roundTo "${policy.roundTo}" must be positive`,
    );
  return step;
}

function parseMoney(text: string, currency: string, where: string): Money {
  try {
    return Money.parse(text, currency);
  } catch (error) {
    if (error instanceof MoneyError)
      throw new PricingError('INVALID_PRICING_POLICY', `${where}: ${error.message}`);
    throw error;
  }
}
