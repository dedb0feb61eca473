import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { AsyncQueue } from './async-queue.js';

export interface SubscriptionResult<T> {
  data?: T | null;
  errors?: ReadonlyArray<{ message: string; extensions?: { code?: string } }>;
}

/** One graphql-ws connection (`connection_init` carrying `authorization: Bearer <key>`). */
export class WsConnection {
  private readonly client: Client;
  private readonly connected: Promise<void>;
  private readonly closes = new AsyncQueue<{ code: number; reason: string }>();
  private readonly disposers = new Set<() => void>();

  constructor(url: string, apiKey: string) {
    let markConnected: () => void = () => undefined;
    let markFailed: (error: Error) => void = () => undefined;
    this.connected = new Promise<void>((resolve, reject) => {
      markConnected = resolve;
      markFailed = reject;
    });
    this.client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${apiKey}` },
      lazy: false,
      // Reported through ready() and closed() instead of graphql-ws's console.error.
      onNonLazyError: () => undefined,
      retryAttempts: 0,
      // The server side closes after a failed init; report it, do not reconnect.
      shouldRetry: () => false,
      on: {
        connected: () => markConnected(),
        closed: (event) => {
          const close = event as { code?: number; reason?: string };
          const info = { code: close.code ?? 0, reason: close.reason ?? '' };
          this.closes.push(info);
          markFailed(new Error(`socket closed ${info.code} ${info.reason}`));
        },
        error: (error) => markFailed(error instanceof Error ? error : new Error('WebSocket error')),
      },
    });
  }

  /** Resolves once the server acknowledged connection_init. */
  ready(): Promise<void> {
    return this.connected;
  }

  /** The first close frame the socket received. */
  closed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    return this.closes.next('the WebSocket to close', timeoutMs);
  }

  /** Subscribes; every result lands in the returned queue (errors too). */
  subscribe<T>(query: string, variables: Record<string, unknown> = {}): Subscription<T> {
    const results = new AsyncQueue<SubscriptionResult<T>>();
    const dispose = this.client.subscribe<T>(
      { query, variables },
      {
        next: (value) => results.push(value),
        error: (error) => {
          const message = Array.isArray(error)
            ? (error as Array<{ message: string }>).map((e) => e.message).join('; ')
            : error instanceof Error
              ? error.message
              : JSON.stringify(error);
          results.push({ errors: normalizeErrors(error) });
          results.fail(new Error(`subscription ended with an error: ${message}`));
        },
        complete: () => results.fail(new Error('subscription completed')),
      },
    );
    this.disposers.add(dispose);
    return new Subscription(results, () => {
      this.disposers.delete(dispose);
      dispose();
    });
  }

  async close(): Promise<void> {
    for (const dispose of this.disposers) dispose();
    this.disposers.clear();
    await this.client.dispose();
  }
}

export class Subscription<T> {
  constructor(
    readonly results: AsyncQueue<SubscriptionResult<T>>,
    readonly unsubscribe: () => void,
  ) {}

  /** The next result carrying data that `accepts` takes. */
  async nextData(
    what: string,
    timeoutMs: number,
    accepts: (data: T) => boolean = () => true,
  ): Promise<T> {
    const result = await this.results.next(
      what,
      timeoutMs,
      (r) => (r.errors?.length ?? 0) > 0 || (r.data != null && accepts(r.data)),
    );
    if (result.errors?.length) {
      throw new Error(`${what}: ${result.errors.map((e) => e.message).join('; ')}`);
    }
    return result.data as T;
  }

  /** Every data result received so far. */
  get received(): T[] {
    return this.results.all.flatMap((r) => (r.data != null ? [r.data] : []));
  }
}

function normalizeErrors(
  error: unknown,
): ReadonlyArray<{ message: string; extensions?: { code?: string } }> {
  if (Array.isArray(error)) return error as Array<{ message: string }>;
  if (error instanceof Error) return [{ message: error.message }];
  const close = error as { code?: number; reason?: string };
  return [{ message: `socket closed ${close.code ?? '?'} ${close.reason ?? ''}` }];
}
