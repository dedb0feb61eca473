import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { convertMoney, Money } from '../money/index.js';
import {
  findMarkupRule,
  PricingError,
  quoteSellPrice,
  sellPrice,
  validatePricingPolicy,
  type PricingPolicy,
  type PricingRule,
} from './index.js';

const base: PricingPolicy = {
  currency: 'IRT',
  exchangeRates: { RUB: '1200', USD: '95000' },
  markupPercent: '15',
  roundTo: '100',
  rules: [],
};
const item = (
  cost: Money,
  extra: Partial<{ provider: string; service: string; country: string }> = {},
) => ({
  cost,
  provider: 'man',
  service: 'telegram',
  country: 'RU',
  ...extra,
});

function pricingErrorOf(run: () => unknown): PricingError {
  try {
    run();
  } catch (error) {
    if (error instanceof PricingError) return error;
    throw error;
  }
  throw new Error('expected a PricingError');
}

describe('sellPrice worked examples', () => {
  it('799.70 RUB at 1200 IRT/RUB, +15%, roundTo 100 → 1103600 IRT', () => {
    // 799.70 × 1200 = 959640; +15% = 959640 + 143946 = 1103586; up to a multiple of 100.
    const quote = quoteSellPrice(item(Money.parse('799.70', 'RUB')), base);
    expect(quote.converted.format()).toBe('959640');
    expect(quote.price.format()).toBe('1103600');
    expect(quote.price.currency).toBe('IRT');
    expect(quote.ruleIndex).toBeUndefined();
  });

  it('a cost already in the platform currency is not converted', () => {
    expect(sellPrice(item(Money.parse('56000', 'IRT')), base).format()).toBe('64400');
  });

  it('rounds every step up: 0.01 RUB → 12 IRT → 13.8 → 14 → 100', () => {
    expect(sellPrice(item(Money.parse('0.01', 'RUB')), base).format()).toBe('100');
    expect(
      sellPrice(item(Money.parse('0.01', 'RUB')), { ...base, roundTo: undefined }).format(),
    ).toBe('14');
  });

  it('an exact multiple stays as it is', () => {
    expect(
      sellPrice(item(Money.parse('1000', 'IRT')), { ...base, markupPercent: '0' }).format(),
    ).toBe('1000');
  });

  it('percent, then fixed, then rounding', () => {
    const policy: PricingPolicy = {
      ...base,
      rules: [{ service: 'telegram', markupPercent: '10', markupFixed: '550' }],
    };
    // 10000 + 10% = 11000; + 550 = 11550; → 11600
    const quote = quoteSellPrice(item(Money.parse('10000', 'IRT')), policy);
    expect(quote.price.format()).toBe('11600');
    expect(quote).toMatchObject({ markupPercent: '10', ruleIndex: 0 });
    expect(quote.markupFixed.format()).toBe('550');
  });

  it('USD with fractional percent into a 2-decimal platform currency', () => {
    const policy: PricingPolicy = {
      currency: 'RUB',
      exchangeRates: { USD: '92.5' },
      markupPercent: '2.5',
      rules: [],
    };
    // 0.35 USD × 92.5 = 32.375 → 32.38 RUB; +2.5% = 0.8095 → 0.81; = 33.19
    expect(sellPrice(item(Money.parse('0.35', 'USD')), policy).format()).toBe('33.19');
  });
});

describe('markup rules', () => {
  const rules: PricingRule[] = [
    { markupPercent: '20' }, // 0: everything
    { provider: 'man', markupPercent: '30' }, // 1
    { service: 'telegram', markupPercent: '40' }, // 2
    { service: 'telegram', country: 'ru', markupPercent: '50' }, // 3
    { provider: 'man', service: 'telegram', country: 'RU', markupPercent: '60' }, // 4
    { provider: 'shiz', markupPercent: '70' }, // 5: same specificity as 1 and 2, later
  ];

  it.each([
    [{ provider: 'man', service: 'telegram', country: 'RU' }, 4],
    [{ provider: 'other', service: 'telegram', country: 'RU' }, 3],
    [{ provider: 'other', service: 'telegram', country: 'TR' }, 2],
    [{ provider: 'man', service: 'whatsapp', country: 'TR' }, 1],
    [{ provider: 'other', service: 'whatsapp', country: 'TR' }, 0],
    [{ provider: 'shiz', service: 'telegram', country: 'TR' }, 5], // ties with 2: later wins
    [{ provider: 'man', service: 'TELEGRAM', country: 'tr' }, 2], // 1 and 2 tie: 2 is later
  ])('%o → rule %i', (who, index) => {
    expect(findMarkupRule(who, rules)?.index).toBe(index);
  });

  it('no rule matches → the default', () => {
    expect(
      findMarkupRule({ provider: 'x', service: 'y', country: 'ZZ' }, rules.slice(1)),
    ).toBeUndefined();
  });

  it('a rule with only a fixed markup keeps the default percent', () => {
    const policy: PricingPolicy = { ...base, rules: [{ provider: 'man', markupFixed: '1000' }] };
    // 10000 + 15% = 11500 + 1000 = 12500
    expect(sellPrice(item(Money.parse('10000', 'IRT')), policy).format()).toBe('12500');
  });
});

describe('pricing errors', () => {
  it('names the missing exchange rate', () => {
    const error = pricingErrorOf(() => sellPrice(item(Money.parse('1', 'EUR')), base));
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('MISSING_EXCHANGE_RATE');
    expect(error.message).toContain('exchangeRates.EUR');
  });

  it.each([
    [{ ...base, markupPercent: 'abc' }, 'markupPercent'],
    [{ ...base, markupPercent: '-5' }, 'markupPercent'],
    [{ ...base, roundTo: '0' }, 'roundTo'],
    [{ ...base, roundTo: '12.5' }, 'roundTo'],
    [{ ...base, currency: 'XYZ' }, 'currency'],
    [{ ...base, rules: [{ markupPercent: '1e3' }] }, 'rules[0].markupPercent'],
    [{ ...base, rules: [{ markupFixed: '-1' }] }, 'rules[0].markupFixed'],
    [{ ...base, exchangeRates: { RUB: '0' } }, 'exchangeRates.RUB'],
    [{ ...base, exchangeRates: { BTC: '1' } }, 'exchangeRates.BTC'],
  ] as Array<[PricingPolicy, string]>)(
    'validatePricingPolicy refuses %o naming %s',
    (policy, key) => {
      const error = pricingErrorOf(() => validatePricingPolicy(policy));
      expect(error.code).toBe('INVALID_PRICING_POLICY');
      expect(error.message).toContain(key);
    },
  );

  it('accepts a good policy', () => {
    expect(() =>
      validatePricingPolicy({
        ...base,
        rules: [{ provider: 'man', markupPercent: '2.5', markupFixed: '500' }],
      }),
    ).not.toThrow();
  });

  it('refuses a negative cost', () => {
    expect(pricingErrorOf(() => sellPrice(item(Money.ofMinor(-1n, 'IRT')), base)).code).toBe(
      'INVALID_COST',
    );
  });
});

describe('pricing properties', () => {
  it('never sells below cost and always lands on a rounding step', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.integer({ min: 0, max: 500 }),
        fc.constantFrom('1', '10', '100', '1000'),
        (minor, percent, roundTo) => {
          const cost = Money.ofMinor(minor, 'RUB');
          const policy = { ...base, markupPercent: String(percent), roundTo };
          const price = sellPrice(item(cost), policy);
          const converted = convertMoney(cost, 'IRT', base.exchangeRates);
          expect(price.minor >= converted.minor).toBe(true);
          expect(price.minor % BigInt(roundTo)).toBe(0n);
          // Never more than one step above the exact marked-up amount.
          expect(price.minor - converted.addPercent(String(percent)).minor < BigInt(roundTo)).toBe(
            true,
          );
        },
      ),
    );
  });
});
