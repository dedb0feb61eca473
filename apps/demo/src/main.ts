/**
 * `pnpm start`: the whole of numbroker on one machine, for a newcomer. Simulators of every
 * supported upstream on loopback (each delivers a plausible SMS on its own a few seconds after
 * a buy), the GraphQL server and the worker as separate processes over one SQLite file in
 * ./data, and a funded demo user. Ctrl-C stops everything; a rerun keeps the data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSimulator,
  supportedKinds,
  type ProviderKind,
  type ProviderSimulator,
} from '@numbroker/providers';
import { loadDemoState, randomKey, saveDemoState, type DemoState } from './demo-state.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dataDir = resolve('data');
const port = 4000;
const firstSimulatorPort = 4101;
const autoDeliverAfterMs = 6000;

/** A few products every demo simulator stocks, in each upstream's own currency. */
const DEMO_OFFERS: Record<
  ProviderKind,
  Array<{ service: string; country: string; cost: string }>
> = {
  shiznumber: [
    { service: 'telegram', country: 'RU', cost: '42000' },
    { service: 'whatsapp', country: 'TR', cost: '64400' },
  ],
  shomare: [
    { service: 'telegram', country: 'RU', cost: '39000' },
    { service: 'instagram', country: 'US', cost: '25000' },
  ],
  arzancell: [
    { service: 'telegram', country: 'RU', cost: '41000' },
    { service: 'whatsapp', country: 'ID', cost: '30000' },
  ],
  verifyplus: [{ service: 'telegram', country: 'RU', cost: '45000' }],
  smsman: [
    { service: 'telegram', country: 'RU', cost: '30.50' },
    { service: 'google', country: 'RU', cost: '12.00' },
  ],
  smsactivate: [
    { service: 'telegram', country: 'RU', cost: '29.90' },
    { service: 'whatsapp', country: 'RU', cost: '35.00' },
  ],
  // Dollars (the kind's default currency); every operator of the product gets the price.
  fivesim: [
    { service: 'telegram', country: 'RU', cost: '0.45' },
    { service: 'google', country: 'US', cost: '0.20' },
  ],
};

async function main(): Promise<void> {
  const state = loadDemoState(dataDir);
  const simulators = await startSimulators(state);
  saveDemoState(dataDir, state);

  const configPath = join(dataDir, 'demo-config.json');
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        database: `sqlite:${join(dataDir, 'numbroker.sqlite')}`,
        port,
        adminApiKey: state.adminApiKey,
        currency: 'IRT',
        exchangeRates: { RUB: '1200', USD: '95000' },
        orderTtlSeconds: 600,
        pollIntervalMs: 1000,
        catalogSyncSeconds: 30,
        // Webhook receivers of a demo run on this machine (loopback).
        webhooks: { allowPrivateUrls: true },
        pricing: { markupPercent: '15', roundTo: '100', rules: [] },
        providers: simulators.map(({ kind, sim }) => ({
          id: kind,
          kind,
          baseUrl: sim.baseUrl,
          apiKey: sim.apiKey,
        })),
      },
      null,
      2,
    ) + '\n',
    { mode: 0o600 },
  );

  const children = [
    spawnApp('server', join(repoRoot, 'apps/graphql/dist/main.js'), configPath),
    spawnApp('worker', join(repoRoot, 'apps/worker/dist/main.js'), configPath),
  ];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await Promise.all(children.map((child) => terminate(child)));
    await Promise.all(simulators.map(({ sim }) => sim.stop()));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  for (const child of children) {
    child.on('exit', (code) => {
      if (!stopping) {
        console.error(`a numbroker process exited (code ${code}); stopping the demo`);
        void stop(1);
      }
    });
  }

  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl);
  const demoKey = await ensureDemoUser(baseUrl, state);
  saveDemoState(dataDir, state);

  console.log(`
numbroker demo is running.

  GraphiQL:      ${baseUrl}/graphql?key=${encodeURIComponent(demoKey)}
  demo API key:  ${demoKey}   (its wallet got 10,000,000 IRT on the first run)
  data:          ${dataDir}
  simulators:    ${simulators.map(({ kind, sim }) => `${kind} ${sim.baseUrl}`).join('\n                 ')}

Buy a number in GraphiQL (the example operations are loaded), subscribe to its code, and a
code arrives about ${autoDeliverAfterMs / 1000} s later. Ctrl-C stops everything.
`);
}

async function startSimulators(
  state: DemoState,
): Promise<Array<{ kind: ProviderKind; sim: ProviderSimulator }>> {
  const started: Array<{ kind: ProviderKind; sim: ProviderSimulator }> = [];
  for (const [index, kind] of supportedKinds().entries()) {
    const apiKey = (state.upstreamKeys[kind] ??= randomKey());
    const sim = createSimulator(kind, { apiKey, autoDeliverAfterMs });
    try {
      await sim.start(firstSimulatorPort + index, '127.0.0.1');
    } catch (error) {
      throw new Error(
        `could not start the ${kind} simulator on port ${firstSimulatorPort + index}: ${(error as Error).message}`,
      );
    }
    for (const offer of DEMO_OFFERS[kind]) sim.setOffer({ ...offer, stock: 500 });
    started.push({ kind, sim });
  }
  return started;
}

function spawnApp(name: string, script: string, configPath: string): ChildProcess {
  const child = spawn(process.execPath, [script, '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
  });
  const prefix = (line: string) => `[${name}] ${line}`;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) console.log(prefix(readableLogLine(line)));
    });
  }
  return child;
}

/** pino writes JSON; a person reads "level message {details}". */
function readableLogLine(line: string): string {
  try {
    const {
      level,
      msg,
      time: _time,
      pid: _pid,
      hostname: _host,
      ...rest
    } = JSON.parse(line) as {
      level?: number;
      msg?: string;
      [key: string]: unknown;
    };
    const levelName =
      { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[level ?? 30] ??
      'info';
    const details = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${levelName} ${msg ?? ''}${details}`;
  } catch {
    return line;
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

async function waitForHealth(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server did not become healthy at ${baseUrl}/healthz within 60 s`);
}

async function graphql<T>(
  baseUrl: string,
  apiKey: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data) {
    throw new Error(
      `GraphQL error: ${body.errors?.map((e) => e.message).join('; ') ?? res.status}`,
    );
  }
  return body.data;
}

/** Reuses the demo user of an earlier run when its key still works; else creates and funds one. */
async function ensureDemoUser(baseUrl: string, state: DemoState): Promise<string> {
  if (state.demoUser) {
    try {
      await graphql(baseUrl, state.demoUser.apiKey, '{ me { id } }');
      return state.demoUser.apiKey;
    } catch {
      // a fresh database: create the user again
    }
  }
  const created = await graphql<{ createUser: { user: { id: string }; apiKey: string } }>(
    baseUrl,
    state.adminApiKey,
    'mutation($name: String!) { createUser(input: { name: $name }) { user { id } apiKey } }',
    { name: 'demo' },
  );
  const { user, apiKey } = created.createUser;
  await graphql(
    baseUrl,
    state.adminApiKey,
    'mutation($id: ID!) { creditWallet(userId: $id, amount: "10000000", reference: "demo-initial-credit") { id } }',
    { id: user.id },
  );
  state.demoUser = { id: user.id, apiKey };
  return apiKey;
}

main().catch((error: unknown) => {
  console.error(`numbroker demo: ${(error as Error).message}`);
  process.exit(1);
});
