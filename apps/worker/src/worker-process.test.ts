import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@numbroker/config';
import { freePort } from '@numbroker/processes';
import { SmsActivateSimulator } from '@numbroker/providers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
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
      workerPort: metricsPort,
      workerStallSeconds: 2,
      providers: [{ id: 'sa', kind: 'smsactivate', baseUrl: sim.baseUrl, apiKey: sim.apiKey }],
    });
    const { lines, stream } = captureLogs();
    const running = await startWorker(config, {
      logger: createLogger({ destination: stream, level: 'debug' }),
      probeHost: '127.0.0.1',
    });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await running.stop();
    });

    expect(running.probePort).toBe(metricsPort);
    await vi.waitFor(
      async () => expect((await running.store.providers.get('sa'))?.balance?.minor).toBe(100_000n),
      { timeout: 10_000, interval: 25 },
    );
    expect((await running.store.offers.offersOf(['sa'])).length).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${metricsPort}`;
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('numbroker_worker_upstream_seconds');
    // Process metrics under their standard names: the scrape's job tells worker from server.
    expect(text).toContain('\nprocess_cpu_seconds_total');
    expect(text).not.toContain('numbroker_worker_process_');
    expect(text).toContain('numbroker_upstream_balance{provider="sa",currency="RUB"} 1000');
    expect(text).toContain('numbroker_upstream_breaker_open{provider="sa"} 0');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await vi.waitFor(async () => expect((await fetch(`${base}/readyz`)).status).toBe(200), {
      timeout: 10_000,
      interval: 50,
    });

    // Passes that stop finishing (here: the loops stopped under the listener) make the worker
    // unready once workerStallSeconds have gone by; liveness stays.
    await running.worker.stop();
    await vi.waitFor(
      async () => {
        const res = await fetch(`${base}/readyz`);
        expect(res.status).toBe(503);
        expect(JSON.stringify(await res.json())).toMatch(/stalled: no poll pass has finished/);
      },
      { timeout: 15_000, interval: 100 },
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

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
