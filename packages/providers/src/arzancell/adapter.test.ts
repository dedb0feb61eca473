import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Money } from '@numbroker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivationStatus, Offer, ProviderAccount } from '../adapter.js';
import { runContractSuite } from '../contract/contract-suite.js';
import type { ProviderError } from '../errors.js';
import { ArzanCellAdapter } from './adapter.js';
import { ArzanCellSimulator } from './simulator.js';

runContractSuite({
  kind: 'arzancell',
  currency: 'IRT',
  createSimulator: (options) => new ArzanCellSimulator(options),
  createAdapter: (account, options) => new ArzanCellAdapter(account, options),
  sample: { service: 'telegram', country: 'EE', cost: '8400' }, // the doc's own example row
  buyRequestMatch: 'action=get_number',
  statusRequestMatch: 'action=check_order',
});

// ---- this upstream's extras ----------------------------------------------------------------

const KEY = 'arzancell-test-key-5b2e';

const accountAt = (baseUrl: string, apiKey = KEY): ProviderAccount => ({
  id: 'arzancell-test',
  kind: 'arzancell',
  baseUrl,
  apiKey,
  currency: 'IRT',
  timeoutMs: 3000,
});

interface DocExample {
  name: string;
  operation: string;
  request: { params: Record<string, string> };
  response: { type: 'json' | 'text'; body: unknown };
}
interface DocError {
  token: string;
  operation: string;
  expected: string;
}
interface Variant {
  name: string;
  operation: string;
  text: string;
  country?: string;
  expected: unknown;
}
function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}
const docExamples = fixture<{ examples: DocExample[] }>('doc-examples.json').examples;
const docErrors = fixture<{ errors: DocError[] }>('doc-errors.json').errors;
const assumedVariants = fixture<{ variants: Variant[] }>('assumed-variants.json').variants;
const example = (name: string): DocExample => docExamples.find((e) => e.name === name)!;

describe('arzancell simulator against the doc', () => {
  let sim: ArzanCellSimulator;
  beforeEach(async () => {
    sim = new ArzanCellSimulator({ apiKey: KEY });
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  /** The doc's example request with its placeholders filled in. */
  const ask = async (params: Record<string, string>, method = 'GET') => {
    const url = new URL(sim.baseUrl);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const res = await fetch(url, { method });
    const text = await res.text();
    return { status: res.status, text };
  };
  const filled = (name: string, values: Record<string, string>) => {
    const params: Record<string, string> = { ...example(name).request.params, api: KEY };
    for (const [key, value] of Object.entries(values)) params[key] = value;
    return params;
  };

  it("answers the doc's get_balance and get_status examples word for word", async () => {
    const balance = await ask(filled('get_balance', {}));
    expect(JSON.parse(balance.text)).toEqual(example('get_balance').response.body);
    const stock = await ask(filled('get_status', { server: '3', country: 'ee' }));
    expect(JSON.parse(stock.text)).toEqual(example('get_status').response.body);
  });

  it("answers get_number, check_order and cancel_order in the doc's forms", async () => {
    const bought = await ask(
      filled('get_number', { server: '3', country: 'ee', service: 'telegram' }),
    );
    const [row] = JSON.parse(bought.text) as Array<{ phone: string; order_id: string }>;
    const docRow = (example('get_number').response.body as Array<Record<string, string>>)[0]!;
    expect(Object.keys(row!)).toEqual(Object.keys(docRow));
    expect(row!.order_id).toBe('3762'); // the first order id is the doc's
    expect(row!.phone).toMatch(/^\+372\d{8}$/);

    const waiting = await ask(filled('check_order', { order_id: row!.order_id }));
    expect(JSON.parse(waiting.text)).toEqual([{ phone: row!.phone, code: '' }]);
    sim.deliverSms(row!.order_id, 'Your code: 708303');
    const answered = await ask(filled('check_order', { order_id: row!.order_id }));
    expect(JSON.parse(answered.text)).toEqual([{ phone: row!.phone, code: '708303' }]);

    const second = await ask(
      filled('get_number', { server: 'any', country: 'ee', service: 'telegram' }),
    );
    const [other] = JSON.parse(second.text) as Array<{ order_id: string }>;
    const cancelled = await ask(filled('cancel_order', { order_id: other!.order_id }));
    expect(cancelled.text).toBe(example('cancel_order').response.body);
  });

  it("reads the doc's curl form too: the fields in a GET body", async () => {
    const url = new URL(sim.baseUrl);
    const body = new URLSearchParams({ api: KEY, action: 'get_balance' }).toString();
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'GET',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          let data = '';
          res.on('data', (chunk: Buffer) => (data += chunk.toString()));
          res.on('end', () => resolve(data));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(JSON.parse(text)).toEqual(example('get_balance').response.body);
  });

  it("answers each of the doc's error words where it applies", async () => {
    const seen = new Map<string, string>();
    const note = async (label: string, params: Record<string, string>, method = 'GET') =>
      seen.set(label, (await ask(params, method)).text);
    await note('INVALID REQUEST', { api: KEY, action: 'get_balance' }, 'POST');
    await note('INVALID API', { api: 'wrong', action: 'get_balance' });
    await note('INVALID ACTION', { api: KEY, action: 'get_everything' });
    await note('INVALID SERVER', filled('get_status', { server: '99', country: 'ee' }));
    await note('INVALID COUNTRY', filled('get_status', { server: 'any', country: 'xx' }));
    await note(
      'INVALID SERVICE',
      filled('get_number', { server: 'any', country: 'ee', service: 'nope' }),
    );
    await note('NO NUMBER', filled('get_number', { server: '3', country: 'ee', service: 'viber' }));
    sim.setBalance('100');
    await note(
      'NOT ENOUGH BALANCE',
      filled('get_number', { server: '3', country: 'ee', service: 'telegram' }),
    );
    sim.setBalance('100000');
    await note('INVALID ORDER ID', filled('check_order', { order_id: '1' }));
    const [order] = JSON.parse(
      (await ask(filled('get_number', { server: '3', country: 'ee', service: 'telegram' }))).text,
    ) as Array<{ order_id: string }>;
    sim.deliverSms(order!.order_id, 'code 11111');
    await note('UNCANCELLABLE ORDER', filled('cancel_order', { order_id: order!.order_id }));
    const [late] = JSON.parse(
      (await ask(filled('get_number', { server: '3', country: 'ee', service: 'telegram' }))).text,
    ) as Array<{ order_id: string }>;
    sim.expireActivation(late!.order_id);
    await note('EXPIRED SMS TIME', filled('check_order', { order_id: late!.order_id }));
    sim.refuseNext('get_number', 'TRY AGAIN');
    await note(
      'TRY AGAIN',
      filled('get_number', { server: '3', country: 'ee', service: 'telegram' }),
    );
    sim.refuseNext('check_order', 'CAN NOT GET SMS');
    await note('CAN NOT GET SMS', filled('check_order', { order_id: order!.order_id }));

    for (const { token } of docErrors) expect(seen.get(token), token).toBe(token);
  });
});

describe('arzancell adapter extras (simulator)', () => {
  let sim: ArzanCellSimulator;
  let adapter: ArzanCellAdapter;
  beforeEach(async () => {
    sim = new ArzanCellSimulator({ apiKey: KEY });
    await sim.start();
    adapter = new ArzanCellAdapter(accountAt(sim.baseUrl), { maxRetries: 0 });
  });
  afterEach(async () => {
    await sim.stop();
  });

  const buyTelegramEe = async (from: ArzanCellAdapter = adapter) =>
    from.buy({ service: 'telegram', country: 'EE', ref: '3:ee:telegram' });

  it('reads the whole stock in one request, the key and action in the query string', async () => {
    const offers = await adapter.catalog();
    expect(sim.requests).toHaveLength(1);
    const url = new URL(sim.requests[0]!.url, 'http://sim');
    expect(url.pathname).toBe('/api/handler.php');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      action: 'get_status',
      server: 'any',
      country: 'any',
      api: KEY,
    });
    expect(offers.find((o) => o.ref === '1:gb:ig')).toMatchObject({
      service: 'instagram',
      country: 'GB',
    });
    expect(offers.find((o) => o.ref === '3:ee:viber')?.stock).toBe(0);
  });

  it('charges at buy, refunds a cancel, and keeps a second cancel quiet', async () => {
    const before = sim.balance;
    const purchase = await buyTelegramEe();
    expect(before - sim.balance).toBe(8400n);
    await adapter.cancel(purchase.upstreamRef);
    await adapter.cancel(purchase.upstreamRef);
    expect(sim.balance).toBe(before);
    expect((await adapter.status(purchase.upstreamRef)).state).toBe('cancelled');
  });

  it('refuses a cancel after the code (after looking: UNCANCELLABLE ORDER is ambiguous)', async () => {
    const purchase = await buyTelegramEe();
    sim.deliverSms(purchase.upstreamRef, 'Your code is 55555');
    await expect(adapter.cancel(purchase.upstreamRef)).rejects.toMatchObject({
      code: 'CANCEL_NOT_ALLOWED',
      retryable: false,
      upstreamMessage: 'UNCANCELLABLE ORDER',
    });
  });

  it('shows the latest code only, as the upstream does', async () => {
    const purchase = await buyTelegramEe();
    sim.deliverSms(purchase.upstreamRef, 'code 11111');
    sim.deliverSms(purchase.upstreamRef, 'code 22222');
    expect((await adapter.status(purchase.upstreamRef)).messages).toEqual([
      { code: '22222', text: null },
    ]);
  });

  it('expires after the TTL (EXPIRED SMS TIME) and the money comes back', async () => {
    const quick = new ArzanCellSimulator({ apiKey: KEY, activationTtlSeconds: 0 });
    await quick.start();
    try {
      const quickAdapter = new ArzanCellAdapter(accountAt(quick.baseUrl), { maxRetries: 0 });
      const before = quick.balance;
      const purchase = await buyTelegramEe(quickAdapter);
      expect((await quickAdapter.status(purchase.upstreamRef)).state).toBe('expired');
      await quickAdapter.cancel(purchase.upstreamRef); // nothing left to cancel: done
      expect(quick.balance).toBe(before);
    } finally {
      await quick.stop();
    }
  });

  it('sends one get_number after TRY AGAIN, and says it is safe to fail over', async () => {
    const retrying = new ArzanCellAdapter(accountAt(sim.baseUrl), { maxRetries: 2 });
    sim.refuseNext('get_number', 'TRY AGAIN');
    await expect(buyTelegramEe(retrying)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      surelyNotSent: true,
    });
    expect(sim.requests.filter((r) => r.url.includes('action=get_number'))).toHaveLength(1);
  });

  it('maps CAN NOT GET SMS on status to a retryable Unavailable', async () => {
    const purchase = await buyTelegramEe();
    sim.refuseNext('check_order', 'CAN NOT GET SMS');
    await expect(adapter.status(purchase.upstreamRef)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryable: true,
    });
  });

  it('maps a low balance to InsufficientUpstreamBalance', async () => {
    sim.setBalance('1000');
    await expect(buyTelegramEe()).rejects.toMatchObject({ code: 'INSUFFICIENT_UPSTREAM_BALANCE' });
  });
});

/** A bare server that answers every request with one body (fixtures served as is). */
async function fixtureServer(
  text: string,
  contentType = 'text/html; charset=UTF-8',
): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/handler.php`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('arzancell adapter over the doc examples, the error table and other forms', () => {
  const run = (adapter: ArzanCellAdapter, operation: string, country = 'EE'): Promise<unknown> => {
    const calls: Record<string, () => Promise<unknown>> = {
      catalog: () => adapter.catalog(),
      balance: () => adapter.balance(),
      buy: () =>
        adapter.buy({ service: 'telegram', country, ref: `3:${country.toLowerCase()}:telegram` }),
      status: () => adapter.status('3762'),
      cancel: () => adapter.cancel('3762'),
    };
    return calls[operation]!();
  };
  const outcome = (promise: Promise<unknown>) =>
    promise.then(
      (value) => ({ value, error: undefined as unknown }),
      (error: unknown) => ({ value: undefined, error }),
    );

  for (const row of docErrors) {
    it(`${row.token} on ${row.operation} → ${row.expected}`, async () => {
      const server = await fixtureServer(row.token);
      try {
        const adapter = new ArzanCellAdapter(accountAt(server.baseUrl), { maxRetries: 0 });
        const { value, error } = await outcome(run(adapter, row.operation));
        if (row.expected.startsWith('state:')) {
          expect((value as { state: string }).state).toBe(row.expected.slice('state:'.length));
        } else {
          expect((error as ProviderError).constructor.name).toBe(row.expected);
          expect((error as ProviderError).operation).toBe(row.operation);
        }
      } finally {
        await server.close();
      }
    });
  }

  for (const variant of assumedVariants) {
    it(`reads ${variant.name}`, async () => {
      const server = await fixtureServer(variant.text);
      try {
        const adapter = new ArzanCellAdapter(accountAt(server.baseUrl), { maxRetries: 0 });
        const { value, error } = await outcome(run(adapter, variant.operation, variant.country));
        const expected = variant.expected;
        if (typeof expected === 'string') {
          if (expected.startsWith('state:')) {
            expect((value as { state: string }).state).toBe(expected.slice('state:'.length));
          } else {
            expect((error as ProviderError).constructor.name).toBe(expected);
          }
          return;
        }
        expect(error).toBeUndefined();
        const meaning =
          variant.operation === 'catalog'
            ? { offers: (value as Offer[]).map((o) => ({ ...o, cost: o.cost.format() })) }
            : variant.operation === 'balance'
              ? { balance: (value as Money).format() }
              : variant.operation === 'status'
                ? {
                    state: (value as ActivationStatus).state,
                    codes: (value as ActivationStatus).messages.map((m) => m.code),
                  }
                : value;
        expect(meaning).toEqual(expected);
      } finally {
        await server.close();
      }
    });
  }
});
