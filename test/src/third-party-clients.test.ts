import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HeroSMSClient } from 'hero-sms';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/async-queue.js';
import { getOrder } from './support/orders.js';
import { useStack } from './support/lifecycle.js';
import type { Stack, TestUser } from './support/stack.js';

/**
 * Unmodified SMS-Activate clients from npm, pointed at numbroker's /stubs/handler_api.php the
 * way a bot author would: `sms-activate` (its base URL is fixed to sms-activate.ru, so its own
 * example runs as published behind an HTTP proxy variable aimed at numbroker) and `hero-sms`
 * (its `baseUrl` option, running its README's quick start and the reference calls).
 */
const WAIT_MS = 30_000;

describe('third-party SMS-Activate clients against numbroker (sqlite)', () => {
  const stackOf = useStack({
    database: 'sqlite',
    providers: [
      {
        id: 'sa',
        kind: 'smsactivate',
        offers: [
          { service: 'yandex', country: 'UA', cost: '10', stock: 20 },
          { service: 'telegram', country: 'KZ', cost: '12.50', stock: 20 },
        ],
      },
    ],
  });

  /** The user's newest order, once it has its upstream activation. */
  const newestOrder = async (stack: Stack, user: TestUser) =>
    eventually(
      'the order to be ACTIVE',
      async () => {
        const { orders } = await stack.gql<{
          orders: { nodes: Array<{ id: string; status: string }> };
        }>(user.apiKey, '{ orders(first: 1) { nodes { id status } } }');
        const order = orders.nodes[0];
        if (!order || order.status !== 'ACTIVE') return undefined;
        return order;
      },
      { timeoutMs: WAIT_MS },
    );

  it('sms-activate@1.0.1: its examples/getNumberAndCode.js gets a number and the code', async () => {
    const stack = stackOf();
    const user = await stack.createUser('100000');
    const require = createRequire(import.meta.url);
    const example = join(
      dirname(require.resolve('sms-activate/package.json')),
      'examples/getNumberAndCode.js',
    );
    const proxy = `http://127.0.0.1:${stack.server.port}`;
    const child = spawn(process.execPath, [example], {
      env: {
        PATH: process.env.PATH ?? '',
        SMS_TOKEN: user.apiKey,
        http_proxy: proxy,
        HTTP_PROXY: proxy,
        no_proxy: '',
        NO_PROXY: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      await eventually(
        'the example to print its number',
        () => /Number: \d+, Order Id: \d+/.test(output),
        {
          timeoutMs: WAIT_MS,
        },
      );
      const order = await newestOrder(stack, user);
      stack.sim('sa').deliverSms(await stack.upstreamRefOf(order.id), 'Yandex code: 4242');
      await eventually(
        'the example to print the code',
        () => output.includes('code received: 4242'),
        {
          timeoutMs: WAIT_MS,
        },
      );
      // The example finishes the activation (setStatus 6) after printing the code.
      await eventually(
        'the order to be COMPLETED',
        async () => {
          const seen = await getOrder(stack, user.apiKey, order.id);
          return seen.status === 'COMPLETED' ? seen : undefined;
        },
        { timeoutMs: WAIT_MS },
      );
    } catch (error) {
      throw new Error(`${String(error)}\n--- example output ---\n${output}`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("hero-sms@2.0.0: its README's quick start, then every reference call it offers", async () => {
    const stack = stackOf();
    const user = await stack.createUser('100000');
    const client = new HeroSMSClient({
      apiKey: user.apiKey,
      baseUrl: `${stack.server.baseUrl}/stubs/handler_api.php`,
    });

    expect(await client.getBalance()).toBe(100000);
    const { activationId, phoneNumber } = await client.getNumber({ service: 'tg', country: 2 });
    expect(phoneNumber).toMatch(/^7\d{10}$/);
    await client.markReady(activationId);
    expect(await client.getStatus(activationId)).toEqual({ status: 'STATUS_WAIT_CODE' });
    const order = await newestOrder(stack, user);
    stack.sim('sa').deliverSms(await stack.upstreamRefOf(order.id), 'Telegram code: 77123');
    const status = await eventually(
      'STATUS_OK',
      async () => {
        const seen = await client.getStatus(activationId);
        return seen.status === 'STATUS_OK' ? seen : undefined;
      },
      { timeoutMs: WAIT_MS },
    );
    expect(status.code).toBe('77123');
    expect(await client.getStatusV2(activationId)).toMatchObject({
      verificationType: 0,
      sms: { code: '77123' },
    });
    await client.complete(activationId);
    expect((await getOrder(stack, user.apiKey, order.id)).status).toBe('COMPLETED');

    // A V2 purchase, listed as active, then cancelled (legacy and current status codes).
    const v2 = await client.getNumberV2({ service: 'tg', country: 2 });
    expect(String(v2.activationId)).toMatch(/^\d+$/);
    expect(v2.canGetAnotherSms).toBe(true);
    const active = (await client.getActiveActivations()) as unknown as {
      activeActivations: Array<{ activationId: number }>;
    };
    expect(active.activeActivations.map((row) => String(row.activationId))).toContain(
      String(v2.activationId),
    );
    expect(await client.cancel(Number(v2.activationId))).toBe('ACCESS_CANCEL');
    expect(await client.getStatus(Number(v2.activationId))).toEqual({ status: 'STATUS_CANCEL' });

    const history = await client.getHistory({});
    expect(history.map((row) => String(row.id))).toEqual([
      String(v2.activationId),
      String(activationId),
    ]);
    expect((await client.getCountries())['2']).toMatchObject({ id: 2, eng: 'Kazakhstan' });
    expect((await client.getServicesList({ country: 2 })).services).toEqual([
      { code: 'tg', name: 'Telegram' },
    ]);
    expect((await client.getPrices({ service: 'tg', country: 2 }))['2']?.['tg']).toMatchObject({
      cost: 15000,
    });
    // The simulator lists Kazakhstan's operators; they are sold as operator offers.
    const operators = await client.getOperators(2);
    expect(operators.status).toBe('success');
    expect(operators.countryOperators['2']?.length).toBeGreaterThan(0);
    expect(await client.getBalance()).toBe(100000 - 15000);
  });
});
