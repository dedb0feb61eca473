import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './observability/logger.js';
import { ADMIN_KEY, startTestServer, type TestServer } from './test-support/test-server.js';

function captureLogs(): {
  lines: () => Record<string, unknown>[];
  raw: () => string;
  stream: Writable;
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const raw = () => chunks.join('');
  return {
    stream,
    raw,
    lines: () =>
      raw()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('operating the server', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers /healthz (alive) and /readyz (database, migrations), and 503 on /readyz while draining', async () => {
    t = await startTestServer();
    expect((await fetch(`${t.server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
    t.server.drain();
    const draining = await fetch(`${t.server.url}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ checks: { draining: 'stopping' } });
    expect((await fetch(`${t.server.url}/healthz`)).status).toBe(200);
    // Still serving while draining: the proxy takes it out, in-flight work finishes.
    expect((await t.request('{ services { slug } }')).status).toBe(200);
  });

  it('/readyz is 503 when the database stops answering', async () => {
    t = await startTestServer();
    await t.store.db.dataSource.destroy();
    const response = await fetch(`${t.server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(JSON.stringify(await response.json())).toMatch(/unreachable/);
  });

  it('writes one access-log line per request with a request id, never a key from the URL', async () => {
    const logs = captureLogs();
    t = await startTestServer({ logger: createLogger({ destination: logs.stream }) });
    const user = await t.createFundedUser('logged', '100');
    const response = await fetch(
      `${t.server.url}/stubs/handler_api.php?api_key=${user.apiKey}&action=getBalance`,
    );
    expect(await response.text()).toBe('ACCESS_BALANCE:100');
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const given = await fetch(`${t.server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${ADMIN_KEY}`,
        'x-request-id': 'proxy-req-42',
      },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(given.headers.get('x-request-id')).toBe('proxy-req-42');
    await fetch(`${t.server.url}/healthz`);

    const access = logs
      .lines()
      .filter((line) => line.component === 'http' && line.req !== undefined);
    const stub = access.find((line) => (line.req as { id: string }).id === id);
    expect(stub).toMatchObject({
      req: { method: 'GET', url: '/stubs/handler_api.php?api_key=[redacted]&action=getBalance' },
      res: { statusCode: 200 },
    });
    expect(typeof stub?.responseTime).toBe('number');
    expect(access.some((line) => (line.req as { id: string }).id === 'proxy-req-42')).toBe(true);
    expect(access.some((line) => (line.req as { url: string }).url === '/healthz')).toBe(false);
    expect(logs.raw()).not.toContain(user.apiKey);
    expect(logs.raw()).not.toContain(ADMIN_KEY);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({
        admin: expect.objectContaining({ actor: 'admin', action: 'createUser', target: user.id }),
      }),
    );
    // The credit of createFundedUser is a money movement: one line of its own.
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({
        msg: 'money credited: 100 IRT',
        money: expect.objectContaining({ movement: 'credited', amount: '100', userId: user.id }),
      }),
    );
  });

  it('protects /metrics with a token, names process metrics without a prefix, counts money', async () => {
    t = await startTestServer({ config: { metrics: { token: 'scrape-token-1' } } });
    await t.createFundedUser('counted', '250');
    expect((await fetch(`${t.server.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${t.server.url}/metrics`, { headers: { authorization: 'Bearer nope' } }))
        .status,
    ).toBe(401);
    const response = await fetch(`${t.server.url}/metrics`, {
      headers: { authorization: 'Bearer scrape-token-1' },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toContain('numbroker_money_moved_total{movement="credited",currency="IRT"} 250');
    expect(text).toContain('# TYPE numbroker_buys_total counter');
    expect(text).toContain('# TYPE numbroker_buy_duration_seconds histogram');
    expect(text).toContain('# TYPE numbroker_outbox_lag_seconds histogram');
    expect(text).toContain('# TYPE numbroker_sms_delivery_seconds histogram');
  });

  it('serves /metrics on its own port when metrics.port is set, and not on the API port', async () => {
    t = await startTestServer({ config: { metrics: { port: 0, host: '127.0.0.1' } } });
    expect((await fetch(`${t.server.url}/metrics`)).status).toBe(404);
    expect(t.server.metricsUrl).toBeDefined();
    const response = await fetch(`${t.server.metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('numbroker_http_requests_total');
  });
});
