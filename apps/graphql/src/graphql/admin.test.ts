import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { startTestServer, subscribe, type TestServer } from '../test-support/test-server.js';

const USERS = `query($first: Int, $after: String, $search: String) {
  users(first: $first, after: $after, search: $search) {
    nodes { id name disabled balance { amount } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const ADJUST = `mutation($userId: ID!, $amount: String!, $reference: String!, $note: String) {
  adjustWallet(userId: $userId, amount: $amount, reference: $reference, note: $note) { balance { amount } }
}`;
const LEDGER = `query($id: ID!) { user(id: $id) { ledger(first: 10) { nodes { kind amount { amount } reference orderId } } } }`;
const AUDIT = `query { auditLog(first: 50) { nodes { actorId action targetId amount { amount currency } reference note createdAt } } }`;
const DISABLE = `mutation($userId: ID!, $disabled: Boolean!) { setUserDisabled(userId: $userId, disabled: $disabled) { id disabled } }`;
const ME = `query { me { id } }`;

describe('admin API', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({ adapters: [new ScriptedAdapter('alpha')] });
    await t.stockOffers('alpha', [{ service: 'telegram', country: 'RU', cost: '1000' }]);
  });
  afterEach(async () => {
    await t.close();
  });

  it('lists and searches users with complete Relay page info; a plain user is FORBIDDEN', async () => {
    const a = await t.createFundedUser('Alpha shop', '5000');
    await t.createFundedUser('beta bot', '0');
    await t.createFundedUser('alpha two', '0');
    type Users = {
      users: {
        nodes: Array<{ id: string; name: string; disabled: boolean; balance: { amount: string } }>;
        pageInfo: {
          hasNextPage: boolean;
          hasPreviousPage: boolean;
          startCursor: string;
          endCursor: string;
        };
      };
    };
    const first = await t.request<Users>(USERS, { first: 1, search: 'ALPHA' });
    expect(first.data?.users.nodes.map((u) => u.name)).toEqual(['alpha two']);
    expect(first.data?.users.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.data?.users.pageInfo.startCursor).toBe(first.data?.users.pageInfo.endCursor);
    const second = await t.request<Users>(USERS, {
      first: 1,
      search: 'alpha',
      after: first.data!.users.pageInfo.endCursor,
    });
    expect(second.data?.users.nodes).toEqual([
      { id: a.id, name: 'Alpha shop', disabled: false, balance: { amount: '5000' } },
    ]);
    expect(second.data?.users.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: true,
    });
    const plain = await t.request(USERS, {}, a.apiKey);
    expect(plain.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.request(`query { user(id: "nope") { id } }`)).data).toEqual({ user: null });
  });

  it('adjustWallet is signed, idempotent, never below zero, and every admin change is in the audit log', async () => {
    const user = await t.createFundedUser('shop', '0');
    await t.request(
      `mutation { creditWallet(userId: "${user.id}", amount: "1000", reference: "pay-1") { id } }`,
    );
    const down = await t.request<{ adjustWallet: { balance: { amount: string } } }>(ADJUST, {
      userId: user.id,
      amount: '-400',
      reference: 'fix-1',
      note: 'wrong top-up',
    });
    expect(down.data?.adjustWallet.balance.amount).toBe('600');
    const again = await t.request<{ adjustWallet: { balance: { amount: string } } }>(ADJUST, {
      userId: user.id,
      amount: '-400',
      reference: 'fix-1',
    });
    expect(again.data?.adjustWallet.balance.amount).toBe('600');
    const tooMuch = await t.request(ADJUST, {
      userId: user.id,
      amount: '-601',
      reference: 'fix-2',
    });
    expect(tooMuch.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_FUNDS');
    const zero = await t.request(ADJUST, { userId: user.id, amount: '0', reference: 'fix-3' });
    expect(zero.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const plain = await t.request(
      ADJUST,
      { userId: user.id, amount: '5', reference: 'x' },
      user.apiKey,
    );
    expect(plain.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const ledger = await t.request<{ user: { ledger: { nodes: unknown[] } } }>(LEDGER, {
      id: user.id,
    });
    expect(ledger.data?.user.ledger.nodes).toEqual(
      [
        { kind: 'ADJUST_OUT', amount: { amount: '400' }, reference: 'fix-1', orderId: null },
        { kind: 'CREDIT', amount: { amount: '1000' }, reference: 'pay-1', orderId: null },
        { kind: 'CREDIT', amount: { amount: '0' }, reference: 'seed', orderId: null },
      ].slice(0, 2),
    );
    // The user reads their own statement; another user may not.
    const own = await t.request(`query { me { ledger { nodes { kind } } } }`, {}, user.apiKey);
    expect(own.errors).toBeUndefined();
    const other = await t.createFundedUser('other', '0');
    const theirs = await t.request(LEDGER, { id: user.id }, other.apiKey);
    expect(theirs.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    type Audit = {
      auditLog: {
        nodes: Array<{
          action: string;
          targetId: string;
          actorId: string;
          amount: { amount: string } | null;
          reference: string | null;
          note: string | null;
        }>;
      };
    };
    const audit = await t.request<Audit>(AUDIT);
    const mine = audit.data!.auditLog.nodes.filter((entry) => entry.targetId === user.id);
    expect(
      mine.map((e) => [e.action, e.actorId, e.amount?.amount ?? null, e.reference, e.note]),
    ).toEqual([
      ['ADJUST_WALLET', 'admin', '-400', 'fix-1', 'wrong top-up'],
      ['CREDIT_WALLET', 'admin', '1000', 'pay-1', null],
      ['CREATE_USER', 'admin', null, null, 'shop'],
    ]);
  });

  it('a disabled user is UNAUTHENTICATED at once, over HTTP and on an open WebSocket', async () => {
    const user = await t.createFundedUser('bot', '10000');
    expect((await t.request(ME, {}, user.apiKey)).data).toEqual({ me: { id: user.id } });
    let closedWith: number | undefined;
    const closed = new Promise<number>((resolve) => {
      const client = t.wsClient(user.apiKey, {
        onClose: (code) => {
          closedWith = code;
          resolve(code);
        },
      });
      subscribe(client, `subscription { orderUpdated { eventId } }`);
    });
    await waitForOpenSubscriptions(t, 1);
    const disabled = await t.request<{ setUserDisabled: { disabled: boolean } }>(DISABLE, {
      userId: user.id,
      disabled: true,
    });
    expect(disabled.data?.setUserDisabled.disabled).toBe(true);
    // The key was cached by the request above: the cache must not let it through.
    const refused = await t.request(ME, {}, user.apiKey);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await closed).toBe(4403);
    expect(closedWith).toBe(4403);
    await t.request(DISABLE, { userId: user.id, disabled: false });
    expect((await t.request(ME, {}, user.apiKey)).data).toEqual({ me: { id: user.id } });
  });

  it('rotates keys without downtime; a revoked key is refused at once; the last key stays', async () => {
    const user = await t.createFundedUser('rotating', '0');
    const created = await t.request<{
      createApiKey: { apiKey: string; key: { id: string; name: string } };
    }>(`mutation { createApiKey(name: "v2") { apiKey key { id name } } }`, {}, user.apiKey);
    const fresh = created.data!.createApiKey;
    expect(fresh.key.name).toBe('v2');
    // Both work in between.
    expect((await t.request(ME, {}, user.apiKey)).data).toEqual({ me: { id: user.id } });
    expect((await t.request(ME, {}, fresh.apiKey)).data).toEqual({ me: { id: user.id } });
    type Keys = { me: { apiKeys: Array<{ id: string; name: string; revokedAt: string | null }> } };
    const keys = await t.request<Keys>(
      `query { me { apiKeys { id name revokedAt } } }`,
      {},
      fresh.apiKey,
    );
    const old = keys.data!.me.apiKeys.find((key) => key.name === 'default')!;
    const revoked = await t.request(`mutation { revokeApiKey(id: "${old.id}") }`, {}, fresh.apiKey);
    expect(revoked.data).toEqual({ revokeApiKey: true });
    expect((await t.request(ME, {}, user.apiKey)).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    const last = await t.request(
      `mutation { revokeApiKey(id: "${fresh.key.id}") }`,
      {},
      fresh.apiKey,
    );
    expect(last.errors?.[0]?.extensions?.code).toBe('STATE_CONFLICT');
    // Another user's key id is NOT_FOUND.
    const other = await t.createFundedUser('other', '0');
    const foreign = await t.request(
      `mutation { revokeApiKey(id: "${fresh.key.id}") }`,
      {},
      other.apiKey,
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('adminOrders filters every user’s orders; upstreamCost and margin are admin-only; finish before a code is STATE_CONFLICT', async () => {
    const buyer = await t.createFundedUser('buyer', '10000');
    const bought = await t.request<{ buyNumber: { id: string } }>(
      `mutation { buyNumber(input: { service: "telegram", country: "RU" }) { id } }`,
      {},
      buyer.apiKey,
    );
    const orderId = bought.data!.buyNumber.id;
    type Orders = {
      adminOrders: {
        nodes: Array<{
          id: string;
          price: { amount: string };
          upstreamCost: { amount: string; currency: string } | null;
          margin: { amount: string } | null;
        }>;
      };
    };
    const orders = await t.request<Orders>(
      `query($userId: ID) { adminOrders(userId: $userId, provider: "alpha", status: ACTIVE) { nodes { id price { amount } upstreamCost { amount currency } margin { amount } } } }`,
      { userId: buyer.id },
    );
    expect(orders.data?.adminOrders.nodes).toEqual([
      {
        id: orderId,
        price: { amount: '1100' },
        upstreamCost: { amount: '1000', currency: 'IRT' },
        margin: { amount: '100' },
      },
    ]);
    const none = await t.request<Orders>(
      `query { adminOrders(provider: "nobody") { nodes { id } } }`,
    );
    expect(none.data?.adminOrders.nodes).toEqual([]);
    const asUser = await t.request(
      `query { order(id: "${orderId}") { id upstreamCost { amount } } }`,
      {},
      buyer.apiKey,
    );
    expect(asUser.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const finish = await t.request(
      `mutation { finishOrder(id: "${orderId}") { status } }`,
      {},
      buyer.apiKey,
    );
    expect(finish.errors?.[0]?.extensions?.code).toBe('STATE_CONFLICT');
  });
});

async function waitForOpenSubscriptions(t: TestServer, count: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const value = (await t.server.metrics.openSubscriptions.get()).values[0]?.value ?? 0;
    if (value >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`subscriptions never reached ${count}`);
}
