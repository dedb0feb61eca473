import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServerMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  graphqlOperations: Counter<'type' | 'outcome'>;
  upstreamCalls: Counter<'provider' | 'operation' | 'outcome'>;
  openSubscriptions: Gauge;
  ordersByStatus: Gauge<'status'>;
}

/** Each server owns its registry, so several servers in one process (tests) never clash over
 *  prom-client's global default registry. */
export function createMetrics(options: {
  countOrdersByStatus?: () => Promise<Record<string, number>>;
  defaultMetrics?: boolean;
}): ServerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const countOrdersByStatus = options.countOrdersByStatus;
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
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
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
    openSubscriptions: new Gauge({
      name: 'numbroker_open_subscriptions',
      help: 'GraphQL subscriptions currently open on this server',
      registers: [registry],
    }),
    ordersByStatus: new Gauge({
      name: 'numbroker_orders',
      help: 'Orders by status (read from the database at scrape time)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        if (!countOrdersByStatus) return;
        const counts = await countOrdersByStatus();
        this.reset();
        for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
      },
    }),
  };
}
