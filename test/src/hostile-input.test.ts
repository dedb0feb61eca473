import {
  API_ERROR_CODES,
  REQUEST_ERROR_CODES,
  SMS_ACTIVATE_ACTIONS,
} from '@numbroker/graphql/protocol';
import fc from 'fast-check';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { useStack } from './support/lifecycle.js';
import { buyNumber } from './support/orders.js';
import type { Stack } from './support/stack.js';

/** Fuzz cases per door; each is one request against the real server process. */
const GRAPHQL_CASES = 400;
const ENDPOINT_CASES = 400;
const WS_CASES = 60;

/** Error codes a caller may see: the server's own (SPEC's) plus the request errors Apollo raises,
 *  both as the server lists them. INTERNAL_SERVER_ERROR is left out: hostile input must never
 *  reach a masked internal error. */
const KNOWN_CODES = new Set<string>(
  [...API_ERROR_CODES, ...REQUEST_ERROR_CODES].filter((code) => code !== 'INTERNAL_SERVER_ERROR'),
);

/** Every token the SMS-Activate endpoint answers in text (NOTES.md of the endpoint). */
const ENDPOINT_TOKEN =
  /^(ACCESS_BALANCE:\S+|ACCESS_NUMBER:\d+:\d+|STATUS_[A-Z_]+(:.*)?|ACCESS_[A-Z_]+|BAD_[A-Z_]+|NO_[A-Z_]+|WRONG_[A-Z_]+(:\S+)?|EARLY_CANCEL_DENIED|ERROR_SQL|TOO_MANY_REQUESTS)$/;

const counts = { graphql: 0, endpoint: 0, ws: 0 };

async function post(
  stack: Stack,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const response = await fetch(stack.server.graphqlUrl, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

/** Below 500, JSON, and every error coded with a known code. */
function expectCodedAnswer(answer: { status: number; text: string }, what: string): void {
  expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  const body = JSON.parse(answer.text) as { errors?: Array<{ extensions?: { code?: string } }> };
  for (const error of body.errors ?? []) {
    const code = error.extensions?.code;
    expect(KNOWN_CODES.has(code ?? ''), `${what}: unknown code ${code} in ${answer.text}`).toBe(
      true,
    );
  }
  expect(answer.text).not.toMatch(/\bat .+\.(js|ts):\d+/); // no stack trace
}

async function expectServerHealthy(stack: Stack): Promise<void> {
  expect(stack.server.process.running).toBe(true);
  expect((await fetch(`${stack.server.baseUrl}/healthz`)).status).toBe(200);
  const user = await stack.createUser('20000');
  const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
  expect(order.status).toBe('ACTIVE');
}

const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    '9'.repeat(40),
    '\u0000',
    '%00',
    "' OR 1=1 --",
  ),
  fc.constant('x'.repeat(300_000)),
);
const anyScalar = fc.oneof(
  anyText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt().map(String),
);

/** GraphQL documents: the real operations with hostile arguments, and malformed ones. */
const hostileDocument = fc.oneof(
  fc.record({
    query: fc.constantFrom(
      'mutation($input: BuyNumberInput!) { buyNumber(input: $input) { id status } }',
      'query($id: ID!) { order(id: $id) { id status smsCode } }',
      'mutation($id: ID!) { cancelOrder(id: $id) { id status } }',
      'mutation($id: ID!) { finishOrder(id: $id) { id status } }',
      'mutation($id: ID!) { reportOrder(id: $id) { id status } }',
      'query($first: Int, $after: String) { orders(first: $first, after: $after) { edges { node { id } } } }',
      'query($s: String!, $c: String) { offers(service: $s, country: $c) { provider price { amount } } }',
      'mutation($id: ID!, $amount: String!, $ref: String!) { creditWallet(userId: $id, amount: $amount, reference: $ref) { id } }',
    ),
    variables: fc.oneof(
      fc.record(
        {
          input: fc.oneof(
            anyScalar,
            fc.record(
              {
                service: anyScalar,
                country: anyScalar,
                maxPrice: anyScalar,
                provider: anyScalar,
                idempotencyKey: anyScalar,
              },
              { requiredKeys: [] },
            ),
          ),
          id: anyScalar,
          first: anyScalar,
          after: anyScalar,
          s: anyScalar,
          c: anyScalar,
          amount: anyScalar,
          ref: anyScalar,
        },
        { requiredKeys: [] },
      ),
      anyScalar,
      fc.array(anyScalar, { maxLength: 3 }),
    ),
  }),
  // Garbage, deep, wide, aliased and batched documents.
  fc.record({ query: anyText }),
  fc.integer({ min: 1, max: 400 }).map((depth) => ({
    query: `{ ${'me { '.repeat(depth)}id${' }'.repeat(depth)} }`,
  })),
  fc.integer({ min: 1, max: 3000 }).map((width) => ({
    query: `{ ${Array.from({ length: width }, (_, i) => `a${i}: me { id }`).join(' ')} }`,
  })),
  fc.integer({ min: 1, max: 500 }).map((count) => ({
    query: `{ ${Array.from({ length: count }, (_, i) => `o${i}: orders(first: 100) { edges { node { id messages { code } } } }`).join(' ')} }`,
  })),
  fc.array(fc.record({ query: fc.constant('{ me { id } }') }), { minLength: 0, maxLength: 50 }),
  fc.record({
    query: fc.constant('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }'),
  }),
  fc.record({
    query: fc.constant('{ me { id } }'),
    operationName: anyScalar,
    extensions: anyScalar,
  }),
);

describe('hostile input over every door (sqlite)', () => {
  const stackOf = useStack({
    database: 'sqlite',
    providers: [
      {
        id: 'sa',
        kind: 'smsactivate',
        offers: [{ service: 'telegram', country: 'RU', cost: '12.50', stock: 100_000 }],
      },
    ],
  });

  it(`GraphQL over HTTP: ${GRAPHQL_CASES} hostile requests, no 5xx, every error coded`, async () => {
    const stack = stackOf();
    const user = await stack.createUser('1000000');
    const keys = fc.constantFrom(user.apiKey, stack.adminKey, 'not-a-key', '');
    await fc.assert(
      fc.asyncProperty(
        hostileDocument,
        keys,
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
          '',
        ),
        fc.boolean(),
        async (document, key, contentType, breakJson) => {
          counts.graphql += 1;
          let body = JSON.stringify(document);
          if (breakJson) body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
          const headers: Record<string, string> = {};
          if (contentType) headers['content-type'] = contentType;
          if (key) headers.authorization = `Bearer ${key}`;
          headers['apollo-require-preflight'] = 'true';
          const answer = await post(stack, body, headers);
          expect(answer.status).toBeLessThan(500);
          if (answer.text.startsWith('{')) expectCodedAnswer(answer, body.slice(0, 200));
        },
      ),
      { numRuns: GRAPHQL_CASES, seed: 20261202 },
    );
    await expectServerHealthy(stack);
  });

  it(`the SMS-Activate endpoint: ${ENDPOINT_CASES} hostile requests, protocol tokens only`, async () => {
    const stack = stackOf();
    const owner = await stack.createUser('1000000');
    const mallory = await stack.createUser('1000000');
    const url = `${stack.server.baseUrl}/stubs/handler_api.php`;
    const bought = await (
      await fetch(`${url}?api_key=${owner.apiKey}&action=getNumber&service=tg&country=0`)
    ).text();
    const ownersId = /^ACCESS_NUMBER:(\d+):/.exec(bought)?.[1];
    expect(ownersId).toBeDefined();
    const params = fc.record(
      {
        api_key: fc.constantFrom(owner.apiKey, mallory.apiKey, stack.adminKey, 'nope', ''),
        action: fc.oneof(fc.constantFrom(...SMS_ACTIVATE_ACTIONS), anyText),
        service: fc.oneof(fc.constantFrom('tg', 'wa', 'zz'), anyText),
        country: fc.oneof(fc.constantFrom('0', '187', '-1', '99999'), anyText),
        id: fc.oneof(fc.constant(ownersId!), fc.bigInt().map(String), anyText),
        status: fc.oneof(fc.constantFrom('1', '3', '6', '8', '-1'), anyText),
        maxPrice: anyText,
        operator: anyText,
        orderId: anyText,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(params, fc.boolean(), async (query, usePost) => {
        counts.endpoint += 1;
        const encoded = new URLSearchParams(query as Record<string, string>).toString();
        const response = usePost
          ? await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: encoded,
            })
          : await fetch(`${url}?${encoded.slice(0, 6000)}`);
        const text = await response.text();
        expect(response.status, text).toBeLessThan(500);
        if (text.startsWith('{') || text.startsWith('[')) JSON.parse(text);
        else expect(text, encoded.slice(0, 200)).toMatch(ENDPOINT_TOKEN);
        // Mallory never moves the owner's activation.
        if (query.api_key === mallory.apiKey && query.id === ownersId) {
          expect(
            ['getStatus', 'setStatus'].includes(String(query.action)) ? text : 'NO_ACTIVATION',
          ).toMatch(/^(NO_ACTIVATION|BAD_[A-Z_]+|WRONG_[A-Z_]+|TOO_MANY_REQUESTS)$/);
        }
      }),
      { numRuns: ENDPOINT_CASES, seed: 20261203 },
    );
    const status = await (
      await fetch(`${url}?api_key=${owner.apiKey}&action=getStatus&id=${ownersId}`)
    ).text();
    expect(status).toBe('STATUS_WAIT_CODE');
    await expectServerHealthy(stack);
  });

  it(`the WebSocket: ${WS_CASES} hostile sessions, 200 subscriptions on one socket, a bad one never takes the socket down`, async () => {
    const stack = stackOf();
    const user = await stack.createUser('100000');
    const frame = fc.oneof(
      anyText,
      fc.constant('{"type":"connection_init","payload":"x"}'),
      fc.constant(
        '{"type":"subscribe","id":"1","payload":{"query":"subscription { smsReceived { code } }"}}',
      ),
      fc.constant(
        '{"type":"subscribe","id":"1","payload":{"query":"subscription { smsReceived(after: \\"-1\\") { code } }"}}',
      ),
      fc.constant('{"type":"complete","id":"nope"}'),
      fc.constant('{"type":"ping"}'),
      fc.constant('{"type":"ping","payload":1}'),
      fc.constant('[]'),
      fc.constant('null'),
      fc.json(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(user.apiKey, 'bad-key', ''),
        fc.array(frame, { minLength: 1, maxLength: 6 }),
        async (key, frames) => {
          counts.ws += 1;
          const closed = await rawSession(stack, [
            JSON.stringify({
              type: 'connection_init',
              payload: { authorization: `Bearer ${key}` },
            }),
            ...frames,
          ]);
          // Protocol violations close with graphql-ws's 44xx codes; never an internal error.
          if (closed !== null) expect(closed, frames.join(' | ').slice(0, 300)).not.toBe(4500);
        },
      ),
      { numRuns: WS_CASES, seed: 20261204 },
    );

    // 200 subscriptions on one socket, some with bad `after` values or broken queries: the
    // bad ones are answered on their own ids, the good ones keep running.
    const socket = stack.connect(user.apiKey);
    await socket.ready();
    const afters = ['-1', 'abc', '1'.repeat(40), '0', '', '1.5'];
    const good: Array<ReturnType<typeof socket.subscribe>> = [];
    for (let i = 0; i < 200; i += 1) {
      if (i % 10 === 0) {
        socket.subscribe(
          `subscription { smsReceived(after: "${afters[i % afters.length]}") { code `,
        );
      } else if (i % 10 === 1) {
        socket.subscribe('subscription($a: ID) { smsReceived(after: $a) { code } }', {
          a: afters[(i / 10) % afters.length],
        });
      } else {
        good.push(socket.subscribe('subscription { orderUpdated { type order { id } } }'));
      }
    }
    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    for (const subscription of good) {
      await subscription.nextData('an event of the new order', 30_000, (data) =>
        JSON.stringify(data).includes(order.id),
      );
    }
    await expectServerHealthy(stack);
  });

  it('no uncaught exception in the server log of the whole run', () => {
    const stack = stackOf();
    const logs = stack.allLogs().join('\n');
    expect(logs).not.toMatch(
      /uncaught exception|unhandled promise rejection|Internal error occurred/i,
    );
    console.info(`hostile-input fuzz cases: ${JSON.stringify(counts)}`);
  });
});

/** One raw graphql-ws session: sends the frames, waits briefly, returns the close code (null
 *  when the server kept the socket open). */
async function rawSession(stack: Stack, frames: string[]): Promise<number | null> {
  const socket = new WebSocket(stack.server.wsUrl, 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  const opened = await Promise.race([
    new Promise<boolean>((resolve) => socket.once('open', () => resolve(true))),
    closed.then(() => false),
  ]);
  socket.on('error', () => undefined);
  if (opened) {
    for (const frame of frames) {
      if (socket.readyState !== WebSocket.OPEN) break;
      socket.send(frame);
    }
  }
  const code = await Promise.race([
    closed,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 150)),
  ]);
  socket.terminate();
  return code;
}
