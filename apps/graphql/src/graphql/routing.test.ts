import type { OrderCommand } from '@numbroker/core';
import { NoNumbers } from '@numbroker/providers';
import type { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

const BUY = `mutation($input: BuyNumberInput!) {
  buyNumber(input: $input) { id status provider price { amount } }
}`;
const PROVIDERS = '{ providers { id codeRate codeRateSamples } }';
const TELEGRAM_RU = { input: { service: 'telegram', country: 'RU' } };
// A fresh upstream activation per purchase: (provider, ref) is unique.
let refs = 0;
const purchased = (): OrderCommand => ({
  type: 'PURCHASED',
  phoneNumber: '+79001234567',
  upstreamRef: `x-${++refs}`,
});

type Bought = { buyNumber: { status: string; provider: string; price: { amount: string } } };

/** A counter's value for some labels (0 when never incremented). */
async function valueOf(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  const match = values.find((value) =>
    Object.entries(labels).every(([key, label]) => value.labels[key] === label),
  );
  return match?.value ?? 0;
}

describe('routing that learns, over HTTP', () => {
  let t: TestServer;
  let alpha: ScriptedAdapter;
  let beta: ScriptedAdapter;
  afterEach(async () => {
    await t.close();
  });

  /** Markup 10 %, rounded up to 100 (the test server's policy): cost 1000 sells for 1100. */
  async function setup(options: {
    betaCost: string;
    config?: Record<string, unknown>;
    random?: () => number;
  }) {
    alpha = new ScriptedAdapter('alpha');
    beta = new ScriptedAdapter('beta');
    t = await startTestServer({
      adapters: [alpha, beta],
      ...(options.config ? { config: options.config } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    await t.stockOffers('alpha', [{ service: 'telegram', country: 'RU', cost: '1000' }]);
    await t.stockOffers('beta', [{ service: 'telegram', country: 'RU', cost: options.betaCost }]);
  }

  /** Orders of a provider that ended just now: `codes` with a code, the rest expired. */
  async function history(providerId: string, ended: number, codes: number) {
    const user = await t.createFundedUser(`history-${providerId}`, '100000');
    for (let index = 0; index < ended; index += 1) {
      const { order } = await t.store.orders.createPendingOrder({
        userId: user.id,
        service: 'telegram',
        country: 'RU',
        providerId,
        priceMinor: 100n,
        currency: 'IRT',
        ttlSeconds: 600,
      });
      await t.store.orders.applyOrderCommand(order.id, purchased());
      await t.store.orders.applyOrderCommand(
        order.id,
        index < codes ? { type: 'CODE_RECEIVED' } : { type: 'EXPIRE' },
        index < codes ? { sms: { code: '1', text: 'code 1' } } : {},
      );
    }
    await t.server.deps.codeRates.refresh();
  }

  it('Provider.codeRate: the share of ended orders with a code, and how many', async () => {
    await setup({ betaCost: '1000' });
    expect((await t.request(PROVIDERS)).data).toEqual({
      providers: [
        { id: 'alpha', codeRate: null, codeRateSamples: 0 },
        { id: 'beta', codeRate: null, codeRateSamples: 0 },
      ],
    });
    await history('alpha', 4, 3);
    expect((await t.request(PROVIDERS)).data).toEqual({
      providers: [
        { id: 'alpha', codeRate: 0.75, codeRateSamples: 4 },
        { id: 'beta', codeRate: null, codeRateSamples: 0 },
      ],
    });
  });

  it('at equal prices a provider whose codes arrive more often is tried first', async () => {
    await setup({ betaCost: '1000', config: { routing: { explorationShare: 0, minSamples: 3 } } });
    await history('alpha', 3, 0);
    await history('beta', 3, 3);
    const user = await t.createFundedUser('ann', '5000');
    const bought = await t.request<Bought>(BUY, TELEGRAM_RU, user.apiKey);
    expect(bought.data?.buyNumber.provider).toBe('beta');
    expect(alpha.calls).toHaveLength(0);
  });

  it('explores: a drawn share of purchases goes to another provider first, at the held price', async () => {
    // beta's cost 1050 is within alpha's price 1100: exploring it loses nothing, gives up 100.
    const draws = [0.01, 0];
    await setup({
      betaCost: '1050',
      config: { routing: { explorationShare: 0.05 } },
      random: () => draws.shift() ?? 0.99,
    });
    const user = await t.createFundedUser('bob', '5000');
    const explored = await t.request<Bought>(BUY, TELEGRAM_RU, user.apiKey);
    expect(explored.data?.buyNumber).toMatchObject({ provider: 'beta', price: { amount: '1100' } });
    const metrics = t.server.metrics;
    expect(await valueOf(metrics.routingExplorations, { provider: 'beta' })).toBe(1);
    expect(
      await valueOf(metrics.failoverMarginGivenUp, { currency: 'IRT', provider: 'beta' }),
    ).toBe(100);
    const usual = await t.request<Bought>(BUY, TELEGRAM_RU, user.apiKey);
    expect(usual.data?.buyNumber.provider).toBe('alpha');
  });

  describe('failover onto a provider whose cost is above the held price', () => {
    // alpha sells at 1100 and has no numbers; beta costs 1500 (sells at 1700).
    async function buyWithLossLimit(maxFailoverLoss: number | undefined) {
      await setup({
        betaCost: '1500',
        config:
          maxFailoverLoss === undefined
            ? {}
            : { pricing: { markupPercent: '10', roundTo: '100', maxFailoverLoss } },
      });
      alpha.scriptBuys(new NoNumbers('none', { providerId: 'alpha', operation: 'buy' }));
      const user = await t.createFundedUser('cid', '5000');
      return { user, bought: await t.request<Bought>(BUY, TELEGRAM_RU, user.apiKey) };
    }

    it('by default (loss 0) is skipped: the buy answers NO_NUMBERS, beta is never asked', async () => {
      const { user, bought } = await buyWithLossLimit(undefined);
      expect(bought.errors?.[0]?.extensions?.code).toBe('NO_NUMBERS');
      expect(beta.calls).toHaveLength(0);
      expect(await valueOf(t.server.metrics.failoverSkipped, { provider: 'beta' })).toBe(1);
      const me = await t.request<{ me: { balance: { amount: string }; held: { amount: string } } }>(
        '{ me { balance { amount } held { amount } } }',
        {},
        user.apiKey,
      );
      expect(me.data?.me).toEqual({ balance: { amount: '5000' }, held: { amount: '0' } });
    });

    it('one unit short of the difference is still skipped', async () => {
      const { bought } = await buyWithLossLimit(399);
      expect(bought.errors?.[0]?.extensions?.code).toBe('NO_NUMBERS');
      expect(beta.calls).toHaveLength(0);
    });

    it('within maxFailoverLoss proceeds at the held price and counts what was given up', async () => {
      const { bought } = await buyWithLossLimit(400);
      expect(bought.errors).toBeUndefined();
      expect(bought.data?.buyNumber).toMatchObject({
        status: 'ACTIVE',
        provider: 'beta',
        price: { amount: '1100' },
      });
      const labels = { currency: 'IRT', provider: 'beta' };
      // Cost 1500 − held 1100; beta's own price 1700 − 1100.
      expect(await valueOf(t.server.metrics.failoverLoss, labels)).toBe(400);
      expect(await valueOf(t.server.metrics.failoverMarginGivenUp, labels)).toBe(600);
      const scrape = await t.server.metrics.registry.metrics();
      expect(scrape).toContain(
        'numbroker_failover_margin_given_up_minor_total{currency="IRT",provider="beta"} 600',
      );
    });
  });
});
