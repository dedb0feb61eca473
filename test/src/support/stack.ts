import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CurrencyCode } from '@numbroker/core';
import {
  createSimulator,
  type ProviderKind,
  type ProviderSimulator,
  type SimOffer,
  type SimulatorOptions,
} from '@numbroker/providers';
import { Store } from '@numbroker/store';
import { eventually, StopWaiting } from './async-queue.js';
import {
  freshDatabase,
  type TestDatabase,
  type TestDatabaseKind as DatabaseKind,
} from '@numbroker/store/testing';
import { graphql, graphqlRaw, type GraphqlResponse } from './graphql-http.js';
import { WsConnection } from './graphql-ws-client.js';
import { freePort } from '@numbroker/processes';
import { ManagedProcess, SERVER_MAIN, WORKER_MAIN } from './processes.js';

export const PLATFORM_CURRENCY: CurrencyCode = 'IRT';
/** RUB → IRT in every stack's config: an SMS-Activate cost of 12.50 RUB sells for 15000 IRT. */
export const RUB_TO_IRT = '1200';

export interface ProviderSpec {
  /** The configured provider id. */
  id: string;
  kind: ProviderKind;
  /** Stocked before the stack starts (added to the simulator's defaults). */
  offers?: SimOffer[];
  /** The simulator's upstream balance, decimal in its currency. */
  balance?: string;
  simulator?: SimulatorOptions;
  /** A simulator the test made and started itself (the stack still stops it). */
  instance?: ProviderSimulator;
  /** Turns on upstream SMS webhooks for this provider (its config's `webhookSecret`). */
  webhookSecret?: string;
  /** Where one process's config points the adapter (default: the simulator's baseUrl), e.g. a
   *  recording proxy in front of the simulator per worker. `process` is "server-0",
   *  "worker-1", ... */
  baseUrl?: (simulator: ProviderSimulator, process: string) => string;
  /** More keys of this provider's config entry (e.g. `timeoutMs`). */
  config?: Record<string, unknown>;
}

export interface StackOptions {
  database: DatabaseKind;
  providers: ProviderSpec[];
  servers?: number;
  workers?: number;
  orderTtlSeconds?: number;
  pollIntervalMs?: number;
  /** The config's `webhooks` (default: private URLs allowed, for receivers on loopback). */
  webhooks?: Record<string, unknown>;
  /** The processes' LOG_LEVEL (default: E2E_LOG_LEVEL, else warn). */
  logLevel?: string;
  /** The config's `pricing` (default: the config's defaults, no markup). */
  pricing?: Record<string, unknown>;
  /** More top-level config keys (e.g. `rateLimit`), merged over the stack's own. */
  config?: Record<string, unknown>;
}

export interface ServerHandle {
  process: ManagedProcess;
  port: number;
  baseUrl: string;
  graphqlUrl: string;
  wsUrl: string;
}

export interface TestUser {
  id: string;
  name: string;
  apiKey: string;
}

const STARTUP_TIMEOUT_MS = 60_000;

/**
 * A whole numbroker on loopback: simulators in this process, servers and workers as their own
 * processes from the built code, a database of its own. `stop()` ends everything it started,
 * whatever state a failed test left it in.
 */
export class Stack {
  readonly adminKey = `e2e-admin-${randomBytes(12).toString('hex')}`;
  readonly servers: ServerHandle[] = [];
  readonly workers: ManagedProcess[] = [];
  readonly simulators = new Map<string, ProviderSimulator>();
  readonly options: Required<Omit<StackOptions, 'providers' | 'logLevel'>> & {
    providers: ProviderSpec[];
    logLevel?: string;
  };
  private readonly dir = mkdtempSync(join(tmpdir(), 'nb-e2e-'));
  private database: TestDatabase | undefined;
  private readonly sockets = new Set<WsConnection>();
  /** Every process ever started, ready or not: stop() ends them all. */
  private readonly processes: ManagedProcess[] = [];
  private readStore: Promise<Store> | undefined;
  private workerCount = 0;
  private serverCount = 0;
  private userCount = 0;

  private constructor(options: StackOptions) {
    this.options = {
      servers: 1,
      workers: 1,
      orderTtlSeconds: 600,
      pollIntervalMs: 250,
      webhooks: {},
      pricing: {},
      config: {},
      ...options,
    };
  }

  /** Starts the simulators, the servers (ready on /healthz) and the workers, and waits for the
   *  first catalog sync. On any failure what was started is stopped before the error is thrown. */
  static async start(options: StackOptions): Promise<Stack> {
    const stack = new Stack(options);
    try {
      await stack.boot();
      return stack;
    } catch (error) {
      const logs = stack.processLogs();
      await stack.stop();
      if (error instanceof Error && logs) error.message += `\n--- process output ---\n${logs}`;
      throw error;
    }
  }

  get server(): ServerHandle {
    const server = this.servers[0];
    if (!server) throw new Error('the stack has no server');
    return server;
  }

  get databaseUrl(): string {
    if (!this.database) throw new Error('the stack has no database yet');
    return this.database.url;
  }

  sim(providerId: string): ProviderSimulator {
    const sim = this.simulators.get(providerId);
    if (!sim) throw new Error(`no simulator for provider "${providerId}"`);
    return sim;
  }

  private async boot(): Promise<void> {
    // A whole database (not a schema): the config's `database` is a plain URL, and
    // LISTEN/NOTIFY channels are per database, so stacks side by side never wake each other.
    this.database = await freshDatabase(this.options.database, {
      postgres: 'database',
      prefix: 'nb_e2e',
    });
    for (const spec of this.options.providers) {
      const sim = spec.instance ?? createSimulator(spec.kind, spec.simulator);
      this.simulators.set(spec.id, sim);
      await sim.start(0, '127.0.0.1');
      for (const offer of spec.offers ?? []) sim.setOffer(offer);
      if (spec.balance !== undefined) sim.setBalance(spec.balance);
    }
    // The first server runs the migrations alone; the others and the workers start after it.
    this.servers.push(await this.startServer());
    const more = Array.from({ length: this.options.servers - 1 }, () => this.startServer());
    this.servers.push(...(await Promise.all(more)));
    for (let i = 0; i < this.options.workers; i += 1) this.startWorker();
    await this.waitForCatalog();
  }

  /** The config file for one process; `port` differs between servers. */
  private writeConfig(name: string, port: number): string {
    const path = join(this.dir, `${name}.json`);
    const config = {
      database: this.databaseUrl,
      port,
      adminApiKey: this.adminKey,
      currency: PLATFORM_CURRENCY,
      exchangeRates: { RUB: RUB_TO_IRT },
      orderTtlSeconds: this.options.orderTtlSeconds,
      pollIntervalMs: this.options.pollIntervalMs,
      catalogSyncSeconds: 3600,
      // Suites assert which provider sells: no exploration draw moves a purchase elsewhere.
      routing: { explorationShare: 0 },
      webhooks: { allowPrivateUrls: true, ...this.options.webhooks },
      pricing: this.options.pricing,
      // Several workers (and checkouts) at once: each probe listener on a free port.
      workerPort: 0,
      providers: this.options.providers.map((spec) => {
        const sim = this.sim(spec.id);
        return {
          id: spec.id,
          kind: spec.kind,
          baseUrl: spec.baseUrl ? spec.baseUrl(sim, name) : sim.baseUrl,
          apiKey: sim.apiKey,
          ...(spec.webhookSecret ? { webhookSecret: spec.webhookSecret } : {}),
          ...spec.config,
        };
      }),
      ...this.options.config,
    };
    writeFileSync(path, JSON.stringify(config, null, 2));
    return path;
  }

  private async startServer(): Promise<ServerHandle> {
    const index = this.serverCount++;
    const port = await freePort();
    return this.launchServer(`server-${index}`, port);
  }

  /** Starts server `index` again on its port (after a kill), config unchanged; `servers[index]`
   *  is the new process once it answers /healthz. */
  async restartServer(index: number): Promise<ServerHandle> {
    const old = this.serverAt(index);
    if (old.process.running) throw new Error(`${old.process.name} is still running`);
    const handle = await this.launchServer(old.process.name, old.port);
    this.servers[index] = handle;
    return handle;
  }

  /** Starts worker `index` again (after a kill); `workers[index]` is the new process. */
  restartWorker(index: number): ManagedProcess {
    const old = this.workers[index];
    if (!old) throw new Error(`no worker #${index}`);
    if (old.running) throw new Error(`${old.name} is still running`);
    const worker = ManagedProcess.start(
      old.name,
      WORKER_MAIN,
      join(this.dir, `${old.name}.json`),
      this.options.logLevel,
    );
    this.processes.push(worker);
    this.workers[index] = worker;
    return worker;
  }

  private async launchServer(name: string, port: number): Promise<ServerHandle> {
    const configPath = this.writeConfig(name, port);
    const child = ManagedProcess.start(name, SERVER_MAIN, configPath, this.options.logLevel);
    this.processes.push(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    const handle: ServerHandle = {
      process: child,
      port,
      baseUrl,
      graphqlUrl: `${baseUrl}/graphql`,
      wsUrl: `ws://127.0.0.1:${port}/graphql`,
    };
    await eventually(
      `${child.name} to answer /healthz`,
      async () => {
        if (!child.running) {
          throw new StopWaiting(`${child.name} exited:\n${child.recentOutput()}`);
        }
        return (await fetch(`${baseUrl}/healthz`)).ok;
      },
      { timeoutMs: STARTUP_TIMEOUT_MS, everyMs: 100 },
    );
    return handle;
  }

  /** Starts one more worker process (it syncs the catalog at once). */
  startWorker(): ManagedProcess {
    const name = `worker-${this.workerCount++}`;
    const configPath = this.writeConfig(name, 0);
    const worker = ManagedProcess.start(name, WORKER_MAIN, configPath, this.options.logLevel);
    this.processes.push(worker);
    this.workers.push(worker);
    return worker;
  }

  /** Until every provider with stock is listed in `offers` (the worker's first catalog sync). */
  private async waitForCatalog(): Promise<void> {
    const probes = this.options.providers.flatMap((spec) => {
      const stocked = (spec.offers ?? []).find((offer) => offer.stock > 0);
      return stocked
        ? [{ provider: spec.id, service: stocked.service, country: stocked.country }]
        : [];
    });
    await eventually(
      'the first catalog sync (an offer of every stocked provider)',
      async () => {
        for (const worker of this.workers) {
          if (!worker.running) {
            throw new StopWaiting(`${worker.name} exited:\n${worker.recentOutput()}`);
          }
        }
        for (const probe of probes) {
          const data = await graphql<{ offers: Array<{ provider: string }> }>(
            this.server.graphqlUrl,
            this.adminKey,
            'query($s: String!, $c: String) { offers(service: $s, country: $c) { provider } }',
            { s: probe.service, c: probe.country },
          );
          if (!data.offers.some((offer) => offer.provider === probe.provider)) return false;
        }
        return true;
      },
      { timeoutMs: STARTUP_TIMEOUT_MS, everyMs: 200 },
    );
  }

  /** POST /graphql on server `serverIndex`; data or a GraphqlRequestError. */
  gql<T>(
    apiKey: string | undefined,
    query: string,
    variables: Record<string, unknown> = {},
    serverIndex = 0,
  ): Promise<T> {
    return graphql<T>(this.serverAt(serverIndex).graphqlUrl, apiKey, query, variables);
  }

  /** The answer as it came, errors included. */
  gqlRaw<T>(
    apiKey: string | undefined,
    query: string,
    variables: Record<string, unknown> = {},
    serverIndex = 0,
  ): Promise<GraphqlResponse<T>> {
    return graphqlRaw<T>(this.serverAt(serverIndex).graphqlUrl, apiKey, query, variables);
  }

  private serverAt(index: number): ServerHandle {
    const server = this.servers[index];
    if (!server) throw new Error(`no server #${index}`);
    return server;
  }

  /** A new user through the admin API, its wallet credited with `credit` (IRT) when given. */
  async createUser(credit?: string): Promise<TestUser> {
    const name = `e2e-user-${++this.userCount}-${randomBytes(3).toString('hex')}`;
    const created = await this.gql<{
      createUser: { apiKey: string; user: { id: string; name: string } };
    }>(
      this.adminKey,
      'mutation($name: String!) { createUser(input: { name: $name }) { apiKey user { id name } } }',
      { name },
    );
    const user = { ...created.createUser.user, apiKey: created.createUser.apiKey };
    if (credit !== undefined) {
      await this.gql(
        this.adminKey,
        'mutation($id: ID!, $amount: String!, $ref: String!) { creditWallet(userId: $id, amount: $amount, reference: $ref) { id } }',
        { id: user.id, amount: credit, ref: `e2e-credit-${user.id}` },
      );
    }
    return user;
  }

  /** A graphql-ws connection to server `serverIndex`, closed by stop() if the test does not. */
  connect(apiKey: string, serverIndex = 0): WsConnection {
    const socket = new WsConnection(this.serverAt(serverIndex).wsUrl, apiKey);
    this.sockets.add(socket);
    return socket;
  }

  /** Reads what the API does not show (an order's upstream ref, its events) from the database.
   *  Read only: every change goes through the API. */
  store(): Promise<Store> {
    this.readStore ??= Store.open(this.databaseUrl, {
      currency: PLATFORM_CURRENCY,
      migrationsRun: false,
      poolSize: 2,
    });
    return this.readStore;
  }

  /** The provider's own reference of an order (what the simulator knows it by). */
  async upstreamRefOf(orderId: string): Promise<string> {
    const store = await this.store();
    const order = await store.orders.findOrder(orderId);
    if (!order?.upstreamRef) throw new Error(`order ${orderId} has no upstream ref`);
    return order.upstreamRef;
  }

  /** Every line every process of this stack printed, tagged with the process name. */
  allLogs(): string[] {
    return this.processes.flatMap((p) => p.allOutput().map((line) => `[${p.name}] ${line}`));
  }

  /** Every process this stack started, running or not. */
  get allProcesses(): readonly ManagedProcess[] {
    return this.processes;
  }

  /** Starts one more server process (after a kill), appended to `servers`. */
  async addServer(): Promise<ServerHandle> {
    const handle = await this.startServer();
    this.servers.push(handle);
    return handle;
  }

  /** The last lines of every process, for a failure message. */
  processLogs(): string {
    return this.processes
      .map((p) => {
        const out = p.recentOutput(30);
        return out ? `[${p.name}]\n${out}` : '';
      })
      .filter(Boolean)
      .join('\n');
  }

  /** Ends everything: sockets, processes (SIGTERM, then SIGKILL), simulators, the database. */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        errors.push(error);
      }
    };
    await Promise.all([...this.sockets].map((socket) => attempt(() => socket.close())));
    this.sockets.clear();
    await Promise.all(this.processes.map((p) => attempt(() => p.stop())));
    if (this.readStore) {
      const store = this.readStore;
      this.readStore = undefined;
      await attempt(async () => (await store).close());
    }
    await Promise.all([...this.simulators.values()].map((sim) => attempt(() => sim.stop())));
    if (this.database) await attempt(() => this.database!.cleanup());
    rmSync(this.dir, { recursive: true, force: true });
    if (errors.length > 0) {
      throw new AggregateError(errors, `stopping the stack failed: ${String(errors[0])}`);
    }
  }
}
