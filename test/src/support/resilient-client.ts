import { GraphqlRequestError } from './graphql-http.js';
import { ORDER, ORDER_FIELDS, type OrderView } from './orders.js';
import type { Stack } from './stack.js';

/** Answers worth asking again: the upstream or the server had a bad moment. */
const TRANSIENT_CODES = new Set([
  'UPSTREAM_UNAVAILABLE',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
  undefined,
]);

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };

/**
 * What a careful client does while servers die under it: a request whose connection failed is
 * sent again (to the next server), a transient error is retried after a pause, and a refusal
 * after a retry is checked against the order (the first try may have gone through).
 */
export class ResilientClient {
  /** Requests that failed in transport (a server died under them). */
  transportFailures = 0;

  constructor(
    private readonly stack: Stack,
    private readonly deadlineMs = 30_000,
  ) {}

  /** `query` on some server until it answers; transport failures move to the next server. */
  async call<T>(
    apiKey: string,
    query: string,
    variables: Record<string, unknown>,
    preferredServer: number,
  ): Promise<Outcome<T>> {
    const deadline = Date.now() + this.deadlineMs;
    let server = preferredServer % this.stack.servers.length;
    for (;;) {
      try {
        return { ok: true, value: await this.stack.gql<T>(apiKey, query, variables, server) };
      } catch (error) {
        if (error instanceof GraphqlRequestError) {
          const code = error.code;
          if (!TRANSIENT_CODES.has(code) || Date.now() > deadline) {
            return { ok: false, code: code ?? 'NO_CODE' };
          }
        } else {
          this.transportFailures += 1;
          server = (server + 1) % this.stack.servers.length;
          if (Date.now() > deadline) return { ok: false, code: 'TRANSPORT' };
        }
      }
      await pause(200);
    }
  }

  async order(apiKey: string, id: string, server: number): Promise<OrderView> {
    const read = await this.call<{ order: OrderView | null }>(apiKey, ORDER, { id }, server);
    if (!read.ok || !read.value.order) throw new Error(`order ${id} unreadable: ${codeOf(read)}`);
    return read.value.order;
  }

  /**
   * A state-changing mutation (`cancelOrder`, `finishOrder`, `reportOrder`, ...) driven until the
   * order is `wanted`: a refusal after a lost answer counts as done when the order is there.
   */
  async transition(
    apiKey: string,
    mutation: 'cancelOrder' | 'finishOrder' | 'reportOrder',
    id: string,
    wanted: string | readonly string[],
    server: number,
  ): Promise<Outcome<OrderView>> {
    const deadline = Date.now() + this.deadlineMs;
    const done = (status: string) => [wanted].flat().includes(status);
    const query = `mutation($id: ID!) { ${mutation}(id: $id) { ${ORDER_FIELDS} } }`;
    for (;;) {
      const answer = await this.call<Record<string, OrderView>>(apiKey, query, { id }, server);
      if (answer.ok) {
        const order = answer.value[mutation]!;
        if (done(order.status)) return { ok: true, value: order };
      }
      const order = await this.order(apiKey, id, server);
      if (done(order.status)) return { ok: true, value: order };
      if (Date.now() > deadline) return { ok: false, code: answer.ok ? order.status : answer.code };
      await pause(300);
    }
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function codeOf(outcome: Outcome<unknown>): string {
  return outcome.ok ? 'ok' : outcome.code;
}
