import { describe, expect, it } from 'vitest';
import { Money } from '../money/index.js';
import { planPurchase, type PurchasePolicy, type RankedOffer } from './index.js';

const irt = (amount: string) => Money.parse(amount, 'IRT');
const offer = (providerId: string, price: string, cost: Money | undefined): RankedOffer => ({
  providerId,
  service: 'telegram',
  country: 'RU',
  price: irt(price),
  ...(cost ? { cost } : {}),
  stock: 5,
  ref: `${providerId}-ref`,
  rank: 0,
  codeRate: 0.5,
  codeRateTrusted: false,
});
const policy = (extra: Partial<PurchasePolicy> = {}): PurchasePolicy => ({
  maxAttempts: 5,
  maxFailoverLossMinor: 0n,
  exchangeRates: { RUB: '10' },
  explorationShare: 0,
  random: () => {
    throw new Error('no exploration asked: random must not be drawn');
  },
  ...extra,
});
const ids = (attempts: { offer: RankedOffer }[]) => attempts.map((a) => a.offer.providerId);

// Markup 20%: a sells at 120 (cost 100), b at 132 (cost 11 RUB = 110), c at 144 (cost 120).
const ranked = [
  offer('a', '120', irt('100')),
  offer('b', '132', Money.parse('11', 'RUB')),
  offer('c', '144', irt('120')),
  offer('d', '150', irt('130')),
];

describe('planPurchase', () => {
  it('holds the best price and skips offers that would sell below cost', () => {
    const plan = planPurchase(ranked, policy());
    expect(plan.held.format()).toBe('120');
    expect(ids(plan.attempts)).toEqual(['a', 'b', 'c']);
    expect(plan.attempts.map((a) => [a.marginGivenUp.format(), a.loss.format()])).toEqual([
      ['0', '0'],
      ['12', '0'],
      ['24', '0'],
    ]);
    expect(plan.skipped.map((a) => [a.offer.providerId, a.loss.format()])).toEqual([['d', '10']]);
    expect(plan.explored).toBeUndefined();
  });

  it('lets an offer lose up to maxFailoverLoss, not a unit more', () => {
    expect(ids(planPurchase(ranked, policy({ maxFailoverLossMinor: 9n })).attempts)).not.toContain(
      'd',
    );
    const plan = planPurchase(ranked, policy({ maxFailoverLossMinor: 10n }));
    expect(ids(plan.attempts)).toEqual(['a', 'b', 'c', 'd']);
    expect(plan.attempts[3]?.loss.format()).toBe('10');
    expect(plan.skipped).toEqual([]);
  });

  it('without a known cost (or a rate for it) the sell price stands in for it', () => {
    const plan = planPurchase(
      [
        offer('a', '120', irt('100')),
        offer('x', '121', undefined),
        offer('y', '125', Money.parse('1', 'USD')),
      ],
      policy({ maxFailoverLossMinor: 1n }),
    );
    expect(ids(plan.attempts)).toEqual(['a', 'x']);
    expect(plan.skipped.map((a) => a.loss.format())).toEqual(['5']);
  });

  it('keeps at most maxAttempts', () => {
    expect(ids(planPurchase(ranked, policy({ maxAttempts: 2 })).attempts)).toEqual(['a', 'b']);
  });

  it('explores: for the drawn share, another provider, drawn uniformly, goes first', () => {
    const draws = (...values: number[]) => {
      const queue = [...values];
      return () => queue.shift() ?? Number.NaN;
    };
    const share = { explorationShare: 0.05 };
    // 0.05 is not below the share: the best goes first.
    expect(ids(planPurchase(ranked, policy({ ...share, random: draws(0.05) })).attempts)).toEqual([
      'a',
      'b',
      'c',
    ]);
    // Below it: the second draw picks among b and c (d is skipped, never explored).
    const low = planPurchase(ranked, policy({ ...share, random: draws(0.01, 0.2) }));
    expect(ids(low.attempts)).toEqual(['b', 'a', 'c']);
    expect(low.explored).toBe('b');
    expect(low.held.format()).toBe('120');
    const high = planPurchase(ranked, policy({ ...share, random: draws(0.049, 0.99) }));
    expect(ids(high.attempts)).toEqual(['c', 'a', 'b']);
    expect(high.explored).toBe('c');
  });

  it('over many purchases explores about the share asked, and every other provider', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const first = new Map<string, number>();
    for (let n = 0; n < 10_000; n++) {
      const plan = planPurchase(ranked, policy({ explorationShare: 0.1, random }));
      const id = plan.attempts[0]!.offer.providerId;
      first.set(id, (first.get(id) ?? 0) + 1);
    }
    expect(first.get('a')).toBeGreaterThan(8800);
    expect(first.get('a')).toBeLessThan(9200);
    expect(first.get('b')).toBeGreaterThan(350);
    expect(first.get('c')).toBeGreaterThan(350);
    expect(first.has('d')).toBe(false);
  });

  it('one provider only, or a share of 0: nothing to explore, no draw', () => {
    const same = [offer('a', '120', irt('100')), { ...offer('a', '130', irt('105')), ref: 'a2' }];
    expect(ids(planPurchase(same, policy({ explorationShare: 1 })).attempts)).toEqual(['a', 'a']);
    expect(ids(planPurchase(ranked, policy()).attempts)[0]).toBe('a');
  });

  it('refuses nonsense', () => {
    expect(() => planPurchase([], policy())).toThrow(RangeError);
    expect(() => planPurchase(ranked, policy({ explorationShare: 2 }))).toThrow(/explorationShare/);
  });
});
