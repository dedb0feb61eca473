import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type TestServer } from './test-support/test-server.js';

describe('server bootstrap', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /healthz once ready', async () => {
    const response = await fetch(`${t.server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves Prometheus metrics from its own registry', async () => {
    await t.request('{ services { slug } }');
    const response = await fetch(`${t.server.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('numbroker_http_requests_total');
    expect(text).toContain('numbroker_open_subscriptions');
    expect(text).toMatch(/numbroker_graphql_operations_total\{type="query",outcome="ok"\} \d+/);
  });

  it('serves the SMS-Activate protocol on the same port, over the same users and wallets', async () => {
    const user = await t.createFundedUser('sms-activate-bot', '12345');
    const endpoint = `${t.server.url}/stubs/handler_api.php`;
    const balance = await fetch(`${endpoint}?api_key=${user.apiKey}&action=getBalance`);
    expect(balance.status).toBe(200);
    expect(await balance.text()).toBe('ACCESS_BALANCE:12345');
    const badKey = await fetch(`${endpoint}?api_key=nope&action=getBalance`);
    expect(await badKey.text()).toBe('BAD_KEY');
  });

  it('answers malformed JSON with 400 and stays up', async () => {
    const response = await fetch(t.server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: '{"query": "{ services { slug } ',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
    expect((await t.request('{ services { slug } }')).status).toBe(200);
  });

  it('answers a GraphQL syntax error with 400', async () => {
    const result = await t.request('{ services { slug ');
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses queries beyond the depth limit', async () => {
    const result = await t.request(
      '{ orders { edges { node { messages { code } } } } __typename me { balance { amount } } }',
    );
    // Valid and within limits: it fails only because the admin key has no orders.
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const deep = await t.request(
      'query { __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }',
    );
    // Introspection is free; a deep query of real fields is not.
    expect(deep.status).toBe(200);
    const tooComplex = await t.request(
      '{ orders(first: 100) { edges { node { messages { code text receivedAt } } } } }',
    );
    expect(tooComplex.status).toBe(400);
    expect(tooComplex.errors?.[0]?.message).toMatch(/complexity/);
    // The same page size through a variable counts the same (it used to count as 20).
    const query =
      'query($n: Int) { orders(first: $n) { edges { node { messages { code text receivedAt } } } } }';
    const viaVariable = await t.request(query, { n: 100 });
    expect(viaVariable.status).toBe(400);
    expect(viaVariable.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/complexity/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    // A small page through the variable is fine (FORBIDDEN only: the admin key has no orders).
    const small = await t.request(query, { n: 5 });
    expect(small.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('needs a key: none or an unknown one is UNAUTHENTICATED (401)', async () => {
    const none = await t.request('{ services { slug } }', {}, null);
    expect(none.status).toBe(401);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const unknown = await t.request('{ services { slug } }', {}, 'not-a-key');
    expect(unknown.status).toBe(401);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('gives browsers the GraphiQL page (or says it is not built) instead of JSON', async () => {
    const response = await fetch(t.server.graphqlUrl, { headers: { accept: 'text/html' } });
    expect([200, 503]).toContain(response.status);
    if (response.status === 200) expect(await response.text()).toContain('<div id="root">');
  });
});

describe('rate limit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ rateLimit: { points: 3, windowSeconds: 60 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers RATE_LIMITED (429) past the per-key budget', async () => {
    const codes: Array<string | undefined> = [];
    for (let index = 0; index < 5; index += 1) {
      const result = await t.request('{ services { slug } }');
      codes.push(result.errors?.[0]?.extensions?.code);
    }
    expect(codes.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(codes.slice(3)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });
});
