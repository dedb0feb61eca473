import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppProcess,
  freePort,
  SERVER_MAIN,
  waitFor,
  waitForHttpOk,
  WORKER_MAIN,
} from '@numbroker/processes';
import { SmsActivateSimulator } from '@numbroker/providers';
import { freshDatabase } from '@numbroker/store/testing';
import { graphql } from './http-post.js';

export { waitFor };

export interface Stack {
  graphqlUrl: URL;
  wsUrl: string;
  metricsUrl: URL;
  adminKey: string;
  sim: SmsActivateSimulator;
  server: AppProcess;
  worker: AppProcess;
  pollIntervalMs: number;
  /** The server's upstream SMS webhook for the simulator's provider (see `useWebhook`). */
  webhookUrl: string;
  /** The database the server and the worker share (a bench writer may open it too). */
  databaseUrl: string;
  stop(): Promise<void>;
}

const WEBHOOK_SECRET = 'bench-webhook-secret-0123456789';

/** The real thing on loopback: an SMS-Activate simulator (it has a batch status call), the
 *  GraphQL server and the worker as their own processes over a fresh SQLite file. */
export async function startStack(options: {
  pollIntervalMs: number;
  stock: number;
  /** A postgres:// server URL: the stack runs on a fresh database there instead of SQLite. */
  postgres?: string | undefined;
  /** Write V8 CPU profiles of the server and the worker here (`node --cpu-prof`). */
  profileDir?: string | undefined;
}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'numbroker-bench-'));
  const postgres = options.postgres
    ? await freshDatabase('postgres', {
        postgres: 'database',
        postgresUrl: options.postgres,
        prefix: 'nb_bench',
      })
    : undefined;
  const sim = new SmsActivateSimulator({ apiKey: 'bench-upstream-key' });
  await sim.start(0, '127.0.0.1');
  sim.setOffer({ service: 'telegram', country: 'RU', cost: '20.00', stock: options.stock });
  sim.setBalance('100000000.00');

  const port = await freePort();
  const adminKey = 'bench-admin-key-0123456789abcdef';
  const configPath = join(dir, 'config.json');
  const databaseUrl = postgres?.url ?? `sqlite:${join(dir, 'bench.sqlite')}`;
  writeFileSync(
    configPath,
    JSON.stringify({
      database: databaseUrl,
      port,
      adminApiKey: adminKey,
      currency: 'IRT',
      exchangeRates: { RUB: '1200' },
      orderTtlSeconds: 3600,
      pollIntervalMs: options.pollIntervalMs,
      // The provider takes webhooks (below), which slows its polling to a safety net by
      // default; the polling rows measure polling, so it polls at the same interval.
      webhookPollIntervalMs: options.pollIntervalMs,
      catalogSyncSeconds: 3600,
      workerPort: 0,
      // The load generator is one client: the per-key limit would measure itself.
      rateLimit: { requests: 1_000_000_000, windowSeconds: 1 },
      // Webhooks accepted; the simulator pushes only once told to (polling stays on).
      providers: [
        {
          id: 'sa',
          kind: 'smsactivate',
          baseUrl: sim.baseUrl,
          apiKey: sim.apiKey,
          webhookSecret: WEBHOOK_SECRET,
        },
      ],
    }),
  );
  const profile = (name: string) =>
    options.profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]
      : [];
  const server = AppProcess.start('server', SERVER_MAIN, configPath, {
    nodeArgs: profile('server'),
    ...(process.env.BENCH_ECHO
      ? { onLine: (line: string) => line.startsWith('BT') && console.error(line) }
      : {}),
  });
  const worker = AppProcess.start('worker', WORKER_MAIN, configPath, {
    nodeArgs: profile('worker'),
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttpOk(base, 60_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${server.recentOutput()}`);
  });
  const graphqlUrl = new URL(`${base}/graphql`);
  // The worker syncs the catalog once at start: wait until the offer is buyable.
  await waitFor(
    async () => {
      const data = await graphql<{ offers: unknown[] }>(
        graphqlUrl,
        adminKey,
        '{ offers(service: "telegram", country: "RU") { provider } }',
      );
      return data.offers.length > 0;
    },
    60_000,
    'the first catalog sync',
  );

  return {
    graphqlUrl,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    metricsUrl: new URL(`${base}/metrics`),
    adminKey,
    sim,
    server,
    worker,
    pollIntervalMs: options.pollIntervalMs,
    webhookUrl: `${base}/webhooks/upstream/sa/${WEBHOOK_SECRET}`,
    databaseUrl,
    async stop() {
      await Promise.all([server.stop(), worker.stop()]);
      await sim.stop();
      await postgres?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The server's resident memory, from its own /metrics (prom-client default metrics). */
export async function serverRssBytes(metricsUrl: URL): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => /^\w*process_resident_memory_bytes /.test(l));
  if (!line) throw new Error('the server exposes no process_resident_memory_bytes metric');
  return Number(line.split(' ')[1]);
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) throw new Error('the process has no pid');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS = 100;
