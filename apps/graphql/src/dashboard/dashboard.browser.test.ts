import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Money } from '@numbroker/core';
import { WebhookDispatcher } from '@numbroker/webhooks';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { ADMIN_KEY, startTestServer, type TestServer } from '../test-support/test-server.js';
import { findDashboardDist } from './serve-dashboard.js';

const CHROMIUM = '/usr/bin/chromium';
// Set DASHBOARD_SCREENSHOTS=dir to keep a PNG of every page (to look at them by eye).
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS;

// CI installs Debian's chromium (.ci/run); the build comes from @numbroker/dashboard.
describe('the dashboard at /admin in headless Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let page: Page;
  let user: { id: string; apiKey: string };
  let receiver: http.Server;
  let dispatcher: WebhookDispatcher;
  // The customer's webhook receiver: down (HTTP 500) until the test brings it up.
  let receiverUp = false;
  const received: string[] = [];
  const foreign: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    if (!findDashboardDist())
      throw new Error('the dashboard is not built: pnpm --filter @numbroker/dashboard build');
    t = await startTestServer({
      adapters: [new ScriptedAdapter('alpha'), new ScriptedAdapter('beta')],
      config: { webhooks: { allowPrivateUrls: true } },
    });
    await t.stockOffers('alpha', [{ service: 'telegram', country: 'RU', cost: '1000' }]);
    await t.stockOffers('beta', [{ service: 'whatsapp', country: 'KZ', cost: '4000' }]);
    user = await t.createFundedUser('shop-bot', '100000');
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (receiverUp) received.push(String(req.headers['webhook-id']));
        res.writeHead(receiverUp ? 204 : 500).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const endpoint = await t.request(
      `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, events: ["sms.received"] }) { endpoint { id } } }`,
      { url: hook },
      user.apiKey,
    );
    if (endpoint.errors) throw new Error(JSON.stringify(endpoint.errors));
    // The worker's dispatcher, with no retries: a failed attempt is FAILED at once.
    dispatcher = new WebhookDispatcher(
      {
        workerId: 'dashboard-test',
        allowPrivateUrls: true,
        timeoutMs: 5000,
        retryScheduleSeconds: [],
        maxConcurrentPerEndpoint: 4,
        maxConcurrent: 16,
        pollIntervalMs: 100,
      },
      {
        store: t.store.webhooks,
        secrets: t.server.deps.webhookSecrets,
        logger: createLogger({ level: 'silent' }),
      },
    );
    dispatcher.start();
    // History for the charts: one sold telegram order, one sold whatsapp order, one cancelled.
    const sold = await buy('telegram', 'RU');
    await deliver(sold, '11111');
    await deliver(await buy('whatsapp', 'KZ'), '22222');
    const cancelled = await buy('telegram', 'RU');
    await t.request(`mutation { cancelOrder(id: "${cancelled}") { id } }`, {}, user.apiKey);
    // The operator's first alarm: alpha cannot pay for its cheapest offer any more.
    await t.store.providers.setBalance('alpha', Money.parse('600', 'IRT'));
    await t.store.providers.setBalance('beta', Money.parse('250000', 'IRT'));
    await t.server.deps.store.flush();

    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (
        !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) &&
        !['data:', 'blob:'].includes(url.protocol)
      ) {
        foreign.push(request.url());
      }
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dispatcher?.stop();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    await t?.close();
  });

  async function buy(service: string, country: string): Promise<string> {
    const bought = await t.request<{ buyNumber: { id: string } }>(
      `mutation { buyNumber(input: { service: "${service}", country: "${country}" }) { id } }`,
      {},
      user.apiKey,
    );
    if (!bought.data) throw new Error(JSON.stringify(bought.errors));
    return bought.data.buyNumber.id;
  }

  /** What the worker does when an SMS arrives: a transaction that writes the outbox event. */
  async function deliver(orderId: string, code: string) {
    await t.store.orders.applyOrderCommand(
      orderId,
      { type: 'CODE_RECEIVED' },
      { sms: { code, text: `Your code is ${code}` } },
    );
  }

  async function screenshot(name: string) {
    if (!SCREENSHOTS) return;
    // Charts animate in; let them settle before the picture.
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('refuses a wrong key with a clear error, then signs in with the admin key', async () => {
    await page.goto(`${t.server.url}/admin`);
    await page.getByTestId('admin-key').fill('not-the-admin-key');
    await page.getByTestId('sign-in').click();
    await expect
      .poll(() => page.getByTestId('sign-in-error').innerText(), { timeout: 20_000 })
      .toContain('refused');
    await screenshot('0-sign-in-refused');

    // A user key is not an admin key either, and says so.
    await page.getByTestId('admin-key').fill(user.apiKey);
    await page.getByTestId('sign-in').click();
    await expect
      .poll(() => page.getByTestId('sign-in-error').innerText(), { timeout: 20_000 })
      .toContain('user key');

    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('money-held').waitFor({ timeout: 30_000 });
    expect(await page.evaluate("sessionStorage.getItem('numbroker.adminKey')")).toBe(ADMIN_KEY);
    expect(page.url()).not.toContain(ADMIN_KEY);
  }, 60_000);

  it('shows today, money held and the low-balance alarm on the overview', async () => {
    await expect
      .poll(() => page.getByTestId('orders-today').innerText(), { timeout: 20_000 })
      .toContain('3');
    // telegram 1100 + whatsapp 4400 charged; nothing held any more.
    expect(await page.getByTestId('revenue-today').innerText()).toContain('5,500 IRT');
    expect(await page.getByTestId('margin-today').innerText()).toContain('500 IRT');
    expect(await page.getByTestId('money-held').innerText()).toContain('0 IRT');
    const alarm = page.getByTestId('low-balance-alarm');
    expect(await alarm.count()).toBe(1);
    expect(await alarm.innerText()).toContain('alpha');
    await screenshot('1-overview');
  }, 60_000);

  it('shows an order arrive and get its code live over the subscription', async () => {
    await page.goto(`${t.server.url}/admin#/orders`);
    await expect
      .poll(() => page.getByTestId('live-state').getAttribute('data-state'), { timeout: 20_000 })
      .toBe('live');
    await page.getByTestId('orders-table').getByText('11111').waitFor({ timeout: 20_000 });
    // Subscribed once the server counts the socket's subscription.
    await expect
      .poll(async () => (await t.server.metrics.openSubscriptions.get()).values[0]?.value ?? 0, {
        timeout: 20_000,
      })
      .toBeGreaterThanOrEqual(1);

    const orderId = await buy('telegram', 'RU');
    const row = page.getByTestId(`order-${orderId}`);
    await row.getByText('ACTIVE').waitFor({ timeout: 20_000 });
    await deliver(orderId, '424242');
    await row.getByText('424242').waitFor({ timeout: 20_000 });
    await row.getByText('CODE_RECEIVED').waitFor({ timeout: 20_000 });
    await screenshot('2-orders-live');
  }, 60_000);

  it('tops up a user and shows it in the audit log', async () => {
    await page.goto(`${t.server.url}/admin#/users`);
    const row = page.getByTestId('user-shop-bot');
    await row.waitFor({ timeout: 20_000 });
    await row.getByRole('button', { name: 'Top up' }).click();
    await page.getByTestId('wallet-amount').fill('25000');
    await screenshot('3-users-top-up');
    await page.getByTestId('wallet-submit').click();
    // 100000 − 1100 − 4400 − 1100 (the open order) + 25000.
    await expect
      .poll(() => row.getByTestId('user-balance').innerText(), { timeout: 20_000 })
      .toBe('118,400 IRT');
    await screenshot('3-users');

    await page.goto(`${t.server.url}/admin#/audit`);
    const audit = page.getByTestId('audit-table');
    await audit.getByText('25,000 IRT').first().waitFor({ timeout: 20_000 });
    expect(await audit.innerText()).toContain(user.id);
    await screenshot('5-audit');
  }, 60_000);

  it('shows the providers with breaker, balance, code rate and latency', async () => {
    await page.goto(`${t.server.url}/admin#/providers`);
    const table = page.getByTestId('providers-table');
    await table.getByText('beta').first().waitFor({ timeout: 20_000 });
    expect(await table.innerText()).toContain('250,000 IRT');
    await screenshot('4-providers');
  }, 60_000);

  it('lists failed webhook deliveries and sends one again', async () => {
    await page.goto(`${t.server.url}/admin#/webhooks`);
    const table = page.getByTestId('deliveries-table');
    // Two sms.received events (the history's codes), each tried once against a dead receiver.
    await expect
      .poll(() => table.getByText('FAILED').count(), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(2);
    await screenshot('6-webhooks-failed');
    receiverUp = true;
    const row = table.locator('tr', { hasText: 'FAILED' }).first();
    const rowId = await row.getAttribute('data-testid');
    await row.getByRole('button', { name: 'Retry' }).click();
    const retried = page.getByTestId(rowId!);
    await retried.getByText('DELIVERED', { exact: true }).waitFor({ timeout: 20_000 });
    expect(received).toHaveLength(1);
    expect(received[0]).toBe(`msg_${rowId!.replace('delivery-', '')}`);
    await screenshot('6-webhooks');
  }, 60_000);

  it('loaded nothing from another host and threw no page error', () => {
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
