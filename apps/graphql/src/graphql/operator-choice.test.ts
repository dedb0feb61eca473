import { NoNumbers } from '@numbroker/providers';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

const BUY = `mutation($input: BuyNumberInput!) {
  buyNumber(input: $input) { id status provider operator price { amount } }
}`;
const ME = '{ me { balance { amount } held { amount } } }';

type Order = {
  id: string;
  status: string;
  provider: string;
  operator: string | null;
  price: { amount: string };
};

describe('buyNumber(operator:)', () => {
  let t: TestServer;
  let alpha: ScriptedAdapter;
  let beta: ScriptedAdapter;
  afterEach(async () => {
    await t.close();
  });

  /** Sell prices (+10 %, rounded up to 100): 1000 → 1100, 1100 → 1300, 1200 → 1400, 900 → 1000. */
  async function setup() {
    alpha = new ScriptedAdapter('alpha');
    beta = new ScriptedAdapter('beta');
    t = await startTestServer({ adapters: [alpha, beta] });
    await t.stockOffers('alpha', [
      { service: 'telegram', country: 'RU', cost: '1000', ref: 'alpha-any' },
      { service: 'telegram', country: 'RU', cost: '1200', ref: 'alpha-mts', operator: 'mts' },
      { service: 'telegram', country: 'TR', cost: '500', ref: 'alpha-tr', operator: 'tele2' },
    ]);
    await t.stockOffers('beta', [
      { service: 'telegram', country: 'RU', cost: '1100', ref: 'beta-mts', operator: 'MTS' },
      {
        service: 'telegram',
        country: 'RU',
        cost: '900',
        ref: 'beta-bee',
        operator: 'beeline',
        stock: 0,
      },
    ]);
    return t.createFundedUser('olga', '5000');
  }
  const buys = (adapter: ScriptedAdapter) => adapter.calls.filter((c) => c.operation === 'buy');
  const buy = (apiKey: string, input: Record<string, unknown>) =>
    t.request<{ buyNumber: Order }>(
      BUY,
      { input: { service: 'telegram', country: 'RU', ...input } },
      apiKey,
    );

  it("buys only that operator's numbers, cheapest first, and passes the operator upstream", async () => {
    const user = await setup();
    const bought = await buy(user.apiKey, { operator: 'mts' });
    expect(bought.errors).toBeUndefined();
    expect(bought.data?.buyNumber).toMatchObject({
      status: 'ACTIVE',
      provider: 'beta',
      operator: 'MTS',
      price: { amount: '1300' },
    });
    expect(buys(beta)).toEqual([{ operation: 'buy', ref: 'beta-mts', operator: 'MTS' }]);
    expect(buys(alpha)).toEqual([]);
  });

  it('without an operator, or with "any", buys the cheapest of every operator', async () => {
    const user = await setup();
    for (const input of [{}, { operator: 'any' }, { operator: null }]) {
      const bought = await buy(user.apiKey, input);
      expect(bought.data?.buyNumber).toMatchObject({
        provider: 'alpha',
        operator: null,
        price: { amount: '1100' },
      });
    }
    expect(buys(alpha).map((c) => c.ref)).toEqual(['alpha-any', 'alpha-any', 'alpha-any']);
  });

  it('fails over only to offers of the same operator', async () => {
    const user = await setup();
    beta.scriptBuys(new NoNumbers('none', { providerId: 'beta', operation: 'buy' }));
    const bought = await buy(user.apiKey, { operator: 'MTS' });
    expect(bought.data?.buyNumber).toMatchObject({ provider: 'alpha', operator: 'mts' });
    expect(buys(alpha).map((c) => c.ref)).toEqual(['alpha-mts']);
  });

  it('refuses an operator no provider has there with BAD_USER_INPUT, before any hold or buy', async () => {
    const user = await setup();
    const unknown = await buy(user.apiKey, { operator: 'tele2' }); // sold in TR only
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.message).toMatch(/"tele2".*telegram in RU.*beeline, mts/);
    const forced = await buy(user.apiKey, { operator: 'mts', provider: 'beta' });
    expect(forced.errors).toBeUndefined();
    const notThere = await buy(user.apiKey, { operator: 'beeline', provider: 'alpha' });
    expect(notThere.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(notThere.errors?.[0]?.message).toMatch(/provider alpha has no operator "beeline"/);
    const garbage = await buy(user.apiKey, { operator: 'm\u0000ts' });
    expect(garbage.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(buys(alpha)).toEqual([]);
    const orders = await t.request<{ orders: { nodes: unknown[] } }>(
      '{ orders { nodes { id } } }',
      {},
      user.apiKey,
    );
    expect(orders.data?.orders.nodes).toHaveLength(1); // only the forced beta purchase
  });

  it('answers NO_NUMBERS for a known operator without stock, and releases nothing it did not hold', async () => {
    const user = await setup();
    const empty = await buy(user.apiKey, { operator: 'beeline' });
    expect(empty.errors?.[0]?.extensions?.code).toBe('NO_NUMBERS');
    const me = await t.request<{ me: unknown }>(ME, {}, user.apiKey);
    expect(me.data?.me).toEqual({ balance: { amount: '5000' }, held: { amount: '0' } });
    expect([...buys(alpha), ...buys(beta)]).toEqual([]);
  });
});
