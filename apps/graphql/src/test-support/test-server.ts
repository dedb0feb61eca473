import { Money } from '@numbroker/core';
import { parseConfig, type Config } from '@numbroker/config';
import type { ProviderAdapter } from '@numbroker/providers';
import { Store } from '@numbroker/store';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { RateLimitOptions } from '../auth/rate-limit.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createServer, type NumbrokerServer } from '../server.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; [key: string]: unknown } }>;
}

export interface TestServer {
  server: NumbrokerServer;
  store: Store;
  config: Config;
  request<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    apiKey?: string | null,
  ): Promise<GraphQLResponse<T>>;
  /** A user with `funds` (platform currency) in the wallet; returns its id and key. */
  createFundedUser(name: string, funds: string): Promise<{ id: string; apiKey: string }>;
  /** Offers as the worker's catalog sync would store them (costs in IRT). */
  stockOffers(
    providerId: string,
    offers: Array<{
      service: string;
      country: string;
      cost: string;
      stock?: number;
      ref?: string;
      operator?: string;
    }>,
  ): Promise<void>;
  wsClient(apiKey: string | null, options?: { onClose?: (code: number) => void }): Client;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    adapters?: ProviderAdapter[];
    rateLimit?: RateLimitOptions;
    config?: Record<string, unknown>;
    logger?: Logger;
    /** Routing's exploration draw. */
    random?: () => number;
  } = {},
): Promise<TestServer> {
  const adapters = options.adapters ?? [];
  const config = parseConfig({
    database: 'sqlite::memory:',
    adminApiKey: ADMIN_KEY,
    currency: 'IRT',
    exchangeRates: { RUB: '1200' },
    pricing: { markupPercent: '10', roundTo: '100' },
    orderTtlSeconds: 600,
    // Tests assert which provider sells: no exploration draw unless a test asks for one.
    routing: { explorationShare: 0 },
    providers: adapters.map((adapter) => ({
      id: adapter.id,
      kind: adapter.kind,
      baseUrl: 'http://127.0.0.1:9/',
      apiKey: `upstream-secret-${adapter.id}`,
      currency: adapter.currency,
    })),
    ...options.config,
  });
  const store = await Store.open('sqlite::memory:', { currency: config.currency });
  const server = await createServer({
    config,
    store,
    adapters,
    host: '127.0.0.1',
    port: 0,
    logger: options.logger ?? createLogger({ level: 'silent' }),
    rateLimit: options.rateLimit ?? { points: 10_000, windowSeconds: 1 },
    ...(options.random ? { random: options.random } : {}),
  });
  const clients: Client[] = [];

  const request: TestServer['request'] = async (query, variables, apiKey = ADMIN_KEY) => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
    return { status: response.status, ...body } as GraphQLResponse<never>;
  };

  return {
    server,
    store,
    config,
    request,
    async createFundedUser(name, funds) {
      const created = await request<{ createUser: { user: { id: string }; apiKey: string } }>(
        'mutation($name: String!) { createUser(input: { name: $name }) { user { id } apiKey } }',
        { name },
      );
      const user = created.data!.createUser;
      if (funds !== '0') {
        await store.users.creditWallet({
          userId: user.user.id,
          amountMinor: Money.parse(funds, config.currency).minor,
          reference: `seed-${user.user.id}`,
        });
      }
      return { id: user.user.id, apiKey: user.apiKey };
    },
    async stockOffers(providerId, offers) {
      await store.offers.replaceProviderOffers(
        providerId,
        offers.map((offer, index) => ({
          service: offer.service,
          country: offer.country,
          cost: Money.parse(offer.cost, 'IRT'),
          stock: offer.stock ?? 10,
          ...(offer.operator ? { operator: offer.operator } : {}),
          ref: offer.ref ?? `${providerId}-${offer.service}-${offer.country}-${index}`,
          ...(offer.operator === undefined ? {} : { operator: offer.operator }),
        })),
      );
    },
    wsClient(apiKey, clientOptions = {}) {
      const client = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        lazy: true,
        retryAttempts: 0,
        connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
        on: { closed: (event) => clientOptions.onClose?.((event as { code: number }).code) },
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map(async (client) => void (await client.dispose())));
      await server.close();
      await store.close();
    },
  };
}

/** Collects a subscription's results into a queue the test awaits, never a sleep. */
export function subscribe<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): {
  next(): Promise<{
    data?: T;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  }>;
  done: Promise<void>;
  stop(): void;
} {
  type Result = { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  const results: Result[] = [];
  const waiters: Array<(result: Result) => void> = [];
  let stop: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    stop = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          const waiter = waiters.shift();
          if (waiter) waiter(result as Result);
          else results.push(result as Result);
        },
        error: (error) => {
          const errors = Array.isArray(error)
            ? (error as Result['errors'])
            : [{ message: String(error) }];
          const waiter = waiters.shift();
          if (waiter) waiter({ errors });
          else results.push({ errors });
          reject(error instanceof Error ? error : new Error('subscription error'));
        },
        complete: resolve,
      },
    );
  });
  done.catch(() => undefined);
  return {
    next: () => {
      const ready = results.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => waiters.push(resolve));
    },
    done,
    stop: () => stop(),
  };
}
