import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { startTestServer, subscribe, type TestServer } from '../test-support/test-server.js';

const BUY = `mutation { buyNumber(input: { service: "telegram", country: "RU" }) { id status } }`;
const SMS = `subscription($orderId: ID, $after: ID) {
  smsReceived(orderId: $orderId, after: $after) { eventId code text order { id status smsCode } }
}`;
const UPDATES = `subscription($id: ID, $after: ID) { orderUpdated(id: $id, after: $after) { eventId type order { id status } } }`;

type SmsEvent = {
  smsReceived: {
    eventId: string;
    code: string;
    text: string;
    order: { id: string; status: string; smsCode: string };
  };
};
type UpdateEvent = {
  orderUpdated: { eventId: string; type: string; order: { id: string; status: string } };
};

describe('subscriptions over graphql-ws', () => {
  let t: TestServer;
  let user: { id: string; apiKey: string };
  beforeEach(async () => {
    t = await startTestServer({ adapters: [new ScriptedAdapter('alpha')] });
    await t.stockOffers('alpha', [{ service: 'telegram', country: 'RU', cost: '1000' }]);
    user = await t.createFundedUser('sam', '10000');
  });
  afterEach(async () => {
    await t.close();
  });

  async function buy(apiKey = user.apiKey): Promise<string> {
    const result = await t.request<{ buyNumber: { id: string } }>(BUY, {}, apiKey);
    return result.data!.buyNumber.id;
  }

  /** What the worker process does when an SMS arrives: a transaction that writes the event. */
  async function deliver(orderId: string, code: string) {
    await t.store.orders.applyOrderCommand(
      orderId,
      { type: 'CODE_RECEIVED' },
      { sms: { code, text: `Your code is ${code}` } },
    );
  }

  it('closes a WebSocket whose connection_init has no valid key with 4403', async () => {
    const closed = new Promise<number>((resolve) => {
      const client = t.wsClient('wrong-key', { onClose: resolve });
      subscribe(client, SMS);
    });
    expect(await closed).toBe(4403);
  });

  it('pushes a code written to the outbox by another writer (the worker) to the order subscriber', async () => {
    const orderId = await buy();
    const stream = subscribe<SmsEvent>(t.wsClient(user.apiKey), SMS, { orderId });
    // Subscribed once the server answers an operation on the same socket.
    await waitForOpenSubscriptions(t, 1);
    await deliver(orderId, '12345');
    const first = await stream.next();
    expect(first.errors).toBeUndefined();
    expect(first.data?.smsReceived).toMatchObject({
      code: '12345',
      text: 'Your code is 12345',
      order: { id: orderId, status: 'CODE_RECEIVED', smsCode: '12345' },
    });
    stream.stop();
  });

  it("answers NOT_FOUND for another user's order", async () => {
    const orderId = await buy();
    const other = await t.createFundedUser('mallory', '0');
    const stream = subscribe<SmsEvent>(t.wsClient(other.apiKey), SMS, { orderId });
    const result = await stream.next();
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('answers a subscribe with a syntax error on its own id (GRAPHQL_PARSE_FAILED) and keeps the socket', async () => {
    const orderId = await buy();
    let closedWith: number | undefined;
    const client = t.wsClient(user.apiKey, { onClose: (code) => (closedWith = code) });
    const good = subscribe<SmsEvent>(client, SMS, { orderId });
    await waitForOpenSubscriptions(t, 1);
    const bad = subscribe(client, 'subscription { smsReceived(orderId: "x") { code ');
    const refused = await bad.next();
    expect(refused.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    // The other subscription on that socket still gets its code.
    await deliver(orderId, '777');
    const code = await good.next();
    expect(code.data?.smsReceived.code).toBe('777');
    expect(closedWith).toBeUndefined();
    good.stop();
  });

  it('replays what came after `after` first, then goes live', async () => {
    const orderId = await buy();
    await deliver(orderId, '111');
    const events = await t.store.orders.eventsAfter(null, 100, { orderId });
    const activeEvent = events.find((event) => event.type === 'ORDER_ACTIVE')!;
    const stream = subscribe<UpdateEvent>(t.wsClient(user.apiKey), UPDATES, {
      id: orderId,
      after: String(activeEvent.id),
    });
    const replayed = await stream.next();
    expect(replayed.data?.orderUpdated).toMatchObject({
      type: 'SMS_RECEIVED',
      order: { id: orderId, status: 'CODE_RECEIVED' },
    });
    const finished = await t.request<{ finishOrder: { status: string } }>(
      `mutation { finishOrder(id: "${orderId}") { status } }`,
      {},
      user.apiKey,
    );
    expect(finished.data?.finishOrder.status).toBe('COMPLETED');
    const live = await stream.next();
    expect(live.data?.orderUpdated).toMatchObject({
      type: 'ORDER_COMPLETED',
      order: { status: 'COMPLETED' },
    });
    expect(BigInt(live.data!.orderUpdated.eventId)).toBeGreaterThan(
      BigInt(replayed.data!.orderUpdated.eventId),
    );
    stream.stop();
  });

  it('replays each event with the order as it was then, not as it is now', async () => {
    const orderId = await buy();
    await deliver(orderId, '222');
    const stream = subscribe<UpdateEvent>(t.wsClient(user.apiKey), UPDATES, {
      id: orderId,
      after: '0',
    });
    const history: Array<[string, string]> = [];
    while (history.length < 3) {
      const event = (await stream.next()).data!.orderUpdated;
      history.push([event.type, event.order.status]);
    }
    expect(history).toEqual([
      ['ORDER_CREATED', 'PENDING'],
      ['ORDER_ACTIVE', 'ACTIVE'],
      ['SMS_RECEIVED', 'CODE_RECEIVED'],
    ]);
    stream.stop();
  });

  it("streams all of the caller's orders, and no one else's", async () => {
    const other = await t.createFundedUser('olga', '10000');
    const stream = subscribe<UpdateEvent>(t.wsClient(user.apiKey), UPDATES);
    await waitForOpenSubscriptions(t, 1);
    await buy(other.apiKey);
    const mine = await buy();
    const seen: UpdateEvent['orderUpdated'][] = [];
    while (!seen.some((event) => event.type === 'ORDER_ACTIVE')) {
      seen.push((await stream.next()).data!.orderUpdated);
    }
    expect(seen.every((event) => event.order.id === mine)).toBe(true);
    stream.stop();
  });
});

/** The subscription is registered server-side once the gauge counts it. */
async function waitForOpenSubscriptions(t: TestServer, count: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = (await t.server.metrics.openSubscriptions.get()).values[0]?.value ?? 0;
    if (value >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`subscriptions never reached ${count}`);
}
