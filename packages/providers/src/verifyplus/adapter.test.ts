import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderAccount } from '../adapter.js';
import {
  AuthError,
  InsufficientUpstreamBalance,
  InvalidRequest,
  NoNumbers,
  NotFound,
  ProviderError,
  Unavailable,
} from '../errors.js';
import { runContractSuite } from '../contract/contract-suite.js';
import { VerifyPlusAdapter } from './adapter.js';
import getAvailableFixture from './fixtures/get-available.json' with { type: 'json' };
import getNumberFixture from './fixtures/get-number.json' with { type: 'json' };
import getSmsFixture from './fixtures/get-sms.json' with { type: 'json' };
import { VerifyPlusSimulator } from './simulator.js';

runContractSuite({
  kind: 'verifyplus',
  currency: 'IRT',
  createSimulator: (options) => new VerifyPlusSimulator(options),
  createAdapter: (account, options) => new VerifyPlusAdapter(account, options),
  sample: { service: 'telegram', country: 'RU', cost: '3000' },
  buyRequestMatch: 'api/get_number',
  statusRequestMatch: 'api/get_sms',
  unknownUpstreamRef: 'RU:2:999999999',
  // No balance call in the doc: balance() rejects (InvalidRequest, or AuthError for a bad token).
  hasBalance: false,
});

const API_KEY = 'vp-test-token-7c1d9e';

function account(baseUrl: string, overrides: Partial<ProviderAccount> = {}): ProviderAccount {
  return {
    id: 'vp',
    kind: 'verifyplus',
    baseUrl,
    apiKey: API_KEY,
    currency: 'IRT',
    timeoutMs: 2000,
    ...overrides,
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** POSTs/GETs at the simulator the way the doc describes, without the adapter. */
async function send(
  baseUrl: string,
  request: { method: string; path: string; json?: unknown; query?: Record<string, string> },
): Promise<{ status: number; contentType: string; body: unknown }> {
  const url = new URL(request.path, baseUrl);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    url.searchParams.set(name, value);
  }
  const res = await fetch(url, {
    method: request.method,
    headers: request.json === undefined ? {} : { 'content-type': 'application/json' },
    body: request.json === undefined ? undefined : JSON.stringify(request.json),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: JSON.parse(text) as unknown,
  };
}

/** The doc's token placeholder → the simulator's key; a deliberately wrong token stays wrong. */
function withToken<T extends { token: string }>(json: T, token: string): T {
  return json.token === 'yourToken' ? { ...json, token } : json;
}

describe('verifyplus simulator replays the doc’s examples (fixtures/)', () => {
  let sim: VerifyPlusSimulator;
  beforeEach(async () => {
    sim = new VerifyPlusSimulator({ apiKey: API_KEY });
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  for (const fixture of getNumberFixture.cases) {
    it(`get_number ${fixture.name}`, async () => {
      if (fixture.name === 'no-number-available') {
        sim.setOffer({ service: 'telegram', country: 'RU', cost: '3000', stock: 0 });
      }
      const answer = await send(sim.baseUrl, {
        ...fixture.request,
        json: withToken(fixture.request.json, sim.apiKey),
      });
      expect(answer.status).toBe(fixture.response.status);
      expect(answer.contentType).toContain('application/json');
      if (fixture.name === 'success') {
        // Same shape as the doc's: string digits, no "+".
        expect(Object.keys(answer.body as object).sort()).toEqual(['number', 'numberId']);
        expect(answer.body).toEqual({
          number: expect.stringMatching(/^7\d{10}$/),
          numberId: expect.stringMatching(/^\d+$/),
        });
      } else {
        expect(answer.body).toEqual(fixture.response.json);
      }
    });
  }

  for (const fixture of getSmsFixture.cases) {
    it(`get_sms ${fixture.name}`, async () => {
      // A real number first, bought the doc's way, so numberId means something.
      const bought = await send(sim.baseUrl, {
        method: 'POST',
        path: 'api/get_number',
        json: { token: sim.apiKey, country: 'RU', productId: '2' },
      });
      const { numberId } = bought.body as { numberId: string };
      if (fixture.name === 'success' || fixture.name === 'insufficient-balance') {
        sim.deliverSms(numberId, 'Telegram code: 546533. Do not give this code to anyone');
      }
      if (fixture.name === 'insufficient-balance') sim.setBalance('2999');
      const answer = await send(sim.baseUrl, {
        ...fixture.request,
        json: { ...withToken(fixture.request.json, sim.apiKey), numberId },
      });
      expect(answer.status).toBe(fixture.response.status);
      expect(answer.body).toEqual(fixture.response.json);
    });
  }

  it('get_available success', async () => {
    const [fixture] = getAvailableFixture.cases;
    sim.setOffer({ service: 'telegram', country: 'RU', cost: '3000', stock: 12 });
    for (const product of [
      'instagram',
      'whatsapp',
      'steam',
      'linkedin',
      'twitter',
      'webmoney',
      'google',
    ]) {
      sim.setOffer({ service: product, country: 'RU', cost: '3000', stock: 3 });
    }
    const answer = await send(sim.baseUrl, fixture!.request);
    expect(answer.status).toBe(fixture!.response.status);
    expect(answer.body).toEqual(fixture!.response.json);
  });

  it('get_available needs no token, and refuses an unknown country like the v1 calls', async () => {
    const answer = await send(sim.baseUrl, {
      method: 'GET',
      path: 'apiv2/get_available',
      query: { country: 'GB' },
    });
    expect(answer).toMatchObject({ status: 400, body: { status: 400, detail: 'Invalid country' } });
  });

  it('charges the per-SMS price once, when get_sms first shows the SMS, never at get_number', async () => {
    sim.setBalance('10000');
    const bought = await send(sim.baseUrl, {
      method: 'POST',
      path: 'api/get_number',
      json: { token: sim.apiKey, country: 'UK', productId: '26' },
    });
    const { numberId } = bought.body as { numberId: string };
    expect(sim.balance).toBe('10000');
    const read = () =>
      send(sim.baseUrl, {
        method: 'POST',
        path: 'api/get_sms',
        json: { token: sim.apiKey, country: 'UK', numberId, productId: '26' },
      });
    expect((await read()).status).toBe(409);
    expect(sim.balance).toBe('10000');
    sim.deliverSms(numberId, 'Your WhatsApp code is 123-456');
    expect((await read()).body).toEqual({ sms: '123456' });
    expect(sim.balance).toBe('0'); // UK: 10000 toman per SMS
    expect((await read()).body).toEqual({ sms: '123456' });
    expect(sim.balance).toBe('0');
    // The next SMS is another charge, refused without the money.
    sim.deliverSms(numberId, 'Your WhatsApp code is 654-321');
    expect((await read()).status).toBe(402);
  });
});

/** A stand-in upstream that answers exactly the doc's example bodies, for the adapter alone. */
async function startReplay(
  reply: (path: string, body: Record<string, unknown>) => { status: number; json: unknown },
): Promise<{ server: Server; baseUrl: string; bodies: Array<Record<string, unknown>> }> {
  const bodies: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      bodies.push(body);
      const answer = reply(new URL(req.url ?? '/', 'http://x').pathname, body);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}/`, bodies };
}

describe('verifyplus adapter reads the doc’s literal answers (fixtures/)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('get_number success → the doc’s number as E.164 and a ref carrying country and product', async () => {
    const fixture = getNumberFixture.cases.find((c) => c.name === 'success')!;
    const replay = await startReplay(() => fixture.response);
    server = replay.server;
    const adapter = new VerifyPlusAdapter(account(replay.baseUrl), { maxRetries: 0 });
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' });
    expect(purchase).toEqual({
      upstreamRef: fixture.expect.upstreamRef,
      phoneNumber: fixture.expect.phoneNumber,
    });
    expect(replay.bodies).toEqual([{ token: API_KEY, country: 'RU', productId: '2' }]);
  });

  for (const fixture of getNumberFixture.cases.filter((c) => c.name !== 'success')) {
    it(`get_number ${fixture.name} → ${fixture.expect.errorCode}`, async () => {
      const replay = await startReplay(() => fixture.response);
      server = replay.server;
      const adapter = new VerifyPlusAdapter(account(replay.baseUrl), { maxRetries: 0 });
      const error = await rejectionOf(
        adapter.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' }),
      );
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).code).toBe(fixture.expect.errorCode);
      expect((error as ProviderError).operation).toBe('buy');
      expect((error as ProviderError).upstreamMessage).toBe(fixture.response.json.detail);
    });
  }

  for (const fixture of getSmsFixture.cases) {
    it(`get_sms ${fixture.name} → ${fixture.expect.outcome}`, async () => {
      const replay = await startReplay(() => fixture.response);
      server = replay.server;
      const adapter = new VerifyPlusAdapter(account(replay.baseUrl), { maxRetries: 0 });
      const ref = 'RU:2:1343243';
      if (fixture.expect.outcome === 'code' || fixture.expect.outcome === 'waiting') {
        const status = await adapter.status(ref);
        expect(status.state).toBe(fixture.expect.outcome);
        if (fixture.expect.outcome === 'code') {
          expect(status.messages).toEqual([{ code: fixture.expect.code, text: '546533' }]);
        } else {
          expect(status.messages).toEqual([]);
        }
      } else {
        const error = await rejectionOf(adapter.status(ref));
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).code).toBe(fixture.expect.errorCode);
        expect((error as ProviderError).operation).toBe('status');
      }
      expect(replay.bodies).toEqual([
        { token: API_KEY, country: 'RU', numberId: '1343243', productId: '2' },
      ]);
    });
  }

  it('get_available success → the country’s stock on each of its products', async () => {
    const fixture = getAvailableFixture.cases[0]!;
    const replay = await startReplay((path) =>
      path === '/api/get_sms'
        ? { status: 409, json: { status: 409, detail: 'No sms code' } }
        : fixture.response,
    );
    server = replay.server;
    const adapter = new VerifyPlusAdapter(account(replay.baseUrl), { maxRetries: 0 });
    const offers = await adapter.catalog();
    expect(offers).toHaveLength(7 * 8);
    expect(offers.every((offer) => offer.stock === fixture.expect.stock)).toBe(true);
  });

  it('takes a refusal inside an HTTP 200 (the doc shows only bodies)', async () => {
    const replay = await startReplay(() => ({
      status: 200,
      json: { status: 409, detail: 'No number available! Please try again later' },
    }));
    server = replay.server;
    const adapter = new VerifyPlusAdapter(account(replay.baseUrl), { maxRetries: 0 });
    const error = await rejectionOf(
      adapter.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' }),
    );
    expect(error).toBeInstanceOf(NoNumbers);
  });

  it('takes ids and codes sent as JSON numbers', async () => {
    const replay = await startReplay((path) =>
      path === '/api/get_number'
        ? { status: 200, json: { number: 79161234567, numberId: 1343243 } }
        : { status: 200, json: { sms: 546533 } },
    );
    server = replay.server;
    const adapter = new VerifyPlusAdapter(account(replay.baseUrl), { maxRetries: 0 });
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' });
    expect(purchase).toEqual({ upstreamRef: 'RU:2:1343243', phoneNumber: '+79161234567' });
    const status = await adapter.status(purchase.upstreamRef);
    expect(status.messages[0]?.code).toBe('546533');
  });

  it('reads an empty or null "sms" in a 200 as still waiting (seed line 44: no SMS yet)', async () => {
    // The doc's "no SMS" is a 409 refusal; an empty field in a success is the other plausible form.
    for (const sms of [null, '', '  ']) {
      const replay = await startReplay(() => ({ status: 200, json: { sms } }));
      server = replay.server;
      const adapter = new VerifyPlusAdapter(account(replay.baseUrl), { maxRetries: 0 });
      await expect(adapter.status('RU:2:1343243')).resolves.toEqual({
        upstreamRef: 'RU:2:1343243',
        state: 'waiting',
        messages: [],
      });
      await new Promise<void>((resolve) => replay.server.close(() => resolve()));
      server = undefined;
    }
  });

  it('treats a success without its fields as an unusable answer, not as a number', async () => {
    const replay = await startReplay(() => ({ status: 200, json: { ok: true } }));
    server = replay.server;
    const adapter = new VerifyPlusAdapter(account(replay.baseUrl), { maxRetries: 0 });
    const error = await rejectionOf(
      adapter.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' }),
    );
    expect(error).toBeInstanceOf(Unavailable);
    expect((error as Unavailable).surelyNotSent).toBe(false);
  });
});

describe('verifyplus adapter against its simulator', () => {
  let sim: VerifyPlusSimulator;
  let adapter: VerifyPlusAdapter;
  beforeEach(async () => {
    sim = new VerifyPlusSimulator({ apiKey: API_KEY });
    await sim.start();
    adapter = new VerifyPlusAdapter(account(sim.baseUrl), { maxRetries: 0 });
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('says truthfully what it can do: no cancel, charged per SMS', () => {
    expect(adapter.capabilities).toMatchObject({
      cancel: false,
      finish: false,
      report: false,
      requestAnotherSms: false,
      batchStatus: false,
      chargesPerSms: true,
    });
    expect('cancel' in adapter).toBe(false);
  });

  it('sends what the doc says: POST JSON with the token in the body; get_available without it', async () => {
    const offers = await adapter.catalog();
    const offer = offers.find((o) => o.service === 'whatsapp' && o.country === 'GB')!;
    expect(offer).toMatchObject({ ref: 'UK:26', stock: 50 });
    expect(offer.cost.format()).toBe('10000');
    const purchase = await adapter.buy({ service: 'whatsapp', country: 'GB', ref: offer.ref });
    await adapter.status(purchase.upstreamRef);

    const buy = sim.requests.find((r) => r.url === '/api/get_number')!;
    expect(buy.method).toBe('POST');
    expect(buy.headers['content-type']).toContain('application/json');
    expect(JSON.parse(buy.body)).toEqual({ token: API_KEY, country: 'UK', productId: '26' });
    const numberId = purchase.upstreamRef.split(':')[2];
    const read = sim.requests.filter((r) => r.url === '/api/get_sms').at(-1)!;
    expect(JSON.parse(read.body)).toEqual({
      token: API_KEY,
      country: 'UK',
      numberId,
      productId: '26',
    });
    const stockCalls = sim.requests.filter((r) => r.url.startsWith('/apiv2/get_available?'));
    expect(stockCalls.map((r) => r.method)).toEqual(Array(7).fill('GET'));
    expect(stockCalls.map((r) => r.url).sort()).toContain('/apiv2/get_available?country=UK');
    expect(stockCalls.some((r) => r.url.includes(API_KEY) || r.body.includes(API_KEY))).toBe(false);
    expect(purchase.phoneNumber).toMatch(/^\+44\d{10}$/);
  });

  it('takes stock from get_available and prices from the doc table or the config', async () => {
    sim.setOffer({ service: 'telegram', country: 'KZ', cost: '3000', stock: 0 });
    for (const service of [
      'instagram',
      'whatsapp',
      'steam',
      'linkedin',
      'twitter',
      'webmoney',
      'google',
    ]) {
      sim.setOffer({ service, country: 'KZ', cost: '3000', stock: 4 });
    }
    const priced = new VerifyPlusAdapter(
      account(sim.baseUrl, { prices: { RU: '3500', UK: '9000' } }),
    );
    const offers = await priced.catalog();
    const find = (service: string, country: string) =>
      offers.find((o) => o.service === service && o.country === country)!;
    expect(find('telegram', 'RU').cost.format()).toBe('3500');
    expect(find('telegram', 'GB').cost.format()).toBe('9000');
    expect(find('telegram', 'UA').cost.format()).toBe('5000');
    expect(find('google', 'KZ').stock).toBe(4);
    expect(new Set(offers.map((o) => o.service))).toEqual(
      new Set([
        'telegram',
        'instagram',
        'whatsapp',
        'steam',
        'linkedin',
        'twitter',
        'webmoney',
        'google',
      ]),
    );
  });

  it('offers only countries with a configured price when the account is not in toman', async () => {
    const inRubles = new VerifyPlusAdapter(
      account(sim.baseUrl, { currency: 'RUB', prices: { RU: '25.50' } }),
    );
    const offers = await inRubles.catalog();
    expect(new Set(offers.map((o) => o.country))).toEqual(new Set(['RU']));
    expect(offers[0]?.cost.format()).toBe('25.50');
    expect(offers[0]?.cost.currency).toBe('RUB');
  });

  it('refuses a bad price override at construction, naming the key', () => {
    expect(() => new VerifyPlusAdapter(account(sim.baseUrl, { prices: { TR: '100' } }))).toThrow(
      /prices\.TR/,
    );
    expect(() => new VerifyPlusAdapter(account(sim.baseUrl, { prices: { RU: 'x' } }))).toThrow(
      InvalidRequest,
    );
  });

  it('charges nothing at buy and the SMS price once the code is read', async () => {
    sim.setBalance('5000');
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' });
    expect(purchase.cost).toBeUndefined();
    expect(sim.balance).toBe('5000');
    expect((await adapter.status(purchase.upstreamRef)).state).toBe('waiting');
    sim.deliverSms(purchase.upstreamRef, 'Telegram code: 48213');
    const status = await adapter.status(purchase.upstreamRef);
    expect(status).toEqual({
      upstreamRef: purchase.upstreamRef,
      state: 'code',
      messages: [{ code: '48213', text: '48213' }],
    });
    expect(sim.balance).toBe('2000');
    await adapter.status(purchase.upstreamRef);
    expect(sim.balance).toBe('2000');
  });

  it('reads an SMS from get_sms once: later polls answer from memory (seed lines 40, 61)', async () => {
    // "Cost of each SMS" with a 402 on get_sms: the doc never says a second read of the same SMS
    // is free, and the worker keeps polling an order after its code until the TTL.
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' });
    sim.deliverSms(purchase.upstreamRef, 'Telegram code: 48213');
    const first = await adapter.status(purchase.upstreamRef);
    const getSmsCalls = () => sim.requests.filter((r) => r.url.includes('get_sms')).length;
    const readsAfterCode = getSmsCalls();
    const again = await adapter.status(purchase.upstreamRef);
    const thrice = await adapter.status(purchase.upstreamRef);
    expect(getSmsCalls()).toBe(readsAfterCode);
    expect(again).toEqual(first);
    expect(thrice).toEqual({
      upstreamRef: purchase.upstreamRef,
      state: 'code',
      messages: [{ code: '48213', text: '48213' }],
    });
  });

  it('reports an SMS it cannot pay for as InsufficientUpstreamBalance', async () => {
    sim.setBalance('2999');
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' });
    sim.deliverSms(purchase.upstreamRef, 'Your code is 12345');
    const error = await rejectionOf(adapter.status(purchase.upstreamRef));
    expect(error).toBeInstanceOf(InsufficientUpstreamBalance);
    expect((error as ProviderError).operation).toBe('status');
    sim.setBalance('3000');
    expect((await adapter.status(purchase.upstreamRef)).messages[0]?.code).toBe('12345');
  });

  it('sees a rental that ran out as expired', async () => {
    const quickSim = new VerifyPlusSimulator({ apiKey: API_KEY, activationTtlSeconds: 0 });
    await quickSim.start();
    try {
      const quick = new VerifyPlusAdapter(account(quickSim.baseUrl), { maxRetries: 0 });
      const purchase = await quick.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' });
      expect((await quick.status(purchase.upstreamRef)).state).toBe('expired');
      expect(quickSim.activation(purchase.upstreamRef)?.state).toBe('expired');
    } finally {
      await quickSim.stop();
    }
  });

  it('answers NotFound for a ref it never issued, or one bought for another product', async () => {
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' });
    const numberId = purchase.upstreamRef.split(':')[2]!;
    expect(await rejectionOf(adapter.status(`RU:26:${numberId}`))).toBeInstanceOf(NotFound);
    expect(await rejectionOf(adapter.status('not-a-ref'))).toBeInstanceOf(NotFound);
  });

  it('refuses a buy whose ref and product disagree, before sending anything', async () => {
    const before = sim.requests.length;
    const mismatch = await rejectionOf(
      adapter.buy({ service: 'whatsapp', country: 'RU', ref: 'RU:2' }),
    );
    expect(mismatch).toBeInstanceOf(InvalidRequest);
    const unknown = await rejectionOf(adapter.buy({ service: 'viber', country: 'RU', ref: '' }));
    expect(unknown).toBeInstanceOf(InvalidRequest);
    expect((unknown as Error).message).toContain('viber');
    expect(sim.requests.length).toBe(before);
  });

  it('reports a wrong token as AuthError on catalog, buy and status', async () => {
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' });
    const wrong = new VerifyPlusAdapter(account(sim.baseUrl, { apiKey: 'nope-0000' }), {
      maxRetries: 0,
    });
    expect(await rejectionOf(wrong.catalog())).toBeInstanceOf(AuthError);
    expect(
      await rejectionOf(wrong.buy({ service: 'telegram', country: 'RU', ref: 'RU:2' })),
    ).toBeInstanceOf(AuthError);
    expect(await rejectionOf(wrong.status(purchase.upstreamRef))).toBeInstanceOf(AuthError);
    expect(await rejectionOf(wrong.balance())).toBeInstanceOf(AuthError);
  });

  it('has no balance call: a typed InvalidRequest says so', async () => {
    const error = await rejectionOf(adapter.balance());
    expect(error).toBeInstanceOf(InvalidRequest);
    expect((error as ProviderError).operation).toBe('balance');
    expect((error as Error).message).toMatch(/no balance API/);
  });

  it('fails a buy over to the next provider on NoNumbers, with nothing bought', async () => {
    sim.setOffer({ service: 'steam', country: 'LV', cost: '10000', stock: 1 });
    await adapter.buy({ service: 'steam', country: 'LV', ref: 'LV:27' });
    const error = await rejectionOf(adapter.buy({ service: 'steam', country: 'LV', ref: 'LV:27' }));
    expect(error).toBeInstanceOf(NoNumbers);
    expect((error as ProviderError).upstreamMessage).toBe(
      'No number available! Please try again later',
    );
  });

  it('syncs the catalog when the token probe meets a 5xx or a timeout; only an auth refusal blocks', async () => {
    // Before: any 5xx on the probe (a get_sms) failed the whole catalog.
    sim.injectFault({ kind: 'http500', times: 1, match: 'get_sms' });
    expect((await adapter.catalog()).length).toBeGreaterThan(0);
    sim.injectFault({ kind: 'html502', times: 1, match: 'get_sms' });
    expect((await adapter.catalog()).length).toBeGreaterThan(0);
    const quick = new VerifyPlusAdapter(account(sim.baseUrl, { timeoutMs: 300 }), {
      maxRetries: 0,
    });
    sim.injectFault({ kind: 'timeout', times: 1, match: 'get_sms' });
    expect((await quick.catalog()).length).toBeGreaterThan(0);
    const wrong = new VerifyPlusAdapter(account(sim.baseUrl, { apiKey: 'nope-0000' }), {
      maxRetries: 0,
    });
    expect(await rejectionOf(wrong.catalog())).toBeInstanceOf(AuthError);
  });

  it('sells WebMoney (productId 31) as webmoney, and buys it with productId 31', async () => {
    const offers = await adapter.catalog();
    expect(offers.filter((o) => o.service === 'other')).toEqual([]);
    const webmoney = offers.find((o) => o.service === 'webmoney' && o.country === 'RU')!;
    expect(webmoney.ref).toBe('RU:31');
    await adapter.buy({ service: 'webmoney', country: 'RU', ref: webmoney.ref });
    expect(JSON.parse(sim.requests.at(-1)!.body)).toMatchObject({ productId: '31', country: 'RU' });
  });
});
