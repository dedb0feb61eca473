import { Money } from '@numbroker/core';
import { providerUsable, type Store } from '@numbroker/store';
import { useHarnessSuite } from './test-support/harness-suite.js';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@numbroker/store/testing';

describe.each(DATABASE_KINDS)('catalog pass on %s', (kind) => {
  let store: Store;
  const harness = useHarnessSuite(kind, (opened) => {
    store = opened;
  });

  it('upserts the offers and records the balance', async () => {
    const h = await harness();
    await h.catalogPass();
    const offers = await store.offers.offersOf([h.providerId]);
    const telegram = offers.find((o) => o.service === 'telegram' && o.country === 'RU');
    expect(telegram).toMatchObject({ cost: Money.ofMinor(1250n, 'RUB'), stock: 100 });
    expect(offers.length).toBeGreaterThanOrEqual(5);
    expect(await store.providers.get(h.providerId)).toMatchObject({
      healthy: true,
      consecutiveFailures: 0,
      balance: Money.ofMinor(100_000n, 'RUB'),
    });

    // The next sync updates in place and drops what the provider no longer lists.
    h.sim.setOffer({ service: 'telegram', country: 'RU', cost: '13.00', stock: 7 });
    h.clock.advance(60_000);
    await h.catalogPass();
    const again = await store.offers.offersOf([h.providerId]);
    expect(again).toHaveLength(offers.length);
    expect(again.find((o) => o.service === 'telegram' && o.country === 'RU')).toMatchObject({
      ref: telegram!.ref,
      cost: Money.ofMinor(1300n, 'RUB'),
      stock: 7,
    });
  });

  it('opens the breaker after consecutive failures, probes after its open period, closes on success', async () => {
    const h = await harness({ breaker: { threshold: 3, openMs: 30_000 } });
    h.sim.injectFault({ kind: 'html502', times: 4, match: 'getPrices' });

    for (let i = 1; i <= 3; i++) {
      await h.catalogPass();
      const state = await store.providers.get(h.providerId);
      expect(state).toMatchObject({ consecutiveFailures: i, healthy: i < 3 });
      h.clock.advance(1000);
    }
    let state = await store.providers.get(h.providerId);
    expect(state?.lastError).toMatch(/^UNAVAILABLE/);
    expect(providerUsable(state, h.clock.now())).toBe(false);

    // Open: no probe at all.
    const before = h.sim.requests.length;
    await h.catalogPass();
    expect(h.sim.requests.length).toBe(before);

    // Half-open: the probe fails and re-opens it.
    h.clock.advance(30_000);
    await h.catalogPass();
    expect(h.sim.requests.length).toBe(before + 1);
    state = await store.providers.get(h.providerId);
    expect(state).toMatchObject({ healthy: false, consecutiveFailures: 4 });
    expect(providerUsable(state, h.clock.now())).toBe(false);

    // The next probe succeeds: closed.
    h.clock.advance(30_000);
    await h.catalogPass();
    state = await store.providers.get(h.providerId);
    expect(state).toMatchObject({ healthy: true, consecutiveFailures: 0, lastError: null });
    expect(providerUsable(state, h.clock.now())).toBe(true);
    expect((await store.offers.offersOf([h.providerId])).length).toBeGreaterThan(0);
  });
});
