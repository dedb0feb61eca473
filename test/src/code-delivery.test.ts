import { describe, expect, it } from 'vitest';
import { eventually } from './support/async-queue.js';
import {
  buyNumber,
  FINISH_ORDER,
  getOrder,
  irt,
  ORDER_UPDATED,
  priceOf,
  SMS_RECEIVED,
  walletOf,
  type OrderUpdatedEvent,
  type OrderView,
  type SmsReceivedEvent,
} from './support/orders.js';
import { useStack } from './support/lifecycle.js';

const WAIT_MS = 20_000;

describe.each(['sqlite', 'postgres'] as const)('a code reaches the subscriber (%s)', (database) => {
  const stackOf = useStack({
    database,
    providers: [
      {
        id: 'sa',
        kind: 'smsactivate',
        offers: [{ service: 'telegram', country: 'RU', cost: '12.50', stock: 50 }],
      },
    ],
  });

  it('buy, SMS at the simulator, code over graphql-ws; the price is held then captured exactly, the SMS stored once', async () => {
    const stack = stackOf();
    const user = await stack.createUser('100000');
    const offers = await stack.gql<{
      offers: Array<{ provider: string; operator: string | null; price: { amount: string } }>;
    }>(
      user.apiKey,
      '{ offers(service: "telegram", country: "RU") { provider operator price { amount } } }',
    );
    // 12.50 RUB at 1200 IRT per RUB, no markup; the host's operators are sold at that price too.
    expect(offers.offers.filter((o) => o.operator === null)).toEqual([
      { provider: 'sa', operator: null, price: { amount: '15000' } },
    ]);
    expect(new Set(offers.offers.map((o) => `${o.provider} ${o.price.amount}`))).toEqual(
      new Set(['sa 15000']),
    );

    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    expect(order).toMatchObject({
      status: 'ACTIVE',
      provider: 'sa',
      service: 'telegram',
      country: 'RU',
    });
    expect(order.phoneNumber).toMatch(/^\+7\d{10}$/);
    const price = priceOf(order);
    expect(price.format()).toBe('15000');

    const held = await walletOf(stack, user.apiKey);
    expect(held.balance.format()).toBe(irt('100000').minus(price).format());
    expect(held.held.format()).toBe(price.format());

    // Subscribed after the buy: `after: "0"` replays what came before, so nothing is missed.
    const socket = stack.connect(user.apiKey);
    await socket.ready();
    const updates = socket.subscribe<OrderUpdatedEvent>(ORDER_UPDATED, {
      id: order.id,
      after: '0',
    });
    const codes = socket.subscribe<SmsReceivedEvent>(SMS_RECEIVED, {
      orderId: order.id,
      after: '0',
    });
    // The replay tells the history as it happened: each event with the order as it was then.
    const created = await updates.nextData('the replayed ORDER_CREATED event', WAIT_MS);
    expect(created.orderUpdated).toMatchObject({
      type: 'ORDER_CREATED',
      order: { id: order.id, status: 'PENDING' },
    });
    const active = await updates.nextData('the replayed ORDER_ACTIVE event', WAIT_MS);
    expect(active.orderUpdated).toMatchObject({
      type: 'ORDER_ACTIVE',
      order: { id: order.id, status: 'ACTIVE' },
    });

    const ref = await stack.upstreamRefOf(order.id);
    const sim = stack.sim('sa');
    expect(sim.activation(ref)?.phoneNumber).toBe(order.phoneNumber);
    sim.deliverSms(ref, 'Telegram code: 52871. Do not give this code to anyone');
    const deliveredAt = Date.now();

    const sms = await codes.nextData('the code on smsReceived', WAIT_MS);
    expect(sms.smsReceived).toMatchObject({
      code: '52871',
      order: { id: order.id, status: 'CODE_RECEIVED', smsCode: '52871' },
    });
    const received = await updates.nextData(
      'CODE_RECEIVED on orderUpdated',
      WAIT_MS,
      (e) => e.orderUpdated.order.status === 'CODE_RECEIVED',
    );
    expect(received.orderUpdated.order.smsCode).toBe('52871');

    const captured = await walletOf(stack, user.apiKey);
    expect(captured.balance.format()).toBe(irt('100000').minus(price).format());
    expect(captured.held.format()).toBe('0');

    // The worker keeps asking about the order after its code: let it see the same SMS twice more.
    const statusCallsSince = () =>
      sim.requests.filter(
        (r) =>
          r.at > deliveredAt &&
          (r.url.includes('action=getActiveActivations') ||
            (r.url.includes('action=getStatus') && r.url.includes(`id=${ref}`))),
      ).length;
    const seenAtCode = statusCallsSince();
    await eventually(
      'two more status checks of the order',
      () => statusCallsSince() >= seenAtCode + 2,
    );

    const finished = await stack.gql<{ finishOrder: OrderView }>(user.apiKey, FINISH_ORDER, {
      id: order.id,
    });
    expect(finished.finishOrder.status).toBe('COMPLETED');
    await updates.nextData(
      'COMPLETED on orderUpdated',
      WAIT_MS,
      (e) => e.orderUpdated.order.status === 'COMPLETED',
    );

    const final = await getOrder(stack, user.apiKey, order.id);
    expect(final.messages).toHaveLength(1);
    expect(final.messages[0]).toMatchObject({ code: '52871' });
    // getStatus carries only the code (STATUS_OK:52871); where a text came, it is the SMS.
    const text = final.messages[0]?.text;
    if (text != null) expect(text).toContain('52871');
    expect(
      updates.received.map((e) => e.orderUpdated.type).filter((t) => t === 'SMS_RECEIVED'),
    ).toHaveLength(1);
    expect(codes.received).toHaveLength(1);
    expect(sim.activation(ref)?.state).toBe('finished');

    const after = await walletOf(stack, user.apiKey);
    expect(after.balance.format()).toBe(irt('100000').minus(price).format());
    expect(after.held.format()).toBe('0');
  });
});
