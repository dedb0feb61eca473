import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderAdapter } from '@numbroker/providers';
import express from 'express';
import type { AppDeps } from '../../services/app-deps.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import type { SmsActivateCodeTables } from '../code-tables.js';
import { createSmsActivateRouter, type SmsActivateRouterOptions } from '../router.js';

/** A slice of the providers package's tables (same ids and codes), so the tests do not
 *  depend on that package exporting them. */
export const TEST_CODES: SmsActivateCodeTables = {
  countryIdToIso: { 0: 'RU', 2: 'KZ', 12: 'US', 22: 'IN', 187: 'US' },
  serviceCodeToSlug: { tg: 'telegram', wa: 'whatsapp', go: 'google', ig: 'instagram' },
};

export interface EndpointHarness {
  t: TestServer;
  /** `http://127.0.0.1:port/stubs/handler_api.php` */
  endpointUrl: string;
  /** GET with these query parameters; the answer's status, body and headers. */
  get(params: Record<string, string>): Promise<EndpointResponse>;
  post(params: Record<string, string>): Promise<EndpointResponse>;
  /** Delivers an SMS to an order as the worker's poll pass records it. */
  deliverCode(orderId: string, code: string | null, text: string | null): Promise<void>;
  /** The order behind an activation id (read from the store, as a test may). */
  orderIdOf(activationId: string): Promise<string>;
  close(): Promise<void>;
}

export interface EndpointResponse {
  status: number;
  body: string;
  headers: Headers;
}

/**
 * The GraphQL test server (store, users, offers, adapters) plus an express app serving only
 * this router, built over the server's own AppDeps — what server.ts mounts, without touching
 * server.ts.
 */
export async function startEndpoint(
  options: {
    adapters?: ProviderAdapter[];
    config?: Record<string, unknown>;
    router?: Partial<SmsActivateRouterOptions>;
    deps?: (deps: AppDeps) => AppDeps;
  } = {},
): Promise<EndpointHarness> {
  const t = await startTestServer({
    ...(options.adapters ? { adapters: options.adapters } : {}),
    ...(options.config ? { config: options.config } : {}),
  });
  const deps = options.deps ? options.deps(t.server.deps) : t.server.deps;
  const app = express();
  app.use(
    '/stubs/handler_api.php',
    createSmsActivateRouter(deps, { store: t.store, codes: TEST_CODES, ...options.router }),
  );
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stubs/handler_api.php`;

  const read = async (response: Response): Promise<EndpointResponse> => ({
    status: response.status,
    body: await response.text(),
    headers: response.headers,
  });

  return {
    t,
    endpointUrl,
    get: async (params) =>
      read(await fetch(`${endpointUrl}?${new URLSearchParams(params).toString()}`)),
    post: async (params) =>
      read(
        await fetch(endpointUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(params).toString(),
        }),
      ),
    async deliverCode(orderId, code, text) {
      await t.store.orders.applyOrderCommand(
        orderId,
        { type: 'CODE_RECEIVED' },
        { sms: { code, text } },
      );
    },
    async orderIdOf(activationId) {
      const owner = await t.store.activationIds.resolve(activationId);
      if (!owner) throw new Error(`no activation ${activationId}`);
      return owner.orderId;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}
