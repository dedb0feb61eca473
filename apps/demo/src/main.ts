/**
 * `pnpm start`: the whole of numbroker on one machine, for a newcomer. Simulators of every
 * supported upstream on loopback (each delivers a plausible SMS on its own a few seconds after
 * a buy), the GraphQL server and the worker as separate processes over one SQLite file in
 * ./data, and a funded demo user. Ctrl-C stops everything; a rerun keeps the data.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  AppProcess,
  readableLogLine,
  SERVER_MAIN,
  waitForHttpOk,
  WORKER_MAIN,
} from '@numbroker/processes';
import {
  createSimulator,
  supportedKinds,
  type ProviderKind,
  type ProviderSimulator,
} from '@numbroker/providers';
import { loadDemoState, randomKey, saveDemoState, type DemoState } from './demo-state.js';

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
        // Any free port: a demo must start beside whatever else runs here.
        workerPort: 0,
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
    startApp('server', SERVER_MAIN, configPath),
    startApp('worker', WORKER_MAIN, configPath),
  ];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await Promise.all(children.map((child) => child.stop()));
    await Promise.all(simulators.map(({ sim }) => sim.stop()));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  for (const child of children) {
    void child.exited().then(({ code }) => {
      if (!stopping) {
        console.error(`a numbroker process exited (code ${code}); stopping the demo`);
        void stop(1);
      }
    });
  }

  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttpOk(baseUrl, 60_000);
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

/** A numbroker process whose log lines are printed for a person: "[server] info message {…}". */
function startApp(name: string, main: string, configPath: string): AppProcess {
  return AppProcess.start(name, main, configPath, {
    logLevel: process.env.LOG_LEVEL ?? 'info',
    keepLines: 0,
    onLine: (line) => console.log(`[${name}] ${readableLogLine(line)}`),
  });
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
