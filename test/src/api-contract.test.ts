import type { ProviderSimulator } from '@numbroker/providers';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/async-queue.js';
import { graphqlErrorOf } from './support/graphql-http.js';
import {
  BUY_NUMBER,
  buyNumber,
  CANCEL_ORDER,
  FINISH_ORDER,
  getOrder,
  irt,
  ORDER,
  priceOf,
  SMS_RECEIVED,
  walletOf,
  type OrderView,
  type SmsReceivedEvent,
} from './support/orders.js';
import { useStack } from './support/lifecycle.js';
import { EVENT_WAIT_MS, watchOrder } from './support/watch-order.js';

/** SMS-Activate's buy: getNumberV2 where the host has it, else getNumber. */
const BUYS = ['getNumber', 'getNumberV2'];

/** Requests a simulator got since `since` whose query has `action=<action>` (SMS-Activate). */
function actionCalls(
  sim: ProviderSimulator,
  action: string | readonly string[],
  since: number,
  params: Record<string, string> = {},
) {
  return sim.requests.filter((r) => {
    if (r.at < since) return false;
    const query = new URLSearchParams(r.url.split('?')[1] ?? '');
    if (![action].flat().includes(query.get('action') ?? '')) return false;
    return Object.entries(params).every(([name, value]) => query.get(name) === value);
  });
}

describe('the GraphQL API contract over HTTP and WebSocket (sqlite)', () => {
  const stackOf = useStack({
    database: 'sqlite',
    providers: [
      {
        id: 'sa',
        kind: 'smsactivate',
        offers: [
          { service: 'telegram', country: 'RU', cost: '12.50', stock: 50 },
          { service: 'whatsapp', country: 'RU', cost: '25.00', stock: 10 },
        ],
      },
      {
        // Cheaper for WhatsApp; sells no Telegram.
        id: 'cheap',
        kind: 'smsactivate',
        offers: [
          { service: 'whatsapp', country: 'RU', cost: '20.00', stock: 10 },
          { service: 'telegram', country: 'RU', cost: '12.50', stock: 0 },
        ],
      },
    ],
    // WhatsApp fails over from "cheap" (20.00 RUB = 24000 IRT) onto "sa" (30000 IRT), sold at
    // the held 24000: allowed to lose that 6000 on it (pricing.maxFailoverLoss, minor units).
    pricing: { maxFailoverLoss: 6000 },
  });
  /** The simulators behind the providers `sa` and `cheap`. */
  const sim = (providerId: 'sa' | 'cheap'): ProviderSimulator => stackOf().sim(providerId);

  it('cancelOrder before a code: CANCELLED, the hold released, cancelled upstream', async () => {
    const stack = stackOf();
    const user = await stack.createUser('30000');
    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    const ref = await stack.upstreamRefOf(order.id);
    const since = Date.now();
    const cancelled = await stack.gql<{ cancelOrder: OrderView }>(user.apiKey, CANCEL_ORDER, {
      id: order.id,
    });
    expect(cancelled.cancelOrder.status).toBe('CANCELLED');
    expect(actionCalls(sim('sa'), 'setStatus', since, { id: ref, status: '8' })).toHaveLength(1);
    expect(sim('sa').activation(ref)?.state).toBe('cancelled');
    const wallet = await walletOf(stack, user.apiKey);
    expect(wallet.balance.format()).toBe('30000');
    expect(wallet.held.format()).toBe('0');
    expect((await getOrder(stack, user.apiKey, order.id)).status).toBe('CANCELLED');
  });

  it('after a code: cancelOrder is CANCEL_NOT_ALLOWED, finishOrder completes it upstream too', async () => {
    const stack = stackOf();
    const user = await stack.createUser('30000');
    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    const watch = await watchOrder(stack, user.apiKey, order.id);
    const ref = await stack.upstreamRefOf(order.id);
    sim('sa').deliverSms(ref, 'Telegram code: 90210');
    await watch.codes.nextData('the code', EVENT_WAIT_MS);

    const since = Date.now();
    const refused = await graphqlErrorOf(stack.server.graphqlUrl, user.apiKey, CANCEL_ORDER, {
      id: order.id,
    });
    expect(refused.code).toBe('CANCEL_NOT_ALLOWED');
    expect(actionCalls(sim('sa'), 'setStatus', since, { id: ref, status: '8' })).toHaveLength(0);

    const finished = await stack.gql<{ finishOrder: OrderView }>(user.apiKey, FINISH_ORDER, {
      id: order.id,
    });
    expect(finished.finishOrder).toMatchObject({ status: 'COMPLETED', smsCode: '90210' });
    expect(actionCalls(sim('sa'), 'setStatus', since, { id: ref, status: '6' })).toHaveLength(1);
    expect(sim('sa').activation(ref)?.state).toBe('finished');
    const wallet = await walletOf(stack, user.apiKey);
    expect(wallet.balance.format()).toBe(irt('30000').minus(priceOf(order)).format());
    expect(wallet.held.format()).toBe('0');
  });

  it('ten concurrent buys with one idempotencyKey: one order, one upstream buy, one hold', async () => {
    const stack = stackOf();
    const user = await stack.createUser('100000');
    const since = Date.now();
    const input = { service: 'telegram', country: 'RU', idempotencyKey: 'e2e-same-key' };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => buyNumber(stack, user.apiKey, input)),
    );
    const ids = new Set(answers.map((order) => order.id));
    expect(ids.size).toBe(1);
    // A duplicate that arrives while the first buy is still upstream waits for its outcome.
    expect(answers.every((order) => order.status === 'ACTIVE' && order.phoneNumber)).toBe(true);
    expect((await getOrder(stack, user.apiKey, answers[0]!.id)).status).toBe('ACTIVE');
    expect(actionCalls(sim('sa'), BUYS, since)).toHaveLength(1);
    expect(actionCalls(sim('cheap'), BUYS, since)).toHaveLength(0);
    const wallet = await walletOf(stack, user.apiKey);
    const price = priceOf(answers[0]!);
    expect(wallet.held.format()).toBe(price.format());
    expect(wallet.balance.format()).toBe(irt('100000').minus(price).format());

    // The same key later still names the same order.
    const again = await buyNumber(stack, user.apiKey, input);
    expect(again.id).toBe(answers[0]!.id);
    expect(actionCalls(sim('sa'), BUYS, since)).toHaveLength(1);
  });

  it('refusals buy nothing upstream: no funds, unknown service or country, a maxPrice too low', async () => {
    const stack = stackOf();
    const poor = await stack.createUser('100');
    const rich = await stack.createUser('100000');
    const since = Date.now();
    const buy = (apiKey: string, input: Record<string, unknown>) =>
      graphqlErrorOf(stack.server.graphqlUrl, apiKey, BUY_NUMBER, { input });

    expect((await buy(poor.apiKey, { service: 'telegram', country: 'RU' })).code).toBe(
      'INSUFFICIENT_FUNDS',
    );
    const unknownService = await buy(rich.apiKey, { service: 'nosuchservice', country: 'RU' });
    expect(unknownService.code).toBe('BAD_USER_INPUT');
    expect(unknownService.message).toContain('nosuchservice');
    const unknownCountry = await buy(rich.apiKey, { service: 'telegram', country: 'QQ' });
    expect(unknownCountry.code).toBe('BAD_USER_INPUT');
    expect(unknownCountry.message).toContain('QQ');
    // The only Telegram RU offer sells for 15000.
    expect(
      (await buy(rich.apiKey, { service: 'telegram', country: 'RU', maxPrice: '14999' })).code,
    ).toBe('PRICE_ABOVE_MAX');

    expect(actionCalls(sim('sa'), BUYS, since)).toHaveLength(0);
    expect(actionCalls(sim('cheap'), BUYS, since)).toHaveLength(0);
    for (const [user, credit] of [
      [poor, '100'],
      [rich, '100000'],
    ] as const) {
      const wallet = await walletOf(stack, user.apiKey);
      expect(wallet.balance.format()).toBe(credit);
      expect(wallet.held.format()).toBe('0');
    }
  });

  it('fails over when the cheapest provider has no numbers at the moment of the buy', async () => {
    const stack = stackOf();
    const user = await stack.createUser('100000');
    const offers = await stack.gql<{
      offers: Array<{ provider: string; operator: string | null; stock: number }>;
    }>(user.apiKey, '{ offers(service: "whatsapp", country: "RU") { provider operator stock } }');
    // Each host's any-operator offer, cheapest first (its operators' offers are listed too).
    expect(offers.offers.filter((o) => o.operator === null).map((o) => o.provider)).toEqual([
      'cheap',
      'sa',
    ]);
    // The catalog still lists its stock; the upstream answers NO_NUMBERS.
    sim('cheap').setOffer({ service: 'whatsapp', country: 'RU', cost: '20.00', stock: 0 });
    const since = Date.now();

    const order = await buyNumber(stack, user.apiKey, { service: 'whatsapp', country: 'RU' });
    expect(order).toMatchObject({ status: 'ACTIVE', provider: 'sa' });
    expect(actionCalls(sim('cheap'), BUYS, since)).toHaveLength(1);
    expect(actionCalls(sim('sa'), BUYS, since)).toHaveLength(1);
    // The price held before the buy, the cheapest offer's (20.00 RUB), whoever sold.
    expect(order.price.amount).toBe('24000');
    const wallet = await walletOf(stack, user.apiKey);
    expect(wallet.held.format()).toBe(order.price.amount);
    expect(wallet.balance.format()).toBe(irt('100000').minus(priceOf(order)).format());
  });

  it("another user's order is NOT_FOUND for reading, cancelling and subscribing", async () => {
    const stack = stackOf();
    const owner = await stack.createUser('30000');
    const other = await stack.createUser('30000');
    const order = await buyNumber(stack, owner.apiKey, { service: 'telegram', country: 'RU' });
    const url = stack.server.graphqlUrl;

    // Reading discloses nothing: NOT_FOUND (SPEC.md), exactly as for a missing order.
    const read = await stack.gqlRaw<{ order: OrderView | null }>(other.apiKey, ORDER, {
      id: order.id,
    });
    expect(read.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(read.data?.order ?? null).toBeNull();
    expect((await graphqlErrorOf(url, other.apiKey, CANCEL_ORDER, { id: order.id })).code).toBe(
      'NOT_FOUND',
    );
    const socket = stack.connect(other.apiKey);
    await socket.ready();
    const subscription = socket.subscribe<SmsReceivedEvent>(SMS_RECEIVED, {
      orderId: order.id,
      after: '0',
    });
    const result = await subscription.results.next('the subscription refused', EVENT_WAIT_MS);
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Still the owner's, untouched.
    expect((await getOrder(stack, owner.apiKey, order.id)).status).toBe('ACTIVE');
  });

  it('no key or an unknown key is UNAUTHENTICATED; a plain user calling an admin operation is FORBIDDEN', async () => {
    const stack = stackOf();
    const url = stack.server.graphqlUrl;
    const noKey = await graphqlErrorOf(url, undefined, '{ me { id } }');
    expect(noKey.code).toBe('UNAUTHENTICATED');
    expect(noKey.response.status).toBe(401);
    expect((await graphqlErrorOf(url, 'nb-not-a-real-key', '{ me { id } }')).code).toBe(
      'UNAUTHENTICATED',
    );
    const user = await stack.createUser();
    const forbidden = await graphqlErrorOf(
      url,
      user.apiKey,
      'mutation { createUser(input: { name: "sneaky" }) { apiKey } }',
    );
    expect(forbidden.code).toBe('FORBIDDEN');
  });

  it('a WebSocket whose connection_init has a bad key is closed with 4403', async () => {
    const stack = stackOf();
    const socket = stack.connect('nb-not-a-real-key');
    await expect(socket.ready()).rejects.toThrow(/4403/);
    expect((await socket.closed()).code).toBe(4403);
  });

  it('malformed JSON and a GraphQL syntax error get a 4xx, and the server still answers', async () => {
    const stack = stackOf();
    const user = await stack.createUser();
    const badJson = await fetch(stack.server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.apiKey}` },
      body: '{"query": "{ me { id } }"',
    });
    expect(badJson.status).toBe(400);
    await badJson.body?.cancel();
    const badSyntax = await stack.gqlRaw(user.apiKey, '{ me { id ');
    expect(badSyntax.status).toBeGreaterThanOrEqual(400);
    expect(badSyntax.status).toBeLessThan(500);
    expect(badSyntax.errors?.length).toBeGreaterThan(0);

    const me = await stack.gql<{ me: { id: string } }>(user.apiKey, '{ me { id } }');
    expect(me.me.id).toBe(user.id);
    expect(stack.server.process.running).toBe(true);
    await eventually(
      '/healthz still 200',
      async () => (await fetch(`${stack.server.baseUrl}/healthz`)).ok,
    );
  });
});
