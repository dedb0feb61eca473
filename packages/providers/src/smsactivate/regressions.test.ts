/**
 * The defects of issue 10's audit, each against the host behaviour that exposed it (the
 * dialect simulator, or a scripted host where no simulator mode says it). Every test here
 * fails on the adapter before the fix; NOTES.md quotes the protocol lines.
 */
import { Money } from '@numbroker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivationStatus, ProviderAccount, Purchase } from '../adapter.js';
import { CancelNotAllowed, InvalidRequest, NoNumbers, NotFound, Unavailable } from '../errors.js';
import { SmsActivateAdapter } from './adapter.js';
import { SmsActivateSimulator, type SmsActivateSimulatorOptions } from './simulator.js';
import { startScriptedHost, type ScriptedHost } from './test-support/scripted-host.js';

/** A simulator whose clock the test moves (activation lifetime, early-cancel window). */
class ClockedSimulator extends SmsActivateSimulator {
  clock = Date.parse('2026-01-01T00:00:00Z');
  protected override now(): number {
    return this.clock;
  }
}

const account = (
  baseUrl: string,
  apiKey: string,
  currency: ProviderAccount['currency'] = 'RUB',
): ProviderAccount => ({
  id: 'sa-regressions',
  kind: 'smsactivate',
  baseUrl,
  apiKey,
  currency,
  timeoutMs: 3000,
});

const actionsOf = (urls: readonly string[]) =>
  urls.map((url) => new URLSearchParams(url.split('?')[1]).get('action'));

describe('smsactivate against real hosts behaviour', () => {
  let sim: ClockedSimulator;
  let adapter: SmsActivateAdapter;
  const start = async (
    options: SmsActivateSimulatorOptions = {},
    currency: ProviderAccount['currency'] = 'RUB',
  ) => {
    sim = new ClockedSimulator(options);
    await sim.start();
    adapter = new SmsActivateAdapter(account(sim.baseUrl, sim.apiKey, currency), {
      maxRetries: 0,
    });
  };
  const buyTelegram = () => adapter.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
  const actionsDuring = async (run: () => Promise<unknown>) => {
    const before = sim.requests.length;
    await run();
    return actionsOf(sim.requests.slice(before).map((r) => r.url));
  };
  afterEach(async () => {
    await sim.stop();
  });

  describe('cancel is idempotent', () => {
    it('treats a cancel of an activation the host auto-cancelled at its lifetime as done', async () => {
      await start({ dialect: 'strict', earlyCancelDeniedMs: 0, activationTtlSeconds: 1200 });
      const before = await adapter.balance();
      const purchase = await buyTelegram();
      sim.clock += 1200_000; // our default order TTL equals the host's lifetime
      // The host answers NO_ACTIVATION to setStatus 8 now; getStatus still says STATUS_CANCEL.
      await expect(adapter.cancel(purchase.upstreamRef)).resolves.toBeUndefined();
      expect(sim.activation(purchase.upstreamRef)?.state).toBe('expired');
      expect((await adapter.balance()).equals(before)).toBe(true);
    });

    it('treats a retried cancel (answered BAD_STATUS) as done', async () => {
      await start({ dialect: 'strict', earlyCancelDeniedMs: 0 });
      const purchase = await buyTelegram();
      await adapter.cancel(purchase.upstreamRef);
      await expect(adapter.cancel(purchase.upstreamRef)).resolves.toBeUndefined();
      expect(sim.activation(purchase.upstreamRef)?.state).toBe('cancelled');
    });

    it('still refuses a cancel after a code, and an early one as retryable', async () => {
      await start({ dialect: 'strict' });
      const early = await buyTelegram();
      const tooEarly = await adapter.cancel(early.upstreamRef).catch((e: unknown) => e);
      expect(tooEarly).toBeInstanceOf(CancelNotAllowed);
      expect((tooEarly as CancelNotAllowed).retryable).toBe(true);
      sim.deliverSms(early.upstreamRef, 'Telegram code 12345');
      sim.clock += 120_000;
      const afterCode = await adapter.cancel(early.upstreamRef).catch((e: unknown) => e);
      expect(afterCode).toBeInstanceOf(CancelNotAllowed);
      expect((afterCode as CancelNotAllowed).retryable).toBe(false);
      expect(sim.activation(early.upstreamRef)?.state).toBe('code');
    });

    it('treats a repeated finish (BAD_STATUS on a strict host) as done', async () => {
      await start({ dialect: 'strict' });
      const purchase = await buyTelegram();
      sim.deliverSms(purchase.upstreamRef, 'Telegram code 12345');
      await adapter.finish(purchase.upstreamRef);
      await expect(adapter.finish(purchase.upstreamRef)).resolves.toBeUndefined();
    });
  });

  describe('batch status is learnt, not assumed', () => {
    it('falls back to getStatus per order on a host without getActiveActivations, and remembers', async () => {
      await start({ dialect: 'no-batch' });
      const first = await buyTelegram();
      const second = await buyTelegram();
      sim.deliverSms(first.upstreamRef, 'Telegram code 11111');
      sim.deliverSms(second.upstreamRef, 'Telegram code 22222');
      const refs = [first.upstreamRef, second.upstreamRef];

      let statuses = new Map<string, ActivationStatus>();
      const firstPoll = await actionsDuring(async () => {
        statuses = await adapter.statusMany(refs);
      });
      expect(statuses.get(first.upstreamRef)?.messages.map((m) => m.code)).toEqual(['11111']);
      expect(statuses.get(second.upstreamRef)?.messages.map((m) => m.code)).toEqual(['22222']);
      expect(firstPoll).toEqual(['getActiveActivations', 'getStatus', 'getStatus']);

      const secondPoll = await actionsDuring(() => adapter.statusMany(refs));
      expect(secondPoll).toEqual(['getStatus', 'getStatus']);
      expect(adapter.capabilities.batchStatus).toBe(false);
      expect(adapter.capabilities.listActivations).toBe(false);
      await expect(adapter.listActivations()).rejects.toBeInstanceOf(InvalidRequest);
    });

    it('reads HeroSMS rows under `data`', async () => {
      await start({ dialect: 'herosms' }, 'USD');
      const first = await buyTelegram();
      const second = await buyTelegram();
      sim.deliverSms(second.upstreamRef, 'Telegram code 33333');
      const polled = await actionsDuring(async () => {
        const statuses = await adapter.statusMany([first.upstreamRef, second.upstreamRef]);
        expect(statuses.get(first.upstreamRef)?.state).toBe('waiting');
        expect(statuses.get(second.upstreamRef)?.messages[0]?.code).toBe('33333');
      });
      expect(polled).toEqual(['getActiveActivations']);
      expect((await adapter.listActivations()).map((a) => a.upstreamRef)).toEqual([
        second.upstreamRef,
        first.upstreamRef,
      ]);
    });
  });

  describe('getPrices in other shapes', () => {
    it('reads price → count maps (cheapest price with stock)', async () => {
      await start({ pricesShape: 'price-map' });
      const offer = (await adapter.catalog()).find((o) => o.ref === '0:tg');
      expect(offer?.cost.format()).toBe('12.50');
      expect(offer?.stock).toBe(100);
    });

    it('reads service → country nesting', async () => {
      await start({ pricesShape: 'service-first' });
      const offers = await adapter.catalog();
      expect(offers.find((o) => o.ref === '22:wa')?.cost.format()).toBe('9.90');
      expect(offers.find((o) => o.ref === '0:tg')).toMatchObject({
        service: 'telegram',
        country: 'RU',
      });
    });
  });

  describe('buy', () => {
    it('uses getNumberV2 with maxPrice and our order id, and reads what it says', async () => {
      await start();
      const [offer] = (await adapter.catalog()).filter((o) => o.ref === '0:tg');
      let purchase: Purchase | undefined;
      const sent = await actionsDuring(async () => {
        purchase = await adapter.buy({
          service: 'telegram',
          country: 'RU',
          ref: offer!.ref,
          maxPrice: offer!.cost,
          idempotencyKey: 'order-42',
        });
      });
      expect(sent).toEqual(['getNumberV2']);
      const query = new URLSearchParams(sim.requests.at(-1)!.url.split('?')[1]);
      expect([query.get('maxPrice'), query.get('orderId')]).toEqual(['12.50', 'order-42']);
      expect(purchase).toMatchObject({ canRequestAnotherSms: true });
      expect(purchase!.cost?.format()).toBe('12.50');
      expect(purchase!.startedAt).toBeInstanceOf(Date);
    });

    it('refuses a price rise between sync and buy instead of paying it', async () => {
      await start();
      const offer = (await adapter.catalog()).find((o) => o.ref === '0:tg')!;
      sim.setOffer({ service: 'telegram', country: 'RU', cost: '14.00', stock: 100 });
      const before = await adapter.balance();
      const error = await adapter
        .buy({ service: 'telegram', country: 'RU', ref: offer.ref, maxPrice: offer.cost })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoNumbers);
      expect((await adapter.balance()).equals(before)).toBe(true);
      await expect(
        adapter.buy({
          service: 'telegram',
          country: 'RU',
          ref: offer.ref,
          maxPrice: Money.parse('1', 'USD'),
        }),
      ).rejects.toBeInstanceOf(InvalidRequest);
    });

    it('falls back to getNumber on a host without getNumberV2, and remembers', async () => {
      await start({ dialect: 'no-batch' });
      const maxPrice = Money.parse('12.50', 'RUB');
      const request = { service: 'telegram', country: 'RU', ref: '0:tg', maxPrice };
      expect(await actionsDuring(() => adapter.buy(request))).toEqual(['getNumberV2', 'getNumber']);
      expect(sim.requests.at(-1)!.url).toContain('maxPrice=12.50');
      expect(await actionsDuring(() => adapter.buy(request))).toEqual(['getNumber']);
    });

    it('a reused order id is ambiguous (that buy reached the host), never a failover', async () => {
      await start();
      const request = { service: 'telegram', country: 'RU', ref: '0:tg', idempotencyKey: 'o-1' };
      await adapter.buy(request);
      const error = await adapter.buy(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Unavailable);
      expect((error as Unavailable).surelyNotSent).toBe(false);
    });

    it('keeps a HeroSMS cost only in the currency it names', async () => {
      await start({ dialect: 'herosms' }, 'USD');
      expect((await buyTelegram()).cost?.format()).toBe('12.50');
      const rub = new SmsActivateAdapter(account(sim.baseUrl, sim.apiKey, 'RUB'), {
        maxRetries: 0,
      });
      const purchase = await rub.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
      expect(purchase.cost).toBeUndefined();
    });
  });
});

describe('smsactivate against scripted hosts', () => {
  let host: ScriptedHost;
  beforeEach(async () => {
    host = await startScriptedHost();
  });
  afterEach(async () => {
    await host.close();
  });
  const adapter = () =>
    new SmsActivateAdapter(account(host.baseUrl, 'scripted-key-123456'), { maxRetries: 0 });

  it.each([
    ['wrapped under data', '{"status":"success","data":{"0":{"tg":{"cost":"12.50","count":3}}}}'],
    ['a list of rows', '[{"country":0,"service":"tg","price":12.5,"quantity":3}]'],
    ['an empty country as []', '{"0":{"tg":{"cost":12.5,"count":3}},"1":[]}'],
  ])('reads getPrices %s', async (_shape, body) => {
    host.replies.push({ body });
    const offers = await adapter().catalog();
    expect(offers.map((o) => [o.ref, o.cost.format(), o.stock])).toEqual([['0:tg', '12.50', 3]]);
  });

  it.each([
    ['a status envelope without prices', '{"status":"success","prices":"soon"}'],
    ['countries of strings', '{"0":"tg","1":"wa"}'],
    ['cells in no known form', '{"0":{"tg":["12.5",3]}}'],
  ])('fails loudly on getPrices as %s instead of an empty catalog', async (_shape, body) => {
    host.replies.push({ body });
    const error = await adapter()
      .catalog()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
    expect((error as Error).message).toMatch(/shape/);
  });

  it('an empty price list is an empty catalog, not an error', async () => {
    host.replies.push({ body: '{}' });
    expect(await adapter().catalog()).toEqual([]);
  });

  it('a cancel refused and unknown to getStatus too is NotFound', async () => {
    host.replies.push({ body: 'NO_ACTIVATION' }, { status: 404, body: 'NO_ACTIVATION' });
    const error = await adapter()
      .cancel('12345')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFound);
    expect((error as NotFound).operation).toBe('cancel');
    expect(actionsOf(host.seen)).toEqual(['setStatus', 'getStatus']);
  });

  it('reads rows under activeActivations.rows and the order id a host echoes', async () => {
    host.replies.push({
      body: '{"status":"success","activeActivations":{"rows":[{"activationId":"77","phoneNumber":"79001234567","smsCode":null,"orderId":"order-9"}]}}',
    });
    expect(await adapter().listActivations()).toEqual([
      {
        upstreamRef: '77',
        state: 'waiting',
        messages: [],
        phoneNumber: '+79001234567',
        idempotencyKey: 'order-9',
      },
    ]);
  });
});
