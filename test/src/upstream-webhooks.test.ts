import { SmsActivateSimulator } from '@numbroker/providers';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/async-queue.js';
import { useStack } from './support/lifecycle.js';
import { buyNumber, getOrder, SMS_RECEIVED, type SmsReceivedEvent } from './support/orders.js';

const SECRET = 'e2e-webhook-secret-0123456789';
/** Far above what the test waits: a code seen in time came by the webhook, not by a poll. */
const POLL_INTERVAL_MS = 60_000;

describe.each(['sqlite', 'postgres'] as const)('upstream SMS webhooks (%s)', (database) => {
  const simulator = new SmsActivateSimulator();
  const stackOf = useStack({
    database,
    pollIntervalMs: POLL_INTERVAL_MS,
    providers: [
      {
        id: 'sa',
        kind: 'smsactivate',
        instance: simulator,
        webhookSecret: SECRET,
        offers: [{ service: 'telegram', country: 'RU', cost: '12.50', stock: 50 }],
      },
    ],
  });

  it('the simulator pushes the SMS, the server stores it once and the subscriber has it at once', async () => {
    const stack = stackOf();
    simulator.setWebhookUrl(`${stack.server.baseUrl}/webhooks/upstream/sa/${SECRET}`);
    const user = await stack.createUser('100000');
    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    const socket = stack.connect(user.apiKey);
    await socket.ready();
    const codes = socket.subscribe<SmsReceivedEvent>(SMS_RECEIVED, {
      orderId: order.id,
      after: '0',
    });

    const pushedBefore = simulator.webhooksDelivered;
    simulator.deliverSms(await stack.upstreamRefOf(order.id), 'Telegram code: 31415');
    const started = Date.now();
    const event = await codes.nextData('the pushed code', 10_000);
    expect(event.smsReceived.code).toBe('31415');
    // Well inside one poll interval: the push, not a poll, brought it.
    expect(Date.now() - started).toBeLessThan(POLL_INTERVAL_MS / 2);
    await eventually(
      'the simulator to see its webhook answered',
      () => simulator.webhooksDelivered > pushedBefore,
    );
    const seen = await getOrder(stack, user.apiKey, order.id);
    expect(seen.status).toBe('CODE_RECEIVED');
    const store = await stack.store();
    expect(await store.orders.messages(order.id)).toHaveLength(1);
  });
});
