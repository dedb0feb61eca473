import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { startEndpoint, type EndpointHarness } from './test-support/endpoint-harness.js';

describe('SMS-Activate endpoint: getNumber&operator= is buyNumber(operator:)', () => {
  let h: EndpointHarness;
  let upstream: ScriptedAdapter;
  let key: string;

  beforeAll(async () => {
    upstream = new ScriptedAdapter('upstream-a');
    h = await startEndpoint({ adapters: [upstream] });
    await h.t.stockOffers('upstream-a', [
      { service: 'telegram', country: 'RU', cost: '15000', ref: 'tg-any' },
      { service: 'telegram', country: 'RU', cost: '17000', ref: 'tg-mts', operator: 'mts' },
      {
        service: 'telegram',
        country: 'RU',
        cost: '16000',
        ref: 'tg-bee',
        operator: 'beeline',
        stock: 0,
      },
    ]);
    ({ apiKey: key } = await h.t.createFundedUser('bot', '100000'));
  });
  afterAll(async () => {
    await h.close();
  });

  const getNumber = (extra: Record<string, string>, action = 'getNumber') =>
    h.get({ api_key: key, action, service: 'tg', country: '0', ...extra });
  const lastBuy = () => upstream.calls.filter((c) => c.operation === 'buy').at(-1);

  it('buys only that operator, and names it in getNumberV2', async () => {
    const answer = await getNumber({ operator: 'MTS' });
    expect(answer.body).toMatch(/^ACCESS_NUMBER:\d+:\d+$/);
    expect(lastBuy()).toEqual({ operation: 'buy', ref: 'tg-mts', operator: 'mts' });
    const v2 = await getNumber({ operator: 'mts' }, 'getNumberV2');
    expect(JSON.parse(v2.body)).toMatchObject({ activationOperator: 'mts' });
  });

  it('takes a comma list (any of them), and "any" as no choice', async () => {
    expect((await getNumber({ operator: 'tele2, mts' })).body).toMatch(/^ACCESS_NUMBER:/);
    expect(lastBuy()?.ref).toBe('tg-mts');
    expect((await getNumber({ operator: 'any' })).body).toMatch(/^ACCESS_NUMBER:/);
    expect(lastBuy()?.ref).toBe('tg-any');
    expect((await getNumber({ operator: '' })).body).toMatch(/^ACCESS_NUMBER:/);
    expect(lastBuy()?.ref).toBe('tg-any');
  });

  it('refuses an operator nobody has there (BAD_DATA) and one without stock (NO_NUMBERS), buying nothing', async () => {
    const before = upstream.calls.length;
    expect((await getNumber({ operator: 'tele2' })).body).toBe('BAD_DATA');
    expect((await getNumber({ operator: 'beeline' })).body).toBe('NO_NUMBERS');
    expect(upstream.calls.length).toBe(before);
  });

  it("counts one provider's overlapping offers (any-operator and per-operator) once in getPrices", async () => {
    const prices = await h.get({ api_key: key, action: 'getPrices', service: 'tg', country: '0' });
    // tg-any and tg-mts are the same numbers (10 each by default): 10, not 20.
    expect(JSON.parse(prices.body)).toMatchObject({ 0: { tg: { count: 10 } } });
  });
});
