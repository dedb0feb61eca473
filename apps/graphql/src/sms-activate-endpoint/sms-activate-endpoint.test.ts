import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '@numbroker/providers';
import { createRateLimiter } from '../auth/rate-limit.js';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { ADMIN_KEY } from '../test-support/test-server.js';
import { startEndpoint, type EndpointHarness } from './test-support/endpoint-harness.js';

/** The sell price of a 15000 IRT offer: +10 % markup, rounded up to 100 (test config). */
const TELEGRAM_RU_PRICE = '16500';

describe('SMS-Activate endpoint: the protocol over numbroker orders', () => {
  let h: EndpointHarness;
  let upstream: ScriptedAdapter;
  let key: string;

  beforeAll(async () => {
    upstream = new ScriptedAdapter('upstream-a');
    // A short settle wait: an ambiguous buy left PENDING answers within a second here.
    h = await startEndpoint({
      adapters: [upstream],
      deps: (deps) => Object.assign(deps, { settleWaitMs: 1500 }),
    });
    await h.t.stockOffers('upstream-a', [
      { service: 'telegram', country: 'RU', cost: '15000', stock: 7 },
      { service: 'telegram', country: 'US', cost: '20000', stock: 3 },
      { service: 'google', country: 'KZ', cost: '9000', stock: 0 },
    ]);
    ({ apiKey: key } = await h.t.createFundedUser('bot', '100000'));
  });
  afterAll(async () => {
    await h.close();
  });

  const buyTelegram = async (apiKey = key) => {
    const answer = await h.get({
      api_key: apiKey,
      action: 'getNumber',
      service: 'tg',
      country: '0',
    });
    const match = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(answer.body);
    if (!match) throw new Error(`unexpected getNumber answer ${answer.body}`);
    return { activationId: match[1]!, phone: match[2]! };
  };

  it('refuses a missing, unknown or admin key with BAD_KEY (HTTP 200, text)', async () => {
    const attempts: Array<Record<string, string>> = [
      { action: 'getBalance' },
      { api_key: 'not-a-key', action: 'getBalance' },
      { api_key: ADMIN_KEY, action: 'getBalance' },
      { api_key: `${key} x`, action: 'getBalance' },
    ];
    for (const params of attempts) {
      const answer = await h.get(params);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(answer.body).toBe('BAD_KEY');
    }
  });

  it('answers BAD_ACTION for a missing or unknown action', async () => {
    expect((await h.get({ api_key: key })).body).toBe('BAD_ACTION');
    expect((await h.get({ api_key: key, action: 'getRentNumber' })).body).toBe('BAD_ACTION');
  });

  it('getBalance: the available balance in the platform currency, by GET or POST form', async () => {
    expect((await h.get({ api_key: key, action: 'getBalance' })).body).toBe(
      'ACCESS_BALANCE:100000',
    );
    expect((await h.post({ api_key: key, action: 'getBalance' })).body).toBe(
      'ACCESS_BALANCE:100000',
    );
  });

  it('getNumber refuses what cannot be sold with the protocol tokens', async () => {
    const ask = (params: Record<string, string>) =>
      h.get({ api_key: key, action: 'getNumber', ...params }).then((answer) => answer.body);
    expect(await ask({ service: 'zz', country: '0' })).toBe('BAD_SERVICE');
    expect(await ask({ country: '0' })).toBe('BAD_SERVICE');
    expect(await ask({ service: 'tg', country: '999' })).toBe('BAD_COUNTRY');
    expect(await ask({ service: 'tg', country: 'RU' })).toBe('BAD_COUNTRY');
    expect(await ask({ service: 'wa', country: '0' })).toBe('NO_NUMBERS');
    expect(await ask({ service: 'go', country: '2' })).toBe('NO_NUMBERS');
    expect(await ask({ service: 'tg', country: '0', maxPrice: '100' })).toBe(
      `WRONG_MAX_PRICE:${TELEGRAM_RU_PRICE}`,
    );
    expect(await ask({ service: 'tg', country: '0', maxPrice: 'cheap' })).toBe('BAD_DATA');
    const poor = await h.t.createFundedUser('poor bot', '100');
    expect(
      (await h.get({ api_key: poor.apiKey, action: 'getNumber', service: 'tg', country: '0' }))
        .body,
    ).toBe('NO_BALANCE');
    // Nothing was held by the refusals.
    expect((await h.get({ api_key: key, action: 'getBalance' })).body).toBe(
      'ACCESS_BALANCE:100000',
    );
  });

  it('getNumber when no provider can sell: NO_NUMBERS, and the hold comes back', async () => {
    upstream.scriptBuys(
      new AuthError('upstream refused our key', { providerId: 'upstream-a', operation: 'buy' }),
    );
    const answer = await h.get({ api_key: key, action: 'getNumber', service: 'tg', country: '0' });
    expect(answer.body).toBe('NO_NUMBERS');
    expect((await h.get({ api_key: key, action: 'getBalance' })).body).toBe(
      'ACCESS_BALANCE:100000',
    );
  });

  it('getNumber whose buy stays ambiguous past the wait: ERROR_SQL, the order is reconciled', async () => {
    const bot = await h.t.createFundedUser('unlucky bot', '20000');
    upstream.scriptBuys(new Error('connection reset after the request was sent'));
    const answer = await h.get({
      api_key: bot.apiKey,
      action: 'getNumber',
      service: 'tg',
      country: '0',
    });
    expect(answer.body).toBe('ERROR_SQL');
    // The price stays held until the worker learns whether the number was bought.
    const user = await h.t.server.deps.store.getUser(bot.id);
    expect(user?.held.format()).toBe(TELEGRAM_RU_PRICE);
    expect(
      JSON.parse((await h.get({ api_key: bot.apiKey, action: 'getActiveActivations' })).body),
    ).toEqual({ status: 'error', error: 'NO_ACTIVATIONS' });
  });

  it('getNumber whose ambiguous buy the reconciler settles meanwhile answers the number, not ERROR_SQL', async () => {
    const bot = await h.t.createFundedUser('patient bot', '20000');
    upstream.scriptBuys(new Error('connection reset after the request was sent'));
    const store = h.t.store;
    // The worker's reconciler finds the activation upstream while the request waits.
    const adopted = (async () => {
      for (;;) {
        const page = await store.orders.listOrders(bot.id, { first: 10 });
        const pending = page.orders.find((order) => order.status === 'PENDING');
        if (pending) {
          await store.orders.applyOrderCommand(pending.id, {
            type: 'PURCHASED',
            phoneNumber: '+79001112233',
            upstreamRef: 'found-upstream-1',
          });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const answer = await h.get({ api_key: bot.apiKey, action: 'getNumber', service: 'tg' });
    await adopted;
    expect(answer.body).toMatch(/^ACCESS_NUMBER:\d+:79001112233$/);
  });

  it('getNumber with the same orderId twice buys once and answers the same activation', async () => {
    const bot = await h.t.createFundedUser('retrying bot', '20000');
    const params = { api_key: bot.apiKey, action: 'getNumber', service: 'tg', orderId: 'bot-7' };
    const first = await h.get(params);
    const again = await h.get(params);
    expect(first.body).toMatch(/^ACCESS_NUMBER:/);
    expect(again.body).toBe(first.body);
    const user = await h.t.server.deps.store.getUser(bot.id);
    expect(user?.held.format()).toBe(TELEGRAM_RU_PRICE);
    expect((await h.get({ ...params, orderId: 'has space' })).body).toBe('BAD_DATA');
  });

  it('buy → wait → code → another SMS → new code → finish, charging once', async () => {
    const funded = await h.t.createFundedUser('flow bot', '50000');
    const apiKey = funded.apiKey;
    const { activationId, phone } = await buyTelegram(apiKey);
    expect(phone).toMatch(/^7900000\d{4}$/);
    const orderId = await h.orderIdOf(activationId);
    const status = () => h.get({ api_key: apiKey, action: 'getStatus', id: activationId });
    const setStatus = (value: string) =>
      h.get({ api_key: apiKey, action: 'setStatus', id: activationId, status: value });

    expect((await status()).body).toBe('STATUS_WAIT_CODE');
    expect((await h.get({ api_key: apiKey, action: 'getBalance' })).body).toBe(
      `ACCESS_BALANCE:${50000 - Number(TELEGRAM_RU_PRICE)}`,
    );
    expect((await setStatus('1')).body).toBe('ACCESS_READY');
    // Finish and another SMS need a code first.
    expect((await setStatus('6')).body).toBe('BAD_STATUS');
    expect((await setStatus('3')).body).toBe('BAD_STATUS');
    expect((await setStatus('5')).body).toBe('BAD_STATUS');

    await h.deliverCode(orderId, '12345', 'Telegram code: 12345');
    expect((await status()).body).toBe('STATUS_OK:12345');
    // After a code a cancel is refused for good (not "try later").
    expect((await setStatus('8')).body).toBe('BAD_STATUS');

    expect((await setStatus('3')).body).toBe('ACCESS_RETRY_GET');
    expect(upstream.calls.at(-1)?.operation).toBe('requestAnotherSms');
    expect((await status()).body).toBe('STATUS_WAIT_RETRY:12345');
    await h.deliverCode(orderId, null, 'Your new\ncode is ready');
    // A message without a code reads as its text, on one line.
    expect((await status()).body).toBe('STATUS_OK:Your new code is ready');

    expect((await setStatus('6')).body).toBe('ACCESS_ACTIVATION');
    expect((await setStatus('6')).body).toBe('ACCESS_ACTIVATION');
    expect((await status()).body).toBe('STATUS_OK:Your new code is ready');
    expect((await setStatus('1')).body).toBe('BAD_STATUS');
    expect((await h.get({ api_key: apiKey, action: 'getBalance' })).body).toBe(
      `ACCESS_BALANCE:${50000 - Number(TELEGRAM_RU_PRICE)}`,
    );
    const user = await h.t.server.deps.store.getUser(funded.id);
    expect(user?.held.format()).toBe('0');
  });

  it('setStatus 8 cancels before a code, refunds the hold, and is repeatable', async () => {
    const { activationId } = await buyTelegram();
    const cancel = () =>
      h.post({ api_key: key, action: 'setStatus', id: activationId, status: '8' });
    expect((await cancel()).body).toBe('ACCESS_CANCEL');
    expect(upstream.calls.at(-1)?.operation).toBe('cancel');
    expect((await h.get({ api_key: key, action: 'getStatus', id: activationId })).body).toBe(
      'STATUS_CANCEL',
    );
    expect((await cancel()).body).toBe('ACCESS_CANCEL');
    expect((await h.get({ api_key: key, action: 'getBalance' })).body).toBe(
      'ACCESS_BALANCE:100000',
    );
  });

  it("never shows another user's activation: NO_ACTIVATION, as for an unknown id", async () => {
    const { activationId } = await buyTelegram();
    const other = await h.t.createFundedUser('other bot', '0');
    for (const action of ['getStatus', 'setStatus']) {
      const answer = await h.get({
        api_key: other.apiKey,
        action,
        id: activationId,
        status: '8',
      });
      expect(answer.body).toBe('NO_ACTIVATION');
    }
    expect(
      (await h.get({ api_key: key, action: 'getStatus', id: String(Number(activationId) + 1000) }))
        .body,
    ).toBe('NO_ACTIVATION');
    expect((await h.get({ api_key: key, action: 'getStatus', id: 'abc' })).body).toBe(
      'WRONG_ACTIVATION_ID',
    );
    expect((await h.get({ api_key: key, action: 'getStatus' })).body).toBe('WRONG_ACTIVATION_ID');
    // Still the owner's, still open.
    expect((await h.get({ api_key: key, action: 'getStatus', id: activationId })).body).toBe(
      'STATUS_WAIT_CODE',
    );
    await h.get({ api_key: key, action: 'setStatus', id: activationId, status: '8' });
  });

  it('getPrices: sell prices with markup and stock, as exact JSON numbers by country id', async () => {
    const one = await h.get({ api_key: key, action: 'getPrices', service: 'tg', country: '0' });
    expect(one.headers.get('content-type')).toMatch(/^application\/json/);
    expect(one.body).toBe(`{"0":{"tg":{"cost":${TELEGRAM_RU_PRICE},"count":7}}}`);
    const all = await h.get({ api_key: key, action: 'getPrices' });
    // US is sold under both of its ids; out-of-stock offers are left out.
    expect(all.body).toBe(
      `{"0":{"tg":{"cost":${TELEGRAM_RU_PRICE},"count":7}},"12":{"tg":{"cost":22000,"count":3}},"187":{"tg":{"cost":22000,"count":3}}}`,
    );
    expect((await h.get({ api_key: key, action: 'getPrices', country: '187' })).body).toBe(
      '{"187":{"tg":{"cost":22000,"count":3}}}',
    );
    expect((await h.get({ api_key: key, action: 'getPrices', service: 'wa' })).body).toBe('{}');
    expect((await h.get({ api_key: key, action: 'getPrices', service: 'xx' })).body).toBe(
      'BAD_SERVICE',
    );
    expect((await h.get({ api_key: key, action: 'getPrices', country: '4444' })).body).toBe(
      'BAD_COUNTRY',
    );
  });

  it('getNumberV2 and getActiveActivations answer JSON about the same order', async () => {
    const funded = await h.t.createFundedUser('v2 bot', '40000');
    const none = await h.get({ api_key: funded.apiKey, action: 'getActiveActivations' });
    expect(JSON.parse(none.body)).toEqual({ status: 'error', error: 'NO_ACTIVATIONS' });

    const v2 = await h.get({
      api_key: funded.apiKey,
      action: 'getNumberV2',
      service: 'tg',
      country: '187',
    });
    expect(v2.headers.get('content-type')).toMatch(/^application\/json/);
    const bought = JSON.parse(v2.body) as Record<string, unknown>;
    expect(bought).toMatchObject({
      phoneNumber: expect.stringMatching(/^7900000\d{4}$/),
      activationCost: 22000,
      countryCode: 187,
      canGetAnotherSms: true,
      activationOperator: 'any',
      activationTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
    });
    const activationId = String(bought.activationId);
    expect(v2.body).toContain(`"activationId":${activationId},`);

    const orderId = await h.orderIdOf(activationId);
    await h.deliverCode(orderId, '777111', 'code 777111');
    const active = await h.get({ api_key: funded.apiKey, action: 'getActiveActivations' });
    const body = JSON.parse(active.body) as { status: string; activeActivations: unknown[] };
    expect(body.status).toBe('success');
    expect(body.activeActivations).toEqual([
      expect.objectContaining({
        activationId: Number(activationId),
        serviceCode: 'tg',
        phoneNumber: bought.phoneNumber,
        activationCost: 22000,
        smsCode: ['777111'],
        smsText: ['code 777111'],
        countryCode: 12,
      }),
    ]);
  });

  it('shares the per-key limit: over it, HTTP 429 with Retry-After', async () => {
    const limited = await startEndpoint({
      router: { rateLimit: createRateLimiter({ points: 2, windowSeconds: 60 }) },
    });
    try {
      const bot = await limited.t.createFundedUser('busy bot', '0');
      expect((await limited.get({ api_key: bot.apiKey, action: 'getBalance' })).body).toBe(
        'ACCESS_BALANCE:0',
      );
      await limited.get({ api_key: bot.apiKey, action: 'getBalance' });
      const refused = await limited.get({ api_key: bot.apiKey, action: 'getBalance' });
      expect(refused.status).toBe(429);
      expect(refused.body).toBe('TOO_MANY_REQUESTS');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('never writes the API key to its logs', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logged = await startEndpoint({
      adapters: [new ScriptedAdapter('upstream-b')],
      deps: (deps) => ({ ...deps, logger: pino({ level: 'trace' }, sink) }),
    });
    try {
      const bot = await logged.t.createFundedUser('secret bot', '100000');
      await logged.t.stockOffers('upstream-b', [
        { service: 'telegram', country: 'RU', cost: '15000' },
      ]);
      await logged.get({ api_key: bot.apiKey, action: 'getNumber', service: 'tg', country: '0' });
      await logged.get({ api_key: bot.apiKey, action: 'getStatus', id: '1' });
      await logged.get({ api_key: bot.apiKey, action: 'nope' });
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toContain(bot.apiKey);
    } finally {
      await logged.close();
    }
  });
});
