import { createRegistry } from '@numbroker/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

/** The worker's own Prometheus registry (polls, codes, expiries, upstream latency, provider
 *  balances and breakers); process metrics under their standard names (the scrape's job
 *  label tells the worker from the server). */
export class WorkerMetrics {
  readonly registry = createRegistry();

  readonly polls = new Counter({
    name: 'numbroker_worker_polls_total',
    help: 'Status checks of waiting orders, by provider and outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly upstreamRequests = new Histogram({
    name: 'numbroker_worker_upstream_seconds',
    help: 'Upstream call latency by provider, operation and outcome',
    labelNames: ['provider', 'operation', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly codes = new Counter({
    name: 'numbroker_worker_codes_total',
    help: 'SMS codes delivered to orders, by provider',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly upstreamDebts = new Counter({
    name: 'numbroker_worker_upstream_debts_total',
    help: 'Orders expired here although their upstream cancel kept failing past the grace: the activation may still cost us upstream (an upstream_attempts row names each)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly orderEndings = new Counter({
    name: 'numbroker_worker_order_endings_total',
    help: 'Orders ended by the worker (expired, upstream-ended, reconciled, finished)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly providerHealthy = new Gauge({
    name: 'numbroker_worker_provider_healthy',
    help: 'Whether the last catalog sync left the provider healthy (1) or its breaker open (0)',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly breakerOpen = new Gauge({
    name: 'numbroker_upstream_breaker_open',
    help: 'Whether the provider is out of routing because its breaker is open (1) or not (0)',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly upstreamBalance = new Gauge({
    name: 'numbroker_upstream_balance',
    help: 'Our balance at the provider at the last catalog sync, in its currency (major units)',
    labelNames: ['provider', 'currency'] as const,
    registers: [this.registry],
  });

  readonly offers = new Gauge({
    name: 'numbroker_worker_provider_offers',
    help: 'Offers listed by the provider at the last successful catalog sync',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly passOrders = new Counter({
    name: 'numbroker_worker_leased_orders_total',
    help: 'Due orders leased by poll passes (status checks, expiries and reconciliations)',
    registers: [this.registry],
  });

  readonly passSeconds = new Histogram({
    name: 'numbroker_worker_pass_seconds',
    help: 'Duration of one pass of a worker loop, by loop',
    labelNames: ['task'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /** Times an upstream call into `upstreamRequests`, whatever its outcome. */
  async timeUpstream<T>(provider: string, operation: string, call: () => Promise<T>): Promise<T> {
    const end = this.upstreamRequests.startTimer({ provider, operation });
    try {
      const result = await call();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: errorOutcome(error) });
      throw error;
    }
  }
}

function errorOutcome(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code.toLowerCase() : 'error';
}
