import { createAdapter, type ProviderSimulator } from '@numbroker/providers';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/async-queue.js';
import { useStack } from './support/lifecycle.js';
import { buyNumber, getOrder, irt, priceOf, walletOf } from './support/orders.js';
import type { Stack, TestUser } from './support/stack.js';
import { EVENT_WAIT_MS, watchOrder } from './support/watch-order.js';

/** Short, so the suite is: an orphan is cancelled once older than this, never before. */
const RECONCILE_SECONDS = 3;
/** From the server's restart to the order resolved (reconcile time + a few poll passes). */
const RESOLVED_WITHIN_MS = 20_000;
const CREDIT = '500000';

/** The two protocols that list their activations, each with how its buy request looks. */
const PROVIDERS = [
  { id: 'sa', kind: 'smsactivate', buyMatch: 'action=getNumber', cost: '12.50' },
  { id: 'shiz', kind: 'shiznumber', buyMatch: '/numbers/', cost: '30000' },
] as const;

/**
 * The server SIGKILLed while an upstream buy is in flight (the upstream sold the number, its
 * answer held back): the order is PENDING with no number, the activation open upstream and
 * paid. After a restart the worker must find it — adopt it when the attempt recorded before
 * the call positively matches, else fail the order (hold released) and cancel the activation
 * upstream once it is older than the reconcile delay.
 */
describe.each(['sqlite', 'postgres'] as const)(
  'a server killed with -9 while a buy is in flight (%s)',
  (database) => {
    const stackOf = useStack({
      database,
      providers: PROVIDERS.map((p) => ({
        id: p.id,
        kind: p.kind,
        offers: [{ service: 'telegram', country: 'RU', cost: p.cost, stock: 50 }],
      })),
      config: { pendingReconcileSeconds: RECONCILE_SECONDS },
    });

    /** Starts a buy whose upstream answer never comes, kills the server once the upstream sold
     *  the number, restarts it; returns the stuck order's id and the activation sold. */
    async function killedMidBuy(
      stack: Stack,
      user: TestUser,
      provider: (typeof PROVIDERS)[number],
    ) {
      const sim = stack.sim(provider.id);
      const sold = new Set(sim.allActivations().map((a) => a.ref));
      sim.injectFault({ kind: 'lost-reply', match: provider.buyMatch });
      const buying = buyNumber(stack, user.apiKey, {
        service: 'telegram',
        country: 'RU',
        provider: provider.id,
      }).then(
        () => 'answered',
        () => 'lost',
      );
      const activation = await eventually(
        `${provider.id} to sell the number (its answer held back)`,
        () => sim.allActivations().find((a) => !sold.has(a.ref)),
        { timeoutMs: EVENT_WAIT_MS },
      );
      const buyRequest = sim.requests.find((r) => r.fault === 'lost-reply')!;
      await stack.server.process.kill9();
      expect(await buying).toBe('lost');
      await stack.restartServer(0);
      const orderId = await onlyOrderOf(stack, user);
      return { orderId, activation, boughtAt: buyRequest.at, sim };
    }

    for (const provider of PROVIDERS) {
      it(`${provider.kind}: the order adopts its activation and its code reaches the owner`, async () => {
        const stack = stackOf();
        const user = await stack.createUser(CREDIT);
        const { orderId, activation, sim } = await killedMidBuy(stack, user, provider);
        // (PENDING until its reconcile time, which may pass while the server restarts.)

        // ACTIVE on its subscription (watchOrder waits for it), with the number sold upstream.
        const watch = await watchOrder(stack, user.apiKey, orderId);
        const order = await getOrder(stack, user.apiKey, orderId);
        expect(order).toMatchObject({ status: 'ACTIVE', phoneNumber: activation.phoneNumber });
        expect(await stack.upstreamRefOf(orderId)).toBe(activation.ref);

        sim.deliverSms(activation.ref, 'Your Telegram code is 42424');
        const sms = await watch.codes.nextData('the code of the adopted order', EVENT_WAIT_MS);
        expect(sms.smsReceived).toMatchObject({ code: '42424', order: { id: orderId } });
        const wallet = await walletOf(stack, user.apiKey);
        expect(wallet.balance.format()).toBe(irt(CREDIT).minus(priceOf(order)).format());
        expect(wallet.held.format()).toBe('0');
        expect(sim.activation(activation.ref)?.state).not.toBe('cancelled');
      });

      it(`${provider.kind}: an activation it cannot match is not adopted; the order fails, its hold released, and both activations are cancelled once older than the delay`, async () => {
        const stack = stackOf();
        const user = await stack.createUser(CREDIT);
        const sim = stack.sim(provider.id);
        // Something else on the same account buys the same product at the same moment: two
        // activations fit the attempt, and neither is adopted on a guess.
        const other = createAdapter({
          id: provider.id,
          kind: provider.kind,
          baseUrl: sim.baseUrl,
          apiKey: sim.apiKey,
          currency: provider.kind === 'smsactivate' ? 'RUB' : 'IRT',
          timeoutMs: 5000,
        });
        const offer = (await other.catalog()).find(
          (o) => o.service === 'telegram' && o.country === 'RU',
        )!;
        const stranger = await other.buy({ service: 'telegram', country: 'RU', ref: offer.ref });
        const { orderId, activation, boughtAt } = await killedMidBuy(stack, user, provider);

        await eventually(
          'the stuck order to fail',
          async () => (await getOrder(stack, user.apiKey, orderId)).status === 'FAILED',
          { timeoutMs: RESOLVED_WITHIN_MS },
        );
        expect(await stack.upstreamRefOf(orderId).catch(() => null)).toBeNull();
        const wallet = await walletOf(stack, user.apiKey);
        expect(wallet.balance.format()).toBe(irt(CREDIT).format());
        expect(wallet.held.format()).toBe('0');

        // Paid upstream and owned by nobody: cancelled, but not before the reconcile delay.
        for (const ref of [activation.ref, stranger.upstreamRef]) {
          await eventually(
            `orphan ${ref} cancelled upstream`,
            () => sim.activation(ref)?.state === 'cancelled',
            { timeoutMs: RESOLVED_WITHIN_MS },
          );
        }
        const cancels = cancelRequestsOf(sim, activation.ref);
        expect(cancels.length).toBeGreaterThan(0);
        // The upstream's clock is to the second.
        expect(cancels[0]!.at).toBeGreaterThanOrEqual(boughtAt + RECONCILE_SECONDS * 1000 - 1000);
      });
    }
  },
);

async function onlyOrderOf(stack: Stack, user: TestUser): Promise<string> {
  const data = await stack.gql<{ orders: { nodes: Array<{ id: string }> } }>(
    user.apiKey,
    '{ orders(first: 5) { nodes { id } } }',
  );
  expect(data.orders.nodes).toHaveLength(1);
  return data.orders.nodes[0]!.id;
}

/** The cancel requests the simulator got for one activation. */
function cancelRequestsOf(sim: ProviderSimulator, ref: string) {
  return sim.requests.filter((r) => {
    if (sim.kind !== 'smsactivate') return r.method === 'PUT' && r.url.endsWith(`/${ref}/cancel`);
    const query = new URLSearchParams(r.url.split('?')[1] ?? '');
    return (
      query.get('action') === 'setStatus' && query.get('id') === ref && query.get('status') === '8'
    );
  });
}
