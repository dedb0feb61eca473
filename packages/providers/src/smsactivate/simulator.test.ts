import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as examples from './fixtures/documented-examples.js';
import { SmsActivateSimulator, type SmsActivateSimulatorOptions } from './simulator.js';

/** A simulator whose clock the test moves. */
class ClockedSimulator extends SmsActivateSimulator {
  clock = Date.parse('2025-01-01T00:00:00Z');
  protected override now(): number {
    return this.clock;
  }
}

/** Digits become N: two answers of the same shape compare equal. */
const shape = (text: string) => text.replace(/\d+(?:\.\d+)?/g, 'N');

describe('SmsActivateSimulator answers like the documented examples', () => {
  let sim: ClockedSimulator;
  const start = async (options: SmsActivateSimulatorOptions = {}) => {
    sim = new ClockedSimulator(options);
    await sim.start();
  };
  const call = async (params: Record<string, string>, method: 'GET' | 'POST' = 'GET') => {
    const query = new URLSearchParams({ api_key: sim.apiKey, ...params });
    const res =
      method === 'GET'
        ? await fetch(`${sim.baseUrl}?${query.toString()}`)
        : await fetch(sim.baseUrl, {
            method: 'POST',
            body: query.toString(),
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          });
    expect(res.status).toBe(200);
    return res.text();
  };
  const buy = async (params: Record<string, string> = {}) => {
    const text = await call({ action: 'getNumber', service: 'tg', country: '0', ...params });
    return text.split(':')[1]!;
  };

  beforeEach(async () => {
    await start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('serves at /stubs/handler_api.php, GET and POST alike', async () => {
    expect(sim.baseUrl).toMatch(/\/stubs\/handler_api\.php$/);
    expect(shape(await call({ action: 'getBalance' }))).toBe(shape(examples.BALANCE.body));
    expect(shape(await call({ action: 'getBalance' }, 'POST'))).toBe(shape(examples.BALANCE.body));
  });

  it('sells a number, charging the balance, in the documented shapes', async () => {
    sim.setBalance('100.00');
    expect(shape(await call({ action: 'getNumber', service: 'tg', country: '0' }))).toBe(
      shape(examples.NUMBER.body),
    );
    expect(await call({ action: 'getBalance' })).toBe('ACCESS_BALANCE:87.50');
    const v2 = JSON.parse(
      await call({ action: 'getNumberV2', service: 'tg', country: '0' }),
    ) as Record<string, unknown>;
    const documented = JSON.parse(examples.NUMBER_V2.body) as Record<string, unknown>;
    expect(Object.keys(v2).sort()).toEqual(Object.keys(documented).sort());
    expect(v2.activationCost).toBe(12.5);
  });

  it('answers getPrices in the documented nesting with exact number literals', async () => {
    const text = await call({ action: 'getPrices', service: 'tg', country: '0' });
    expect(text).toBe('{"0":{"tg":{"cost":12.5,"count":100,"physicalCount":50}}}');
    const all = JSON.parse(await call({ action: 'getPrices' })) as Record<
      string,
      Record<string, object>
    >;
    const documented = JSON.parse(examples.PRICES.body) as Record<string, Record<string, object>>;
    expect(Object.keys(all['0']!.tg!)).toEqual(Object.keys(documented['0']!.tg!));
    expect(Object.keys(all)).toContain('22');
  });

  it('walks getStatus and setStatus through the documented answers', async () => {
    const id = await buy();
    const status = () => call({ action: 'getStatus', id });
    const setStatus = (value: 1 | 3 | 6 | 8) =>
      call({ action: 'setStatus', id, status: String(value) });
    expect(await status()).toBe('STATUS_WAIT_CODE');
    expect(await setStatus(1)).toBe(examples.SET_STATUS_ANSWERS[1]);
    sim.deliverSms(id, 'Telegram code 12345');
    expect(await status()).toBe('STATUS_OK:12345');
    expect(await setStatus(3)).toBe(examples.SET_STATUS_ANSWERS[3]);
    expect(await status()).toBe('STATUS_WAIT_RETRY:12345');
    sim.deliverSms(id, 'Telegram code 67890');
    expect(await status()).toBe('STATUS_OK:67890');
    expect(await setStatus(8)).toBe('BAD_STATUS'); // no cancel after a code
    expect(await setStatus(6)).toBe(examples.SET_STATUS_ANSWERS[6]);
    expect(sim.activation(id)?.state).toBe('finished');
    const documented = new Set(examples.STATUSES.map((s) => shape(s.body)));
    expect(documented.has(shape(await status()))).toBe(true);
  });

  it('cancels before a code with a refund and the number back in stock, once', async () => {
    sim.setBalance('20.00');
    const id = await buy();
    expect(await call({ action: 'setStatus', id, status: '8' })).toBe(
      examples.SET_STATUS_ANSWERS[8],
    );
    // A repeat is refused, as real hosts do (never a second ACCESS_CANCEL).
    expect(await call({ action: 'setStatus', id, status: '8' })).toBe('BAD_STATUS');
    expect(await call({ action: 'getBalance' })).toBe('ACCESS_BALANCE:20.00');
    expect(await call({ action: 'getStatus', id })).toBe('STATUS_CANCEL');
    expect(await call({ action: 'getPrices', service: 'tg', country: '0' })).toContain(
      '"count":100',
    );
  });

  it('refuses an early cancel when configured, and allows it later', async () => {
    await sim.stop();
    await start({ earlyCancelDeniedMs: 120_000 });
    const id = await buy();
    expect(await call({ action: 'setStatus', id, status: '8' })).toBe('EARLY_CANCEL_DENIED');
    sim.clock += 120_000;
    expect(await call({ action: 'setStatus', id, status: '8' })).toBe('ACCESS_CANCEL');
  });

  it('expires activations past their lifetime, refunding those without a code', async () => {
    await sim.stop();
    await start({ activationTtlSeconds: 60 });
    sim.setBalance('50.00');
    const waiting = await buy();
    const withCode = await buy();
    sim.deliverSms(withCode, 'code 4444');
    sim.clock += 60_000;
    expect(await call({ action: 'getStatus', id: waiting })).toBe('STATUS_CANCEL');
    expect(sim.activation(waiting)?.state).toBe('expired');
    expect(sim.activation(withCode)?.state).toBe('finished');
    expect(await call({ action: 'getBalance' })).toBe('ACCESS_BALANCE:37.50');
  });

  it('lists open activations like the documented example, or NO_ACTIVATIONS', async () => {
    expect(await call({ action: 'getActiveActivations' })).toBe(examples.NO_ACTIVATIONS);
    const id = await buy();
    sim.deliverSms(id, 'Telegram code 12345');
    const body = JSON.parse(await call({ action: 'getActiveActivations' })) as {
      activeActivations: Array<Record<string, unknown>>;
    };
    const documented = JSON.parse(examples.ACTIVE_ACTIVATIONS.body) as {
      activeActivations: Array<Record<string, unknown>>;
    };
    expect(Object.keys(body.activeActivations[0]!).sort()).toEqual(
      Object.keys(documented.activeActivations[0]!).sort(),
    );
    expect(body.activeActivations[0]).toMatchObject({
      activationId: id,
      smsCode: ['12345'],
      smsText: '["Telegram code 12345"]',
    });
  });

  it('answers the documented error tokens', async () => {
    const bad = await fetch(`${sim.baseUrl}?api_key=wrong&action=getBalance`);
    expect([bad.status, await bad.text()]).toEqual([200, 'BAD_KEY']);
    expect(await call({ action: 'nope' })).toBe('BAD_ACTION');
    expect(await call({ action: 'getNumber', service: 'zz', country: '0' })).toBe('BAD_SERVICE');
    expect(await call({ action: 'getNumber', service: 'tg', country: '57' })).toBe('NO_NUMBERS');
    expect(await call({ action: 'getNumber', service: 'tg', country: '0', maxPrice: '10' })).toBe(
      'WRONG_MAX_PRICE:12.50',
    );
    sim.setBalance('1.00');
    expect(await call({ action: 'getNumber', service: 'tg', country: '0' })).toBe('NO_BALANCE');
    expect(await call({ action: 'getStatus', id: '1' })).toBe('NO_ACTIVATION');
    const tokens = new Set(examples.ERRORS.map((e) => shape(e.body)));
    for (const token of [
      'BAD_KEY',
      'BAD_ACTION',
      'BAD_SERVICE',
      'NO_NUMBERS',
      'WRONG_MAX_PRICE:N',
      'NO_BALANCE',
      'NO_ACTIVATION',
    ]) {
      expect(tokens.has(token)).toBe(true);
    }
  });

  it('serves getCountries and getServicesList for id mapping', async () => {
    const countries = JSON.parse(await call({ action: 'getCountries' })) as Record<
      string,
      { eng: string }
    >;
    expect(countries['187']?.eng).toBe('United States');
    const services = JSON.parse(await call({ action: 'getServicesList' })) as {
      services: Array<{ code: string }>;
    };
    expect(services.services.map((s) => s.code)).toContain('tg');
  });

  it('refuses control input it cannot place', () => {
    expect(() => sim.setOffer({ service: 'telegram', country: 'AQ', cost: '1', stock: 1 })).toThrow(
      /AQ/,
    );
    expect(() => sim.setOffer({ service: 'nope', country: 'RU', cost: '1', stock: 1 })).toThrow(
      /nope/,
    );
    expect(() => sim.setBalance('1.001')).toThrow(/decimals/);
    expect(() => sim.deliverSms('1', 'x')).toThrow(/unknown activation/);
  });
});
