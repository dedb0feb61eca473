import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RateLimited, Unavailable } from '../errors.js';
import { EchoSimulator } from '../simulator/test-support/echo-simulator.js';
import {
  expectJson,
  HttpClient,
  parseRetryAfter,
  unavailableFromResponse,
  type HttpClientOptions,
} from './http-client.js';

const SECRET = 'k3y+with/odd=chars&more';

function captureLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    parts.push(current.message, JSON.stringify(current), String(current.stack));
    current = current.cause;
  }
  return parts.join('\n');
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('HttpClient', () => {
  let sim: EchoSimulator;
  let log: ReturnType<typeof captureLogger>;

  const client = (overrides: Partial<HttpClientOptions> = {}) =>
    new HttpClient({
      providerId: 'echo',
      baseUrl: sim.baseUrl,
      timeoutMs: 2000,
      secrets: [SECRET],
      retryBaseDelayMs: 1,
      logger: log.logger,
      ...overrides,
    });

  beforeEach(async () => {
    sim = new EchoSimulator();
    log = captureLogger();
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('builds the URL from baseUrl, path and query, and sends form and JSON bodies', async () => {
    const get = await client().request({
      operation: 'catalog',
      method: 'GET',
      path: 'numbers/1',
      query: { api_key: SECRET, country: 7, skip: undefined },
      headers: { 'x-api-key': SECRET },
      idempotent: true,
    });
    expect(get.status).toBe(200);
    expect(get.json()).toMatchObject({
      path: '/api/numbers/1',
      subPath: 'numbers/1',
      query: { api_key: SECRET, country: '7' },
      apiKey: SECRET,
    });
    const form = await client().request({
      operation: 'buy',
      method: 'POST',
      form: { a: 'b c' },
      idempotent: false,
    });
    expect(form.json()).toMatchObject({ method: 'POST', path: '/api/', form: { a: 'b c' } });
    const json = await client().request({
      operation: 'buy',
      method: 'POST',
      path: '/x',
      json: { n: 1 },
      idempotent: false,
    });
    expect(json.json()).toMatchObject({ path: '/api/x', json: { n: 1 } });
  });

  it('lets an adapter header replace the default whatever its case', async () => {
    await client().request({
      operation: 'catalog',
      method: 'GET',
      headers: { Accept: 'application/json' },
      idempotent: true,
    });
    const sent = sim.requests.at(-1)!;
    expect(sent.headers.accept).toBe('application/json');
  });

  it('returns 4xx and 500 to the adapter without retrying', async () => {
    for (const status of [400, 401, 404, 500]) {
      const res = await client().request({
        operation: 'status',
        method: 'GET',
        path: `status/${status}`,
        idempotent: true,
      });
      expect(res.status).toBe(status);
    }
    expect(sim.requests).toHaveLength(4);
  });

  it('retries idempotent requests on 502/503/504 and network errors, then answers', async () => {
    sim.injectFault({ kind: 'html502' });
    sim.injectFault({ kind: 'reset' });
    const res = await client().request({
      operation: 'catalog',
      method: 'GET',
      path: 'ok',
      idempotent: true,
    });
    expect(res.status).toBe(200);
    expect(sim.requests.map((r) => r.fault)).toEqual(['html502', 'reset', undefined]);
  });

  it('hands the last 502 to the adapter once retries are spent', async () => {
    sim.injectFault({ kind: 'html502', times: 5 });
    const res = await client({ maxRetries: 1 }).request({
      operation: 'catalog',
      method: 'GET',
      idempotent: true,
    });
    expect(res.status).toBe(502);
    expect(res.isHtml).toBe(true);
    expect(sim.requests).toHaveLength(2);
    const error = unavailableFromResponse(res);
    expect(error).toBeInstanceOf(Unavailable);
    expect(error.surelyNotSent).toBe(false);
    expect(error.message).toContain('502 Bad Gateway');
  });

  it('never repeats a non-idempotent request', async () => {
    sim.injectFault({ kind: 'html502' });
    const res = await client().request({ operation: 'buy', method: 'POST', idempotent: false });
    expect(res.status).toBe(502);

    sim.injectFault({ kind: 'reset' });
    const reset = await caught(
      client().request({ operation: 'buy', method: 'POST', idempotent: false }),
    );
    expect(reset).toBeInstanceOf(Unavailable);
    expect((reset as Unavailable).surelyNotSent).toBe(false);

    sim.injectFault({ kind: 'rate-limit', retryAfterSeconds: 0 });
    const limited = await caught(
      client().request({ operation: 'buy', method: 'POST', idempotent: false }),
    );
    expect(limited).toBeInstanceOf(RateLimited);
    expect(sim.requests).toHaveLength(3);
  });

  it('honours Retry-After: short waits are retried, long ones raise RateLimited at once', async () => {
    sim.injectFault({ kind: 'rate-limit', retryAfterSeconds: 0 });
    const res = await client().request({ operation: 'catalog', method: 'GET', idempotent: true });
    expect(res.status).toBe(200);
    expect(sim.requests).toHaveLength(2);

    sim.injectFault({ kind: 'rate-limit', retryAfterSeconds: 120 });
    const error = await caught(
      client().request({ operation: 'catalog', method: 'GET', idempotent: true }),
    );
    expect(error).toBeInstanceOf(RateLimited);
    expect((error as RateLimited).retryAfterMs).toBe(120_000);
    expect((error as RateLimited).retryable).toBe(true);
    expect(sim.requests).toHaveLength(3);
  });

  it('times out a hung request as Unavailable that may have been sent, without leaking the key', async () => {
    sim.injectFault({ kind: 'timeout' });
    const error = await caught(
      client({ timeoutMs: 150 }).request({
        operation: 'buy',
        method: 'GET',
        query: { api_key: SECRET },
        idempotent: false,
      }),
    );
    expect(error).toBeInstanceOf(Unavailable);
    expect((error as Unavailable).surelyNotSent).toBe(false);
    expect((error as Unavailable).message).toContain('150 ms');
    expect(errorText(error)).not.toContain(SECRET);
    expect(errorText(error)).not.toContain(encodeURIComponent(SECRET));
  });

  it('marks a refused connection as surely not sent and keeps the key out of errors and logs', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await caught(
      client({ baseUrl: `http://127.0.0.1:${port}/api/`, maxRetries: 0 }).request({
        operation: 'buy',
        method: 'GET',
        query: { api_key: SECRET },
        idempotent: false,
      }),
    );
    expect(error).toBeInstanceOf(Unavailable);
    expect((error as Unavailable).surelyNotSent).toBe(true);
    expect(errorText(error)).toContain('ECONNREFUSED');
    expect(errorText(error)).not.toContain(SECRET);
    const logged = log.lines.join('\n');
    expect(logged).toContain('upstream request failed');
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain(encodeURIComponent(SECRET));
  });

  it('logs answered requests with the key redacted', async () => {
    await client().request({
      operation: 'balance',
      method: 'GET',
      query: { api_key: SECRET },
      idempotent: true,
    });
    const logged = log.lines.join('\n');
    expect(logged).toContain('upstream answered');
    expect(logged).toContain('[REDACTED]');
    expect(logged).not.toContain(encodeURIComponent(SECRET));
    expect(logged).not.toContain(SECRET);
  });

  it('refuses a request the local queue cannot hold, as surely not sent', async () => {
    sim.injectFault({ kind: 'timeout' });
    const http = client({ maxConcurrent: 1, maxQueued: 0, timeoutMs: 300, maxRetries: 0 });
    const first = caught(http.request({ operation: 'status', method: 'GET', idempotent: true }));
    const second = await caught(
      http.request({ operation: 'status', method: 'GET', idempotent: true }),
    );
    expect(second).toBeInstanceOf(Unavailable);
    expect((second as Unavailable).surelyNotSent).toBe(true);
    expect(await first).toBeInstanceOf(Unavailable);
  });

  it('requires a timeout', () => {
    expect(() => client({ timeoutMs: 0 })).toThrow(/timeoutMs is mandatory/);
  });

  it('expectJson turns HTML and malformed bodies into Unavailable with a secret-free excerpt', async () => {
    const html = await client().request({
      operation: 'catalog',
      method: 'GET',
      path: 'html',
      idempotent: true,
    });
    expect(html.isHtml).toBe(true);
    expect(() => expectJson(html)).toThrow(Unavailable);
    expect(() => expectJson(html)).toThrow(/Oops/);

    sim.injectFault({ kind: 'malformed' });
    const malformed = await client().request({
      operation: 'catalog',
      method: 'GET',
      idempotent: true,
    });
    expect(malformed.status).toBe(200);
    expect(() => malformed.json()).toThrow(/malformed JSON/);
    expect(() => expectJson(malformed, { operation: 'status' })).toThrow(/status: malformed JSON/);

    const ok = await client().request({
      operation: 'catalog',
      method: 'GET',
      query: { n: 1 },
      idempotent: true,
    });
    expect(expectJson(ok, { lossless: true })).toMatchObject({ query: { n: '1' } });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(new Date(Date.now() - 1000).toUTCString())).toBe(0);
  });
});
