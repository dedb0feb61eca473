import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry of one process with Node's process metrics under their standard, unprefixed
 *  names (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, …): the server and the
 *  worker are told apart by the scrape's `job` label, as Prometheus intends. */
export function createRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Whether an `Authorization` header carries `Bearer <token>` (constant-time). No token
 *  configured: everyone may scrape. */
export function metricsAuthorized(
  authorization: string | undefined,
  token: string | undefined,
): boolean {
  if (token === undefined) return true;
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
