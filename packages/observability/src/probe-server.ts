import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { metricsAuthorized } from './metrics.js';

/** What `/readyz` answers: ready only when every check passed; `checks` names each one's
 *  state ("ok" or why not) so an operator reading the probe sees which failed. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

export type ReadinessCheck = () => Promise<Readiness>;

/** A readiness check that never throws: a check that fails to answer is "not ready". */
export async function safeReadiness(check: ReadinessCheck): Promise<Readiness> {
  try {
    return await check();
  } catch (error) {
    return {
      ready: false,
      checks: { readiness: error instanceof Error ? error.message : String(error) },
    };
  }
}

export interface ProbeServerOptions {
  host: string;
  port: number;
  /** Serve `/healthz` and `/readyz` (from this check). */
  readiness?: ReadinessCheck;
  /** Serve `/metrics` from this registry. */
  registry?: Registry;
  /** `/metrics` then needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

export interface ProbeServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** A small HTTP listener for probes and metrics: the worker's, and the server's separate
 *  metrics port. Anything else is 404. */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const server = createServer((req, res) => {
    void handle(options, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  options: ProbeServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (options.readiness && path === '/healthz') {
    json(res, 200, { status: 'ok' });
    return;
  }
  if (options.readiness && path === '/readyz') {
    const readiness = await safeReadiness(options.readiness);
    json(res, readiness.ready ? 200 : 503, {
      status: readiness.ready ? 'ready' : 'not ready',
      checks: readiness.checks,
    });
    return;
  }
  if (options.registry && path === '/metrics') {
    if (!metricsAuthorized(req.headers.authorization, options.metricsToken)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    const text = await options.registry.metrics();
    res.writeHead(200, { 'content-type': options.registry.contentType }).end(text);
    return;
  }
  res.writeHead(404).end();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
