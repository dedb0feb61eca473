import {
  SmsActivateAdapter,
  SmsActivateSimulator,
  type ProviderAdapter,
  type SmsActivateSimulatorOptions,
} from '@numbroker/providers';
import type { BreakerPolicy, Store } from '@numbroker/store';
import { parkProviderOrders, schedulingOf, TEST_CURRENCY } from '@numbroker/store/testing';
import { pino } from 'pino';
import { runCatalogPass } from '../catalog-pass.js';
import { DatabaseWorkerStore } from '../database-worker-store.js';
import { WorkerMetrics } from '../metrics.js';
import { runPollPass, type PollPassDeps } from '../poll-pass.js';

/** A clock the test moves by hand; the worker, the store writes and the simulator all read it. */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 0, 15, 12, 0, 0)) {}
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** The SMS-Activate simulator on the test's clock (its TTL and early-cancel window follow it). */
export class ClockedSmsActivateSimulator extends SmsActivateSimulator {
  constructor(
    private readonly clock: TestClock,
    options: SmsActivateSimulatorOptions = {},
  ) {
    super(options);
  }
  protected override now(): number {
    return this.clock.ms;
  }
}

export const POLL_INTERVAL_MS = 2000;
export const ORDER_TTL_SECONDS = 300;
export const PRICE_MINOR = 64_400n;

let providerCounter = 0;

const LEDGER_ORDER: readonly string[] = ['CREDIT', 'HOLD', 'CAPTURE', 'RELEASE', 'REFUND'];

export interface HarnessOptions {
  simulator?: SmsActivateSimulatorOptions;
  breaker?: BreakerPolicy;
  /** Hide the adapter's batch status call: every order is checked on its own. */
  withoutBatchStatus?: boolean;
  batchSize?: number;
  workerId?: string;
}

/**
 * One provider (a fresh SMS-Activate simulator on loopback, under a provider id no other test
 * uses), a worker store over an already-open Store, and helpers that make orders the way the
 * server does (hold, buy upstream over HTTP, PURCHASED).
 */
export class WorkerHarness {
  readonly clock: TestClock;
  readonly sim: ClockedSmsActivateSimulator;
  readonly providerId = `sa${++providerCounter}-${process.pid}`;
  readonly metrics = new WorkerMetrics();
  readonly logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  adapter!: ProviderAdapter;
  workerStore: DatabaseWorkerStore;
  private readonly offerRefs = new Map<string, string>();

  private constructor(
    readonly store: Store,
    readonly options: HarnessOptions,
    clock: TestClock,
  ) {
    this.clock = clock;
    this.sim = new ClockedSmsActivateSimulator(clock, options.simulator);
    this.workerStore = new DatabaseWorkerStore(
      store,
      options.breaker ? { breaker: options.breaker } : {},
    );
  }

  static async start(
    store: Store,
    options: HarnessOptions = {},
    clock = new TestClock(),
  ): Promise<WorkerHarness> {
    const harness = new WorkerHarness(store, options, clock);
    await harness.sim.start(0, '127.0.0.1');
    harness.adapter = harness.newAdapter();
    return harness;
  }

  /** An adapter to the simulator with no retries (a test sees each fault as it is). */
  newAdapter(): ProviderAdapter {
    const adapter = new SmsActivateAdapter(
      {
        id: this.providerId,
        kind: 'smsactivate',
        baseUrl: this.sim.baseUrl,
        apiKey: this.sim.apiKey,
        currency: 'RUB',
        timeoutMs: 5000,
      },
      { maxRetries: 0 },
    );
    if (!this.options.withoutBatchStatus) return adapter;
    return withoutBatchStatus(adapter);
  }

  adapters(adapter = this.adapter): Map<string, ProviderAdapter> {
    return new Map([[this.providerId, adapter]]);
  }

  pollDeps(overrides: Partial<PollPassDeps> = {}): PollPassDeps {
    return {
      store: this.workerStore,
      adapters: this.adapters(),
      metrics: this.metrics,
      logger: this.logger,
      workerId: this.options.workerId ?? 'test-worker',
      pollIntervalMs: POLL_INTERVAL_MS,
      batchSize: this.options.batchSize ?? 1000,
      leaseMs: 30_000,
      // Exactly due only: these tests move a manual clock and expect exact schedules.
      leaseAheadMs: 0,
      perOrderConcurrency: 8,
      now: this.clock.now,
      ...overrides,
    };
  }

  pollPass(overrides: Partial<PollPassDeps> = {}): Promise<number> {
    return runPollPass(this.pollDeps(overrides));
  }

  catalogPass(): Promise<void> {
    return runCatalogPass({
      store: this.workerStore,
      adapters: this.adapters(),
      metrics: this.metrics,
      logger: this.logger,
      now: this.clock.now,
    });
  }

  /** Moves past every order's next check (the slowest schedule is 3 poll intervals). */
  advancePastNextPoll(): void {
    this.clock.advance(3 * POLL_INTERVAL_MS + 1);
  }

  async newUser(fundsMinor = 10_000_000n): Promise<string> {
    const { user } = await this.store.users.createUser({ name: 'customer', now: this.clock.now() });
    await this.store.users.creditWallet({
      userId: user.id,
      amountMinor: fundsMinor,
      reference: `seed-${user.id}`,
      now: this.clock.now(),
    });
    return user.id;
  }

  /** A PENDING order with its price held (tx 1 of the server's buy). */
  /** A PENDING order, its buy attempt at this provider recorded now (as the server does before
   *  the upstream call) unless `attempt` is false. */
  async pendingOrder(
    userId: string,
    reconcileAt?: Date,
    { service = 'telegram', attempt = true }: { service?: string; attempt?: boolean } = {},
  ): Promise<string> {
    const { order } = await this.store.orders.createPendingOrder({
      userId,
      service,
      country: 'RU',
      providerId: this.providerId,
      priceMinor: PRICE_MINOR,
      currency: TEST_CURRENCY,
      ttlSeconds: ORDER_TTL_SECONDS,
      ...(reconcileAt ? { reconcileAt } : {}),
      now: this.clock.now(),
    });
    if (attempt) {
      await this.store.orders.recordBuyAttempt(order.id, this.providerId, this.clock.now());
    }
    return order.id;
  }

  /** Buys upstream over HTTP, as the server does between its two transactions. */
  async buyUpstream(
    service = 'telegram',
    idempotencyKey?: string,
  ): Promise<{ upstreamRef: string; phoneNumber: string }> {
    const ref =
      this.offerRefs.get(service) ??
      (await this.adapter.catalog()).find(
        (offer) => offer.service === service && offer.country === 'RU',
      )?.ref;
    if (!ref) throw new Error(`the simulator lists no ${service}/RU offer`);
    this.offerRefs.set(service, ref);
    return this.adapter.buy({
      service,
      country: 'RU',
      ref,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
  }

  /** An ACTIVE order, exactly as the server leaves one after a successful buy. */
  async activeOrder(userId: string): Promise<{ orderId: string; ref: string }> {
    const orderId = await this.pendingOrder(userId);
    const purchase = await this.buyUpstream();
    await this.store.orders.applyOrderCommand(
      orderId,
      {
        type: 'PURCHASED',
        phoneNumber: purchase.phoneNumber,
        upstreamRef: purchase.upstreamRef,
      },
      { providerId: this.providerId, now: this.clock.now() },
    );
    return { orderId, ref: purchase.upstreamRef };
  }

  async order(orderId: string) {
    const order = await this.store.orders.findOrder(orderId);
    if (!order) throw new Error(`order ${orderId} is gone`);
    return { ...order, ...(await schedulingOf(this.store, orderId)) };
  }

  async wallet(userId: string): Promise<{ available: bigint; held: bigint; ledger: string[] }> {
    const wallet = await this.store.users.getWallet(userId);
    const ledger = await this.store.users.ledger(userId);
    return {
      available: wallet.availableMinor,
      held: wallet.heldMinor,
      // Oldest first; entries of one instant in the order a wallet's life allows.
      ledger: [...ledger]
        .sort(
          (a, b) =>
            a.createdAt.getTime() - b.createdAt.getTime() ||
            LEDGER_ORDER.indexOf(a.kind) - LEDGER_ORDER.indexOf(b.kind),
        )
        .map((entry) => `${entry.kind} ${entry.amountMinor}`),
    };
  }

  async events(orderId: string): Promise<string[]> {
    const events = await this.store.orders.eventsAfter(null, 1000, { orderId });
    return events.map((event) => event.type);
  }

  /** Requests the simulator saw that ask about activation states, since `from`. */
  statusRequests(from = 0): string[] {
    return this.sim.requests
      .slice(from)
      .map((request) => request.url)
      .filter((url) => /action=(getStatus|getActiveActivations)\b/.test(url));
  }

  cancelRequests(ref: string): number {
    return this.sim.requests.filter(
      (request) =>
        /action=setStatus\b/.test(request.url) &&
        new URLSearchParams(request.url.split('?')[1] ?? '').get('status') === '8' &&
        new URLSearchParams(request.url.split('?')[1] ?? '').get('id') === ref,
    ).length;
  }

  /** Stops the simulator and parks this provider's open orders, so that the next test's
   *  passes (same database) see only their own. */
  async stop(): Promise<void> {
    await this.sim.stop();
    await parkProviderOrders(this.store, this.providerId);
  }
}

/** The same adapter without its batch status call. */
export function withoutBatchStatus(adapter: ProviderAdapter): ProviderAdapter {
  return {
    id: adapter.id,
    kind: adapter.kind,
    currency: adapter.currency,
    capabilities: { ...adapter.capabilities, batchStatus: false },
    catalog: () => adapter.catalog(),
    buy: (request) => adapter.buy(request),
    status: (ref) => adapter.status(ref),
    ...(adapter.listActivations ? { listActivations: () => adapter.listActivations!() } : {}),
    ...(adapter.cancel ? { cancel: (ref: string) => adapter.cancel!(ref) } : {}),
    ...(adapter.finish ? { finish: (ref: string) => adapter.finish!(ref) } : {}),
    ...(adapter.requestAnotherSms
      ? { requestAnotherSms: (ref: string) => adapter.requestAnotherSms!(ref) }
      : {}),
    balance: () => adapter.balance(),
  };
}
