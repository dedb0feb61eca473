import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Money } from '@numbroker/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderAccount } from '../adapter.js';
import { runContractSuite } from '../contract/contract-suite.js';
import { ShizNumberAdapter } from './adapter.js';
import {
  SHIZ_SIM_MESSAGES,
  ShizNumberSimulator,
  type ShizNumberSimulatorOptions,
} from './simulator.js';
import { docErrorRows, loadFixture, shapeOf } from './test-support/fixtures.js';

runContractSuite({
  kind: 'shiznumber',
  currency: 'IRT',
  createSimulator: (options) => new ShizNumberSimulator(options),
  createAdapter: (account, options) => new ShizNumberAdapter(account, options),
  // The doc's own example product (numbers/57237), stocked by default.
  sample: { service: 'telegram', country: 'AF', cost: '42000' },
});

const API_KEY = 'shiz-extra-key-7d1e0b';

function accountFor(baseUrl: string, overrides: Partial<ProviderAccount> = {}): ProviderAccount {
  return {
    id: 'shiz',
    kind: 'shiznumber',
    baseUrl,
    apiKey: API_KEY,
    currency: 'IRT',
    timeoutMs: 3000,
    ...overrides,
  };
}

describe('ShizNumber extras against the simulator', () => {
  let sim: ShizNumberSimulator;
  let adapter: ShizNumberAdapter;

  const boot = async (options: ShizNumberSimulatorOptions = {}) => {
    await sim?.stop();
    sim = new ShizNumberSimulator({ apiKey: API_KEY, ...options });
    await sim.start();
    adapter = new ShizNumberAdapter(accountFor(sim.baseUrl), { maxRetries: 0 });
  };
  beforeEach(() => boot());
  afterEach(() => sim.stop());

  const raw = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (init.key !== null) headers['X-API-KEY'] = init.key ?? API_KEY;
    return fetch(`${sim.baseUrl}${path}`, { ...init, headers: { ...headers, ...init.headers } });
  };

  it('sends the doc headers: X-API-KEY and Accept: application/json', async () => {
    await adapter.balance();
    const [request] = sim.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/api/user');
    expect(request?.headers['x-api-key']).toBe(API_KEY);
    expect(request?.headers.accept).toBe('application/json');
  });

  it('buys with POST numbers/{id}, charges the wallet, and gives an E.164 number', async () => {
    sim.setBalance('100000');
    const purchase = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    expect(purchase.phoneNumber).toMatch(/^\+93\d{9}$/);
    expect(purchase.cost?.equals(Money.parse('42000', 'IRT'))).toBe(true);
    expect(sim.activation(purchase.upstreamRef)?.phoneNumber).toBe(purchase.phoneNumber);
    expect(sim.walletBalance).toBe('58000');
    expect(sim.requests.at(-1)).toMatchObject({ method: 'POST', url: '/api/numbers/57237' });
  });

  it('maps the doc refusals of a buy: 402 wallet short, 422 disabled, 404 unknown number', async () => {
    sim.setBalance('1000');
    await expect(
      adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' }),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_UPSTREAM_BALANCE',
      httpStatus: 402,
    });
    sim.setBalance('1000000');
    sim.setNumberActive(57237, false);
    await expect(
      adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' }),
    ).rejects.toMatchObject({
      code: 'NO_NUMBERS',
      httpStatus: 422,
    });
    await expect(
      adapter.buy({ service: 'telegram', country: 'AF', ref: '424242' }),
    ).rejects.toMatchObject({
      code: 'NO_NUMBERS',
      httpStatus: 404,
    });
    await expect(
      adapter.buy({ service: 'telegram', country: 'AF', ref: 'abc' }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('leaves out services we do not sell and disabled numbers', async () => {
    const offers = await adapter.catalog();
    expect(offers.map((offer) => offer.ref)).not.toContain('57307'); // payoneer
    expect(offers.find((offer) => offer.ref === '57172')).toMatchObject({
      service: 'facebook',
      country: 'TR',
      operator: 'shiz62',
      stock: 3,
    });
    sim.setNumberActive(57172, false);
    expect((await adapter.catalog()).map((offer) => offer.ref)).not.toContain('57172');
  });

  it('answers a too-early cancel with a retryable CancelNotAllowed, then cancels', async () => {
    await boot({ minActionAgeSeconds: 3600 });
    const purchase = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    await expect(adapter.cancel(purchase.upstreamRef)).rejects.toMatchObject({
      code: 'CANCEL_NOT_ALLOWED',
      retryable: true,
      httpStatus: 422,
    });
    expect(sim.activation(purchase.upstreamRef)?.state).toBe('waiting');
  });

  it('treats a repeated cancel (after a lost answer) as done, and a cancel after a code as refused', async () => {
    const purchase = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    await adapter.cancel(purchase.upstreamRef);
    await adapter.cancel(purchase.upstreamRef);
    expect(sim.activation(purchase.upstreamRef)?.state).toBe('cancelled');

    const second = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    sim.deliverSms(second.upstreamRef, 'Your code is 12345');
    await expect(adapter.cancel(second.upstreamRef)).rejects.toMatchObject({
      code: 'CANCEL_NOT_ALLOWED',
      retryable: false,
    });
  });

  it('refuses to report an order without a code', async () => {
    const purchase = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    await expect(adapter.report(purchase.upstreamRef)).rejects.toMatchObject({
      code: 'CANCEL_NOT_ALLOWED',
      retryable: false,
      upstreamMessage: SHIZ_SIM_MESSAGES.reportFailed,
    });
  });

  it('keeps the leading zero of a code the JSON number would lose', async () => {
    const purchase = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    sim.deliverSms(purchase.upstreamRef, 'Telegram code 04512');
    const status = await adapter.status(purchase.upstreamRef);
    expect(status.messages).toEqual([{ code: '04512', text: 'Telegram code 04512' }]);
  });

  it('sees a code on an order that has closed since (422 ended → the list)', async () => {
    const purchase = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    sim.deliverSms(purchase.upstreamRef, 'Your code is 777111');
    sim.expireActivation(purchase.upstreamRef);
    expect(sim.activation(purchase.upstreamRef)?.state).toBe('finished');
    const status = await adapter.status(purchase.upstreamRef);
    expect(status).toMatchObject({ state: 'code', messages: [{ code: '777111' }] });
  });

  it('follows a paginated order list (not in the doc) for statusMany', async () => {
    await boot({ ordersPageSize: 2 });
    const refs: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      refs.push(
        (await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' })).upstreamRef,
      );
    }
    const oldest = refs[0]!;
    sim.deliverSms(oldest, 'Your code is 12345');
    const statuses = await adapter.statusMany([oldest, refs[4]!, '999999']);
    expect(statuses.get(oldest)?.state).toBe('code');
    expect(statuses.get(refs[4]!)?.state).toBe('waiting');
    expect(statuses.has('999999')).toBe(false);
    expect(sim.requests.filter((r) => r.url.startsWith('/api/orders')).map((r) => r.url)).toEqual([
      '/api/orders',
      '/api/orders?page=2',
      '/api/orders?page=3',
    ]);
  });

  it('buys a Brazilian number whose area code is 55 and keeps it whole', async () => {
    const purchase = await adapter.buy({ service: 'whatsapp', country: 'BR', ref: '57308' });
    // +55 (Brazil) 55 (area) 9xxxx-xxxx. Before: the area code was taken for the country code.
    expect(purchase.phoneNumber).toMatch(/^\+55559\d{8}$/);
    expect((await adapter.listActivations())[0]?.phoneNumber).toBe(purchase.phoneNumber);
  });

  it('bounds statusMany: past a long history it asks each open order alone', async () => {
    // 80 orders of history (cancelled), then 2 open ones.
    for (let index = 0; index < 80; index += 1) {
      const old = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
      await adapter.cancel(old.upstreamRef);
    }
    const first = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    const second = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    sim.deliverSms(second.upstreamRef, 'Your code is 424242');
    const refs = [first.upstreamRef, second.upstreamRef];
    const ordersCalls = (from: number) =>
      sim.requests.slice(from).filter((r) => r.url.startsWith('/api/orders'));

    let from = sim.requests.length;
    const learned = await adapter.statusMany(refs); // one list read tells the history's size
    expect(ordersCalls(from).map((r) => r.url)).toEqual(['/api/orders']);
    expect(learned.get(second.upstreamRef)?.state).toBe('code');

    for (let poll = 0; poll < 3; poll += 1) {
      from = sim.requests.length;
      const statuses = await adapter.statusMany(refs);
      // Before: the whole 82-order list on every poll.
      expect(
        ordersCalls(from)
          .map((r) => r.url)
          .sort(),
      ).toEqual(refs.map((ref) => `/api/orders/${ref}`).sort());
      expect(statuses.get(first.upstreamRef)?.state).toBe('waiting');
      expect(statuses.get(second.upstreamRef)?.messages.map((m) => m.code)).toEqual(['424242']);
    }
  });

  it('lists activations newest first with their numbers', async () => {
    const first = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    const second = await adapter.buy({ service: 'facebook', country: 'TR', ref: '57172' });
    const listed = await adapter.listActivations();
    expect(listed.map((a) => [a.upstreamRef, a.phoneNumber])).toEqual([
      [second.upstreamRef, second.phoneNumber],
      [first.upstreamRef, first.phoneNumber],
    ]);
  });

  it('expires an order past its TTL and refunds it', async () => {
    await boot({ activationTtlSeconds: 0 });
    sim.setBalance('50000');
    const purchase = await adapter.buy({ service: 'telegram', country: 'AF', ref: '57237' });
    expect((await adapter.status(purchase.upstreamRef)).state).toBe('expired');
    expect(sim.walletBalance).toBe('50000');
  });

  describe('the simulator follows the doc', () => {
    it('refuses a missing key with 404 and a wrong one with 403, with the doc messages', async () => {
      const missing = await raw('user', { key: null });
      expect([missing.status, await missing.json()]).toEqual([
        404,
        { message: 'کلید API یافت نشد' },
      ]);
      const wrong = await raw('numbers', { key: 'nope' });
      expect([wrong.status, await wrong.json()]).toEqual([
        403,
        { message: 'کلید API اشتباه می باشد' },
      ]);
    });

    it('takes offers and deliveries through its /__sim/ control API', async () => {
      const origin = sim.baseUrl.replace(/\/api\/$/, '');
      const post = (route: string, body: unknown) =>
        fetch(`${origin}/__sim/${route}`, { method: 'POST', body: JSON.stringify(body) });
      const offer = { service: 'whatsapp', country: 'TR', stock: 4 };
      expect((await post('offer', { ...offer, cost: '51000.00' })).status).toBe(200);
      expect((await post('offer', { ...offer, cost: '51000.5' })).status).toBe(400);
      expect((await post('offer', { ...offer, service: 'payoneer', cost: '1' })).status).toBe(400);
      const listed = (await adapter.catalog()).find(
        (o) => o.service === 'whatsapp' && o.country === 'TR',
      );
      expect([listed?.stock, listed?.cost.format()]).toEqual([4, '51000']);
      const purchase = await adapter.buy({ service: 'whatsapp', country: 'TR', ref: listed!.ref });
      expect(purchase.phoneNumber).toMatch(/^\+90\d{10}$/);
      const deliver = { ref: purchase.upstreamRef, text: 'WhatsApp code 567-890' };
      expect((await post('deliver', deliver)).status).toBe(200);
      const status = await adapter.status(purchase.upstreamRef);
      expect(status.messages).toEqual([{ code: '567890', text: 'WhatsApp code 567-890' }]);
    });

    it('answers errors with an HTML page to a client that did not ask for JSON', async () => {
      const res = await fetch(`${sim.baseUrl}user`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    });

    it('answers each endpoint in the shape of the doc example', async () => {
      const bought = (await (await raw('numbers/57172', { method: 'POST' })).json()) as {
        order: { id: number };
      };
      const orderId = bought.order.id;
      const pairs: Array<[string, string, RequestInit?]> = [
        ['get-user.response.json5', 'user'],
        ['get-numbers.response.json5', 'numbers'],
        ['get-number-57172.response.json5', 'numbers/57172'],
        ['get-orders.response.json5', 'orders'],
        ['get-services.response.json5', 'services'],
        ['get-service-telegram.response.json5', 'services/telegram'],
        ['get-countries.response.json5', 'countries'],
        ['get-country-telegram.response.json5', 'countries/afghanistan'],
      ];
      sim.deliverSms(String(orderId), 'Your account verification code is 21341');
      pairs.push(['get-order-34.response.json5', `orders/${orderId}`]);
      for (const [fixture, path] of pairs) {
        const res = await raw(path);
        expect(res.status, path).toBe(200);
        expect(shapeOf(await res.json()), path).toEqual(shapeOf(loadFixture(fixture)));
      }
      // The doc's buy example already holds a code; a fresh order has none yet.
      const docBuy = loadFixture('post-number-57172.response.json5') as { order: object };
      expect(shapeOf(bought)).toEqual(
        shapeOf({ ...docBuy, order: { ...docBuy.order, sms_code: null, sms_code_str: null } }),
      );
      for (const [fixture, action] of [
        ['put-order-50-report.response.json5', 'report'],
        ['put-order-50-cancel.response.json5', 'cancel'],
      ] as const) {
        if (action === 'cancel') {
          const another = (await (await raw('numbers/57237', { method: 'POST' })).json()) as {
            order: { id: number };
          };
          const res = await raw(`orders/${another.order.id}/cancel`, { method: 'PUT' });
          expect(await res.json()).toEqual(loadFixture(fixture));
        } else {
          const res = await raw(`orders/${orderId}/report`, { method: 'PUT' });
          expect(await res.json()).toEqual(loadFixture(fixture));
        }
      }
    });

    it('answers every row of the doc error tables with its status and message', async () => {
      await boot({ minActionAgeSeconds: 60 });
      const buy = async () =>
        (
          (await (await raw('numbers/57237', { method: 'POST' })).json()) as {
            order: { id: number };
          }
        ).order.id;
      const seen = new Set<string>();
      for (const row of docErrorRows()) {
        sim.reset();
        sim.setBalance('1000000');
        let res: Response;
        const message = row.message.trim();
        switch (`${row.endpoint} ${row.status}`) {
          case 'any 404':
            res = await raw('user', { key: null });
            break;
          case 'any 403':
            res = await raw('user', { key: 'wrong' });
            break;
          case 'buy 422':
            sim.setNumberActive(57237, false);
            res = await raw('numbers/57237', { method: 'POST' });
            break;
          case 'buy 404':
            res = await raw('numbers/1', { method: 'POST' });
            break;
          case 'buy 402':
            sim.setBalance('0');
            res = await raw('numbers/57237', { method: 'POST' });
            break;
          case 'buy 500':
            sim.injectFault({ kind: 'http500' });
            res = await raw('numbers/57237', { method: 'POST' });
            break;
          default: {
            const action = row.endpoint === 'order' ? '' : `/${row.endpoint}`;
            const method = row.endpoint === 'order' ? 'GET' : 'PUT';
            if (row.status === 404) {
              res = await raw(`orders/424242${action}`, { method });
              break;
            }
            const id = await buy();
            if (message.includes('پس از گذر')) {
              if (row.endpoint === 'report') sim.deliverSms(String(id), 'code 1234');
            } else if (message.includes('شکست')) {
              // report without a code
            } else {
              sim.expireActivation(String(id));
            }
            res = await raw(`orders/${id}${action}`, { method });
          }
        }
        expect(res.status, message).toBe(row.status);
        const body = await res.text();
        const expected = message.replace(' X ', ' 60 ');
        if (row.status === 500) expect(body).toBe(expected);
        else expect(JSON.parse(body), message).toEqual({ message: normalizeDocSpacing(expected) });
        seen.add(`${row.endpoint} ${row.status} ${message}`);
      }
      expect(seen.size).toBe(docErrorRows().length);
    });
  });
});

/** The doc writes "می باشد" in one table and "میباشد" in others for the same 404; the
 *  simulator uses the first spelling everywhere. */
function normalizeDocSpacing(message: string): string {
  return message.replace('میباشد', 'می باشد');
}

describe('ShizNumber adapter on the doc examples verbatim', () => {
  let server: Server;
  let baseUrl: string;
  const replies = new Map<string, { status: number; body: unknown }>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const reply = replies.get(`${req.method} ${req.url}`);
      res.writeHead(reply?.status ?? 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply?.body ?? { message: 'Not Found' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
    replies.set('GET /api/numbers', {
      status: 200,
      body: loadFixture('get-numbers.response.json5'),
    });
    replies.set('POST /api/numbers/57172', {
      status: 200,
      body: loadFixture('post-number-57172.response.json5'),
    });
    replies.set('GET /api/orders/34', {
      status: 200,
      body: loadFixture('get-order-34.response.json5'),
    });
    replies.set('GET /api/orders/50', {
      status: 422,
      body: { message: 'سفارش مورد نظر شما به اتمام رسیده است' },
    });
    replies.set('GET /api/orders', { status: 200, body: loadFixture('get-orders.response.json5') });
    replies.set('GET /api/user', { status: 200, body: loadFixture('get-user.response.json5') });
    replies.set('PUT /api/orders/34/cancel', {
      status: 200,
      body: loadFixture('put-order-50-cancel.response.json5'),
    });
  });
  afterAll(
    () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  );

  it('reads every example the way the doc means it', async () => {
    const adapter = new ShizNumberAdapter(accountFor(baseUrl), { maxRetries: 0 });
    const offers = await adapter.catalog();
    expect(
      offers.map((offer) => [offer.ref, offer.service, offer.country, offer.cost.format()]),
    ).toEqual([
      ['57172', 'facebook', 'TR', '64400'],
      ['57237', 'telegram', 'AF', '42000'],
    ]);
    const purchase = await adapter.buy({ service: 'facebook', country: 'TR', ref: '57172' });
    expect(purchase).toEqual({
      upstreamRef: '34',
      phoneNumber: '+84923255262',
      cost: Money.parse('19500', 'IRT'),
    });
    const status = await adapter.status('34');
    expect(status).toEqual({
      upstreamRef: '34',
      state: 'code',
      messages: [{ code: '21341', text: 'Your account verification code is 21341' }],
    });
    // Order 50 has ended and is not in the list either: it counts as expired.
    expect(await adapter.status('50')).toEqual({
      upstreamRef: '50',
      state: 'expired',
      messages: [],
    });
    const many = await adapter.statusMany(['34', '50']);
    expect([...many.keys()]).toEqual(['34']);
    expect((await adapter.balance()).equals(Money.parse('27200', 'IRT'))).toBe(true);
    await adapter.cancel('34');
  });
});

describe('ShizNumber report repeated after a lost answer', () => {
  let server: Server;
  let baseUrl: string;
  let statusName = 'refunded';

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'PUT' && req.url === '/api/orders/77/report') {
        // Our first report went through; its answer was lost; this repeat finds the order ended.
        res.writeHead(422);
        res.end(JSON.stringify({ message: 'سفارش مورد نظر شما به اتمام رسیده است' }));
        return;
      }
      if (req.method === 'GET' && req.url === '/api/orders') {
        const order = loadFixture('get-order-34.response.json5') as Record<string, unknown>;
        res.writeHead(200);
        res.end(
          JSON.stringify([
            { ...order, id: 77, status: { name: statusName, fa_name: 'مبلغ عودت داده شد' } },
          ]),
        );
        return;
      }
      res.writeHead(404);
      res.end(JSON.stringify({ message: 'Not Found' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  );

  it('counts an order with a code listed as refunded/cancelled as reported (seed: report → "its cost is returned to your wallet")', async () => {
    const adapter = new ShizNumberAdapter(accountFor(baseUrl), { maxRetries: 0 });
    for (const name of ['refunded', 'canceled', 'reported']) {
      statusName = name;
      await expect(adapter.report('77')).resolves.toBeUndefined();
    }
    // Still open with its code: the refusal stands.
    statusName = 'waiting';
    await expect(adapter.report('77')).rejects.toMatchObject({ code: 'CANCEL_NOT_ALLOWED' });
  });
});
