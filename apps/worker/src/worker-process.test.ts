import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@numbroker/config';
import { SmsActivateSimulator } from '@numbroker/providers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
import { WorkerMetrics } from './metrics.js';
import { newWorkerId, startWorker } from './worker-process.js';

function captureLogs(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createLogger', () => {
  it('censors keys, tokens and database URLs wherever they sit', () => {
    const { lines, stream } = captureLogs();
    const logger = createLogger({ destination: stream });
    logger.info(
      {
        apiKey: 'sk-top-secret-1',
        provider: { id: 'man', apiKey: 'sk-top-secret-2' },
        config: {
          database: 'postgres://u:pw-top-secret-3@db/x',
          providers: [{ apiKey: 'sk-top-secret-4' }],
        },
        headers: { authorization: 'Bearer top-secret-5' },
      },
      'hello',
    );
    const text = lines.join('\n');
    expect(text).toContain('hello');
    expect(text).not.toMatch(/top-secret/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ apiKey: '[redacted]', name: 'numbroker-worker' });
  });
});

describe('newWorkerId', () => {
  it('is unique per call and names the host and pid', () => {
    const a = newWorkerId();
    expect(a).toContain(`:${process.pid}:`);
    expect(newWorkerId()).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(128);
  });
});

describe('WorkerMetrics.serve', () => {
  it('serves the Prometheus text on /metrics', async () => {
    const metrics = new WorkerMetrics();
    metrics.codes.inc({ provider: 'sa' }, 2);
    const server = await metrics.serve(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('numbroker_worker_codes_total{provider="sa"} 2');
      expect(text).toContain('numbroker_worker_polls_total');
      expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('startWorker', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('opens the database, syncs the catalog at once, serves metrics, and stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nb-worker-process-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const sim = new SmsActivateSimulator();
    await sim.start(0, '127.0.0.1');
    cleanups.push(() => sim.stop());
    const metricsPort = await freePort();
    const config = parseConfig({
      database: `sqlite:${join(dir, 'worker.sqlite')}`,
      pollIntervalMs: 200,
      catalogSyncSeconds: 3600,
      workerMetricsPort: metricsPort,
      providers: [{ id: 'sa', kind: 'smsactivate', baseUrl: sim.baseUrl, apiKey: sim.apiKey }],
    });
    const { lines, stream } = captureLogs();
    const running = await startWorker(config, {
      logger: createLogger({ destination: stream, level: 'debug' }),
      metricsHost: '127.0.0.1',
    });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await running.stop();
    });

    expect(running.metricsPort).toBe(metricsPort);
    await vi.waitFor(
      async () => expect((await running.store.providers.get('sa'))?.balance?.minor).toBe(100_000n),
      { timeout: 10_000, interval: 25 },
    );
    expect((await running.store.offers.offersOf(['sa'])).length).toBeGreaterThan(0);
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toContain('numbroker_worker_upstream_seconds');

    await running.stop();
    stopped = true;
    await running.stop(); // twice is fine
    expect(running.store.isOpen).toBe(false);
    const log = lines.join('\n');
    expect(log).toContain('worker');
    expect(log).toContain('leases released');
    expect(log).not.toContain(sim.apiKey);
  });
});
