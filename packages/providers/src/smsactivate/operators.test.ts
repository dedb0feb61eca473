import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderAccount } from '../adapter.js';
import { NoNumbers } from '../errors.js';
import type { SimReply, SimRequest } from '../simulator/harness.js';
import { SmsActivateAdapter } from './adapter.js';
import { operatorsByCountry } from './operators.js';
import { SmsActivateSimulator } from './simulator.js';

describe('SMS-Activate getOperators answers', () => {
  it('reads every plausible shape, and drops "any"', () => {
    const expected = new Map([['0', ['beeline', 'mts']]]);
    expect(
      operatorsByCountry({ status: 'success', countryOperators: { 0: ['any', 'beeline', 'mts'] } }),
    ).toEqual(expected);
    expect(operatorsByCountry({ countryOperators: { 0: ['beeline', 'mts'] } })).toEqual(expected);
    expect(operatorsByCountry({ 0: ['beeline', 'mts', 'mts', 7, 'bad name'] })).toEqual(expected);
  });

  it('reads an error or another shape as no operators', () => {
    expect(operatorsByCountry({ status: 'error', error: 'OPERATORS_NOT_FOUND' })).toBeNull();
    expect(operatorsByCountry('BAD_ACTION')).toBeNull();
    expect(operatorsByCountry([['mts']])).toBeNull();
  });
});

/** A host without getOperators (SMSHub-style): BAD_ACTION. */
class NoOperatorsSimulator extends SmsActivateSimulator {
  protected override handle(req: SimRequest): SimReply {
    if (req.query.get('action') === 'getOperators') return { status: 200, text: 'BAD_ACTION' };
    return super.handle(req);
  }
}

describe('SMS-Activate adapter: operator choice', () => {
  let sim: SmsActivateSimulator;
  afterEach(async () => {
    await sim.stop();
  });
  const adapterFor = (s: SmsActivateSimulator): SmsActivateAdapter => {
    const account: ProviderAccount = {
      id: 'sa',
      kind: 'smsactivate',
      baseUrl: s.baseUrl,
      apiKey: s.apiKey,
      currency: 'RUB',
      timeoutMs: 3000,
    };
    return new SmsActivateAdapter(account, { maxRetries: 0 });
  };

  it("lists each country's operators as offers of the same product and buys with operator=", async () => {
    sim = new SmsActivateSimulator();
    await sim.start();
    const adapter = adapterFor(sim);
    const offers = (await adapter.catalog()).filter(
      (o) => o.service === 'telegram' && o.country === 'RU',
    );
    expect(offers.map((o) => [o.operator ?? 'any', o.cost.format(), o.ref])).toEqual([
      ['any', '12.50', '0:tg'],
      ['beeline', '12.50', '0:tg'],
      ['megafon', '12.50', '0:tg'],
      ['mts', '12.50', '0:tg'],
      ['tele2', '12.50', '0:tg'],
    ]);
    await adapter.buy({ service: 'telegram', country: 'RU', operator: 'mts', ref: '0:tg' });
    expect(new URL(sim.requests.at(-1)!.url, 'http://x').searchParams.get('operator')).toBe('mts');
    // An operator the country does not have: the host has no numbers of it.
    await expect(
      adapter.buy({ service: 'telegram', country: 'RU', operator: 'verizon', ref: '0:tg' }),
    ).rejects.toBeInstanceOf(NoNumbers);
  });

  it('keeps the catalog when the host has no getOperators, and stops asking', async () => {
    sim = new NoOperatorsSimulator();
    await sim.start();
    const adapter = adapterFor(sim);
    const first = await adapter.catalog();
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((o) => o.operator === undefined)).toBe(true);
    await adapter.catalog();
    const asked = sim.requests.filter((r) => r.url.includes('action=getOperators'));
    expect(asked).toHaveLength(1);
  });

  it('keeps the catalog through a fault of getOperators, and asks again next time', async () => {
    sim = new SmsActivateSimulator();
    await sim.start();
    const adapter = adapterFor(sim);
    sim.injectFault({ kind: 'http500', match: 'action=getOperators' });
    const first = await adapter.catalog();
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((o) => o.operator === undefined)).toBe(true);
    const second = await adapter.catalog();
    expect(second.some((o) => o.operator === 'mts')).toBe(true);
  });
});
