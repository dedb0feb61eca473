import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { metricsAuthorized } from './metrics.js';
import { startProbeServer } from './probe-server.js';
import { redactUrl } from './redact-url.js';

function captured(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('censors every secret the server and the worker log, including token and x-api-key headers', () => {
    const out = captured();
    const logger = createLogger({ name: 'test', destination: out.stream });
    logger.info(
      {
        apiKey: 'k-inline',
        request: { headers: { token: 'shomare-token', 'x-api-key': 'shiz-key' } },
        headers: { authorization: 'Bearer user-key' },
        config: { adminApiKey: 'admin-key', providers: [{ apiKey: 'provider-key' }] },
        database: 'postgres://u:pw@h/db',
      },
      'hello',
    );
    const line = out.text();
    for (const secret of [
      'k-inline',
      'shomare-token',
      'shiz-key',
      'user-key',
      'admin-key',
      'provider-key',
      'pw@',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
    expect(JSON.parse(line)).toMatchObject({ name: 'test', msg: 'hello' });
  });
});

describe('redactUrl', () => {
  it('censors api_key, key and token query values and keeps the rest', () => {
    expect(redactUrl('/stubs/handler_api.php?api_key=abc&action=getBalance')).toBe(
      '/stubs/handler_api.php?api_key=[redacted]&action=getBalance',
    );
    expect(redactUrl('/graphql?key=s3cret')).toBe('/graphql?key=[redacted]');
    expect(redactUrl('/x?API_KEY=1&token=2&a=3')).toBe(
      '/x?API_KEY=[redacted]&token=[redacted]&a=3',
    );
    expect(redactUrl('/healthz')).toBe('/healthz');
    expect(redactUrl('/webhooks/upstream/sa/s3cr3t-s3cr3t-s3cr3t?x=1')).toBe(
      '/webhooks/upstream/sa/[redacted]?x=1',
    );
  });
});

describe('metricsAuthorized', () => {
  it('lets anyone in without a token, and only the bearer of the token with one', () => {
    expect(metricsAuthorized(undefined, undefined)).toBe(true);
    expect(metricsAuthorized(undefined, 't0ken')).toBe(false);
    expect(metricsAuthorized('Bearer wrong', 't0ken')).toBe(false);
    expect(metricsAuthorized('Bearer t0ken', 't0ken')).toBe(true);
  });
});

describe('startProbeServer', () => {
  it('serves /healthz, /readyz from the check (503 when not ready) and a protected /metrics', async () => {
    let ready = true;
    const registry = new Registry();
    const probe = await startProbeServer({
      host: '127.0.0.1',
      port: 0,
      readiness: async () => ({ ready, checks: { database: ready ? 'ok' : 'down' } }),
      registry,
      metricsToken: 'scrape',
    });
    try {
      expect((await fetch(`${probe.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${probe.url}/readyz`)).status).toBe(200);
      ready = false;
      const notReady = await fetch(`${probe.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({
        status: 'not ready',
        checks: { database: 'down' },
      });
      expect((await fetch(`${probe.url}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${probe.url}/metrics`, {
        headers: { authorization: 'Bearer scrape' },
      });
      expect(metrics.status).toBe(200);
      expect((await fetch(`${probe.url}/other`)).status).toBe(404);
    } finally {
      await probe.close();
    }
  });
});
