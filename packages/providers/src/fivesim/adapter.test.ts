import { Money } from '@numbroker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderAccount } from '../adapter.js';
import { runContractSuite } from '../contract/contract-suite.js';
import {
  AuthError,
  CancelNotAllowed,
  InsufficientUpstreamBalance,
  InvalidRequest,
  NoNumbers,
  NotFound,
  RateLimited,
} from '../errors.js';
import { FiveSimAdapter } from './adapter.js';
import { FiveSimSimulator, type FiveSimSimulatorOptions } from './simulator.js';

runContractSuite({
  kind: 'fivesim',
  currency: 'USD',
  createSimulator: (options) => new FiveSimSimulator(options),
  createAdapter: (account, options) => new FiveSimAdapter(account, options),
  sample: { service: 'telegram', country: 'RU', cost: '0.32' },
  buyRequestMatch: '/user/buy/activation/',
  statusRequestMatch: '/user/check/',
});

describe('fivesim extras (adapter against its simulator)', () => {
  let sim: FiveSimSimulator;
  let adapter: FiveSimAdapter;
  const account = (overrides: Partial<ProviderAccount> = {}): ProviderAccount => ({
    id: 'five',
    kind: 'fivesim',
    baseUrl: sim.baseUrl,
    apiKey: sim.apiKey,
    currency: 'USD',
    timeoutMs: 3000,
    ...overrides,
  });
  const boot = async (options: FiveSimSimulatorOptions = {}) => {
    sim = new FiveSimSimulator(options);
    await sim.start();
    adapter = new FiveSimAdapter(account(), { maxRetries: 0 });
  };

  beforeEach(async () => {
    await boot();
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('serves the API under /v1/, like the production base URL', () => {
    expect(new URL(sim.baseUrl).pathname).toBe('/v1/');
  });

  it('lists one offer per operator and an any-operator offer at the cheapest one in stock', async () => {
    const offers = await adapter.catalog();
    const telegramRu = offers.filter((o) => o.service === 'telegram' && o.country === 'RU');
    expect(
      Object.fromEntries(telegramRu.map((o) => [o.operator ?? 'any', [o.cost.format(), o.stock]])),
    ).toEqual({
      any: ['0.32', 165],
      mts: ['0.28', 0], // cheaper but empty: the any-offer skips it
      virtual21: ['0.32', 120],
      megafon: ['0.40', 30],
      beeline: ['0.45', 15],
    });
    expect(telegramRu.find((o) => o.operator === undefined)?.ref).toBe('russia/any/telegram/0.32');
    expect(telegramRu.find((o) => o.operator === 'megafon')?.ref).toBe('russia/megafon/telegram');
    // 5sim names → our ids: england is GB, vkontakte is vk; a 4-decimal price rounds up.
    expect(offers.some((o) => o.country === 'GB' && o.service === 'telegram')).toBe(true);
    const vk = offers.find((o) => o.service === 'vk' && o.operator === undefined);
    expect(vk?.cost.equals(Money.parse('0.07', 'USD'))).toBe(true);
    expect(vk?.ref).toBe('russia/any/vkontakte/0.0641');
  });

  it('asks prices per product without the token, and the profile with it', async () => {
    await adapter.catalog();
    const prices = sim.requests.filter((r) => r.url.startsWith('/v1/guest/prices'));
    expect(prices.length).toBeGreaterThan(10);
    expect(prices.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(prices.map((r) => r.url)).toContain('/v1/guest/prices?product=telegram');
    const profile = sim.requests.find((r) => r.url === '/v1/user/profile');
    expect(profile?.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
    expect(profile?.headers.accept).toBe('application/json');
  });

  it('buys "any" with maxPrice, and a chosen operator without it', async () => {
    const any = await adapter.buy({
      service: 'telegram',
      country: 'RU',
      ref: 'russia/any/telegram/0.32',
    });
    expect(any.phoneNumber).toMatch(/^\+7\d{10}$/);
    expect(any.cost?.format()).toBe('0.32');
    expect(sim.requests.at(-1)?.url).toBe(
      '/v1/user/buy/activation/russia/any/telegram?maxPrice=0.32',
    );

    await adapter.buy({
      service: 'telegram',
      country: 'RU',
      operator: 'megafon',
      ref: 'russia/megafon/telegram',
    });
    expect(sim.requests.at(-1)?.url).toBe('/v1/user/buy/activation/russia/megafon/telegram');
    // An operator chosen over an any-offer narrows it, and maxPrice cannot go along.
    await adapter.buy({
      service: 'telegram',
      country: 'RU',
      operator: 'Beeline',
      ref: 'russia/any/telegram/0.32',
    });
    expect(sim.requests.at(-1)?.url).toBe('/v1/user/buy/activation/russia/beeline/telegram');
  });

  it("caps an any-offer without a price in its ref with the request's maxPrice", async () => {
    await adapter.buy({
      service: 'telegram',
      country: 'RU',
      ref: 'russia/any/telegram',
      maxPrice: Money.parse('0.40', 'USD'),
    });
    expect(sim.requests.at(-1)?.url).toBe(
      '/v1/user/buy/activation/russia/any/telegram?maxPrice=0.40',
    );
    await adapter.buy({
      service: 'telegram',
      country: 'RU',
      ref: 'russia/any/telegram/0.32',
      maxPrice: Money.parse('0.40', 'USD'),
    });
    expect(sim.requests.at(-1)?.url).toBe(
      '/v1/user/buy/activation/russia/any/telegram?maxPrice=0.32',
    );
  });

  it('never pays more than the synced price for "any": a price rise is no numbers', async () => {
    const offer = (await adapter.catalog()).find(
      (o) => o.service === 'telegram' && o.country === 'RU' && o.operator === undefined,
    )!;
    sim.setOffer({ service: 'telegram', country: 'RU', cost: '0.50', stock: 10 });
    const before = sim.balance;
    await expect(
      adapter.buy({ service: 'telegram', country: 'RU', ref: offer.ref }),
    ).rejects.toBeInstanceOf(NoNumbers);
    expect(sim.balance).toBe(before);
  });

  it.each([200, 400] as const)(
    'reads `no free phones` under HTTP %i as NoNumbers',
    async (status) => {
      await sim.stop();
      await boot({ noFreePhonesStatus: status });
      const error = await adapter
        .buy({ service: 'telegram', country: 'RU', operator: 'mts', ref: 'russia/mts/telegram' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoNumbers);
      expect((error as NoNumbers).httpStatus).toBe(status);
    },
  );

  it('maps the refusals of buy: balance, rating, bad operator', async () => {
    sim.setBalance('0.1');
    await expect(
      adapter.buy({ service: 'telegram', country: 'RU', ref: 'russia/any/telegram/0.32' }),
    ).rejects.toBeInstanceOf(InsufficientUpstreamBalance);
    sim.setBalance('10');
    sim.setRating(0);
    await expect(
      adapter.buy({ service: 'telegram', country: 'RU', ref: 'russia/any/telegram/0.32' }),
    ).rejects.toBeInstanceOf(RateLimited);
    sim.setRating(96);
    await expect(
      adapter.buy({ service: 'telegram', country: 'RU', ref: 'russia/vodafone/telegram' }),
    ).rejects.toBeInstanceOf(InvalidRequest);
    await expect(
      adapter.buy({ service: 'telegram', country: 'RU', ref: 'not a ref' }),
    ).rejects.toBeInstanceOf(InvalidRequest);
  });

  it('takes the newest code, also when a code-less SMS follows it', async () => {
    const purchase = await adapter.buy({
      service: 'telegram',
      country: 'RU',
      ref: 'russia/any/telegram/0.32',
    });
    sim.deliverSms(purchase.upstreamRef, 'Telegram code: 48213');
    sim.deliverSms(purchase.upstreamRef, 'Welcome to Telegram! Enjoy.');
    const status = await adapter.status(purchase.upstreamRef);
    expect(status.state).toBe('code');
    expect(status.messages.map((m) => m.code)).toEqual(['48213', null]);
    expect(status.messages[0]?.receivedAt).toBeInstanceOf(Date);
  });

  it('treats the upstream timeout as expiry (refunded), and a cancel then as done', async () => {
    const purchase = await adapter.buy({
      service: 'telegram',
      country: 'RU',
      ref: 'russia/any/telegram/0.32',
    });
    const afterBuy = sim.balance;
    sim.expireActivation(purchase.upstreamRef);
    expect((await adapter.status(purchase.upstreamRef)).state).toBe('expired');
    expect(sim.balance).not.toBe(afterBuy);
    // 5sim answers `order expired`; the adapter reads the order and accepts the end.
    await adapter.cancel(purchase.upstreamRef);
    expect(sim.requests.at(-2)?.url).toBe(`/v1/user/cancel/${purchase.upstreamRef}`);
  });

  it('repeats a cancel harmlessly, and refuses one after a code for good', async () => {
    const first = await adapter.buy({
      service: 'telegram',
      country: 'RU',
      ref: 'russia/any/telegram/0.32',
    });
    await adapter.cancel(first.upstreamRef);
    await adapter.cancel(first.upstreamRef);
    expect(sim.activation(first.upstreamRef)?.state).toBe('cancelled');

    const second = await adapter.buy({
      service: 'telegram',
      country: 'RU',
      ref: 'russia/any/telegram/0.32',
    });
    sim.deliverSms(second.upstreamRef, 'Your code is 12345');
    sim.expireActivation(second.upstreamRef); // finished on its own after its time
    const error = await adapter.cancel(second.upstreamRef).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelNotAllowed);
    expect((error as CancelNotAllowed).retryable).toBe(false);
    // Finishing an order that finished on its own is done, not an error.
    await adapter.finish(second.upstreamRef);
  });

  it('reads many orders from the newest page of user/orders', async () => {
    const a = await adapter.buy({
      service: 'telegram',
      country: 'RU',
      ref: 'russia/any/telegram/0.32',
    });
    const b = await adapter.buy({
      service: 'telegram',
      country: 'RU',
      ref: 'russia/any/telegram/0.32',
    });
    sim.deliverSms(b.upstreamRef, 'code 777888');
    const many = await adapter.statusMany([a.upstreamRef, b.upstreamRef, '424242']);
    expect(many.get(a.upstreamRef)?.state).toBe('waiting');
    expect(many.get(b.upstreamRef)?.messages[0]?.code).toBe('777888');
    expect(many.has('424242')).toBe(false);
    expect(sim.requests.at(-1)?.url).toBe(
      '/v1/user/orders?category=activation&limit=100&order=id&reverse=true',
    );
    const listed = await adapter.listActivations();
    expect(listed.map((o) => o.upstreamRef)).toEqual([b.upstreamRef, a.upstreamRef]);
    expect(listed[0]?.phoneNumber).toBe(b.phoneNumber);
  });

  it('answers NotFound for an order id that is not a number, without a request', async () => {
    const before = sim.requests.length;
    await expect(adapter.status('abc')).rejects.toBeInstanceOf(NotFound);
    expect(sim.requests.length).toBe(before);
  });

  it('refuses another SMS on an order that is over', async () => {
    const purchase = await adapter.buy({
      service: 'telegram',
      country: 'RU',
      ref: 'russia/any/telegram/0.32',
    });
    await adapter.cancel(purchase.upstreamRef);
    await expect(adapter.requestAnotherSms(purchase.upstreamRef)).rejects.toBeInstanceOf(
      InvalidRequest,
    );
  });

  it('sends a 401 with an empty body for a wrong token, read as AuthError', async () => {
    const wrong = new FiveSimAdapter(account({ apiKey: 'eyJwrong' }), { maxRetries: 0 });
    await expect(wrong.balance()).rejects.toBeInstanceOf(AuthError);
    const last = sim.requests.at(-1);
    expect(last?.headers.authorization).toBe('Bearer eyJwrong');
  });

  it('keeps reading prices when the profile probe fails for another reason', async () => {
    sim.injectFault({ kind: 'http500', match: '/user/profile' });
    const offers = await adapter.catalog();
    expect(offers.length).toBeGreaterThan(0);
  });

  it('reads the balance rounded down to cents (5sim shows four decimals)', async () => {
    sim.setBalance('21.6408');
    expect((await adapter.balance()).format()).toBe('21.64');
  });
});
