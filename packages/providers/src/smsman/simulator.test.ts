/**
 * The doc's example requests replayed against the simulator over HTTP: its answers must have
 * the doc's exact shapes and words, independently of the adapter's reading of them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRelaxed } from './adapter.js';
import { SmsManSimulator } from './simulator.js';
import { fixtureRequest, fixtureText } from './test-support/fixtures.js';

let sim: SmsManSimulator;

beforeEach(async () => {
  sim = new SmsManSimulator();
  await sim.start();
});
afterEach(async () => {
  await sim.stop();
});

/** Sends a doc request line with its `$variables` filled in; returns status and parsed body. */
async function replay(
  endpoint: string,
  values: Record<string, string> = {},
  method: 'GET' | 'POST' = 'GET',
): Promise<{ status: number; body: unknown }> {
  const filled = { token: sim.apiKey, ...values };
  const request = fixtureRequest(endpoint, filled);
  for (const name of [...request.params.keys()]) {
    // Parameters the doc marks optional and the test leaves unset are left out.
    if (!(name in filled)) request.params.delete(name);
  }
  const url = new URL(request.endpoint, sim.baseUrl);
  const res =
    method === 'GET'
      ? await fetch(`${url.toString()}?${request.params.toString()}`)
      : await fetch(url, {
          method: 'POST',
          body: request.params,
        });
  return { status: res.status, body: JSON.parse(await res.text()) as unknown };
}

function doc(name: string): unknown {
  return JSON.parse(fixtureText(name)) as unknown;
}

function docRelaxed(name: string): unknown {
  return parseRelaxed(fixtureText(name));
}

function shapeOf(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, typeof inner]),
  );
}

describe('the doc examples replayed against the SMS-Man simulator', () => {
  it('answers a wrong token exactly as the doc shows, per endpoint', async () => {
    const endpoints = [
      'get-balance',
      'limits',
      'get-number',
      'set-status',
      'get-prices',
      'countries',
      'applications',
    ];
    for (const endpoint of endpoints) {
      const answer = await replay(endpoint, { token: 'not-the-key', request_id: '1' });
      expect(answer.status, endpoint).toBe(200);
      expect(answer.body, endpoint).toEqual(doc(`${endpoint}.wrong-token`));
    }
  });

  it('get-balance: {"balance":"799.70"} at start', async () => {
    expect((await replay('get-balance')).body).toEqual(doc('get-balance.ok'));
  });

  it('get-number: the first request is request_id 1 with the doc shape', async () => {
    const { body } = await replay('get-number', { country_id: '0', application_id: '3' });
    const expected = doc('get-number.ok');
    expect(shapeOf(body)).toEqual(shapeOf(expected));
    expect(body).toMatchObject({ request_id: 1, country_id: 0, application_id: 3 });
    expect((body as { number: string }).number).toMatch(/^7\d{10}$/);
  });

  it('get-number: both ids are optional (the cheapest product that fits is sold)', async () => {
    const { body } = await replay('get-number', { application_id: '1' });
    expect(body).toMatchObject({ country_id: 0, application_id: 1 });
  });

  it('get-sms: "Still waiting..." then the code, each with the doc shape', async () => {
    await replay('get-number', { country_id: '0', application_id: '1' });
    const waiting = await replay('get-sms', { request_id: '1' });
    expect(shapeOf(waiting.body)).toEqual(shapeOf(doc('get-sms.wait-sms')));
    expect(waiting.body).toMatchObject({ error_code: 'wait_sms', error_msg: 'Still waiting...' });

    sim.deliverSms('1', 'VK: 1243 is your confirmation code');
    const ok = await replay('get-sms', { request_id: '1' });
    expect(shapeOf(ok.body)).toEqual(shapeOf(doc('get-sms.ok')));
    expect(ok.body).toMatchObject({ request_id: 1, country_id: 0, application_id: 1 });
    expect((ok.body as { sms_code: string }).sms_code).toBe('1243');
  });

  it('set-status: {"request_id": 1, "success": true}', async () => {
    await replay('get-number', { country_id: '0', application_id: '1' });
    const { body } = await replay('set-status', { request_id: '1', status: 'reject' });
    expect(body).toEqual(doc('set-status.ok'));
    expect(sim.activation('1')?.state).toBe('cancelled');
  });

  it('set-status: an unknown status gets the doc words, "$status" filled in', async () => {
    await replay('get-number', { country_id: '0', application_id: '1' });
    const literal = await replay('set-status', { request_id: '1', status: '$status' });
    expect(literal.body).toEqual(doc('set-status.wrong-status'));
    const other = await replay('set-status', { request_id: '1', status: 'cancel' });
    expect(other.body).toEqual({
      success: false,
      error_code: 'wrong_status',
      error_msg: 'Status cancel does not exists',
    });
  });

  it('set-status takes each of the doc values: ready / close / reject / used', async () => {
    for (let id = 1; id <= 3; id += 1) {
      await replay('get-number', { country_id: '0', application_id: '3' });
    }
    expect((await replay('set-status', { request_id: '1', status: 'ready' })).body).toEqual({
      request_id: 1,
      success: true,
    });
    sim.deliverSms('1', 'code 11111');
    await replay('set-status', { request_id: '1', status: 'close' });
    await replay('set-status', { request_id: '2', status: 'reject' });
    await replay('set-status', { request_id: '3', status: 'used' });
    // "used": the number was already used at the service — before an SMS, refunded like reject.
    expect(['1', '2', '3'].map((ref) => sim.activation(ref)?.state)).toEqual([
      'finished',
      'cancelled',
      'cancelled',
    ]);
    await replay('get-number', { country_id: '0', application_id: '3' });
    sim.deliverSms('4', 'code 44444');
    expect((await replay('set-status', { request_id: '4', status: 'used' })).body).toMatchObject({
      success: false,
      error_code: 'wrong_request_status',
    });
    expect(sim.activation('4')?.state).toBe('code');
  });

  it('get-prices: the doc example is its starting stock, country id outside, app id inside', async () => {
    const { body } = await replay('get-prices');
    const expected = doc('get-prices.ok') as Record<string, Record<string, unknown>>;
    const actual = body as Record<string, Record<string, unknown>>;
    for (const [countryId, products] of Object.entries(expected)) {
      for (const [applicationId, entry] of Object.entries(products)) {
        expect(actual[countryId]?.[applicationId], `${countryId}/${applicationId}`).toEqual(entry);
      }
    }
    const onlyRussia = await replay('get-prices', { country_id: '0' });
    expect(Object.keys(onlyRussia.body as object)).toEqual(['0']);
  });

  it('countries and applications: the doc entries, same fields and types', async () => {
    const countries = (await replay('countries')).body as unknown[];
    for (const entry of docRelaxed('countries.ok.as-printed') as unknown[]) {
      expect(countries).toContainEqual(entry);
    }
    const applications = (await replay('applications')).body as unknown[];
    for (const entry of docRelaxed('applications.ok.as-printed') as unknown[]) {
      expect(applications).toContainEqual(entry);
    }
  });

  it('limits: rows with the doc fields, all strings', async () => {
    const { body } = await replay('limits', { country_id: '0', application_id: '1' });
    const expected = (doc('limits.ok') as unknown[])[0];
    expect(body).toEqual([{ application_id: '1', country_id: '0', numbers: '6455' }]);
    expect(shapeOf((body as unknown[])[0])).toEqual(shapeOf(expected));
  });

  it('accepts POST as well as GET, the token in the body', async () => {
    const { body } = await replay('get-balance', {}, 'POST');
    expect(body).toEqual(doc('get-balance.ok'));
  });
});

describe('the SMS-Man simulator state', () => {
  it('charges at get-number and refunds a reject or an expiry before any SMS', async () => {
    sim.setBalance('100.00');
    await replay('get-number', { country_id: '0', application_id: '3' });
    expect(sim.balance).toBe('87.50');
    await replay('set-status', { request_id: '1', status: 'reject' });
    expect(sim.balance).toBe('100.00');
    await replay('get-number', { country_id: '0', application_id: '3' });
    sim.expireActivation('2');
    expect(sim.balance).toBe('100.00');
    expect((await replay('get-sms', { request_id: '2' })).body).toMatchObject({
      error_code: 'request_expired',
    });
  });

  it('refuses a reject after a code and keeps the money', async () => {
    sim.setBalance('100.00');
    await replay('get-number', { country_id: '0', application_id: '3' });
    sim.deliverSms('1', 'Your code is 12345');
    const { body } = await replay('set-status', { request_id: '1', status: 'reject' });
    expect(body).toMatchObject({ success: false, error_code: 'wrong_request_status' });
    expect(sim.balance).toBe('87.50');
    expect(sim.activation('1')?.state).toBe('code');
  });

  it('refuses what the doc leaves unnamed with its envelope', async () => {
    sim.setOffer({ service: 'telegram', country: 'RU', cost: '12.50', stock: 0 });
    expect((await replay('get-number', { country_id: '0', application_id: '3' })).body).toEqual({
      success: false,
      error_code: 'no_numbers',
      error_msg: 'No numbers, try again',
    });
    sim.setBalance('1.00');
    expect((await replay('get-number', { country_id: '0', application_id: '1' })).body).toEqual({
      success: false,
      error_code: 'not_enough_balance',
      error_msg: 'Not enough balance',
    });
    expect((await replay('get-sms', { request_id: '77' })).body).toEqual({
      success: false,
      error_code: 'wrong_request_id',
      error_msg: 'Wrong request_id',
    });
    expect((await replay('get-number', { country_id: '9999' })).body).toMatchObject({
      error_code: 'wrong_country_id',
    });
  });

  it('refuses control input it cannot place', () => {
    expect(() => sim.setOffer({ service: 'nope', country: 'RU', cost: '1', stock: 1 })).toThrow(
      /no application/,
    );
    expect(() => sim.setOffer({ service: 'telegram', country: 'AQ', cost: '1', stock: 1 })).toThrow(
      /no country/,
    );
    expect(() => sim.setBalance('1.234')).toThrow();
    expect(() => sim.deliverSms('42', 'x')).toThrow(/unknown/);
  });

  it('delivers an SMS on its own in demo mode', async () => {
    await sim.stop();
    sim = new SmsManSimulator({ autoDeliverAfterMs: 1 });
    await sim.start();
    await replay('get-number', { country_id: '0', application_id: '3' });
    await expect
      .poll(() => sim.activation('1')?.state, { interval: 5, timeout: 2000 })
      .toBe('code');
    expect(sim.activation('1')?.messages).toHaveLength(1);
  });
});
