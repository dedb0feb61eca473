import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderAccount } from '../adapter.js';
import { runContractSuite } from '../contract/contract-suite.js';
import {
  AuthError,
  CancelNotAllowed,
  InsufficientUpstreamBalance,
  InvalidRequest,
  NoNumbers,
  RateLimited,
  Unavailable,
} from '../errors.js';
import { SmsActivateAdapter } from './adapter.js';
import * as examples from './fixtures/documented-examples.js';
import {
  SMS_ACTIVATE_DIALECTS,
  SmsActivateSimulator,
  type SmsActivateSimulatorOptions,
} from './simulator.js';
import { startScriptedHost, type ScriptedHost } from './test-support/scripted-host.js';

// One run per dialect: the same adapter must hold against every kind of host.
for (const dialect of SMS_ACTIVATE_DIALECTS) {
  runContractSuite({
    kind: 'smsactivate',
    label: dialect,
    // HeroSMS prices in dollars and says so in getNumberV2's `currency` (840).
    currency: dialect === 'herosms' ? 'USD' : 'RUB',
    createSimulator: (options) =>
      new SmsActivateSimulator({
        ...options,
        dialect,
        // The suite cancels right after buying; strict's 2-minute refusal has its own test.
        ...(dialect === 'strict' ? { earlyCancelDeniedMs: 0 } : {}),
      }),
    createAdapter: (account, options) => new SmsActivateAdapter(account, options),
    sample: { service: 'telegram', country: 'RU', cost: '12.50' },
    buyRequestMatch: 'action=getNumber',
    statusRequestMatch: 'action=getStatus',
    // Such a host cannot list activations; the adapter learns it on the first refusal.
    ...(dialect === 'no-batch' ? { capabilityOverrides: { listActivations: false } } : {}),
  });
}

describe('smsactivate adapter extras', () => {
  const account = (baseUrl: string, apiKey = 'extras-key-123456'): ProviderAccount => ({
    id: 'sa-extras',
    kind: 'smsactivate',
    baseUrl,
    apiKey,
    currency: 'RUB',
    timeoutMs: 2000,
  });

  describe('against the simulator', () => {
    let sim: SmsActivateSimulator;
    let adapter: SmsActivateAdapter;
    const start = async (options: SmsActivateSimulatorOptions = {}) => {
      sim = new SmsActivateSimulator(options);
      await sim.start();
      adapter = new SmsActivateAdapter(account(sim.baseUrl, sim.apiKey), { maxRetries: 0 });
    };
    afterEach(async () => {
      await sim.stop();
    });

    it('turns EARLY_CANCEL_DENIED into a retryable CancelNotAllowed', async () => {
      await start({ earlyCancelDeniedMs: 60_000 });
      const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
      const error = await adapter.cancel(purchase.upstreamRef).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CancelNotAllowed);
      expect((error as CancelNotAllowed).retryable).toBe(true);
      expect(sim.activation(purchase.upstreamRef)?.state).toBe('waiting');
    });

    it('buys from our slug and ISO code when the ref is not its own, and charges the balance', async () => {
      await start();
      const before = await adapter.balance();
      const purchase = await adapter.buy({ service: 'whatsapp', country: 'IN', ref: 'stale' });
      expect(sim.requests.at(-1)?.url).toContain('service=wa&country=22');
      expect(before.minus(await adapter.balance()).format()).toBe('9.90');
      expect(purchase.phoneNumber).toMatch(/^\+91\d{10}$/);
      await expect(adapter.buy({ service: 'bale', country: 'RU', ref: '' })).rejects.toBeInstanceOf(
        InvalidRequest,
      );
      await expect(adapter.status('not-an-id')).rejects.toBeInstanceOf(InvalidRequest);
    });

    it('lists open activations newest first, and leaves closed ones out of statusMany', async () => {
      await start();
      expect(await adapter.listActivations()).toEqual([]);
      const first = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
      const second = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
      await adapter.cancel(first.upstreamRef);
      const listed = await adapter.listActivations();
      expect(listed.map((a) => a.upstreamRef)).toEqual([second.upstreamRef]);
      expect(listed[0]?.phoneNumber).toBe(second.phoneNumber);
      const third = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
      expect((await adapter.listActivations()).map((a) => a.upstreamRef)).toEqual([
        third.upstreamRef,
        second.upstreamRef,
      ]);
      const many = await adapter.statusMany([first.upstreamRef, second.upstreamRef]);
      expect([...many.keys()]).toEqual([second.upstreamRef]);
    });

    it('refuses finish before a code as InvalidRequest', async () => {
      await start();
      const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
      await expect(adapter.finish(purchase.upstreamRef)).rejects.toBeInstanceOf(InvalidRequest);
    });
  });

  describe('against hosts that answer differently', () => {
    let host: ScriptedHost;
    beforeEach(async () => {
      host = await startScriptedHost();
    });
    afterEach(async () => {
      await host.close();
    });

    const adapter = () => new SmsActivateAdapter(account(host.baseUrl), { maxRetries: 0 });
    const json = 'application/json';

    it.each([
      [{ status: 200, body: '{"status":"error","error":"NO_NUMBERS"}', type: json }, NoNumbers],
      [{ status: 404, body: '{"status":"error","error":"NO_NUMBERS"}', type: json }, NoNumbers],
      [{ status: 401, body: 'BAD_KEY' }, AuthError],
      [
        { status: 401, body: '{"title":"BAD_KEY","details":"Invalid API key"}', type: json },
        AuthError,
      ],
      [{ status: 403, body: '{"title":"Forbidden","details":null}', type: json }, AuthError],
      [
        { status: 400, body: '{"status":"error","message":"NO_BALANCE"}', type: json },
        InsufficientUpstreamBalance,
      ],
      [{ status: 200, body: 'BANNED:2025-01-01 10:00:00' }, AuthError],
      [{ status: 503, body: 'ERROR_SQL' }, Unavailable],
      // A refusal we do not know sold nothing: not ambiguous, failover may go on.
      [{ status: 200, body: 'SOMETHING_NEW' }, InvalidRequest],
      [{ status: 200, body: 'CHANNELS_LIMIT' }, RateLimited],
      [{ status: 200, body: 'WRONG_EXCEPTION_PHONE' }, InvalidRequest],
      [
        { status: 200, body: '{"status":"error","error":"SOME_NEW_REFUSAL"}', type: json },
        InvalidRequest,
      ],
      // A success we cannot read may be a number bought: ambiguous.
      [{ status: 200, body: 'ACCESS_NUMBER:not-an-id' }, Unavailable],
      [{ status: 200, body: 'ACCESS_SOMETHING:1:2' }, Unavailable],
      [{ status: 200, body: '{"activationId":123,"phoneNumber":null}', type: json }, Unavailable],
      [{ status: 500, body: 'SOMETHING_NEW' }, Unavailable],
      [
        { status: 200, body: '<html><title>Maintenance</title></html>', type: 'text/html' },
        Unavailable,
      ],
    ])('buy answered %j → %o', async (reply, expected) => {
      host.replies.push(reply);
      const error = await adapter()
        .buy({ service: 'telegram', country: 'RU', ref: '0:tg' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(expected);
      expect((error as Error).message).not.toContain('extras-key-123456');
      if (error instanceof Unavailable) expect(error.surelyNotSent).toBe(false);
      expect(host.seen).toHaveLength(1);
    });

    it('reads the JSON answer of getNumberV2, with its cost', async () => {
      host.replies.push({ status: 200, body: examples.NUMBER_V2.body, type: json });
      const purchase = await adapter().buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
      expect(purchase).toMatchObject({ upstreamRef: '635468021', phoneNumber: '+79584321234' });
      expect(purchase.cost?.format()).toBe('12.50');
    });

    it('asks getCountries once for country ids it does not know', async () => {
      host.replies.push(
        {
          status: 200,
          body: '{"199":{"tg":{"cost":"33.3","count":5}},"0":{"tg":{"cost":12.5,"count":1}}}',
          type: json,
        },
        {
          status: 200,
          body: '{"199":{"id":199,"rus":"Мальта","eng":"Malta","visible":1}}',
          type: json,
        },
        // No getOperators on this host: asked once, never again.
        { status: 200, body: 'BAD_ACTION' },
        { status: 200, body: '{"199":{"tg":{"cost":"33.3","count":5}}}', type: json },
      );
      const sa = adapter();
      const offers = await sa.catalog();
      expect(offers.map((o) => [o.country, o.ref, o.cost.format()])).toEqual([
        ['RU', '0:tg', '12.50'],
        ['MT', '199:tg', '33.30'],
      ]);
      expect(await sa.catalog()).toHaveLength(1);
      expect(host.seen.map((url) => new URLSearchParams(url.split('?')[1]).get('action'))).toEqual([
        'getPrices',
        'getCountries',
        'getOperators',
        'getPrices',
      ]);
    });

    it('sends every call as GET with api_key and action', async () => {
      host.replies.push({ status: 200, body: 'ACCESS_BALANCE:0.5' });
      expect((await adapter().balance()).format()).toBe('0.50');
      const query = new URLSearchParams(host.seen[0]!.split('?')[1]);
      expect(host.seen[0]!.startsWith('/stubs/handler_api.php?')).toBe(true);
      expect([query.get('api_key'), query.get('action')]).toEqual([
        'extras-key-123456',
        'getBalance',
      ]);
    });
  });
});
