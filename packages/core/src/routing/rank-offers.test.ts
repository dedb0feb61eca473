import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { Money } from '../money/index.js';
import {
  NoNumbersAvailable,
  PriceAboveMax,
  UnknownOperator,
  rankOffers,
  requireRankedOffers,
  type PricedOffer,
  type ProviderHealth,
} from './index.js';

const irt = (amount: string) => Money.parse(amount, 'IRT');
const offer = (
  providerId: string,
  price: string,
  extra: Partial<PricedOffer> = {},
): PricedOffer => ({
  providerId,
  service: 'telegram',
  country: 'RU',
  price: irt(price),
  stock: 10,
  ref: `${providerId}-ref`,
  ...extra,
});
const allHealthy = (): ProviderHealth => ({ healthy: true });
const ids = (result: { offers: PricedOffer[] }) => result.offers.map((o) => o.providerId);

describe('rankOffers', () => {
  it('keeps only the service and country, with stock, from healthy providers', () => {
    const offers = [
      offer('a', '100'),
      offer('b', '90', { service: 'whatsapp' }),
      offer('c', '80', { country: 'TR' }),
      offer('d', '70', { stock: 0 }),
      offer('e', '60'),
      offer('f', '50', { stock: Number.NaN }),
    ];
    const result = rankOffers(offers, {
      service: 'Telegram',
      country: 'ru',
      health: (id) => ({ healthy: id !== 'e' }),
    });
    expect(ids(result)).toEqual(['a']);
    expect(result.excludedByMaxPrice).toBe(0);
    expect(result.cheapestExcluded).toBeUndefined();
  });

  it('orders by price, then trusted code rate, then provider id', () => {
    const health: Record<string, ProviderHealth> = {
      good: { healthy: true, codeRate: 0.9, samples: 50 },
      bad: { healthy: true, codeRate: 0.2, samples: 50 },
      lucky: { healthy: true, codeRate: 1, samples: 3 }, // not trusted: neutral 0.5
      newcomer: { healthy: true },
      zed: { healthy: true, codeRate: 0.2, samples: 50 },
    };
    const offers = [
      offer('zed', '100'),
      offer('bad', '100'),
      offer('lucky', '100'),
      offer('good', '100'),
      offer('newcomer', '100'),
      offer('cheap', '99'),
      offer('dear', '101'),
    ];
    const result = rankOffers(offers, {
      service: 'telegram',
      country: 'RU',
      health: (id) => health[id] ?? { healthy: true },
    });
    expect(ids(result)).toEqual(['cheap', 'good', 'lucky', 'newcomer', 'bad', 'zed', 'dear']);
    expect(result.offers.map((o) => o.rank)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(result.offers[1]).toMatchObject({ codeRate: 0.9, codeRateTrusted: true });
    expect(result.offers[2]).toMatchObject({ codeRate: 0.5, codeRateTrusted: false });
  });

  it('honours minSamples and neutralCodeRate', () => {
    const result = rankOffers([offer('a', '1'), offer('b', '1')], {
      service: 'telegram',
      country: 'RU',
      minSamples: 2,
      neutralCodeRate: 0.1,
      health: (id) =>
        id === 'b' ? { healthy: true, codeRate: 0.3, samples: 2 } : { healthy: true },
    });
    expect(ids(result)).toEqual(['b', 'a']);
  });

  it("without an operator asked, a host's operator offers give way to its any-operator offer", () => {
    const offers = [
      offer('sa', '100'),
      offer('sa', '100', { operator: 'mts' }),
      offer('sa', '100', { operator: 'beeline' }),
      offer('cheap', '90'),
      offer('cheap', '90', { operator: 'mts' }),
      // Sells per operator only: every one is a real choice.
      offer('shomare', '120', { operator: 'mci' }),
      offer('shomare', '130', { operator: 'irancell' }),
    ];
    const ranked = rankOffers(offers, { service: 'telegram', country: 'RU', health: allHealthy });
    expect(ranked.offers.map((o) => `${o.providerId}:${o.operator ?? '*'}`)).toEqual([
      'cheap:*',
      'sa:*',
      'shomare:mci',
      'shomare:irancell',
    ]);
    const mts = rankOffers(offers, {
      service: 'telegram',
      country: 'RU',
      operator: 'mts',
      health: allHealthy,
    });
    expect(mts.offers.map((o) => `${o.providerId}:${o.operator}`)).toEqual(['cheap:mts', 'sa:mts']);
  });

  it('forces one provider', () => {
    const result = rankOffers([offer('a', '1'), offer('b', '2'), offer('b', '3', { ref: 'b2' })], {
      service: 'telegram',
      country: 'RU',
      provider: 'b',
      health: allHealthy,
    });
    expect(result.offers.map((o) => o.ref)).toEqual(['b-ref', 'b2']);
  });

  it('excludes offers above maxPrice and says so', () => {
    const result = rankOffers([offer('a', '500'), offer('b', '300'), offer('c', '200')], {
      service: 'telegram',
      country: 'RU',
      maxPrice: irt('250'),
      health: allHealthy,
    });
    expect(ids(result)).toEqual(['c']);
    expect(result.excludedByMaxPrice).toBe(2);
    expect(result.cheapestExcluded?.format()).toBe('300');
  });

  it('an offer exactly at maxPrice is allowed', () => {
    const result = rankOffers([offer('a', '250')], {
      service: 'telegram',
      country: 'RU',
      maxPrice: irt('250'),
      health: allHealthy,
    });
    expect(ids(result)).toEqual(['a']);
  });

  it('PRICE_ABOVE_MAX when only the price stood in the way, else NO_NUMBERS', () => {
    const options = {
      service: 'telegram',
      country: 'RU',
      maxPrice: irt('100'),
      health: allHealthy,
    };
    const priced = rankOffers([offer('a', '300'), offer('b', '200')], options);
    expect(priced.offers).toEqual([]);
    try {
      requireRankedOffers(priced, options);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PriceAboveMax);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'PRICE_ABOVE_MAX', apiCode: 'PRICE_ABOVE_MAX' });
      expect((error as PriceAboveMax).cheapest.format()).toBe('200');
      expect((error as Error).message).toContain('200');
    }

    const empty = rankOffers([offer('a', '50', { stock: 0 })], options);
    expect(() => requireRankedOffers(empty, options)).toThrow(NoNumbersAvailable);
    // Unhealthy providers' prices don't turn NO_NUMBERS into PRICE_ABOVE_MAX.
    const sick = rankOffers([offer('a', '300')], {
      ...options,
      health: () => ({ healthy: false }),
    });
    expect(sick.excludedByMaxPrice).toBe(0);
    expect(() => requireRankedOffers(sick, options)).toThrow(
      /no numbers available for telegram in RU/,
    );
    expect(requireRankedOffers(rankOffers([offer('a', '1')], options), options)).toHaveLength(1);
  });

  it('asks for each provider health once', () => {
    const asked: string[] = [];
    rankOffers([offer('a', '1'), offer('a', '2', { ref: 'x' }), offer('b', '1')], {
      service: 'telegram',
      country: 'RU',
      health: (id, route) => {
        asked.push(`${id}:${route.service}:${route.country}`);
        return { healthy: true };
      },
    });
    expect(asked).toEqual(['a:telegram:RU', 'b:telegram:RU']);
  });

  it('is deterministic whatever the input order, and sorted by price', () => {
    const offerArb = fc.record({
      providerId: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
      price: fc.integer({ min: 1, max: 5 }),
      stock: fc.integer({ min: 0, max: 3 }),
      ref: fc.constantFrom('r1', 'r2', 'r3'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(offerArb, { selector: (o) => `${o.providerId}/${o.ref}` }),
        fc.integer({ min: 1, max: 5 }),
        (raw, max) => {
          const offers = raw.map((o) =>
            offer(o.providerId, String(o.price), { stock: o.stock, ref: o.ref }),
          );
          const health = (id: string): ProviderHealth => ({
            healthy: id !== 'p4',
            codeRate: id === 'p1' ? 0.9 : 0.4,
            samples: 30,
          });
          const options = {
            service: 'telegram',
            country: 'RU',
            maxPrice: irt(String(max)),
            health,
          };
          const forward = rankOffers(offers, options);
          const backward = rankOffers([...offers].reverse(), options);
          expect(forward.offers.map((o) => o.ref + o.providerId)).toEqual(
            backward.offers.map((o) => o.ref + o.providerId),
          );
          for (let i = 1; i < forward.offers.length; i++) {
            expect(
              forward.offers[i - 1]!.price.compare(forward.offers[i]!.price),
            ).toBeLessThanOrEqual(0);
          }
          for (const ranked of forward.offers) {
            expect(ranked.stock).toBeGreaterThan(0);
            expect(ranked.providerId).not.toBe('p4');
            expect(ranked.price.minor <= BigInt(max)).toBe(true);
          }
          const eligible = offers.filter((o) => o.stock > 0 && o.providerId !== 'p4');
          expect(forward.offers.length + forward.excludedByMaxPrice).toBe(eligible.length);
        },
      ),
    );
  });

  describe('operator choice', () => {
    const offers = [
      offer('a', '90'), // any operator: not a match for a chosen one
      offer('a', '100', { operator: 'mts', ref: 'a-mts' }),
      offer('b', '95', { operator: 'MTS', ref: 'b-mts' }),
      offer('b', '80', { operator: 'beeline', ref: 'b-beeline' }),
      offer('c', '70', { operator: 'tele2', ref: 'c-tele2', stock: 0 }),
      offer('d', '60', { operator: 'megafon', ref: 'd-megafon', country: 'TR' }),
    ];
    const rank = (operator: string | string[] | undefined, extra: { provider?: string } = {}) =>
      rankOffers(offers, {
        service: 'telegram',
        country: 'RU',
        health: (id) => ({ healthy: id !== 'e' }),
        ...(operator === undefined ? {} : { operator }),
        ...extra,
      });

    it("keeps only that operator's offers, case-insensitively", () => {
      expect(rank(' Mts ').offers.map((o) => o.ref)).toEqual(['b-mts', 'a-mts']);
      expect(rank('beeline').offers.map((o) => o.ref)).toEqual(['b-beeline']);
    });

    it('takes a list of operators, any of which will do', () => {
      expect(
        rankOffers(offers, {
          service: 'telegram',
          country: 'RU',
          operator: ['beeline', 'mts', 'nope'],
          health: () => ({ healthy: true }),
        }).offers.map((o) => o.ref),
      ).toEqual(['b-beeline', 'b-mts', 'a-mts']);
    });

    it('treats no operator, an empty one and "any" as no choice', () => {
      // a's mts offer gives way to its any-operator offer; b sells per operator only.
      for (const operator of [undefined, '', 'any', 'ANY']) {
        expect(rank(operator).offers.map((o) => o.ref)).toEqual(['b-beeline', 'a-ref', 'b-mts']);
      }
    });

    it('lists the operators of the service and country, whatever their stock', () => {
      expect(rank(undefined).knownOperators).toEqual(['beeline', 'mts', 'tele2']);
      expect(rank(undefined, { provider: 'a' }).knownOperators).toEqual(['mts']);
    });

    it('refuses an operator nobody has there as BAD_USER_INPUT, naming it', () => {
      const refuse = (operator: string | string[], extra: { provider?: string } = {}) => {
        try {
          requireRankedOffers(rank(operator, extra), {
            service: 'telegram',
            country: 'RU',
            operator,
            ...extra,
          });
        } catch (error) {
          return error;
        }
        throw new Error('expected a refusal');
      };
      const unknown = refuse('megafon'); // sold in TR only
      expect(unknown).toBeInstanceOf(UnknownOperator);
      expect(unknown).toBeInstanceOf(DomainError);
      expect(unknown).toMatchObject({ apiCode: 'BAD_USER_INPUT', code: 'UNKNOWN_OPERATOR' });
      expect((unknown as Error).message).toMatch(/"megafon".*telegram in RU.*beeline, mts, tele2/);
      // Known but out of stock is no numbers, not bad input.
      expect(refuse('tele2')).toBeInstanceOf(NoNumbersAvailable);
      expect(refuse(['nope', 'tele2'])).toBeInstanceOf(NoNumbersAvailable);
      expect((refuse(['nope', 'never']) as Error).message).toMatch(/"nope,never"/);
      // The forced provider has no such operator, though another has.
      const forced = refuse('beeline', { provider: 'a' });
      expect(forced).toBeInstanceOf(UnknownOperator);
      expect((forced as Error).message).toMatch(
        /provider a has no operator "beeline" for telegram in RU \(operators: mts\)/,
      );
    });
  });
});
