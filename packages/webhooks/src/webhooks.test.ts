import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '@numbroker/store';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from './dispatcher.js';
import { nextAttemptAt } from './schedule.js';
import { WebhookSecretBox } from './secret-box.js';
import { sendWebhook } from './sender.js';
import { checkWebhookUrl, isPublicAddress, parseWebhookUrl } from './url-guard.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real receiver on loopback that verifies every request with the standardwebhooks library
 *  and answers what `answer` says. */
async function receiver(secret: string, answer: (body: string) => number | 'hang' = () => 204) {
  const verified: Received[] = [];
  const rejected: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        verified.push({ headers: req.headers, body });
      } catch (error) {
        rejected.push((error as Error).message);
      }
      const status = answer(body);
      if (status === 'hang') return; // never answers
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    verified,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('url guard', () => {
  it('only public unicast addresses pass', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fc00::1',
      '::ffff:127.0.0.1',
      '224.0.0.1',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });

  it('refuses other schemes, credentials and private hosts (resolved too) unless allowed', async () => {
    expect(() => parseWebhookUrl('ftp://example.com/')).toThrow(/http or https/);
    expect(() => parseWebhookUrl('https://user:pw@example.com/')).toThrow(/credentials/);
    expect(() => parseWebhookUrl('not a url')).toThrow(/not a valid URL/);
    await expect(
      checkWebhookUrl('http://127.0.0.1:8080/x', { allowPrivate: false }),
    ).rejects.toThrow(/private or loopback/);
    await expect(checkWebhookUrl('http://[::1]/x', { allowPrivate: false })).rejects.toThrow(
      /private or loopback/,
    );
    // A name that resolves to loopback is refused as well.
    await expect(checkWebhookUrl('http://localhost/x', { allowPrivate: false })).rejects.toThrow(
      /private or loopback/,
    );
    await expect(
      checkWebhookUrl('http://127.0.0.1:8080/x', { allowPrivate: true }),
    ).resolves.toBeInstanceOf(URL);
  });
});

describe('secret box', () => {
  it('seals and opens; another key cannot open, and the sealed form never shows the secret', () => {
    const secret = WebhookSecretBox.generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const box = new WebhookSecretBox('key material one');
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.open(sealed)).toBe(secret);
    expect(() => new WebhookSecretBox('key material two').open(sealed)).toThrow(/another key/);
  });
});

describe('schedule', () => {
  it('is the Svix-like schedule, then spent', () => {
    const now = new Date(0);
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map(
      (step) => nextAttemptAt(step, now)?.getTime() ?? null,
    );
    expect(delays).toEqual([
      5_000,
      300_000,
      1_800_000,
      7_200_000,
      18_000_000,
      36_000_000,
      36_000_000,
      null,
    ]);
  });
});

describe('sending one attempt', () => {
  const secret = WebhookSecretBox.generateSecret();
  let hook: Awaited<ReturnType<typeof receiver>> | undefined;
  afterEach(async () => hook?.close());

  it('signs per Standard Webhooks: a real receiver verifies it', async () => {
    hook = await receiver(secret);
    const result = await sendWebhook({
      url: hook.url,
      messageId: 'msg_1',
      body: '{"a":1}',
      secret,
      timeoutMs: 5000,
      allowPrivate: true,
    });
    expect(result).toEqual({ delivered: true, statusCode: 204, error: null });
    expect(hook.verified).toHaveLength(1);
    expect(hook.verified[0]!.headers['webhook-id']).toBe('msg_1');
    expect(hook.rejected).toEqual([]);
  });

  it('a loopback receiver is refused when private URLs are not allowed, before any request', async () => {
    hook = await receiver(secret);
    const result = await sendWebhook({
      url: hook.url,
      messageId: 'msg_2',
      body: '{}',
      secret,
      timeoutMs: 5000,
      allowPrivate: false,
    });
    expect(result.delivered).toBe(false);
    expect(result.error).toMatch(/private or loopback/);
    expect(hook.verified).toHaveLength(0);
    const byName = await sendWebhook({
      url: hook.url.replace('127.0.0.1', 'localhost'),
      messageId: 'msg_3',
      body: '{}',
      secret,
      timeoutMs: 5000,
      allowPrivate: false,
    });
    expect(byName.error).toMatch(/private or loopback/);
    expect(hook.verified).toHaveLength(0);
  });

  it('a non-2xx or no answer in time is a failure', async () => {
    let mode: 500 | 'hang' = 500;
    hook = await receiver(secret, () => mode);
    expect(
      await sendWebhook({
        url: hook.url,
        messageId: 'm',
        body: '{}',
        secret,
        timeoutMs: 5000,
        allowPrivate: true,
      }),
    ).toEqual({
      delivered: false,
      statusCode: 500,
      error: 'HTTP 500',
    });
    mode = 'hang';
    const hung = await sendWebhook({
      url: hook.url,
      messageId: 'm',
      body: '{}',
      secret,
      timeoutMs: 300,
      allowPrivate: true,
    });
    expect(hung).toMatchObject({
      delivered: false,
      statusCode: null,
      error: 'no answer within 300 ms',
    });
  });
});

describe('dispatcher over a real store', () => {
  let dir: string;
  let store: Store;
  const box = new WebhookSecretBox('dispatcher test key material');
  const logger = pino({ level: 'silent' });
  const ADMIN = { id: 'admin', name: 'admin' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nb-webhooks-'));
    store = await Store.open(`sqlite:${join(dir, 'db.sqlite')}`, { currency: 'IRT' });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a hanging endpoint never delays another user’s, and failures follow the schedule to FAILED', async () => {
    const secretA = WebhookSecretBox.generateSecret();
    const secretB = WebhookSecretBox.generateSecret();
    const dead = await receiver(secretA, () => 'hang');
    const alive = await receiver(secretB);
    const a = await store.users.createUser({ name: 'a' });
    const b = await store.users.createUser({ name: 'b' });
    for (const [user, hook, secret] of [
      [a.user, dead, secretA],
      [b.user, alive, secretB],
    ] as const) {
      await store.users.creditWallet({ userId: user.id, amountMinor: 100_000n, reference: 'seed' });
      await store.webhooks.createEndpoint({
        userId: user.id,
        url: hook.url,
        events: ['order.updated'],
        secretSealed: box.seal(secret),
        actor: ADMIN,
        now: new Date(0),
      });
    }
    const dispatcher = new WebhookDispatcher(
      {
        workerId: 'test',
        allowPrivateUrls: true,
        timeoutMs: 3000,
        retryScheduleSeconds: [0],
        maxConcurrentPerEndpoint: 2,
        maxConcurrent: 50,
        pollIntervalMs: 50,
      },
      { store: store.webhooks, secrets: box, logger },
    );
    const buy = (userId: string, n: number) =>
      store.orders.createPendingOrder({
        userId,
        service: 'telegram',
        country: 'RU',
        providerId: 'p',
        priceMinor: 10n,
        currency: 'IRT',
        ttlSeconds: 600,
        idempotencyKey: `k${n}`,
      });
    // Four events for the dead endpoint first, then three for the live one.
    for (let n = 0; n < 4; n += 1) await buy(a.user.id, n);
    for (let n = 0; n < 3; n += 1) await buy(b.user.id, 100 + n);
    dispatcher.start();
    try {
      await until('the live endpoint got its three', () => alive.verified.length === 3);
      // Not one of the dead endpoint's attempts has even timed out yet: nobody waited for it.
      const [endpointA] = await store.webhooks.listEndpoints(a.user.id);
      const meanwhile = await store.webhooks.listDeliveries({
        endpointId: endpointA!.id,
        first: 100,
      });
      expect(meanwhile.items.map((d) => d.attempts)).toEqual([0, 0, 0, 0]);
      expect(alive.rejected).toEqual([]);
      expect(
        new Set(alive.verified.map((r) => (JSON.parse(r.body) as { type: string }).type)),
      ).toEqual(new Set(['order.updated']));
      // The dead one: 2 attempts each (first + 1 retry), then FAILED and visible.
      await until(
        'the dead endpoint’s deliveries to end FAILED',
        async () =>
          (
            await store.webhooks.listDeliveries({
              endpointId: endpointA!.id,
              status: 'FAILED',
              first: 100,
            })
          ).items.length === 4,
        60_000,
      );
      const failed = await store.webhooks.listDeliveries({ endpointId: endpointA!.id, first: 100 });
      expect(
        failed.items.every((d) => d.attempts === 2 && d.lastError?.includes('no answer')),
      ).toBe(true);
    } finally {
      await dispatcher.stop();
      await dead.close();
      await alive.close();
    }
  }, 90_000);
});
