import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COUNTRIES, Money } from '@numbroker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderAccount } from '../adapter.js';
import { runContractSuite } from '../contract/contract-suite.js';
import { ProviderError } from '../errors.js';
import { ShomareAdapter } from './adapter.js';
import { ShomareSimulator } from './simulator.js';

runContractSuite({
  kind: 'shomare',
  currency: 'IRT',
  createSimulator: (options) => new ShomareSimulator(options),
  createAdapter: (account, options) => new ShomareAdapter(account, options),
  sample: { service: 'telegram', country: 'RU', cost: '25000' }, // stocked by default
  buyRequestMatch: '/api/buy',
  statusRequestMatch: '/api/check',
});

// The doc's other reading of "replace CountryID and OperatorID" (lines 65–74): ids as path
// segments. The same contract holds over a host that routes them so.
runContractSuite({
  kind: 'shomare',
  currency: 'IRT',
  createSimulator: (options) => new ShomareSimulator({ ...options, paramStyle: 'path' }),
  createAdapter: (account, options) => new ShomareAdapter(account, options),
  sample: { service: 'telegram', country: 'RU', cost: '25000' },
  buyRequestMatch: '/api/buy',
  statusRequestMatch: '/api/check',
});

const KEY = 'shomare-test-token-7c1d';

const accountAt = (baseUrl: string, apiKey = KEY): ProviderAccount => ({
  id: 'shomare-test',
  kind: 'shomare',
  baseUrl,
  apiKey,
  currency: 'IRT',
  timeoutMs: 3000,
});

interface Variant {
  name: string;
  simulator?: boolean;
  httpStatus: number;
  body: unknown;
  expected: unknown;
  country?: string;
  operation?: string;
}

function readFixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8')) as T;
}
const variantsOf = (endpoint: string): Variant[] =>
  readFixture<{ variants: Variant[] }>(`assumed/${endpoint}.json`).variants;

/** The structure of a JSON value: keys and value types, arrays by their first element. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, shapeOf(inner)]),
    );
  }
  return value === null ? 'null' : typeof value;
}

describe('shomare simulator against the doc', () => {
  let sim: ShomareSimulator;
  beforeEach(async () => {
    sim = new ShomareSimulator({ apiKey: KEY });
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  const call = async (
    endpoint: string,
    init: { method?: string; token?: string | null; query?: string; form?: string } = {},
  ) => {
    const headers: Record<string, string> = {};
    if (init.token !== null) headers.token = init.token ?? KEY;
    if (init.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(`${sim.baseUrl}${endpoint}${init.query ? `?${init.query}` : ''}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.form,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
  };

  it("answers the doc's own example request (GET profile with a token header)", async () => {
    const example = readFixture<{ method: string; url: string; headers: { token: string } }>(
      'doc/profile-request.json',
    );
    const testSim = new ShomareSimulator({ apiKey: example.headers.token });
    await testSim.start();
    try {
      const path = new URL(example.url).pathname; // "/api/profile"
      const res = await fetch(new URL(path, testSim.baseUrl), {
        method: example.method,
        headers: example.headers,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: true, code: 200 });
    } finally {
      await testSim.stop();
    }
  });

  it("serves every endpoint of the doc's table with its method, and 405 for another", async () => {
    const table = readFixture<{ endpoints: Array<{ endpoint: string; method: string }> }>(
      'doc/endpoints.json',
    );
    for (const { endpoint, method } of table.endpoints) {
      const right = await call(endpoint, { method });
      expect(right.json, endpoint).toBeDefined(); // JSON (maybe a JSON 404 for missing params)
      const wrong = await call(endpoint, { method: method === 'GET' ? 'POST' : 'GET' });
      expect({ endpoint, status: wrong.status, json: wrong.json }).toMatchObject({
        endpoint,
        status: 405,
        json: { status: false, code: 405 },
      });
    }
  });

  it("gives each status of the doc's error table where the doc says", async () => {
    const buyForm = 'country=1&operator=11&app=1';
    // 404 without JSON: a wrong endpoint.
    const wrongEndpoint = await call('nosuchendpoint');
    expect(wrongEndpoint.status).toBe(404);
    expect(wrongEndpoint.json).toBeUndefined();
    // 403: no token; 401: a wrong token; 401 with code -1: a blocked account.
    expect((await call('profile', { token: null })).json).toMatchObject({
      status: false,
      code: 403,
    });
    const badToken = await call('profile', { token: 'wrong' });
    expect([badToken.status, badToken.json]).toMatchObject([401, { status: false, code: 401 }]);
    sim.blockAccount();
    const blocked = await call('profile');
    expect([blocked.status, blocked.json]).toMatchObject([401, { status: false, code: -1 }]);
    sim.blockAccount(false);
    // 404 with JSON: parameters missing or unknown.
    const missing = await call('check');
    expect([missing.status, missing.json]).toMatchObject([404, { status: false, code: 404 }]);
    const unknownIds = await call('buy', { method: 'POST', form: 'country=999&operator=1&app=1' });
    expect([unknownIds.status, unknownIds.json]).toMatchObject([404, { code: 404 }]);
    // 402: wallet too low; 500 on buy: no free number.
    sim.setBalance('100');
    const poor = await call('buy', { method: 'POST', form: buyForm });
    expect([poor.status, poor.json]).toMatchObject([402, { status: false, code: 402 }]);
    sim.setBalance('1000000');
    sim.setOffer({ service: 'telegram', country: 'RU', cost: '25000', stock: 0 });
    const empty = await call('buy', { method: 'POST', form: buyForm });
    expect([empty.status, empty.json]).toMatchObject([500, { status: false, code: 500 }]);
  });

  it('answers in exactly the shape the fixtures mark as the simulator’s', async () => {
    const bought = await call('buy', { method: 'POST', form: 'country=1&operator=11&app=1' });
    const purchaseId = String((bought.json as { data: { id: number } }).data.id);
    const answers: Record<string, unknown> = {
      profile: (await call('profile')).json,
      allcountries: (await call('allcountries')).json,
      alloperators: (await call('alloperators')).json,
      allapplications: (await call('allapplications')).json,
      pricebycountry: (await call('pricebycountry', { query: 'country=1&operator=11' })).json,
      buy: bought.json,
    };
    for (const [endpoint, answer] of Object.entries(answers)) {
      const simulated = variantsOf(endpoint).filter((variant) => variant.simulator);
      expect(simulated.length, endpoint).toBeGreaterThan(0);
      for (const variant of simulated)
        expect(shapeOf(answer), endpoint).toEqual(shapeOf(variant.body));
    }
    const [waiting, received] = variantsOf('check').filter((variant) => variant.simulator);
    expect(shapeOf((await call('check', { query: `id=${purchaseId}` })).json)).toEqual(
      shapeOf(waiting!.body),
    );
    sim.deliverSms(purchaseId, 'Your code is 12345');
    const afterSms = await call('check', { query: `id=${purchaseId}` });
    expect(shapeOf(afterSms.json)).toEqual(shapeOf(received!.body));
    expect(afterSms.json).toMatchObject({ data: { status: 'received', sms: [{ code: '12345' }] } });
    // The simulator's refusal wordings are the ones the fixtures list.
    const refused = await call('cancel', { query: `id=${purchaseId}` });
    const cancelAfterSms = variantsOf('errors').find((v) => v.name.includes('cancel after'));
    expect([refused.status, refused.json]).toEqual([
      cancelAfterSms!.httpStatus,
      cancelAfterSms!.body,
    ]);
  });
});

describe('shomare adapter extras (simulator)', () => {
  let sim: ShomareSimulator;
  let adapter: ShomareAdapter;
  beforeEach(async () => {
    sim = new ShomareSimulator({ apiKey: KEY });
    await sim.start();
    adapter = new ShomareAdapter(accountAt(sim.baseUrl), { maxRetries: 0 });
  });
  afterEach(async () => {
    await sim.stop();
  });

  const buyTelegramRu = async () => {
    const offer = (await adapter.catalog()).find(
      (o) => o.service === 'telegram' && o.country === 'RU' && o.operator === undefined,
    );
    return adapter.buy({ service: 'telegram', country: 'RU', ref: offer!.ref });
  };

  it('lists operator offers apart, and "any" without an operator', async () => {
    const offers = await adapter.catalog();
    const telegramRu = offers.filter((o) => o.service === 'telegram' && o.country === 'RU');
    expect(
      Object.fromEntries(telegramRu.map((o) => [o.operator ?? 'any', o.cost.format()])),
    ).toEqual({ any: '25000', mts: '27500' });
  });

  it('posts buy with the token header and the ids in the body and the query; charges at buy', async () => {
    const before = sim.balance;
    const purchase = await buyTelegramRu();
    const request = sim.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/buy?country=1&operator=11&app=1');
    expect(new URLSearchParams(request.body).toString()).toBe('country=1&operator=11&app=1');
    expect(request.headers.token).toBe(KEY);
    expect(purchase.phoneNumber).toMatch(/^\+7\d{10}$/);
    expect(purchase.cost?.equals(Money.parse('25000', 'IRT'))).toBe(true);
    expect(before - sim.balance).toBe(25_000n);
  });

  it('keeps every SMS, oldest first', async () => {
    const purchase = await buyTelegramRu();
    sim.deliverSms(purchase.upstreamRef, 'Your code is 11111');
    sim.deliverSms(purchase.upstreamRef, 'Your code is 22222');
    const status = await adapter.status(purchase.upstreamRef);
    expect(status.messages.map((m) => m.code)).toEqual(['11111', '22222']);
    expect(status.messages[0]?.receivedAt).toBeInstanceOf(Date);
  });

  it('treats a second cancel as done, and refunds once', async () => {
    const before = sim.balance;
    const purchase = await buyTelegramRu();
    await adapter.cancel(purchase.upstreamRef);
    await adapter.cancel(purchase.upstreamRef);
    expect(sim.balance).toBe(before);
  });

  it('expires a purchase after the TTL and gives the money back', async () => {
    const quick = new ShomareSimulator({ apiKey: KEY, activationTtlSeconds: 0 });
    await quick.start();
    try {
      const quickAdapter = new ShomareAdapter(accountAt(quick.baseUrl), { maxRetries: 0 });
      const before = quick.balance;
      const offer = (await quickAdapter.catalog()).find((o) => o.service === 'google');
      const purchase = await quickAdapter.buy({
        service: 'google',
        country: 'RU',
        ref: offer!.ref,
      });
      expect((await quickAdapter.status(purchase.upstreamRef)).state).toBe('expired');
      expect(quick.balance).toBe(before);
    } finally {
      await quick.stop();
    }
  });

  it('maps a low wallet to InsufficientUpstreamBalance and a blocked account to AuthError', async () => {
    const offer = (await adapter.catalog()).find((o) => o.service === 'telegram')!;
    sim.setBalance('10');
    await expect(
      adapter.buy({ service: 'telegram', country: offer.country, ref: offer.ref }),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_UPSTREAM_BALANCE',
      httpStatus: 402,
    });
    sim.blockAccount();
    await expect(adapter.balance()).rejects.toMatchObject({
      code: 'AUTH',
      message: expect.stringContaining('blocked'),
    });
  });

  it('refuses a ref that is not a Shomare product without calling the upstream', async () => {
    const before = sim.requests.length;
    await expect(
      adapter.buy({ service: 'telegram', country: 'RU', ref: 'telegram/RU' }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect(sim.requests.length).toBe(before);
  });
});

/** A bare HTTP server that answers every request with what `reply` says (fixture bodies). */
async function fixtureServer(
  reply: (endpoint: string, url: URL) => { status: number; body: unknown } | undefined,
): Promise<{ baseUrl: string; urls: string[]; close: () => Promise<void> }> {
  const urls: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture.invalid');
    urls.push(url.pathname + url.search);
    const answer = reply(url.pathname.replace(/^\/api\//, ''), url);
    const status = answer?.status ?? 404;
    const text = answer ? JSON.stringify(answer.body) : '<html><title>Not Found</title></html>';
    res.writeHead(status, { 'content-type': answer ? 'application/json' : 'text/html' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/`,
    urls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('shomare adapter over the other plausible shapes (fixtures served as is)', () => {
  const served = (variant: Variant) => ({ status: variant.httpStatus, body: variant.body });
  const pick = (endpoint: string, name: string): Variant =>
    variantsOf(endpoint).find((variant) => variant.name.startsWith(name))!;

  it('builds the catalog from top-level, keyed and global-operator answers', async () => {
    const countries = pick('allcountries', 'top-level list of Persian names');
    const operators = pick('alloperators', 'one global list');
    const apps = pick('allapplications', 'simulator');
    const prices = pick('pricebycountry', 'object keyed by application id');
    const server = await fixtureServer((endpoint) =>
      endpoint === 'allcountries'
        ? served(countries)
        : endpoint === 'alloperators'
          ? served(operators)
          : endpoint === 'allapplications'
            ? served(apps)
            : endpoint === 'pricebycountry'
              ? served(prices)
              : undefined,
    );
    try {
      const offers = await new ShomareAdapter(accountAt(server.baseUrl)).catalog();
      // RU (1), GB (4), TR (6) × operators "همه" (no operator) and MTS × telegram, whatsapp.
      expect(offers).toHaveLength(12);
      expect(new Set(offers.map((o) => o.country))).toEqual(new Set(['RU', 'GB', 'TR']));
      expect(offers.find((o) => o.ref === '4:2:2')).toMatchObject({
        service: 'whatsapp',
        country: 'GB',
        operator: 'mts',
        stock: 3,
      });
      expect(server.urls).toContain('/api/pricebycountry?country=6&operator=1');
      expect(server.urls.some((url) => url.includes('country=9'))).toBe(false); // unknown country
    } finally {
      await server.close();
    }
  });

  for (const variant of variantsOf('profile')) {
    it(`reads the balance: ${variant.name}`, async () => {
      const server = await fixtureServer((endpoint) =>
        endpoint === 'profile' ? served(variant) : undefined,
      );
      try {
        const balance = await new ShomareAdapter(accountAt(server.baseUrl)).balance();
        expect(balance.format()).toBe((variant.expected as { balance: string }).balance);
      } finally {
        await server.close();
      }
    });
  }

  for (const variant of variantsOf('buy')) {
    it(`buys: ${variant.name}`, async () => {
      const server = await fixtureServer((endpoint) =>
        endpoint === 'buy' ? served(variant) : undefined,
      );
      try {
        const purchase = await new ShomareAdapter(accountAt(server.baseUrl)).buy({
          service: 'telegram',
          country: variant.country!,
          ref: '1:11:1',
        });
        const expected = variant.expected as { upstreamRef: string; phoneNumber: string };
        expect(purchase).toMatchObject({
          upstreamRef: expected.upstreamRef,
          phoneNumber: expected.phoneNumber,
        });
      } finally {
        await server.close();
      }
    });
  }

  for (const variant of variantsOf('check')) {
    it(`checks: ${variant.name}`, async () => {
      const server = await fixtureServer((endpoint) =>
        endpoint === 'check' ? served(variant) : undefined,
      );
      try {
        const status = await new ShomareAdapter(accountAt(server.baseUrl)).status('5001');
        const expected = variant.expected as { state: string; codes: string[] };
        expect({ state: status.state, codes: status.messages.map((m) => m.code) }).toEqual(
          expected,
        );
        expect(server.urls).toEqual(['/api/check?id=5001']);
      } finally {
        await server.close();
      }
    });
  }

  for (const variant of variantsOf('errors')) {
    it(`refuses: ${variant.name}`, async () => {
      const server = await fixtureServer(() => served(variant));
      try {
        const adapter = new ShomareAdapter(accountAt(server.baseUrl), { maxRetries: 0 });
        const calls: Record<string, () => Promise<unknown>> = {
          cancel: () => adapter.cancel('5001'),
          status: () => adapter.status('5001'),
          buy: () => adapter.buy({ service: 'telegram', country: 'RU', ref: '1:11:1' }),
          balance: () => adapter.balance(),
          catalog: () => adapter.catalog(),
        };
        const run = calls[variant.operation ?? 'catalog']!;
        if (variant.expected === 'already-cancelled') {
          await expect(run()).resolves.toBeUndefined();
          return;
        }
        const error = await run().then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).constructor.name).toBe(variant.expected);
        expect((error as ProviderError).operation).toBe(variant.operation);
      } finally {
        await server.close();
      }
    });
  }

  it('reads a 500 without JSON on buy as an outage that may have bought, not as "no numbers"', async () => {
    const crashing = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
    });
    await new Promise<void>((resolve) => crashing.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = crashing.address() as AddressInfo;
      const adapter = new ShomareAdapter(accountAt(`http://127.0.0.1:${port}/api/`));
      await expect(
        adapter.buy({ service: 'telegram', country: 'RU', ref: '1:11:1' }),
      ).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        surelyNotSent: false,
      });
    } finally {
      crashing.closeAllConnections();
      await new Promise<void>((resolve) => crashing.close(() => resolve()));
    }
  });
});

describe("shomare pricebycountry: the doc's two URL readings, and a wrong endpoint", () => {
  const list = (data: unknown) => ({ status: 200, body: { status: true, code: 200, data } });
  const lists = (endpoint: string) =>
    endpoint === 'allcountries'
      ? list([{ id: 1, name_en: 'Russia', iso: 'RU' }])
      : endpoint === 'alloperators'
        ? list([{ id: 11, name: 'any', country_id: 1 }])
        : endpoint === 'allapplications'
          ? list([{ id: 1, name: 'Telegram', code: 'telegram' }])
          : undefined;

  it('fails the sync loudly when pricebycountry is a 404 without JSON in both forms', async () => {
    const server = await fixtureServer((endpoint) => lists(endpoint));
    try {
      const error = await new ShomareAdapter(accountAt(server.baseUrl), { maxRetries: 0 })
        .catalog()
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
      // Before: an empty catalog and no error at all.
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({
        code: 'INVALID_REQUEST',
        operation: 'catalog',
        httpStatus: 404,
        message: expect.stringContaining('check baseUrl'),
      });
      expect(server.urls).toContain('/api/pricebycountry?country=1&operator=11');
      expect(server.urls).toContain('/api/pricebycountry/1/11');
    } finally {
      await server.close();
    }
  });

  it('switches to path segments when the query form is no endpoint, and keeps them', async () => {
    const server = await fixtureServer((endpoint) => {
      if (endpoint === 'pricebycountry/1/11') {
        return list([{ app_id: 1, price: 25000, count: 7 }]);
      }
      if (endpoint === 'buy/1/11/1') return list({ id: 77, number: '79161234567' });
      if (endpoint === 'check/77') return list({ id: 77, status: 'waiting', sms: [] });
      return lists(endpoint);
    });
    try {
      const adapter = new ShomareAdapter(accountAt(server.baseUrl), { maxRetries: 0 });
      const offers = await adapter.catalog();
      expect(offers).toMatchObject([{ service: 'telegram', country: 'RU', stock: 7 }]);
      const purchase = await adapter.buy({
        service: 'telegram',
        country: 'RU',
        ref: offers[0]!.ref,
      });
      expect(purchase).toMatchObject({ upstreamRef: '77', phoneNumber: '+79161234567' });
      expect((await adapter.status('77')).state).toBe('waiting');
      await adapter.catalog();
      // One query-form probe, then only path segments (the buy once, never in the query form).
      expect(server.urls.filter((url) => url.includes('?country='))).toEqual([
        '/api/pricebycountry?country=1&operator=11',
      ]);
      expect(server.urls.filter((url) => url.startsWith('/api/buy'))).toEqual(['/api/buy/1/11/1']);
    } finally {
      await server.close();
    }
  });

  it('still reads a JSON 404 for one pair as "no prices there"', async () => {
    const server = await fixtureServer((endpoint) =>
      endpoint === 'pricebycountry'
        ? {
            status: 404,
            body: { status: false, code: 404, message: 'پارامترهای ارسالی در سیستم وجود ندارند' },
          }
        : lists(endpoint),
    );
    try {
      await expect(new ShomareAdapter(accountAt(server.baseUrl)).catalog()).resolves.toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('works against a simulator that routes ids as path segments', async () => {
    const sim = new ShomareSimulator({ apiKey: KEY, paramStyle: 'path' });
    await sim.start();
    try {
      const adapter = new ShomareAdapter(accountAt(sim.baseUrl), { maxRetries: 0 });
      const offer = (await adapter.catalog()).find(
        (o) => o.service === 'telegram' && o.country === 'RU' && o.operator === undefined,
      )!;
      const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: offer.ref });
      expect(sim.requests.at(-1)?.url).toBe('/api/buy/1/11/1');
      sim.deliverSms(purchase.upstreamRef, 'Your code is 31415');
      expect((await adapter.status(purchase.upstreamRef)).messages.map((m) => m.code)).toEqual([
        '31415',
      ]);
    } finally {
      await sim.stop();
    }
  });
});

describe('shomare catalog fan-out', () => {
  // 30 countries × a global list of 6 operators: 180 pricebycountry pairs, 2 of which sell.
  const countries = COUNTRIES.slice(0, 30).map((country, index) => ({
    id: index + 1,
    name_en: country.name,
    iso: country.iso,
  }));
  const operators = ['any', 'mts', 'beeline', 'megafon', 'tele2', 'yota'].map((name, index) => ({
    id: 101 + index,
    name,
  }));
  const serve = (endpoint: string, url: URL) => {
    const ok = (data: unknown) => ({ status: 200, body: { status: true, code: 200, data } });
    if (endpoint === 'allcountries') return ok(countries);
    if (endpoint === 'alloperators') return ok(operators);
    if (endpoint === 'allapplications') return ok([{ id: 1, name: 'Telegram', code: 'telegram' }]);
    if (endpoint !== 'pricebycountry') return undefined;
    const pair = `${url.searchParams.get('country')}:${url.searchParams.get('operator')}`;
    if (pair === '1:101' || pair === '2:101') return ok([{ app_id: 1, price: 9000, count: 3 }]);
    return { status: 404, body: { status: false, code: 404, message: 'یافت نشد' } };
  };
  const priceCalls = (urls: string[]) => urls.filter((url) => url.includes('pricebycountry'));

  it('asks about a bounded number of pairs per sync, and about empty pairs rarely', async () => {
    const server = await fixtureServer(serve);
    let now = 1_000_000;
    try {
      const adapter = new ShomareAdapter(accountAt(server.baseUrl), { now: () => now });
      const first = await adapter.catalog();
      // Before: every pair on every sync (180 requests each time).
      expect(priceCalls(server.urls).length).toBeLessThanOrEqual(120);
      expect(first.length).toBe(2); // the selling pairs come first in the list
      server.urls.length = 0;
      now += 60_000;
      await adapter.catalog();
      // The 60 pairs never asked, and the 2 selling ones again; nothing else.
      expect(priceCalls(server.urls)).toHaveLength(62);
      server.urls.length = 0;
      now += 60_000;
      const third = await adapter.catalog();
      expect(priceCalls(server.urls)).toHaveLength(2);
      expect(third.map((o) => o.country).sort()).toEqual(
        [countries[0]!.iso, countries[1]!.iso].sort(),
      );
      server.urls.length = 0;
      now += 15 * 60_000;
      await adapter.catalog();
      // Empty pairs come back after their refresh period, still within the per-sync bound.
      expect(priceCalls(server.urls)).toHaveLength(120);
    } finally {
      await server.close();
    }
  });

  it('prices each country with its own operators only', async () => {
    const server = await fixtureServer((endpoint, url) =>
      endpoint === 'alloperators'
        ? {
            status: 200,
            body: {
              status: true,
              data: [
                { id: 101, name: 'any', country_id: 1 },
                { id: 102, name: 'mts', country_id: 1 },
                { id: 201, name: 'any', country_id: 2 },
              ],
            },
          }
        : serve(endpoint, url),
    );
    try {
      await new ShomareAdapter(accountAt(server.baseUrl)).catalog();
      expect(priceCalls(server.urls).sort()).toEqual([
        '/api/pricebycountry?country=1&operator=101',
        '/api/pricebycountry?country=1&operator=102',
        '/api/pricebycountry?country=2&operator=201',
      ]);
    } finally {
      await server.close();
    }
  });
});
