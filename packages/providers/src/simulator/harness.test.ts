import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { extractCode } from './harness.js';
import { EchoSimulator } from './test-support/echo-simulator.js';

describe('SimulatorBase', () => {
  let sim: EchoSimulator;
  beforeEach(async () => {
    sim = new EchoSimulator();
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  const origin = () => sim.baseUrl.replace(/\/api\/$/, '');
  const control = (route: string, body?: unknown) =>
    fetch(`${origin()}/__sim/${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('serves on loopback under its mount path and 404s elsewhere', async () => {
    expect(sim.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect((await fetch(`${origin()}/other`)).status).toBe(404);
    const res = await fetch(`${sim.baseUrl}x?a=1`, {
      method: 'POST',
      body: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await res.json()).toMatchObject({
      path: '/api/x',
      subPath: 'x',
      query: { a: '1' },
      form: { a: 'b' },
    });
    expect(sim.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['GET', '/other', ''],
      ['POST', '/api/x?a=1', 'a=b'],
    ]);
  });

  it('applies faults in order, only to matching requests, as many times as asked', async () => {
    sim.injectFault({ kind: 'http500', match: 'target', times: 2 });
    expect((await fetch(`${sim.baseUrl}other`)).status).toBe(200);
    expect((await fetch(`${sim.baseUrl}target`)).status).toBe(500);
    expect((await fetch(`${sim.baseUrl}?q=target`)).status).toBe(500);
    expect((await fetch(`${sim.baseUrl}target`)).status).toBe(200);
    sim.injectFault({ kind: 'rate-limit', retryAfterSeconds: 7 });
    const limited = await fetch(sim.baseUrl);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
    sim.injectFault({ kind: 'html502' });
    const html = await fetch(sim.baseUrl);
    expect([html.status, html.headers.get('content-type')]).toEqual([502, 'text/html']);
    sim.injectFault({ kind: 'malformed' });
    const malformed = await fetch(sim.baseUrl);
    const malformedBody = await malformed.text();
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformedBody) as unknown).toThrow(SyntaxError);
    sim.injectFault({ kind: 'reset' });
    await expect(fetch(sim.baseUrl)).rejects.toThrow();
    expect(sim.pendingFaults).toBe(0);
    expect(sim.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual([
      'http500',
      'http500',
      'rate-limit',
      'html502',
      'malformed',
      'reset',
    ]);
  });

  it('a timeout fault hangs until stop()', async () => {
    sim.injectFault({ kind: 'timeout' });
    const pending = fetch(sim.baseUrl).then(
      () => 'answered',
      () => 'dropped',
    );
    await vi.waitFor(() => expect(sim.requests).toHaveLength(1));
    await sim.stop();
    expect(await pending).toBe('dropped');
  });

  it('a lost-reply fault does the work, then never answers', async () => {
    sim.injectFault({ kind: 'lost-reply', match: 'buy' });
    const pending = fetch(`${sim.baseUrl}buy`).then(
      () => 'answered',
      () => 'dropped',
    );
    await vi.waitFor(() => expect(sim.allActivations()).toHaveLength(1));
    expect(sim.requests[0]?.fault).toBe('lost-reply');
    await sim.stop();
    expect(await pending).toBe('dropped');
  });

  it('offline refuses connections until online again on the same port', async () => {
    const url = sim.baseUrl;
    await sim.goOffline();
    expect(sim.offline).toBe(true);
    const refused = await fetch(url).catch((error: unknown) => error as Error);
    expect((refused as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    await sim.goOnline();
    expect(sim.baseUrl).toBe(url);
    expect((await fetch(`${url}buy`)).status).toBe(200);
    expect(sim.allActivations().map((a) => a.state)).toEqual(['waiting']);
  });

  it('clearFaults drops every queued fault', async () => {
    sim.injectFault({ kind: 'http500', times: 5 });
    expect(sim.pendingFaults).toBe(5);
    sim.clearFaults();
    expect(sim.pendingFaults).toBe(0);
    expect((await fetch(sim.baseUrl)).status).toBe(200);
  });

  it('serves the control API over HTTP', async () => {
    expect((await control('balance', { amount: '12.50' })).status).toBe(200);
    expect(sim.balance).toBe('12.50');
    await control('offer', { service: 'telegram', country: 'RU', cost: '10', stock: 5 });
    expect(sim.offers).toHaveLength(1);
    const bought = (await (await fetch(`${sim.baseUrl}buy`)).json()) as { ref: string };
    await control('deliver', { ref: bought.ref, text: 'code 1234' });
    const view = await (await control(`activation/${bought.ref}`)).json();
    expect(view).toMatchObject({ state: 'code', messages: ['code 1234'] });
    expect((await control('activation/nope')).status).toBe(404);
    expect((await control('deliver', { ref: bought.ref })).status).toBe(400);
    await control('fault', { kind: 'http500' });
    expect(sim.pendingFaults).toBe(1);
    const requests = (await (await control('requests')).json()) as unknown[];
    expect(requests).toHaveLength(1);
    await control('reset', {});
    expect([sim.requests.length, sim.pendingFaults, sim.activations.size]).toEqual([0, 0, 0]);
  });

  it('auto-delivers an SMS in demo mode', async () => {
    const demo = new EchoSimulator({ autoDeliverAfterMs: 10 });
    await demo.start();
    try {
      const { ref } = (await (await fetch(`${demo.baseUrl}buy`)).json()) as { ref: string };
      await vi.waitFor(() => expect(demo.activation(ref)?.state).toBe('code'));
      expect(extractCode(demo.activation(ref)!.messages[0]!)).toMatch(/^\d{5,6}$/);
    } finally {
      await demo.stop();
    }
  });
});

describe('extractCode', () => {
  it.each([
    ['Your code is 12345', '12345'],
    ['WhatsApp code 123-456', '123456'],
    ['G-482913 is your Google verification code.', '482913'],
    ['<#> 4821 is your code. abcdefghijk', '4821'],
    ['no code here 12', null],
    ['call +79161234567890 now', null],
  ])('%s', (text, code) => {
    expect(extractCode(text)).toBe(code);
  });
});
