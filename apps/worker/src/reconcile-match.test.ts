import { describe, expect, it } from 'vitest';
import { matchOrphans, type Orphan } from './reconcile-match.js';
import type { OpenBuyAttempt } from './worker-store.js';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function attempt(orderId: string, seconds: number, extra: Partial<OpenBuyAttempt> = {}) {
  return {
    orderId,
    orderStatus: 'PENDING',
    service: 'telegram',
    country: 'RU',
    operator: null,
    startedAt: at(seconds),
    ...extra,
  } satisfies OpenBuyAttempt;
}

function orphan(ref: string, seconds: number | undefined, extra: Partial<Orphan> = {}): Orphan {
  return {
    upstreamRef: ref,
    state: 'waiting',
    messages: [],
    phoneNumber: `+7900${ref}`,
    service: 'telegram',
    country: 'RU',
    ...(seconds === undefined ? {} : { createdAt: at(seconds) }),
    ...extra,
  };
}

const refsOf = (matched: Map<string, Orphan>) =>
  Object.fromEntries([...matched].map(([order, o]) => [order, o.upstreamRef]));

describe('matchOrphans', () => {
  it('matches by the echoed idempotency key whatever else is listed', () => {
    const matched = matchOrphans(
      new Set(['a', 'b']),
      [attempt('a', 0), attempt('b', 0)],
      [orphan('1', 1, { idempotencyKey: 'b' }), orphan('2', 1, { idempotencyKey: 'a' })],
    );
    expect(refsOf(matched)).toEqual({ a: '2', b: '1' });
  });

  it("never gives a stuck order an activation that carries another order's key", () => {
    const matched = matchOrphans(
      new Set(['a']),
      [attempt('a', 0)],
      [orphan('1', 1, { idempotencyKey: 'someone-else' })],
    );
    expect(matched.size).toBe(0);
  });

  it('matches by product and time only when both sides have exactly one candidate', () => {
    expect(refsOf(matchOrphans(new Set(['a']), [attempt('a', 0)], [orphan('1', 2)]))).toEqual({
      a: '1',
    });
    // Two activations fit one attempt: neither is adopted.
    expect(
      matchOrphans(new Set(['a']), [attempt('a', 0)], [orphan('1', 2), orphan('2', 3)]).size,
    ).toBe(0);
    // One activation fits a stuck order and a buy still in flight: not adopted.
    expect(
      matchOrphans(new Set(['a']), [attempt('a', 0), attempt('b', 5)], [orphan('1', 6)]).size,
    ).toBe(0);
    // An order that ended without an activation competes too (its buy may have made it).
    expect(
      matchOrphans(
        new Set(['a']),
        [attempt('a', 0), attempt('c', 1, { orderStatus: 'FAILED' })],
        [orphan('1', 2)],
      ).size,
    ).toBe(0);
  });

  it('needs what the listing says: no service, country or time, no match', () => {
    const stuck = new Set(['a']);
    const attempts = [attempt('a', 0)];
    expect(matchOrphans(stuck, attempts, [orphan('1', undefined)]).size).toBe(0);
    expect(matchOrphans(stuck, attempts, [{ ...orphan('1', 1), service: undefined }]).size).toBe(0);
    expect(matchOrphans(stuck, attempts, [{ ...orphan('1', 1), country: undefined }]).size).toBe(0);
  });

  it('refuses another product, another operator, or a time outside the attempt', () => {
    const stuck = new Set(['a']);
    const attempts = [attempt('a', 100, { operator: 'mts' })];
    expect(matchOrphans(stuck, attempts, [orphan('1', 101, { service: 'whatsapp' })]).size).toBe(0);
    expect(matchOrphans(stuck, attempts, [orphan('1', 101, { country: 'KZ' })]).size).toBe(0);
    expect(matchOrphans(stuck, attempts, [orphan('1', 101, { operator: 'beeline' })]).size).toBe(0);
    expect(matchOrphans(stuck, attempts, [orphan('1', 80)]).size).toBe(0);
    expect(matchOrphans(stuck, attempts, [orphan('1', 200)]).size).toBe(0);
    expect(matchOrphans(stuck, attempts, [orphan('1', 101, { operator: 'mts' })]).size).toBe(1);
    // The listing names no operator: product and time decide.
    expect(matchOrphans(stuck, attempts, [orphan('1', 95)]).size).toBe(1);
  });

  it('resolves several stuck orders that their attempts tell apart', () => {
    const matched = matchOrphans(
      new Set(['a', 'b', 'c']),
      [attempt('a', 0), attempt('b', 0, { service: 'whatsapp' }), attempt('c', 300)],
      [orphan('1', 301), orphan('2', 1, { service: 'whatsapp' }), orphan('3', 2)],
    );
    expect(refsOf(matched)).toEqual({ a: '3', b: '2', c: '1' });
  });
});
