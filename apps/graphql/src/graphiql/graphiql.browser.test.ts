import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { findGraphiqlDist } from './serve-graphiql.js';

const CHROMIUM = '/usr/bin/chromium';

// CI installs Debian's chromium (.ci/run); the GraphiQL build comes from @numbroker/graphiql.
describe('GraphiQL in headless Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let user: { id: string; apiKey: string };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    if (!findGraphiqlDist())
      throw new Error('GraphiQL is not built: pnpm --filter @numbroker/graphiql build');
    t = await startTestServer({ adapters: [new ScriptedAdapter('alpha')] });
    await t.stockOffers('alpha', [{ service: 'telegram', country: 'RU', cost: '1000' }]);
    user = await t.createFundedUser('browser', '10000');
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
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('loads from this server only, runs a subscription, and shows a code delivered meanwhile', async () => {
    const bought = await t.request<{ buyNumber: { id: string } }>(
      'mutation { buyNumber(input: { service: "telegram", country: "RU" }) { id } }',
      {},
      user.apiKey,
    );
    const orderId = bought.data!.buyNumber.id;
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (
        !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) &&
        !['data:', 'blob:'].includes(url.protocol)
      ) {
        foreign.push(request.url());
      }
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    const query = `subscription { smsReceived(orderId: "${orderId}") { code order { id } } }`;
    await page.goto(
      `${t.server.graphqlUrl}?key=${encodeURIComponent(user.apiKey)}&query=${encodeURIComponent(query)}`,
    );
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    // The key left the address bar but is in the field, for HTTP and WebSocket alike.
    expect(page.url()).not.toContain(user.apiKey);
    expect(await page.locator('#nb-api-key').inputValue()).toBe(user.apiKey);

    // Monaco fills the editor after the page renders: run only once the operation is there.
    await page
      .locator('.graphiql-query-editor')
      .getByText('smsReceived')
      .first()
      .waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-execute-button').click();
    try {
      await waitFor(
        async () => ((await t.server.metrics.openSubscriptions.get()).values[0]?.value ?? 0) >= 1,
      );
    } catch (error) {
      const pane = await page.locator('.graphiql-response').innerText();
      throw new Error(`the subscription did not start; response pane: ${pane}`, { cause: error });
    }
    await t.store.orders.applyOrderCommand(
      orderId,
      { type: 'CODE_RECEIVED' },
      { sms: { code: '424242', text: 'Your code is 424242' } },
    );
    await page
      .locator('.graphiql-response')
      .getByText('424242')
      .first()
      .waitFor({ timeout: 20_000 });

    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
