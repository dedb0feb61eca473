import { createMoneyCounter, createRegistry } from '@numbroker/observability';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ServerMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  graphqlOperations: Counter<'type' | 'outcome'>;
  upstreamCalls: Counter<'provider' | 'operation' | 'outcome'>;
  /** Upstream buy attempts by provider and outcome (ok or the error code). */
  buys: Counter<'provider' | 'outcome'>;
  buyDuration: Histogram<'provider' | 'outcome'>;
  /** Sold on failover (or exploration) by a provider dearer than the held price: its sell
   *  price minus the held price, in minor units of the platform currency. */
  failoverMarginGivenUp: Counter<'currency' | 'provider'>;
  /** Of those, the upstream cost above the held price: sold below cost. */
  failoverLoss: Counter<'currency' | 'provider'>;
  /** Offers left out of a purchase because they would lose more than pricing.maxFailoverLoss. */
  failoverSkipped: Counter<'provider'>;
  /** Purchases that tried this (non-best) provider first to keep its code rate fresh. */
  routingExplorations: Counter<'provider'>;
  openSubscriptions: Gauge;
  openOrders: Gauge<'status' | 'provider'>;
  /** From an event's commit to its publication to this server's subscribers. */
  outboxLag: Histogram;
  /** From the SMS's arrival (the upstream's timestamp) to its publication to subscribers. */
  smsDelivery: Histogram;
  money: Counter<'movement' | 'currency'>;
}

export interface OpenOrderCount {
  status: string;
  providerId: string | null;
  count: number;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60];

/** Each server owns its registry, so several servers in one process (tests) never clash over
 *  prom-client's global default registry. Process metrics keep their standard names. */
export function createMetrics(options: {
  countOpenOrders?: () => Promise<OpenOrderCount[]>;
  defaultMetrics?: boolean;
}): ServerMetrics {
  const registry = createRegistry({ defaultMetrics: options.defaultMetrics ?? true });
  const countOpenOrders = options.countOpenOrders;
  return {
    registry,
    httpRequests: new Counter({
      name: 'numbroker_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'numbroker_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'numbroker_graphql_operations_total',
      help: 'GraphQL operations by type and outcome',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    upstreamCalls: new Counter({
      name: 'numbroker_upstream_calls_total',
      help: 'Calls to upstream providers by provider, operation and outcome (ok or error code)',
      labelNames: ['provider', 'operation', 'outcome'],
      registers: [registry],
    }),
    buys: new Counter({
      name: 'numbroker_buys_total',
      help: 'Upstream buy attempts by provider and outcome (ok, or the error code: no_numbers, unavailable, …)',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    }),
    buyDuration: new Histogram({
      name: 'numbroker_buy_duration_seconds',
      help: 'Latency of upstream buy calls by provider and outcome',
      labelNames: ['provider', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    failoverMarginGivenUp: new Counter({
      name: 'numbroker_failover_margin_given_up_minor_total',
      help: 'Orders sold by a provider dearer than the held (cheapest) price: its sell price minus the price charged, in minor units of the platform currency',
      labelNames: ['currency', 'provider'],
      registers: [registry],
    }),
    failoverLoss: new Counter({
      name: 'numbroker_failover_loss_minor_total',
      help: 'Orders sold below upstream cost on failover (at most pricing.maxFailoverLoss each): cost minus the price charged, in minor units of the platform currency',
      labelNames: ['currency', 'provider'],
      registers: [registry],
    }),
    failoverSkipped: new Counter({
      name: 'numbroker_failover_offers_skipped_total',
      help: 'Offers left out of a purchase because selling them at the held price would lose more than pricing.maxFailoverLoss',
      labelNames: ['provider'],
      registers: [registry],
    }),
    routingExplorations: new Counter({
      name: 'numbroker_routing_explorations_total',
      help: 'Purchases that tried a non-best provider first (routing.explorationShare) so its code rate stays fresh',
      labelNames: ['provider'],
      registers: [registry],
    }),
    openSubscriptions: new Gauge({
      name: 'numbroker_open_subscriptions',
      help: 'GraphQL subscriptions currently open on this server',
      registers: [registry],
    }),
    openOrders: new Gauge({
      name: 'numbroker_orders',
      help: 'Open orders (PENDING, ACTIVE, CODE_RECEIVED) by status and provider, read at scrape time; ended orders are counted by numbroker_worker_order_endings_total',
      labelNames: ['status', 'provider'],
      registers: [registry],
      async collect() {
        if (!countOpenOrders) return;
        const counts = await countOpenOrders();
        this.reset();
        for (const { status, providerId, count } of counts) {
          this.set({ status, provider: providerId ?? 'none' }, count);
        }
      },
    }),
    outboxLag: new Histogram({
      name: 'numbroker_outbox_lag_seconds',
      help: 'Time from an order event being written to its publication to subscribers of this server',
      buckets: DELIVERY_BUCKETS,
      registers: [registry],
    }),
    smsDelivery: new Histogram({
      name: 'numbroker_sms_delivery_seconds',
      help: "Time from an SMS's arrival at the upstream (its timestamp) to its publication to subscribers",
      buckets: DELIVERY_BUCKETS,
      registers: [registry],
    }),
    money: createMoneyCounter(registry),
  };
}
