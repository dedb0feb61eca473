import { describe, expect, it } from 'vitest';
import { buyNumber, getOrder, irt, priceOf, walletOf } from './support/orders.js';
import { useStack } from './support/lifecycle.js';
import { EVENT_WAIT_MS, watchOrder } from './support/watch-order.js';

describe('an order without a code expires (sqlite, orderTtlSeconds 3)', () => {
  const stackOf = useStack({
    database: 'sqlite',
    orderTtlSeconds: 3,
    providers: [
      {
        id: 'sa',
        kind: 'smsactivate',
        offers: [{ service: 'telegram', country: 'RU', cost: '12.50', stock: 50 }],
      },
    ],
  });

  it('is cancelled upstream, EXPIRED, and the wallet is restored exactly', async () => {
    const stack = stackOf();
    const user = await stack.createUser('40000');
    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    expect(Date.parse(order.expiresAt) - Date.parse(order.createdAt)).toBe(3000);
    const price = priceOf(order);
    const holding = await walletOf(stack, user.apiKey);
    expect(holding.balance.format()).toBe(irt('40000').minus(price).format());
    expect(holding.held.format()).toBe(price.format());

    const watch = await watchOrder(stack, user.apiKey, order.id);
    const ref = await stack.upstreamRefOf(order.id);
    const sim = stack.sim('sa');

    const expired = await watch.updates.nextData(
      'EXPIRED on orderUpdated',
      EVENT_WAIT_MS,
      (e) => !['PENDING', 'ACTIVE'].includes(e.orderUpdated.order.status),
    );
    expect(expired.orderUpdated.order.status).toBe('EXPIRED');

    // SMS-Activate's cancel is setStatus 8 on the activation.
    const cancels = sim.requests.filter((r) => {
      const query = new URLSearchParams(r.url.split('?')[1]);
      return (
        query.get('action') === 'setStatus' &&
        query.get('id') === ref &&
        query.get('status') === '8'
      );
    });
    expect(cancels.length).toBeGreaterThanOrEqual(1);
    expect(cancels.every((r) => r.at >= Date.parse(order.expiresAt))).toBe(true);
    expect(sim.activation(ref)?.state).toBe('cancelled');

    const final = await getOrder(stack, user.apiKey, order.id);
    expect(final).toMatchObject({ status: 'EXPIRED', smsCode: null, messages: [] });
    const restored = await walletOf(stack, user.apiKey);
    expect(restored.balance.format()).toBe('40000');
    expect(restored.held.format()).toBe('0');
    expect(watch.codes.received).toEqual([]);
  });
});
