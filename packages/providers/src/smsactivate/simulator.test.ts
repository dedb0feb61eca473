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

  it('expires, at any request, every activation past its lifetime, even ones nobody asks about', async () => {
    await sim.stop();
    await start({ activationTtlSeconds: 60 });
    sim.setBalance('100.00');
    const old = [await buy(), await buy()];
    sim.clock += 30_000;
    const young = await buy();
    sim.clock += 30_000;
    // Three bought at 12.50; the first two are past 60 s, the third is not: two refunded.
    expect(await call({ action: 'getBalance' })).toBe('ACCESS_BALANCE:87.50');
    expect(old.map((id) => sim.activation(id)?.state)).toEqual(['expired', 'expired']);
    expect(sim.activation(young)?.state).toBe('waiting');
    sim.clock += 30_000;
    expect(await call({ action: 'getBalance' })).toBe('ACCESS_BALANCE:100.00');
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

describe('SmsActivateSimulator dialects behave as those hosts do', () => {
  let sim: ClockedSimulator;
  const start = async (options: SmsActivateSimulatorOptions) => {
    sim = new ClockedSimulator(options);
    await sim.start();
  };
  afterEach(async () => {
    await sim.stop();
  });
  const raw = async (params: Record<string, string>, apiKey = sim.apiKey) => {
    const query = new URLSearchParams({ api_key: apiKey, ...params });
    const res = await fetch(`${sim.baseUrl}?${query.toString()}`);
    return { status: res.status, body: await res.text() };
  };
  const text = async (params: Record<string, string>) => (await raw(params)).body;
  const buy = async () =>
    (await text({ action: 'getNumber', service: 'tg', country: '0' })).split(':')[1]!;

  it('classic: a cancel of an ended activation is refused, never ACCESS_CANCEL again', async () => {
    await start({ dialect: 'classic', activationTtlSeconds: 60 });
    const cancelled = await buy();
    const expired = await buy();
    expect(await text({ action: 'setStatus', id: cancelled, status: '8' })).toBe('ACCESS_CANCEL');
    expect(await text({ action: 'setStatus', id: cancelled, status: '8' })).toBe('BAD_STATUS');
    sim.clock += 60_000;
    expect(await text({ action: 'setStatus', id: expired, status: '8' })).toBe('BAD_STATUS');
    expect(await text({ action: 'getStatus', id: expired })).toBe('STATUS_CANCEL');
  });

  it('strict: EARLY_CANCEL_DENIED for 2 minutes, BAD_STATUS on repeats, NO_ACTIVATION after its own auto-cancel', async () => {
    await start({ dialect: 'strict', activationTtlSeconds: 1200 });
    sim.setBalance('100.00');
    const id = await buy();
    expect(await text({ action: 'setStatus', id, status: '8' })).toBe('EARLY_CANCEL_DENIED');
    sim.clock += 120_000;
    expect(await text({ action: 'setStatus', id, status: '8' })).toBe('ACCESS_CANCEL');
    expect(await text({ action: 'setStatus', id, status: '8' })).toBe('BAD_STATUS');

    const finished = await buy();
    sim.deliverSms(finished, 'code 12345');
    expect(await text({ action: 'setStatus', id: finished, status: '6' })).toBe(
      'ACCESS_ACTIVATION',
    );
    expect(await text({ action: 'setStatus', id: finished, status: '6' })).toBe('BAD_STATUS');

    const forgotten = await buy();
    sim.clock += 1200_000;
    // Auto-cancelled with a refund at the end of its lifetime.
    // 100 − the finished one: the cancelled and the auto-cancelled were refunded.
    expect(await text({ action: 'getBalance' })).toBe('ACCESS_BALANCE:87.50');
    expect(await text({ action: 'getStatus', id: forgotten })).toBe('STATUS_CANCEL');
    expect(await text({ action: 'setStatus', id: forgotten, status: '8' })).toBe('NO_ACTIVATION');
  });

  it('no-batch: BAD_ACTION to getActiveActivations and getNumberV2, prices as price maps', async () => {
    await start({ dialect: 'no-batch' });
    expect(await text({ action: 'getActiveActivations' })).toBe('BAD_ACTION');
    expect(await text({ action: 'getNumberV2', service: 'tg', country: '0' })).toBe('BAD_ACTION');
    expect(await text({ action: 'getPrices', service: 'tg', country: '0' })).toBe(
      '{"0":{"tg":{"12.50":100,"25.00":3}}}',
    );
    expect(await text({ action: 'getNumber', service: 'tg', country: '0' })).toMatch(
      /^ACCESS_NUMBER:\d+:7\d{10}$/,
    );
  });

  it('herosms: JSON {title, details} errors with HTTP statuses, rows under data, currency in V2', async () => {
    await start({ dialect: 'herosms' });
    expect(await raw({ action: 'getBalance' }, 'wrong')).toEqual({
      status: 401,
      body: '{"title":"BAD_KEY","details":"Invalid API key"}',
    });
    expect((await raw({ action: 'getStatus', id: '1' })).status).toBe(404);
    expect((await raw({ action: 'nope' })).status).toBe(400);
    const tooCheap = await raw({
      action: 'getNumberV2',
      service: 'tg',
      country: '0',
      maxPrice: '1',
    });
    expect(tooCheap.status).toBe(400);
    expect(JSON.parse(tooCheap.body)).toMatchObject({
      title: 'WRONG_MAX_PRICE',
      info: { min: '12.50' },
    });
    expect(await text({ action: 'getActiveActivations' })).toBe('{"status":"success","data":[]}');
    const v2 = JSON.parse(await text({ action: 'getNumberV2', service: 'tg', country: '0' })) as {
      activationId: number;
      currency: number;
    };
    expect(v2.currency).toBe(840);
    const listed = JSON.parse(await text({ action: 'getActiveActivations' })) as {
      data: Array<{ activationId: string }>;
    };
    expect(listed.data.map((row) => row.activationId)).toEqual([String(v2.activationId)]);
    // Success answers stay text lines.
    expect(await text({ action: 'getStatus', id: String(v2.activationId) })).toBe(
      'STATUS_WAIT_CODE',
    );
  });

  it('refuses a second getNumberV2 with the same orderId', async () => {
    await start({ dialect: 'classic' });
    const first = await text({
      action: 'getNumberV2',
      service: 'tg',
      country: '0',
      orderId: 'o-7',
    });
    expect(JSON.parse(first)).toHaveProperty('activationId');
    expect(await text({ action: 'getNumberV2', service: 'tg', country: '0', orderId: 'o-7' })).toBe(
      'ORDER_ALREADY_EXISTS',
    );
  });
});
