import { Money } from '@numbroker/core';
import {
  createAdapter,
  createSimulator,
  isProviderError,
  type ProviderAdapter,
  type ProviderSimulator,
} from '@numbroker/providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOffers } from '../use-cases/list-offers.js';
import { startEndpoint, type EndpointHarness } from './test-support/endpoint-harness.js';

/**
 * A bot that speaks SMS-Activate, played by this repo's own SmsActivateAdapter, pointed at
 * numbroker's endpoint instead of an SMS-Activate host; numbroker itself buys from the
 * SMS-Activate simulator. Buy, status, code, another SMS, finish, cancel and balance go
 * through unchanged.
 */
describe('SMS-Activate endpoint driven by the SmsActivateAdapter', () => {
  let h: EndpointHarness;
  let sim: ProviderSimulator;
  let upstream: ProviderAdapter;
  let bot: ProviderAdapter;
  let botUserId: string;

  beforeAll(async () => {
    sim = createSimulator('smsactivate');
    await sim.start(0, '127.0.0.1');
    upstream = createAdapter(
      {
        id: 'sa-upstream',
        kind: 'smsactivate',
        baseUrl: sim.baseUrl,
        apiKey: sim.apiKey,
        currency: 'RUB',
        timeoutMs: 5000,
      },
      { maxRetries: 0 },
    );
    h = await startEndpoint({ adapters: [upstream] });
    // The worker's catalog sync, in one step.
    await h.t.store.offers.replaceProviderOffers('sa-upstream', await upstream.catalog());
    const user = await h.t.createFundedUser('sms-activate bot', '200000');
    botUserId = user.id;
    bot = createAdapter(
      {
        id: 'numbroker',
        kind: 'smsactivate',
        baseUrl: h.endpointUrl,
        apiKey: user.apiKey,
        currency: 'IRT',
        timeoutMs: 5000,
      },
      { maxRetries: 0 },
    );
  });
  afterAll(async () => {
    await h.close();
    await sim.stop();
  });

  /** The worker's poll pass for one order: upstream status → CODE_RECEIVED with the SMS. */
  const pollUpstream = async (orderId: string) => {
    const order = await h.t.store.orders.findOrder(orderId);
    const status = await upstream.status(order!.upstreamRef!);
    for (const message of status.messages) {
      await h.t.store.orders.applyOrderCommand(
        orderId,
        { type: 'CODE_RECEIVED' },
        { sms: message },
      );
    }
  };
  const upstreamRefOf = async (activationId: string) =>
    (await h.t.store.orders.findOrder(await h.orderIdOf(activationId)))!.upstreamRef!;

  it('balance: the wallet in the platform currency', async () => {
    expect((await bot.balance()).equals(Money.parse('200000', 'IRT'))).toBe(true);
  });

  it('catalog: the same sell prices as GraphQL offers, under our slugs and ISO codes', async () => {
    const offers = await bot.catalog();
    const telegramRu = offers.find(
      (offer) => offer.service === 'telegram' && offer.country === 'RU',
    );
    const [graphqlOffer] = await listOffers(h.t.server.deps, {
      service: 'telegram',
      country: 'RU',
    });
    expect(telegramRu).toBeDefined();
    expect(graphqlOffer).toBeDefined();
    // 12.50 RUB × 1200 + 10 %, rounded up to 100 IRT.
    expect(telegramRu!.cost.format()).toBe('16500');
    expect(telegramRu!.cost.equals(graphqlOffer!.price)).toBe(true);
    expect(telegramRu!.stock).toBe(graphqlOffer!.stock);
    expect(telegramRu!.ref).toBe('0:tg');
  });

  it('buy → waiting → code → another SMS → new code → finish, charged once', async () => {
    const purchase = await bot.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
    expect(purchase.upstreamRef).toMatch(/^\d+$/);
    expect(purchase.phoneNumber).toMatch(/^\+7\d{10}$/);
    expect(await bot.status(purchase.upstreamRef)).toMatchObject({
      state: 'waiting',
      messages: [],
    });
    expect((await bot.balance()).format()).toBe('183500');

    const upstreamRef = await upstreamRefOf(purchase.upstreamRef);
    const orderId = await h.orderIdOf(purchase.upstreamRef);
    sim.deliverSms(upstreamRef, 'Telegram code 54321');
    await pollUpstream(orderId);
    expect(await bot.status(purchase.upstreamRef)).toMatchObject({
      state: 'code',
      messages: [{ code: '54321' }],
    });

    await bot.requestAnotherSms!(purchase.upstreamRef);
    // The request went upstream, and the earlier code stands meanwhile.
    expect(
      sim.requests.some(
        (request) => /action=setStatus/.test(request.url) && /status=3/.test(request.url),
      ),
    ).toBe(true);
    expect((await bot.status(purchase.upstreamRef)).messages.at(-1)?.code).toBe('54321');
    sim.deliverSms(upstreamRef, 'Telegram code 98765');
    await pollUpstream(orderId);
    expect((await bot.status(purchase.upstreamRef)).messages.at(-1)?.code).toBe('98765');

    const listed = await bot.statusMany!([purchase.upstreamRef]);
    expect(listed.get(purchase.upstreamRef)?.state).toBe('code');

    await bot.finish!(purchase.upstreamRef);
    expect(sim.activation(upstreamRef)?.state).toBe('finished');
    expect((await h.t.store.orders.findOrder(orderId))?.status).toBe('COMPLETED');
    expect((await bot.balance()).format()).toBe('183500');
    expect(await bot.listActivations!()).toEqual([]);
  });

  it('buy → cancel before a code: refunded, cancelled upstream too, a second cancel is fine', async () => {
    const before = await bot.balance();
    const purchase = await bot.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
    expect((await bot.listActivations!()).map((row) => row.upstreamRef)).toEqual([
      purchase.upstreamRef,
    ]);
    await bot.cancel!(purchase.upstreamRef);
    await bot.cancel!(purchase.upstreamRef);
    expect(await bot.status(purchase.upstreamRef)).toMatchObject({ state: 'cancelled' });
    expect((await bot.balance()).equals(before)).toBe(true);
    const upstreamRef = await upstreamRefOf(purchase.upstreamRef);
    expect(sim.activation(upstreamRef)?.state).toBe('cancelled');
  });

  it("errors reach the bot as its own taxonomy: no stock, no money, another's activation", async () => {
    const refusal = async (run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        if (isProviderError(error)) return error.code;
        throw error;
      }
      throw new Error('expected a refusal');
    };
    expect(await refusal(() => bot.buy({ service: 'whatsapp', country: 'KZ', ref: '2:wa' }))).toBe(
      'NO_NUMBERS',
    );
    const poor = await h.t.createFundedUser('poor sms-activate bot', '1000');
    const poorBot = createAdapter(
      {
        id: 'numbroker-poor',
        kind: 'smsactivate',
        baseUrl: h.endpointUrl,
        apiKey: poor.apiKey,
        currency: 'IRT',
        timeoutMs: 5000,
      },
      { maxRetries: 0 },
    );
    expect(
      await refusal(() => poorBot.buy({ service: 'telegram', country: 'RU', ref: '0:tg' })),
    ).toBe('INSUFFICIENT_UPSTREAM_BALANCE');
    const mine = await bot.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
    expect(await refusal(() => poorBot.status(mine.upstreamRef))).toBe('NOT_FOUND');
    expect(await refusal(() => poorBot.cancel!(mine.upstreamRef))).toBe('NOT_FOUND');
    const wrongKey = createAdapter(
      {
        id: 'numbroker-wrong',
        kind: 'smsactivate',
        baseUrl: h.endpointUrl,
        apiKey: 'wrong-key',
        currency: 'IRT',
        timeoutMs: 5000,
      },
      { maxRetries: 0 },
    );
    expect(await refusal(() => wrongKey.balance())).toBe('AUTH');
    await bot.cancel!(mine.upstreamRef);
    expect((await h.t.server.deps.store.getUser(botUserId))?.held.format()).toBe('0');
  });
});
