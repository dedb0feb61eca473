import type { BuyRequest, Purchase } from '@numbroker/providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { startTestServer, subscribe, type TestServer } from '../test-support/test-server.js';

const SECRET = 'whk_0123456789abcdef0123';
const BUY = `mutation { buyNumber(input: { service: "telegram", country: "RU" }) { id status price { amount } } }`;
const SMS = `subscription($orderId: ID, $after: ID) {
  smsReceived(orderId: $orderId, after: $after) { code text order { id status } }
}`;

/** An SMS-Activate host: activation ids are digits. */
class NumericActivations extends ScriptedAdapter {
  private next = 2_000_000_000;
  override async buy(request: BuyRequest): Promise<Purchase> {
    const bought = await super.buy(request);
    this.next += 1;
    return { ...bought, upstreamRef: String(this.next) };
  }
}

describe('upstream SMS webhooks: POST /webhooks/upstream/<provider>/<secret>', () => {
  let t: TestServer;
  let user: { id: string; apiKey: string };
  const base = () => new URL(t.server.graphqlUrl).origin;
  const push = (body: unknown, { provider = 'sa', secret = SECRET } = {}) =>
    fetch(`${base()}/webhooks/upstream/${provider}/${secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const buy = async () => {
    const result = await t.request<{ buyNumber: { id: string } }>(BUY, {}, user.apiKey);
    const order = await t.store.orders.findOrder(result.data!.buyNumber.id);
    return { id: order!.id, ref: order!.upstreamRef! };
  };
  const callback = (activationId: string, code: string) => ({
    activationId: Number(activationId),
    service: 'tg',
    text: `Telegram code ${code}`,
    code,
    country: 0,
    receivedAt: '2026-12-02 10:00:00',
  });

  beforeAll(async () => {
    const adapters = [new NumericActivations('sa'), new ScriptedAdapter('plain')];
    t = await startTestServer({
      adapters,
      config: {
        providers: [
          {
            id: 'sa',
            kind: 'smsactivate',
            baseUrl: 'http://127.0.0.1:9/',
            apiKey: 'upstream-secret-sa',
            currency: 'IRT',
            webhookSecret: SECRET,
          },
          // Same kind, no webhookSecret: its webhooks are off.
          {
            id: 'plain',
            kind: 'smsactivate',
            baseUrl: 'http://127.0.0.1:9/',
            apiKey: 'k',
            currency: 'IRT',
          },
        ],
      },
    });
    await t.stockOffers('sa', [{ service: 'telegram', country: 'RU', cost: '1000' }]);
    user = await t.createFundedUser('bot', '10000');
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores a pushed code once, captures once and delivers it to the subscriber', async () => {
    const order = await buy();
    const stream = subscribe<{ smsReceived: { code: string; order: { id: string } } }>(
      t.wsClient(user.apiKey),
      SMS,
      { orderId: order.id, after: '0' },
    );
    const first = await push(callback(order.ref, '48151'));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: 'stored' });
    const received = await stream.next();
    expect(received.data?.smsReceived).toMatchObject({ code: '48151', order: { id: order.id } });

    // The host retries, or the worker polls the same SMS (code alone): nothing new.
    const again = await push(callback(order.ref, '48151'));
    expect(await again.json()).toEqual({ status: 'duplicate' });
    await t.store.orders.applyOrderCommand(
      order.id,
      { type: 'CODE_RECEIVED' },
      { sms: { code: '48151', text: null } },
    );
    expect(await t.store.orders.messages(order.id)).toHaveLength(1);
    const wallet = (await t.server.deps.store.getUser(user.id))!;
    expect(wallet.held.format()).toBe('0');
    expect(wallet.available.format()).toBe('8900'); // 1000 IRT + 10 %, rounded to 100
    stream.stop();
  });

  it('an SMS for an order that ended first is not stored: 200 "ended"', async () => {
    const order = await buy();
    await t.request(
      `mutation($id: ID!) { cancelOrder(id: $id) { status } }`,
      { id: order.id },
      user.apiKey,
    );
    const answer = await push(callback(order.ref, '99999'));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: 'ended' });
    expect(await t.store.orders.messages(order.id)).toHaveLength(0);
  });

  it('202 for an activation no order has (polling stays the safety net)', async () => {
    const answer = await push(callback('1234567', '11111'));
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ status: 'unknown_activation' });
  });

  it('404 for an unknown provider, a wrong secret, a provider without webhooks, or a GET', async () => {
    for (const target of [
      { provider: 'nope' },
      { secret: `${SECRET}x` },
      { secret: SECRET.slice(0, -1) },
      { provider: 'plain' },
    ]) {
      const answer = await push(callback('1', '1'), target);
      expect(answer.status).toBe(404);
      expect(await answer.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    expect((await fetch(`${base()}/webhooks/upstream/sa/${SECRET}`)).status).toBe(404);
    expect((await fetch(`${base()}/webhooks/upstream/sa`, { method: 'POST' })).status).toBe(404);
  });

  it('400 with a code for a malformed body; the server answers normally after', async () => {
    for (const body of [
      'not json',
      '{"activationId":"x","code":"1"}',
      '[]',
      '{"activationId":5}',
    ]) {
      const answer = await push(body);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ error: { code: 'BAD_WEBHOOK_BODY' } });
    }
    const huge = await push(JSON.stringify({ activationId: 1, text: 'x'.repeat(40_000) }));
    expect(huge.status).toBe(413);
    expect((await t.request('{ __typename }')).status).toBe(200);
  });
});
