import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Money } from '@numbroker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderAccount } from '../adapter.js';
import { runContractSuite } from '../contract/contract-suite.js';
import {
  AuthError,
  InsufficientUpstreamBalance,
  InvalidRequest,
  NoNumbers,
  NotFound,
  Unavailable,
} from '../errors.js';
import { SmsManAdapter } from './adapter.js';
import { SmsManSimulator } from './simulator.js';
import { fixtureText } from './test-support/fixtures.js';

runContractSuite({
  kind: 'smsman',
  currency: 'RUB',
  createSimulator: (options) => new SmsManSimulator(options),
  createAdapter: (account, options) => new SmsManAdapter(account, options),
  sample: { service: 'telegram', country: 'RU', cost: '12.50' },
  buyRequestMatch: '/get-number',
  statusRequestMatch: '/get-sms',
});

describe('smsman extras (adapter against its simulator)', () => {
  let sim: SmsManSimulator;
  let adapter: SmsManAdapter;
  const account = (overrides: Partial<ProviderAccount> = {}): ProviderAccount => ({
    id: 'man',
    kind: 'smsman',
    baseUrl: sim.baseUrl,
    apiKey: sim.apiKey,
    currency: 'RUB',
    timeoutMs: 2000,
    ...overrides,
  });

  beforeEach(async () => {
    sim = new SmsManSimulator();
    await sim.start();
    adapter = new SmsManAdapter(account(), { maxRetries: 0 });
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('serves the API under control/, like the production base URL', () => {
    expect(new URL(sim.baseUrl).pathname).toBe('/control/');
  });

  it('maps the doc-derived default stock: Russia Vkontakte 15 RUB, WeChat 50 RUB', async () => {
    const offers = await adapter.catalog();
    const vk = offers.find((o) => o.service === 'vk' && o.country === 'RU');
    const wechat = offers.find((o) => o.service === 'wechat' && o.country === 'RU');
    expect(vk?.cost.equals(Money.parse('15', 'RUB'))).toBe(true);
    expect(vk?.stock).toBe(6455);
    expect(vk?.ref).toBe('0:1');
    expect(wechat?.cost.format()).toBe('50.00');
    expect(wechat?.stock).toBe(124);
    // Titles the service spells its own way still land on ISO codes.
    expect(offers.some((o) => o.country === 'US')).toBe(true);
    expect(offers.some((o) => o.country === 'TR')).toBe(true);
  });

  it('sends every call as GET with the token parameter and the doc endpoints', async () => {
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:3' });
    await adapter.status(purchase.upstreamRef);
    await adapter.balance();
    const urls = sim.requests.map((r) => `${r.method} ${r.url}`);
    expect(urls[0]).toMatch(/^GET \/control\/get-number\?/);
    const buyUrl = new URL(sim.requests[0]!.url, 'http://x');
    expect(buyUrl.searchParams.get('token')).toBe(sim.apiKey);
    expect(buyUrl.searchParams.get('country_id')).toBe('0');
    expect(buyUrl.searchParams.get('application_id')).toBe('3');
    expect(urls[1]).toMatch(
      new RegExp(`^GET /control/get-sms\\?.*request_id=${purchase.upstreamRef}`),
    );
    expect(urls[2]).toMatch(/^GET \/control\/get-balance\?token=/);
  });

  it('charges at get-number and refunds a reject before any SMS', async () => {
    sim.setBalance('100.00');
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:3' });
    expect(sim.balance).toBe('87.50');
    await adapter.cancel(purchase.upstreamRef);
    expect(sim.balance).toBe('100.00');
    const cancelCall = sim.requests.find((r) => r.url.includes('set-status'));
    expect(new URL(cancelCall!.url, 'http://x').searchParams.get('status')).toBe('reject');
  });

  it('finishes with close', async () => {
    const first = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:3' });
    sim.deliverSms(first.upstreamRef, 'Telegram code: 55555');
    await adapter.finish(first.upstreamRef);
    const statuses = sim.requests
      .filter((r) => r.url.includes('set-status'))
      .map((r) => new URL(r.url, 'http://x').searchParams.get('status'));
    expect(statuses).toEqual(['close']);
    expect(sim.activation(first.upstreamRef)?.state).toBe('finished');
  });

  it('never sends "used" as a report of a wrong code: that word means the number was already used', async () => {
    // Before: report() sent set-status used after a code, which clients use for "number already
    // used at the service" — a rejection before any code.
    expect(adapter.capabilities.report).toBe(false);
    expect(adapter.capabilities.reportRefunds).toBe(false);
    expect((adapter as { report?: unknown }).report).toBeUndefined();
  });

  it('reads a request ended as "number already used" (before a code, refunded) as cancelled', async () => {
    sim.setBalance('100.00');
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:3' });
    // Someone marks it used on SMS-Man's side (its site, another client of the same key).
    const url = new URL(`set-status`, sim.baseUrl);
    url.search = new URLSearchParams({
      token: sim.apiKey,
      request_id: purchase.upstreamRef,
      status: 'used',
    }).toString();
    expect(await (await fetch(url)).json()).toMatchObject({ success: true });
    expect(await adapter.status(purchase.upstreamRef)).toMatchObject({ state: 'cancelled' });
    expect(sim.balance).toBe('100.00');
    await adapter.cancel(purchase.upstreamRef); // already ended: nothing to do, no error
  });

  it('keeps showing the code after finish (the upstream echoes sms_code)', async () => {
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:3' });
    sim.deliverSms(purchase.upstreamRef, 'code 4321');
    await adapter.finish(purchase.upstreamRef);
    const status = await adapter.status(purchase.upstreamRef);
    expect(status.state).toBe('code');
    expect(status.messages).toEqual([{ code: '4321', text: null }]);
  });

  it('refuses finish before any SMS as InvalidRequest', async () => {
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:3' });
    const error = await adapter.finish(purchase.upstreamRef).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequest);
  });

  it('cancels without a request when the upstream already ended the activation', async () => {
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:3' });
    sim.expireActivation(purchase.upstreamRef);
    const before = sim.requests.length;
    await adapter.cancel(purchase.upstreamRef);
    expect(sim.requests.slice(before).map((r) => r.url.split('?')[0])).toEqual([
      '/control/get-sms',
    ]);
  });

  it('reports not enough balance at get-number as InsufficientUpstreamBalance', async () => {
    sim.setBalance('1.00');
    const error = await adapter
      .buy({ service: 'telegram', country: 'RU', ref: '0:3' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientUpstreamBalance);
  });

  it('refuses an unknown product id as InvalidRequest, and a bad ref before sending', async () => {
    const unknown = await adapter
      .buy({ service: 'telegram', country: 'RU', ref: '0:9999' })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(InvalidRequest);
    const before = sim.requests.length;
    const malformed = await adapter
      .buy({ service: 'telegram', country: 'RU', ref: 'telegram-RU' })
      .catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(InvalidRequest);
    expect(sim.requests.length).toBe(before);
  });

  it('answers NotFound for a ref that is not a request id, without a request', async () => {
    const error = await adapter.status('abc').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFound);
    expect(sim.requests).toHaveLength(0);
  });

  it('reads a wrong token in both of the doc forms (string and object error_msg)', async () => {
    const wrong = new SmsManAdapter(account({ apiKey: 'nope-nope' }), { maxRetries: 0 });
    const balanceError = await wrong.balance().catch((e: unknown) => e);
    const buyError = await wrong
      .buy({ service: 'telegram', country: 'RU', ref: '0:3' })
      .catch((e: unknown) => e);
    expect(balanceError).toBeInstanceOf(AuthError);
    expect((balanceError as AuthError).upstreamMessage).toBe('wrong_token: Wrong token!');
    expect(buyError).toBeInstanceOf(AuthError);
    expect((buyError as AuthError).upstreamMessage).toBe('wrong_token: token: Wrong token!');
  });

  it('sells the last number once, then NoNumbers', async () => {
    sim.setOffer({ service: 'whatsapp', country: 'DE', cost: '20', stock: 1 });
    const offers = await adapter.catalog();
    const offer = offers.find((o) => o.service === 'whatsapp' && o.country === 'DE')!;
    expect(offer.stock).toBe(1);
    await adapter.buy({ service: 'whatsapp', country: 'DE', ref: offer.ref });
    const error = await adapter
      .buy({ service: 'whatsapp', country: 'DE', ref: offer.ref })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoNumbers);
  });

  it('expires a request on its own after the TTL and gives the money back', async () => {
    await sim.stop();
    sim = new SmsManSimulator({ activationTtlSeconds: 0 });
    await sim.start();
    adapter = new SmsManAdapter(account(), { maxRetries: 0 });
    const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:3' });
    expect((await adapter.status(purchase.upstreamRef)).state).toBe('expired');
    expect(sim.balance).toBe('799.70');
  });

  it('reads a plain-text 500 as Unavailable that may have reached the upstream', async () => {
    sim.injectFault({ kind: 'http500' });
    const error = await adapter.balance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
    expect((error as Unavailable).surelyNotSent).toBe(false);
  });
});

describe('smsman adapter against answers in the other plausible forms', () => {
  let server: Server;
  let baseUrl: string;
  /** endpoint → [status, body text, content type] */
  let answers: Record<string, [number, string, string?]>;

  beforeEach(async () => {
    answers = {};
    server = createServer((req, res) => {
      const endpoint = new URL(req.url ?? '/', 'http://x').pathname.replace('/control/', '');
      const [status, body, type] = answers[endpoint] ?? [404, 'no such endpoint'];
      res.writeHead(status, { 'content-type': type ?? 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/control/`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const adapterFor = () =>
    new SmsManAdapter(
      { id: 'man', kind: 'smsman', baseUrl, apiKey: 'k-123456', currency: 'RUB', timeoutMs: 2000 },
      { maxRetries: 0 },
    );

  it('reads the doc-printed single quotes and id-keyed objects with JSON-number costs', async () => {
    answers['countries'] = [200, fixtureText('countries.ok.as-printed')];
    answers['applications'] = [
      200,
      '{"1":{"id":"1","title":"Vkontakte","code":"vk"},"3":{"title":"Telegram","code":"tg"}}',
    ];
    answers['get-prices'] = [
      200,
      '{"0":{"1":{"cost":15,"count":"6455"},"3":{"cost":12.5,"count":3}}}',
    ];
    const offers = await adapterFor().catalog();
    expect(offers.map((o) => [o.service, o.country, o.cost.format(), o.stock, o.ref])).toEqual([
      ['vk', 'RU', '15.00', 6455, '0:1'],
      ['telegram', 'RU', '12.50', 3, '0:3'],
    ]);
  });

  it('reads a JSON refusal sent with a 4xx status, and a bare 401', async () => {
    answers['get-number'] = [
      400,
      '{"success":false,"error_code":"no_free_phones","error_msg":"No free phones"}',
    ];
    answers['get-balance'] = [401, 'Unauthorized', 'text/plain'];
    const adapter = adapterFor();
    await expect(adapter.buy({ service: 'vk', country: 'RU', ref: '0:1' })).rejects.toBeInstanceOf(
      NoNumbers,
    );
    await expect(adapter.balance()).rejects.toBeInstanceOf(AuthError);
  });

  it('treats a truncated get-prices (as the doc prints it) as Unavailable', async () => {
    answers['countries'] = [200, '[]'];
    answers['applications'] = [200, '[]'];
    answers['get-prices'] = [200, fixtureText('get-prices.ok.as-printed')];
    const error = await adapterFor()
      .catalog()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
  });

  it('reads wait_sms as waiting also inside the success:false envelope (seed line 89)', async () => {
    // The doc's wait_sms echo has no "success"; every other refusal it prints has
    // "success":false, so the same answer with it is just as plausible.
    answers['get-sms'] = [
      200,
      '{"success":false,"error_code":"wait_sms","error_msg":"Still waiting..."}',
    ];
    answers['set-status'] = [200, '{"request_id": 7, "success": true}'];
    const adapter = adapterFor();
    await expect(adapter.status('7')).resolves.toEqual({
      upstreamRef: '7',
      state: 'waiting',
      messages: [],
    });
    // cancel reads the state first: it must reach set-status reject, not fail on the read.
    await expect(adapter.cancel('7')).resolves.toBeUndefined();
    answers['get-sms'] = [
      200,
      '{"success":false,"error_code":"wrong_token","error_msg":"Wrong token!"}',
    ];
    await expect(adapter.status('7')).rejects.toBeInstanceOf(AuthError);
  });

  it('reads a JSON-number request_id and number from get-number', async () => {
    answers['get-number'] = [200, '{"request_id":90071992547409931,"number":79002415539}'];
    const purchase = await adapterFor().buy({ service: 'vk', country: 'RU', ref: '0:1' });
    expect(purchase).toEqual({ upstreamRef: '90071992547409931', phoneNumber: '+79002415539' });
  });
});
