import { NoNumbers, Unavailable, AuthError, InvalidRequest } from '@numbroker/providers';
import { afterEach, describe, expect, it } from 'vitest';
import { schedulingOf } from '@numbroker/store/testing';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

const BUY = `mutation($input: BuyNumberInput!) {
  buyNumber(input: $input) { id status provider phoneNumber price { amount currency } smsCode messages { code } }
}`;
const ME = '{ me { balance { amount } held { amount } } }';

type Order = {
  id: string;
  status: string;
  provider: string;
  phoneNumber: string | null;
  price: { amount: string };
};

describe('orders over HTTP', () => {
  let t: TestServer;
  afterEach(async () => {
    await t.close();
  });

  async function setup(adapters: ScriptedAdapter[], betaCost = '1500') {
    t = await startTestServer({ adapters });
    // Costs in IRT; markup 10 %, rounded up to 100: 1000 → 1100, 1500 → 1700.
    await t.stockOffers('alpha', [{ service: 'telegram', country: 'RU', cost: '1000' }]);
    await t.stockOffers('beta', [{ service: 'telegram', country: 'RU', cost: betaCost }]);
  }

  it('buys from the cheapest provider, holds the price, and lists offers cheapest first', async () => {
    const alpha = new ScriptedAdapter('alpha');
    const beta = new ScriptedAdapter('beta');
    await setup([alpha, beta]);
    const user = await t.createFundedUser('ann', '5000');
    const offers = await t.request<{
      offers: Array<{ provider: string; price: { amount: string } }>;
    }>(
      '{ offers(service: "telegram", country: "RU") { provider price { amount } } }',
      {},
      user.apiKey,
    );
    expect(offers.data?.offers).toEqual([
      { provider: 'alpha', price: { amount: '1100' } },
      { provider: 'beta', price: { amount: '1700' } },
    ]);
    const bought = await t.request<{ buyNumber: Order }>(
      BUY,
      { input: { service: 'telegram', country: 'ru' } },
      user.apiKey,
    );
    expect(bought.errors).toBeUndefined();
    expect(bought.data?.buyNumber).toMatchObject({
      status: 'ACTIVE',
      provider: 'alpha',
      price: { amount: '1100' },
    });
    expect(bought.data?.buyNumber.phoneNumber).toMatch(/^\+7900/);
    const me = await t.request<{ me: { balance: { amount: string }; held: { amount: string } } }>(
      ME,
      {},
      user.apiKey,
    );
    expect(me.data?.me).toEqual({ balance: { amount: '3900' }, held: { amount: '1100' } });
  });

  it('fails over on no numbers, auth and surely-unsent faults, one attempt per try', async () => {
    const alpha = new ScriptedAdapter('alpha');
    const beta = new ScriptedAdapter('beta');
    alpha.scriptBuys(new NoNumbers('none', { providerId: 'alpha', operation: 'buy' }));
    // beta's cost is within the held 1100: failing over onto it sells at no loss.
    await setup([alpha, beta], '1050');
    const user = await t.createFundedUser('bob', '5000');
    const bought = await t.request<{ buyNumber: Order }>(
      BUY,
      { input: { service: 'telegram', country: 'RU' } },
      user.apiKey,
    );
    expect(bought.data?.buyNumber).toMatchObject({ status: 'ACTIVE', provider: 'beta' });
    expect(alpha.calls.filter((call) => call.operation === 'buy')).toHaveLength(1);
    expect(beta.calls.filter((call) => call.operation === 'buy')).toHaveLength(1);
    await t.server.deps.store.flush(); // attempt rows are written in batches
    const attempts = await t.store.orders.attemptsSince(new Date(0));
    expect(attempts.filter((attempt) => attempt.operation === 'buy')).toMatchObject([
      { providerId: 'alpha', outcome: 'ERROR', errorCode: 'NO_NUMBERS' },
      { providerId: 'beta', outcome: 'OK', errorCode: null },
    ]);
    // Each attempt was written durably before its call, naming the provider tried.
    const started = attempts.filter((attempt) => attempt.operation === 'buy-started');
    expect(started.map((attempt) => attempt.providerId).sort()).toEqual(['alpha', 'beta']);
  });

  it('fails the order and releases the hold when no provider can sell', async () => {
    const alpha = new ScriptedAdapter('alpha');
    const beta = new ScriptedAdapter('beta');
    alpha.scriptBuys(new AuthError('bad key', { providerId: 'alpha', operation: 'buy' }));
    beta.scriptBuys(
      new Unavailable('refused', { providerId: 'beta', operation: 'buy', surelyNotSent: true }),
    );
    await setup([alpha, beta]);
    const user = await t.createFundedUser('cid', '5000');
    const bought = await t.request(
      BUY,
      { input: { service: 'telegram', country: 'RU' } },
      user.apiKey,
    );
    expect(bought.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    const me = await t.request<{ me: { balance: { amount: string }; held: { amount: string } } }>(
      ME,
      {},
      user.apiKey,
    );
    expect(me.data?.me).toEqual({ balance: { amount: '5000' }, held: { amount: '0' } });
    const orders = await t.request<{ orders: { nodes: Array<{ status: string }> } }>(
      '{ orders { nodes { status } } }',
      {},
      user.apiKey,
    );
    expect(orders.data?.orders.nodes).toEqual([{ status: 'FAILED' }]);
  });

  it('never retries a buy that may have reached the upstream: the order stays PENDING', async () => {
    const alpha = new ScriptedAdapter('alpha');
    const beta = new ScriptedAdapter('beta');
    alpha.scriptBuys(
      new Unavailable('timeout', { providerId: 'alpha', operation: 'buy', surelyNotSent: false }),
    );
    await setup([alpha, beta]);
    const user = await t.createFundedUser('dan', '5000');
    const bought = await t.request<{ buyNumber: Order }>(
      BUY,
      { input: { service: 'telegram', country: 'RU' } },
      user.apiKey,
    );
    expect(bought.data?.buyNumber.status).toBe('PENDING');
    expect(beta.calls).toHaveLength(0);
    // Nothing of ours is in flight any more: reconciled within seconds, not at the default.
    const { nextPollAt } = await schedulingOf(t.store, bought.data!.buyNumber.id);
    expect(nextPollAt!.getTime()).toBeLessThanOrEqual(Date.now() + 2500);
  });

  it('answers BAD_USER_INPUT naming an unknown service or country, PRICE_ABOVE_MAX and INSUFFICIENT_FUNDS before any upstream call', async () => {
    const alpha = new ScriptedAdapter('alpha');
    const beta = new ScriptedAdapter('beta');
    await setup([alpha, beta]);
    const user = await t.createFundedUser('eve', '1000');
    const service = await t.request(
      BUY,
      { input: { service: 'telegrom', country: 'RU' } },
      user.apiKey,
    );
    expect(service.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(service.errors?.[0]?.message).toContain('telegrom');
    const country = await t.request(
      BUY,
      { input: { service: 'telegram', country: 'XX' } },
      user.apiKey,
    );
    expect(country.errors?.[0]?.message).toContain('XX');
    const price = await t.request(
      BUY,
      { input: { service: 'telegram', country: 'RU', maxPrice: '1000' } },
      user.apiKey,
    );
    expect(price.errors?.[0]?.extensions?.code).toBe('PRICE_ABOVE_MAX');
    const funds = await t.request(
      BUY,
      { input: { service: 'telegram', country: 'RU' } },
      user.apiKey,
    );
    expect(funds.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_FUNDS');
    expect([...alpha.calls, ...beta.calls]).toHaveLength(0);
  });

  it('returns the same order for the same idempotency key, buying and holding once, even concurrently', async () => {
    const alpha = new ScriptedAdapter('alpha');
    await setup([alpha, new ScriptedAdapter('beta')]);
    const user = await t.createFundedUser('fay', '5000');
    const input = { service: 'telegram', country: 'RU', idempotencyKey: 'order-42' };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.request<{ buyNumber: Order }>(BUY, { input }, user.apiKey)),
    );
    const ids = new Set(results.map((result) => result.data?.buyNumber.id));
    expect(ids.size).toBe(1);
    expect(alpha.calls.filter((call) => call.operation === 'buy')).toHaveLength(1);
    const me = await t.request<{ me: { held: { amount: string } } }>(ME, {}, user.apiKey);
    expect(me.data?.me.held.amount).toBe('1100');
  });

  it("a concurrent repeat of an idempotency key answers the first call's outcome, not its PENDING row", async () => {
    const alpha = new ScriptedAdapter('alpha');
    await setup([alpha, new ScriptedAdapter('beta')]);
    // The upstream takes a while: the repeats find the order PENDING, before its number.
    alpha.onBuy = () => new Promise((resolve) => setTimeout(resolve, 400));
    const user = await t.createFundedUser('fin', '5000');
    const input = { service: 'telegram', country: 'RU', idempotencyKey: 'slow-1' };
    const first = t.request<{ buyNumber: Order }>(BUY, { input }, user.apiKey);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const repeats = await Promise.all(
      Array.from({ length: 3 }, () => t.request<{ buyNumber: Order }>(BUY, { input }, user.apiKey)),
    );
    const all = [await first, ...repeats].map((result) => result.data?.buyNumber);
    for (const order of all) {
      expect(order).toMatchObject({ id: all[0]!.id, status: 'ACTIVE' });
      expect(order?.phoneNumber).toBeTruthy();
    }
    expect(alpha.calls.filter((call) => call.operation === 'buy')).toHaveLength(1);
  });

  it('a cancel whose upstream call succeeded after the worker expired the order answers the order as it is', async () => {
    const alpha = new ScriptedAdapter('alpha');
    await setup([alpha, new ScriptedAdapter('beta')]);
    const user = await t.createFundedUser('ivy', '5000');
    const order = (
      await t.request<{ buyNumber: Order }>(
        BUY,
        { input: { service: 'telegram', country: 'RU' } },
        user.apiKey,
      )
    ).data!.buyNumber;
    // While our cancel is upstream, the worker reaches the TTL and expires the order.
    alpha.onCancel = async () => {
      await t.store.orders.applyOrderCommand(order.id, { type: 'EXPIRE' });
    };
    const cancelled = await t.request<{ cancelOrder: { status: string } }>(
      `mutation { cancelOrder(id: "${order.id}") { status } }`,
      {},
      user.apiKey,
    );
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data?.cancelOrder.status).toBe('EXPIRED');
    const me = await t.request<{ me: { balance: { amount: string }; held: { amount: string } } }>(
      ME,
      {},
      user.apiKey,
    );
    expect(me.data?.me).toMatchObject({ balance: { amount: '5000' }, held: { amount: '0' } });
    // The client retries (its first answer was lost): the order as it is again, no upstream
    // call, no refusal — the money is back, which is what a cancel asks for.
    alpha.onCancel = undefined;
    const cancelsBefore = alpha.calls.filter((call) => call.operation === 'cancel').length;
    const retried = await t.request<{ cancelOrder: { status: string } }>(
      `mutation { cancelOrder(id: "${order.id}") { status } }`,
      {},
      user.apiKey,
    );
    expect(retried.errors).toBeUndefined();
    expect(retried.data?.cancelOrder.status).toBe('EXPIRED');
    expect(alpha.calls.filter((call) => call.operation === 'cancel')).toHaveLength(cancelsBefore);
  });

  it('cancels before a code (released once), refuses after one, and hides other users orders', async () => {
    const alpha = new ScriptedAdapter('alpha');
    await setup([alpha, new ScriptedAdapter('beta')]);
    const owner = await t.createFundedUser('gus', '5000');
    const other = await t.createFundedUser('hal', '5000');
    const first = (
      await t.request<{ buyNumber: Order }>(
        BUY,
        { input: { service: 'telegram', country: 'RU' } },
        owner.apiKey,
      )
    ).data!.buyNumber;
    const cancelOther = await t.request(
      `mutation { cancelOrder(id: "${first.id}") { status } }`,
      {},
      other.apiKey,
    );
    expect(cancelOther.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const readOther = await t.request<{ order: unknown }>(
      `{ order(id: "${first.id}") { id } }`,
      {},
      other.apiKey,
    );
    expect(readOther.data?.order).toBeNull();
    expect(readOther.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const cancelled = await t.request<{ cancelOrder: { status: string } }>(
      `mutation { cancelOrder(id: "${first.id}") { status } }`,
      {},
      owner.apiKey,
    );
    expect(cancelled.data?.cancelOrder.status).toBe('CANCELLED');
    expect(alpha.calls.at(-1)).toMatchObject({ operation: 'cancel' });
    // Cancelling again is an idempotent repeat: the same answer, no second upstream call.
    const again = await t.request<{ cancelOrder: { status: string } }>(
      `mutation { cancelOrder(id: "${first.id}") { status } }`,
      {},
      owner.apiKey,
    );
    expect(again.data?.cancelOrder.status).toBe('CANCELLED');
    expect(alpha.calls.filter((call) => call.operation === 'cancel')).toHaveLength(1);
    const me = await t.request<{ me: { balance: { amount: string }; held: { amount: string } } }>(
      ME,
      {},
      owner.apiKey,
    );
    expect(me.data?.me).toEqual({ balance: { amount: '5000' }, held: { amount: '0' } });

    const second = (
      await t.request<{ buyNumber: Order }>(
        BUY,
        { input: { service: 'telegram', country: 'RU' } },
        owner.apiKey,
      )
    ).data!.buyNumber;
    // What the worker does when a code arrives.
    await t.store.orders.applyOrderCommand(
      second.id,
      { type: 'CODE_RECEIVED' },
      { sms: { code: '12345', text: 'Your code is 12345' } },
    );
    const refused = await t.request(
      `mutation { cancelOrder(id: "${second.id}") { status } }`,
      {},
      owner.apiKey,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('CANCEL_NOT_ALLOWED');
    const read = await t.request<{ order: { smsCode: string; messages: Array<{ code: string }> } }>(
      `{ order(id: "${second.id}") { smsCode messages { code } } }`,
      {},
      owner.apiKey,
    );
    expect(read.data?.order).toEqual({ smsCode: '12345', messages: [{ code: '12345' }] });
    const another = await t.request<{ requestAnotherSms: { status: string } }>(
      `mutation { requestAnotherSms(id: "${second.id}") { status } }`,
      {},
      owner.apiKey,
    );
    expect(another.data?.requestAnotherSms.status).toBe('CODE_RECEIVED');
    const finished = await t.request<{ finishOrder: { status: string } }>(
      `mutation { finishOrder(id: "${second.id}") { status } }`,
      {},
      owner.apiKey,
    );
    expect(finished.data?.finishOrder.status).toBe('COMPLETED');
    const meAfter = await t.request<{
      me: { balance: { amount: string }; held: { amount: string } };
    }>(ME, {}, owner.apiKey);
    expect(meAfter.data?.me).toEqual({ balance: { amount: '3900' }, held: { amount: '0' } });
  });

  it('reports a wrong code and refunds where the upstream refunds', async () => {
    const alpha = new ScriptedAdapter('alpha');
    await setup([alpha, new ScriptedAdapter('beta')]);
    const user = await t.createFundedUser('ivy', '5000');
    const order = (
      await t.request<{ buyNumber: Order }>(
        BUY,
        { input: { service: 'telegram', country: 'RU' } },
        user.apiKey,
      )
    ).data!.buyNumber;
    await t.store.orders.applyOrderCommand(
      order.id,
      { type: 'CODE_RECEIVED' },
      { sms: { code: '999', text: 'code 999' } },
    );
    const reported = await t.request<{ reportOrder: { status: string } }>(
      `mutation { reportOrder(id: "${order.id}") { status } }`,
      {},
      user.apiKey,
    );
    expect(reported.data?.reportOrder.status).toBe('REPORTED');
    const me = await t.request<{ me: { balance: { amount: string } } }>(ME, {}, user.apiKey);
    expect(me.data?.me.balance.amount).toBe('5000');
  });

  it('refunds a retried report whose first one reached the upstream (refused again, the upstream shows it refunded)', async () => {
    const alpha = new ScriptedAdapter('alpha');
    await setup([alpha, new ScriptedAdapter('beta')]);
    const user = await t.createFundedUser('kim', '5000');
    const order = (
      await t.request<{ buyNumber: Order }>(
        BUY,
        { input: { service: 'telegram', country: 'RU' } },
        user.apiKey,
      )
    ).data!.buyNumber;
    await t.store.orders.applyOrderCommand(
      order.id,
      { type: 'CODE_RECEIVED' },
      { sms: { code: '999', text: 'code 999' } },
    );
    // Our first report refunded us upstream, but its REPORT write was lost: a second report is
    // refused, and the activation shows cancelled (refunded).
    alpha.report = async () => {
      throw new InvalidRequest('already reported', { providerId: 'alpha', operation: 'report' });
    };
    alpha.status = async (upstreamRef) => ({ upstreamRef, state: 'cancelled', messages: [] });
    const reported = await t.request<{ reportOrder: { status: string } }>(
      `mutation { reportOrder(id: "${order.id}") { status } }`,
      {},
      user.apiKey,
    );
    expect(reported.data?.reportOrder.status).toBe('REPORTED');
    const me = await t.request<{ me: { balance: { amount: string } } }>(ME, {}, user.apiKey);
    expect(me.data?.me.balance.amount).toBe('5000');
  });

  it('pages orders with cursors and a status filter, within bounds', async () => {
    const alpha = new ScriptedAdapter('alpha');
    await setup([alpha, new ScriptedAdapter('beta')]);
    const user = await t.createFundedUser('jo', '50000');
    for (let index = 0; index < 3; index += 1) {
      await t.request(BUY, { input: { service: 'telegram', country: 'RU' } }, user.apiKey);
    }
    const query = `query($after: String) { orders(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`;
    type Page = {
      orders: {
        nodes: Array<{ id: string }>;
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const page1 = (await t.request<Page>(query, {}, user.apiKey)).data!.orders;
    expect(page1.nodes).toHaveLength(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await t.request<Page>(query, { after: page1.pageInfo.endCursor }, user.apiKey))
      .data!.orders;
    expect(page2.nodes).toHaveLength(1);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const active = await t.request<{ orders: { nodes: unknown[] } }>(
      '{ orders(status: CANCELLED) { nodes { id } } }',
      {},
      user.apiKey,
    );
    expect(active.data?.orders.nodes).toHaveLength(0);
    const tooBig = await t.request('{ orders(first: 1000) { nodes { id } } }', {}, user.apiKey);
    expect(tooBig.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('keeps admin operations for the admin, and never shows a provider key', async () => {
    await setup([new ScriptedAdapter('alpha'), new ScriptedAdapter('beta')]);
    const user = await t.createFundedUser('kim', '0');
    const forbidden = await t.request('{ providers { id } }', {}, user.apiKey);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const createForbidden = await t.request(
      'mutation { createUser(input: { name: "x" }) { apiKey } }',
      {},
      user.apiKey,
    );
    expect(createForbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const providers = await t.request(
      '{ providers { id kind healthy activeOrders balance { amount } } }',
    );
    expect(JSON.stringify(providers)).not.toContain('upstream-secret');
    expect(providers.data).toEqual({
      providers: [
        { id: 'alpha', kind: 'smsactivate', healthy: true, activeOrders: 0, balance: null },
        { id: 'beta', kind: 'smsactivate', healthy: true, activeOrders: 0, balance: null },
      ],
    });
    const credited = await t.request<{ creditWallet: { balance: { amount: string } } }>(
      `mutation { creditWallet(userId: "${user.id}", amount: "2500", reference: "pay-1") { balance { amount } } }`,
    );
    const again = await t.request<{ creditWallet: { balance: { amount: string } } }>(
      `mutation { creditWallet(userId: "${user.id}", amount: "2500", reference: "pay-1") { balance { amount } } }`,
    );
    expect(credited.data?.creditWallet.balance.amount).toBe('2500');
    expect(again.data?.creditWallet.balance.amount).toBe('2500');
    const badAmount = await t.request(
      `mutation { creditWallet(userId: "${user.id}", amount: "12.5", reference: "pay-2") { id } }`,
    );
    expect(badAmount.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a credit that would take a wallet past what its columns hold exactly, and the wallet stays readable', async () => {
    await setup([new ScriptedAdapter('alpha'), new ScriptedAdapter('beta')]);
    const user = await t.createFundedUser('max', '0');
    const credit = (amount: string, reference: string) =>
      t.request<{ creditWallet: { balance: { amount: string } } }>(
        `mutation { creditWallet(userId: "${user.id}", amount: "${amount}", reference: "${reference}") { balance { amount } } }`,
      );
    const huge = await credit('100000000000000000000000', 'huge');
    expect(huge.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const top = await credit(String(Number.MAX_SAFE_INTEGER), 'top');
    expect(top.data?.creditWallet.balance.amount).toBe(String(Number.MAX_SAFE_INTEGER));
    const past = await credit('1', 'one-more');
    expect(past.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const me = await t.request<{ me: { balance: { amount: string } } }>(ME, {}, user.apiKey);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me.balance.amount).toBe(String(Number.MAX_SAFE_INTEGER));
  });
});
