import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/async-queue.js';
import { useStack } from './support/lifecycle.js';
import {
  buyNumber,
  ORDER_UPDATED,
  SMS_RECEIVED,
  type OrderUpdatedEvent,
  type SmsReceivedEvent,
} from './support/orders.js';
import type { Stack } from './support/stack.js';
import { EVENT_WAIT_MS } from './support/watch-order.js';

/** Distinctive upstream keys: any of them in an answer or a log line is a leak. */
const SA_KEY = `sa-upstream-secret-${randomBytes(8).toString('hex')}`;
const SHIZ_KEY = `shiz-upstream-secret-${randomBytes(8).toString('hex')}`;

/** Every answer body the suite received, but createUser's (which hands the key out once). */
const answers: string[] = [];

async function gqlText(
  stack: Stack,
  apiKey: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{
  data?: Record<string, unknown> | null;
  errors?: Array<{ extensions?: { code?: string } }>;
}> {
  const response = await fetch(stack.server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  answers.push(text);
  return JSON.parse(text) as never;
}

async function endpoint(stack: Stack, params: Record<string, string>): Promise<string> {
  const response = await fetch(
    `${stack.server.baseUrl}/stubs/handler_api.php?${new URLSearchParams(params).toString()}`,
  );
  const text = await response.text();
  answers.push(text);
  return text;
}

describe('isolation between users, and no secret in any answer or log line (sqlite, debug logs)', () => {
  const stackOf = useStack({
    database: 'sqlite',
    logLevel: 'debug',
    providers: [
      {
        id: 'sa',
        kind: 'smsactivate',
        simulator: { apiKey: SA_KEY },
        offers: [{ service: 'telegram', country: 'RU', cost: '12.50', stock: 100 }],
      },
      {
        id: 'shiz',
        kind: 'shiznumber',
        simulator: { apiKey: SHIZ_KEY },
        offers: [{ service: 'whatsapp', country: 'RU', cost: '30000', stock: 100 }],
      },
    ],
  });

  it("user B can neither read, cancel, finish, report, re-request nor subscribe to A's orders, through either door", async () => {
    const stack = stackOf();
    const alice = await stack.createUser('100000');
    const bob = await stack.createUser('100000');
    const viaGraphql = await buyNumber(stack, alice.apiKey, { service: 'telegram', country: 'RU' });
    const viaShiz = await buyNumber(stack, alice.apiKey, {
      service: 'whatsapp',
      country: 'RU',
      provider: 'shiz',
    });
    const bought = await endpoint(stack, {
      api_key: alice.apiKey,
      action: 'getNumber',
      service: 'tg',
      country: '0',
    });
    const activationId = /^ACCESS_NUMBER:(\d+):\d+$/.exec(bought)?.[1];
    expect(activationId, bought).toBeDefined();

    // Bob's subscriptions: all of his orders (live and replayed from the start), and A's ids.
    const bobSocket = stack.connect(bob.apiKey);
    await bobSocket.ready();
    const bobAll = bobSocket.subscribe<OrderUpdatedEvent>(ORDER_UPDATED);
    const bobReplay = bobSocket.subscribe<OrderUpdatedEvent>(ORDER_UPDATED, { after: '0' });
    const bobCodes = bobSocket.subscribe<SmsReceivedEvent>(SMS_RECEIVED);
    for (const order of [viaGraphql, viaShiz]) {
      for (const [query, variables] of [
        [ORDER_UPDATED, { id: order.id }],
        [SMS_RECEIVED, { orderId: order.id }],
      ] as const) {
        const theirs = bobSocket.subscribe(query, variables);
        const result = await theirs.results.next('the refusal', EVENT_WAIT_MS);
        expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      }
    }

    for (const order of [viaGraphql, viaShiz]) {
      const read = await gqlText(stack, bob.apiKey, 'query($id: ID!) { order(id: $id) { id } }', {
        id: order.id,
      });
      expect(read.data?.order ?? null).toBeNull();
      for (const mutation of ['cancelOrder', 'finishOrder', 'reportOrder', 'requestAnotherSms']) {
        const answer = await gqlText(
          stack,
          bob.apiKey,
          `mutation($id: ID!) { ${mutation}(id: $id) { id status } }`,
          { id: order.id },
        );
        expect(answer.errors?.[0]?.extensions?.code, mutation).toBe('NOT_FOUND');
      }
    }
    const listed = await gqlText(
      stack,
      bob.apiKey,
      '{ orders(first: 100) { edges { node { id } } } }',
    );
    expect(JSON.stringify(listed.data)).not.toContain(viaGraphql.id);

    for (const params of [
      { action: 'getStatus' } as Record<string, string>,
      { action: 'setStatus', status: '8' },
      { action: 'setStatus', status: '6' },
      { action: 'setStatus', status: '3' },
      { action: 'setStatus', status: '1' },
    ]) {
      const answer = await endpoint(stack, { api_key: bob.apiKey, id: activationId!, ...params });
      expect(answer, JSON.stringify(params)).toBe('NO_ACTIVATION');
    }
    const active = await endpoint(stack, { api_key: bob.apiKey, action: 'getActiveActivations' });
    expect(active).not.toContain(activationId!);

    // A's codes land; A sees them, Bob's streams carry nothing of A's.
    const aliceSocket = stack.connect(alice.apiKey);
    const aliceCodes = aliceSocket.subscribe<SmsReceivedEvent>(SMS_RECEIVED);
    await aliceSocket.ready();
    stack.sim('sa').deliverSms(await stack.upstreamRefOf(viaGraphql.id), 'Telegram code: 44321');
    stack.sim('shiz').deliverSms(await stack.upstreamRefOf(viaShiz.id), 'WhatsApp code: 55432');
    const seen = new Set<string>();
    while (seen.size < 2) {
      const event = await aliceCodes.nextData("Alice's codes", EVENT_WAIT_MS);
      seen.add(event.smsReceived.code);
    }
    expect([...seen].sort()).toEqual(['44321', '55432']);
    // Bob's own order and code afterwards: once his streams carry them, anything of A's that
    // leaked (earlier in the outbox) would be in them already.
    const own = await buyNumber(stack, bob.apiKey, { service: 'telegram', country: 'RU' });
    stack.sim('sa').deliverSms(await stack.upstreamRefOf(own.id), 'Telegram code: 11111');
    await bobCodes.nextData("Bob's own code", EVENT_WAIT_MS);
    for (const stream of [bobAll, bobReplay]) {
      await stream.nextData(
        "Bob's own code event",
        EVENT_WAIT_MS,
        (data) => data.orderUpdated.type === 'SMS_RECEIVED',
      );
      expect(new Set(stream.received.map((data) => data.orderUpdated.order.id))).toEqual(
        new Set([own.id]),
      );
    }
    expect(bobCodes.received.map((data) => data.smsReceived.code)).toEqual(['11111']);

    // Nothing Bob did moved A's orders or money.
    const alicesOrders = await gqlText(
      stack,
      alice.apiKey,
      '{ orders(first: 10) { edges { node { id status smsCode } } } me { held { amount } } }',
    );
    const statuses = JSON.stringify(alicesOrders.data);
    expect(statuses).toContain('"CODE_RECEIVED"');
    expect(statuses).not.toMatch(/CANCELLED|COMPLETED|REPORTED/);
    expect(
      await endpoint(stack, { api_key: alice.apiKey, action: 'getStatus', id: activationId! }),
    ).toBe('STATUS_WAIT_CODE');

    // Secrets: no upstream key, user key or admin key in any answer or any log line.
    await eventually(
      'the processes to have written their logs',
      async () => stack.allLogs().length > 0,
    );
    const secrets = [SA_KEY, SHIZ_KEY, alice.apiKey, bob.apiKey, stack.adminKey];
    const logs = stack.allLogs();
    expect(logs.length).toBeGreaterThan(20);
    for (const secret of secrets) {
      const inAnswer = answers.find((text) => text.includes(secret));
      expect(inAnswer, `a secret in an answer: ${inAnswer?.slice(0, 200)}`).toBeUndefined();
      const inLog = logs.find((line) => line.includes(secret));
      expect(inLog, `a secret in a log line: ${inLog?.slice(0, 300)}`).toBeUndefined();
    }
    // The keys' hashes are not secrets, but the keys' tails must not leak either.
    for (const key of [SA_KEY, SHIZ_KEY]) {
      expect(logs.some((line) => line.includes(key.slice(-12)))).toBe(false);
    }
    console.info(
      `isolation-secrets: ${answers.length} answers and ${logs.length} log lines searched`,
    );
  });
});
