import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, StopWaiting } from './support/async-queue.js';
import { runCli } from './support/cli.js';
import { useStack } from './support/lifecycle.js';
import { buyNumber } from './support/orders.js';
import { freePort } from '@numbroker/processes';
import { ManagedProcess, SERVER_MAIN } from './support/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'nb-restore-'));
const started: ManagedProcess[] = [];
afterAll(async () => {
  for (const child of started) await child.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ME = '{ me { id balance { amount } held { amount } } }';

/** docs/deployment.md's backup and restore, as an operator runs it, on a live database. */
describe('backup of a live SQLite database, restored', () => {
  const stackOf = useStack({
    database: 'sqlite',
    providers: [
      {
        id: 'sa',
        kind: 'smsactivate',
        offers: [{ service: 'telegram', country: 'RU', cost: '12.50', stock: 50 }],
      },
    ],
  });

  it('the restored database serves the same balances, holds and orders', async () => {
    const stack = stackOf();
    const users = [await stack.createUser('100000'), await stack.createUser('7000')];
    const order = await buyNumber(stack, users[0]!.apiKey, { service: 'telegram', country: 'RU' });
    const before = await Promise.all(users.map((user) => stack.gql(user.apiKey, ME)));
    expect(before[0]).toMatchObject({
      me: { balance: { amount: '85000' }, held: { amount: '15000' } },
    });

    // 1. Back up while the server and the worker run.
    const config = join(dir, 'live.json');
    writeFileSync(config, JSON.stringify({ database: stack.databaseUrl }));
    const backupFile = join(dir, 'numbroker-backup.sqlite');
    const backup = await runCli(['backup', '--to', backupFile, '--config', config]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);

    // 2. Restore: the copy becomes the database of a new installation (autoMigrate off: the
    //    copy's schema is current, nothing migrates), which then serves the same money.
    const restoredPath = join(dir, 'restored', 'numbroker.sqlite');
    mkdirSync(join(dir, 'restored'));
    copyFileSync(backupFile, restoredPath);
    const port = await freePort();
    const serverConfig = join(dir, 'restored.json');
    writeFileSync(
      serverConfig,
      JSON.stringify({
        database: `sqlite:${restoredPath}`,
        port,
        host: '127.0.0.1',
        adminApiKey: stack.adminKey,
        currency: 'IRT',
        autoMigrate: false,
        workerPort: null,
      }),
    );
    const server = ManagedProcess.start('restored-server', SERVER_MAIN, serverConfig);
    started.push(server);
    const base = `http://127.0.0.1:${port}`;
    await eventually(
      'the restored server to be ready',
      async () => {
        if (!server.running) throw new StopWaiting(`it exited:\n${server.recentOutput()}`);
        return (await fetch(`${base}/readyz`)).status === 200;
      },
      { timeoutMs: 60_000, everyMs: 100 },
    );
    for (const [index, user] of users.entries()) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.apiKey}` },
        body: JSON.stringify({ query: ME }),
      });
      expect(await response.json()).toEqual({ data: before[index] });
    }
    const restoredOrder = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${users[0]!.apiKey}` },
      body: JSON.stringify({ query: `{ order(id: "${order.id}") { id status } }` }),
    });
    expect(await restoredOrder.json()).toEqual({
      data: { order: { id: order.id, status: 'ACTIVE' } },
    });
  });
});
