import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/async-queue.js';
import { useStack } from './support/lifecycle.js';
import { buyNumber } from './support/orders.js';

/** A lease of a delivery killed mid-attempt lapses after the attempt timeout + 30 s. */
const LEASE_LAPSE_WAIT_MS = 90_000;
const TELEGRAM_RU = { service: 'telegram', country: 'RU', cost: '12.50', stock: 50 };

interface Hit {
  id: string;
  body: {
    type: string;
    timestamp: string;
    data: { eventId: string; event: string; code?: string; order: { id: string; status: string } };
  };
}

/** A customer's real receiver: verifies every request with the standardwebhooks library. */
class Receiver {
  readonly verified: Hit[] = [];
  readonly rejected: string[] = [];
  /** What the next requests get: a status, or 'hang' (never answered). */
  answer: number | 'hang' = 204;
  private secret = '';
  private readonly server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        const body = new Webhook(this.secret).verify(
          raw,
          req.headers as Record<string, string>,
        ) as Hit['body'];
        this.verified.push({ id: String(req.headers['webhook-id']), body });
      } catch (error) {
        this.rejected.push((error as Error).message);
      }
      if (this.answer !== 'hang') res.writeHead(this.answer).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/numbroker`;
  }
  setSecret(secret: string): void {
    this.secret = secret;
  }
  of(type: string, orderId: string): Hit[] {
    return this.verified.filter(
      (hit) => hit.body.type === type && hit.body.data.order.id === orderId,
    );
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const CREATE = `mutation($url: String!, $events: [String!]) {
  createWebhookEndpoint(input: { url: $url, events: $events }) { endpoint { id url events enabled } secret }
}`;
const DELIVERIES = `query($id: ID!) { webhookDeliveries(endpointId: $id, first: 100) {
  nodes { id eventId type status attempts lastStatusCode } } }`;
type Deliveries = {
  webhookDeliveries: {
    nodes: Array<{
      id: string;
      eventId: string;
      type: string;
      status: string;
      attempts: number;
      lastStatusCode: number | null;
    }>;
  };
};

describe.each(['sqlite', 'postgres'] as const)('customer webhooks end to end (%s)', (database) => {
  const stackOf = useStack({
    database,
    providers: [{ id: 'sa', kind: 'smsactivate', offers: [TELEGRAM_RU] }],
    // Compressed schedule: an attempt waits 2 s for its answer, retries after 1 s.
    webhooks: { timeoutMs: 2000, retryScheduleSeconds: [1, 1, 1, 1, 1] },
  });
  const mine = new Receiver();
  const theirs = new Receiver();
  let mineUrl = '';
  let theirsUrl = '';
  beforeAll(async () => {
    mineUrl = await mine.start();
    theirsUrl = await theirs.start();
  });
  afterAll(async () => {
    await mine.close();
    await theirs.close();
  });

  it('signed sms.received and order.updated reach only the owner, retried with a stable webhook-id, and survive kill -9 of the worker', async () => {
    const stack = stackOf();
    const user = await stack.createUser('50000');
    const other = await stack.createUser('50000');

    // SSRF: a loopback URL is accepted only because this config allows private URLs; a bad
    // scheme never is.
    const ftp = await stack.gqlRaw(user.apiKey, CREATE, { url: 'ftp://127.0.0.1/x' });
    expect(ftp.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const created = await stack.gql<{
      createWebhookEndpoint: { endpoint: { id: string; events: string[] }; secret: string };
    }>(user.apiKey, CREATE, { url: mineUrl });
    const endpoint = created.createWebhookEndpoint;
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(endpoint.endpoint.events).toEqual(['sms.received', 'order.updated']);
    mine.setSecret(endpoint.secret);
    const theirsCreated = await stack.gql<{ createWebhookEndpoint: { secret: string } }>(
      other.apiKey,
      CREATE,
      { url: theirsUrl },
    );
    theirs.setSecret(theirsCreated.createWebhookEndpoint.secret);
    // Another user cannot read this endpoint's deliveries.
    const foreign = await stack.gqlRaw(other.apiKey, DELIVERIES, { id: endpoint.endpoint.id });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // The receiver fails at first: the deliveries are retried with the same webhook-id.
    mine.answer = 500;
    const order = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    await eventually(
      'two attempts of order.updated (ACTIVE)',
      () =>
        mine.of('order.updated', order.id).filter((h) => h.body.data.event === 'ORDER_ACTIVE')
          .length >= 2,
      { timeoutMs: 30_000 },
    );
    mine.answer = 204;
    const ref = await stack.upstreamRefOf(order.id);
    stack.sim('sa').deliverSms(ref, 'Your Telegram code is 44871');
    const sms = await eventually(
      'a verified sms.received',
      () => mine.of('sms.received', order.id)[0],
      { timeoutMs: 30_000 },
    );
    expect(sms.body.data).toMatchObject({
      code: '44871',
      order: { id: order.id, status: 'CODE_RECEIVED' },
    });
    const active = mine
      .of('order.updated', order.id)
      .filter((h) => h.body.data.event === 'ORDER_ACTIVE');
    expect(new Set(active.map((h) => h.id)).size).toBe(1);
    expect(mine.rejected).toEqual([]);
    await eventually(
      'ACTIVE delivered',
      async () => {
        const data = await stack.gql<Deliveries>(user.apiKey, DELIVERIES, {
          id: endpoint.endpoint.id,
        });
        const row = data.webhookDeliveries.nodes.find(
          (d) => d.type === 'order.updated' && active[0]!.id === `msg_${d.id}`,
        );
        return row?.status === 'DELIVERED' && row.attempts >= 3 ? row : false;
      },
      { timeoutMs: 30_000 },
    );

    // kill -9 of the delivering process in the middle of an attempt.
    mine.answer = 'hang';
    await stack.gql(user.apiKey, `mutation($id: ID!) { finishOrder(id: $id) { status } }`, {
      id: order.id,
    });
    const hung = await eventually(
      'the COMPLETED attempt in flight',
      () => mine.of('order.updated', order.id).find((h) => h.body.data.event === 'ORDER_COMPLETED'),
      { timeoutMs: 30_000 },
    );
    const worker = stack.workers.at(-1)!;
    await worker.kill9();
    expect((await worker.exited()).signal).toBe('SIGKILL');
    // An event while no worker runs: it waits in the outbox.
    const second = await buyNumber(stack, user.apiKey, { service: 'telegram', country: 'RU' });
    mine.answer = 204;
    stack.startWorker();
    await eventually(
      'the event made while the worker was dead',
      () => mine.of('order.updated', second.id).some((h) => h.body.data.event === 'ORDER_ACTIVE'),
      { timeoutMs: 30_000 },
    );
    // The attempt the kill cut short is sent again once its lease lapses: same id, delivered.
    await eventually(
      'the killed attempt sent again',
      () => mine.of('order.updated', order.id).filter((h) => h.id === hung.id).length >= 2,
      { timeoutMs: LEASE_LAPSE_WAIT_MS },
    );
    await eventually(
      'COMPLETED delivered',
      async () => {
        const data = await stack.gql<Deliveries>(user.apiKey, DELIVERIES, {
          id: endpoint.endpoint.id,
        });
        return (
          data.webhookDeliveries.nodes.find((d) => `msg_${d.id}` === hung.id)?.status ===
          'DELIVERED'
        );
      },
      { timeoutMs: 30_000 },
    );

    // Only the owner's events went to the owner; the other user's endpoint heard nothing of them.
    expect(
      theirs.verified.filter(
        (h) => h.body.data.order.id === order.id || h.body.data.order.id === second.id,
      ),
    ).toEqual([]);
    expect(mine.rejected).toEqual([]);
  }, 240_000);
});
