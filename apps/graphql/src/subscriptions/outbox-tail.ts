import type { Logger } from 'pino';
import type { OrderEventRecord } from '../services/records.js';
import { publishOrderEvent, type OrderEventsPubSub } from './topics.js';

export interface OutboxTailOptions {
  pubSub: OrderEventsPubSub;
  logger: Logger;
  /** Every user's events after `afterId`, ascending by id, at most `limit`. */
  readEventsAfter(afterId: string, limit: number): Promise<OrderEventRecord[]>;
  /** The highest event id now, or "0": the tail publishes only what comes later. */
  latestEventId(): Promise<string>;
  /** Gap between two reads when nothing woke the tail (SQLite: 25 ms by default). */
  pollIntervalMs: number;
  /** Postgres: LISTEN on the channel the store NOTIFYs; resolves to an unsubscribe. */
  listen?: (wake: () => void) => Promise<() => Promise<void>>;
  onPublished?: (count: number) => void;
  /** Each event right after it was published (metrics: outbox lag, SMS delivery). */
  onEvent?: (event: OrderEventRecord) => void;
}

const BATCH = 500;
/** Woken again while reading (every commit wakes it), the tail still lets this pass before
 *  the next read: under a stream of buys it read back to back, each read a turn on SQLite's
 *  lane (on Postgres a wait for the writers in flight), for a batch of one or two events. */
const WOKEN_GAP_MS = 5;

/** Tails the order-event outbox by id and publishes each event to its user's topic. The worker
 *  is another process: this table is the only way its changes reach this server's subscribers. */
export class OutboxTail {
  private cursor = '0';
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly options: OutboxTailOptions) {}

  get lastPublishedId(): string {
    return this.cursor;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.cursor = await this.options.latestEventId();
    this.running = true;
    if (this.options.listen) {
      try {
        this.unlisten = await this.options.listen(() => this.wake());
      } catch (error) {
        // Polling alone still delivers, only later; say so instead of refusing to start.
        this.options.logger.warn({ err: error }, 'outbox LISTEN failed; polling only');
      }
    }
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;
    await this.unlisten?.().catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'outbox UNLISTEN failed');
    });
    this.unlisten = undefined;
  }

  /** Read now instead of at the next tick (a NOTIFY, or a write by this very process). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.drain();
        failures = 0;
      } catch (error) {
        failures += 1;
        // A busy or restarting database must not kill the tail; back off a little.
        this.options.logger.error({ err: error, failures }, 'outbox tail read failed');
      }
      await this.sleep(
        failures === 0 ? this.options.pollIntervalMs : Math.min(5000, 200 * failures),
      );
    }
  }

  private async drain(): Promise<void> {
    for (;;) {
      const events = await this.options.readEventsAfter(this.cursor, BATCH);
      for (const event of events) {
        publishOrderEvent(this.options.pubSub, event);
        this.cursor = event.id;
        this.options.onEvent?.(event);
      }
      if (events.length > 0) this.options.onPublished?.(events.length);
      if (events.length < BATCH || !this.running) return;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.woken) {
      this.woken = false;
      return new Promise((resolve) => setTimeout(resolve, WOKEN_GAP_MS));
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.woken = false;
        done();
      };
    });
  }
}
