import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderAccount } from '../adapter.js';
import { runContractSuite } from '../contract/contract-suite.js';
import {
  AuthError,
  CancelNotAllowed,
  InsufficientUpstreamBalance,
  InvalidRequest,
  NoNumbers,
  Unavailable,
} from '../errors.js';
import { SmsActivateAdapter } from './adapter.js';
import * as examples from './fixtures/documented-examples.js';
import { SmsActivateSimulator, type SmsActivateSimulatorOptions } from './simulator.js';

runContractSuite({
  kind: 'smsactivate',
  currency: 'RUB',
  createSimulator: (options) => new SmsActivateSimulator(options),
  createAdapter: (account, options) => new SmsActivateAdapter(account, options),
  sample: { service: 'telegram', country: 'RU', cost: '12.50' },
  buyRequestMatch: 'action=getNumber',
  statusRequestMatch: 'action=getStatus',
});

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
      const error = await adapter.cancel(purchase.activationRef).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CancelNotAllowed);
      expect((error as CancelNotAllowed).retryable).toBe(true);
      expect(sim.activation(purchase.activationRef)?.state).toBe('waiting');
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
      await adapter.cancel(first.activationRef);
      const listed = await adapter.listActivations();
      expect(listed.map((a) => a.activationRef)).toEqual([second.activationRef]);
      expect(listed[0]?.phoneNumber).toBe(second.phoneNumber);
      const third = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
      expect((await adapter.listActivations()).map((a) => a.activationRef)).toEqual([
        third.activationRef,
        second.activationRef,
      ]);
      const many = await adapter.statusMany([first.activationRef, second.activationRef]);
      expect([...many.keys()]).toEqual([second.activationRef]);
    });

    it('refuses finish before a code as InvalidRequest', async () => {
      await start();
      const purchase = await adapter.buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
      await expect(adapter.finish(purchase.activationRef)).rejects.toBeInstanceOf(InvalidRequest);
    });
  });

  describe('against hosts that answer differently', () => {
    let server: Server;
    let baseUrl: string;
    const replies: Array<{ status: number; body: string; type?: string }> = [];
    const seen: string[] = [];

    beforeEach(async () => {
      replies.length = 0;
      seen.length = 0;
      server = createServer((req, res) => {
        seen.push(req.url ?? '');
        const reply = replies.shift() ?? { status: 500, body: 'no reply scripted' };
        res.writeHead(reply.status, { 'content-type': reply.type ?? 'text/plain' });
        res.end(reply.body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stubs/handler_api.php`;
    });
    afterEach(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const adapter = () => new SmsActivateAdapter(account(baseUrl), { maxRetries: 0 });
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
      [{ status: 200, body: 'SOMETHING_NEW' }, Unavailable],
      [
        { status: 200, body: '<html><title>Maintenance</title></html>', type: 'text/html' },
        Unavailable,
      ],
    ])('buy answered %j → %o', async (reply, expected) => {
      replies.push(reply);
      const error = await adapter()
        .buy({ service: 'telegram', country: 'RU', ref: '0:tg' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(expected);
      expect((error as Error).message).not.toContain('extras-key-123456');
      if (error instanceof Unavailable) expect(error.surelyNotSent).toBe(false);
      expect(seen).toHaveLength(1);
    });

    it('reads a getNumberV2-shaped answer to getNumber, with its cost', async () => {
      replies.push({ status: 200, body: examples.NUMBER_V2.body, type: json });
      const purchase = await adapter().buy({ service: 'telegram', country: 'RU', ref: '0:tg' });
      expect(purchase).toMatchObject({ activationRef: '635468021', phoneNumber: '+79584321234' });
      expect(purchase.cost?.format()).toBe('12.50');
    });

    it('asks getCountries once for country ids it does not know', async () => {
      replies.push(
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
      expect(seen.map((url) => new URLSearchParams(url.split('?')[1]).get('action'))).toEqual([
        'getPrices',
        'getCountries',
        'getOperators',
        'getPrices',
      ]);
    });

    it('sends every call as GET with api_key and action', async () => {
      replies.push({ status: 200, body: 'ACCESS_BALANCE:0.5' });
      expect((await adapter().balance()).format()).toBe('0.50');
      const query = new URLSearchParams(seen[0]!.split('?')[1]);
      expect(seen[0]!.startsWith('/stubs/handler_api.php?')).toBe(true);
      expect([query.get('api_key'), query.get('action')]).toEqual([
        'extras-key-123456',
        'getBalance',
      ]);
    });
  });
});
