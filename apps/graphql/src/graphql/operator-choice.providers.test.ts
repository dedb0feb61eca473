/**
 * Operator choice over real adapters and their simulators (5sim, Shomare, SMS-Activate): the
 * catalog each syncs names its operators, routing keeps only the chosen one's offers, and each
 * adapter sends it upstream in its own protocol.
 */
import {
  createAdapter,
  createSimulator,
  type ProviderAdapter,
  type ProviderKind,
  type ProviderSimulator,
} from '@numbroker/providers';
import type { CurrencyCode } from '@numbroker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

const BUY = `mutation($input: BuyNumberInput!) {
  buyNumber(input: $input) { status provider operator price { amount } }
}`;

const ACCOUNTS: Array<{ id: string; kind: ProviderKind; currency: CurrencyCode }> = [
  { id: 'five', kind: 'fivesim', currency: 'USD' },
  { id: 'shom', kind: 'shomare', currency: 'IRT' },
  { id: 'sa', kind: 'smsactivate', currency: 'RUB' },
];

describe('operator choice across upstream protocols', () => {
  let t: TestServer;
  let key: string;
  const sims = new Map<string, ProviderSimulator>();

  beforeAll(async () => {
    const adapters: ProviderAdapter[] = [];
    for (const account of ACCOUNTS) {
      const sim = createSimulator(account.kind);
      await sim.start();
      sims.set(account.id, sim);
      adapters.push(
        createAdapter(
          { ...account, baseUrl: sim.baseUrl, apiKey: sim.apiKey, timeoutMs: 5000 },
          { maxRetries: 0 },
        ),
      );
    }
    // 5sim's MTS numbers for Telegram in Russia: 0.20 USD (none in stock by default).
    sims.get('five')!.setOffer({
      service: 'telegram',
      country: 'RU',
      operator: 'mts',
      cost: '0.20',
      stock: 5,
    });
    t = await startTestServer({
      adapters,
      config: { exchangeRates: { RUB: '1200', USD: '95000' } },
    });
    // The worker's catalog sync, in one step per provider.
    for (const adapter of adapters) {
      await t.store.offers.replaceProviderOffers(adapter.id, await adapter.catalog());
    }
    ({ apiKey: key } = await t.createFundedUser('op', '1000000'));
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([...sims.values()].map((sim) => sim.stop()));
  });

  const buy = (input: Record<string, unknown>) =>
    t.request<{ buyNumber: { provider: string; operator: string | null } }>(
      BUY,
      { input: { service: 'telegram', country: 'RU', ...input } },
      key,
    );
  const lastRequest = (id: string) => sims.get(id)!.requests.at(-1)!;

  it('buys the cheapest offer of that operator: SMS-Activate with operator=mts', async () => {
    // MTS sells at 16500 (SMS-Activate 12.50 RUB), 21000 (5sim 0.20 USD), 30300 (Shomare).
    const bought = await buy({ operator: 'mts' });
    expect(bought.errors).toBeUndefined();
    expect(bought.data?.buyNumber).toMatchObject({ provider: 'sa', operator: 'mts' });
    const url = new URL(lastRequest('sa').url, 'http://x');
    // getNumberV2 where the host has it (it does), else getNumber: either takes operator=.
    expect(url.searchParams.get('action')).toMatch(/^getNumber(V2)?$/);
    expect(url.searchParams.get('operator')).toBe('mts');
  });

  it('5sim: the operator in the buy path, without maxPrice', async () => {
    const bought = await buy({ operator: 'MTS', provider: 'five' });
    expect(bought.data?.buyNumber).toMatchObject({ provider: 'five', operator: 'mts' });
    expect(lastRequest('five').url).toBe('/v1/user/buy/activation/russia/mts/telegram');
  });

  it("Shomare: the operator's own id", async () => {
    const bought = await buy({ operator: 'mts', provider: 'shom' });
    expect(bought.data?.buyNumber).toMatchObject({ provider: 'shom', operator: 'mts' });
    const request = lastRequest('shom');
    expect(request.url + request.body).toMatch(/operator=12/);
  });

  it('refuses an operator nobody has there, or the forced provider lacks, buying nothing', async () => {
    const before = [...sims.values()].map((sim) => sim.requests.length);
    const nobody = await buy({ operator: 'verizon' }); // SMS-Activate has it in the US only
    expect(nobody.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const lacking = await buy({ operator: 'megafon', provider: 'shom' });
    expect(lacking.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(lacking.errors?.[0]?.message).toMatch(/provider shom has no operator "megafon"/);
    expect([...sims.values()].map((sim) => sim.requests.length)).toEqual(before);
  });
});
