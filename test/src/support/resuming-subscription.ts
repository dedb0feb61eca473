import type { WsConnection } from './graphql-ws-client.js';
import { SMS_RECEIVED, type SmsReceivedEvent } from './orders.js';
import type { Stack } from './stack.js';

const RECONNECT_DELAY_MS = 150;
const FOREVER_MS = 24 * 3600 * 1000;

/**
 * A user's `smsReceived` over all its orders, as a client that outlives server crashes keeps it:
 * when the socket drops it reconnects and resumes with `after` = the last event it got, so every
 * event should arrive once, in order, across any number of restarts.
 */
export class ResumingCodes {
  readonly events: Array<SmsReceivedEvent['smsReceived']> = [];
  /** Subscriptions opened after the first (each one a resume). */
  resumes = 0;
  private lastEventId = '0';
  private stopped = false;
  private current: WsConnection | undefined;
  private readonly loop: Promise<void>;

  constructor(
    private readonly stack: Stack,
    private readonly apiKey: string,
    private readonly serverIndex: number,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let first = true;
    while (!this.stopped) {
      const socket = this.stack.connect(this.apiKey, this.serverIndex);
      this.current = socket;
      try {
        await socket.ready();
        if (!first) this.resumes += 1;
        first = false;
        const sub = socket.subscribe<SmsReceivedEvent>(SMS_RECEIVED, { after: this.lastEventId });
        for (;;) {
          const result = await sub.results.next('an smsReceived event', FOREVER_MS);
          if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join());
          if (!result.data) continue;
          this.events.push(result.data.smsReceived);
          this.lastEventId = result.data.smsReceived.eventId;
        }
      } catch {
        // The server died (or answered an error): resume from the last event.
      } finally {
        await socket.close().catch(() => undefined);
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.close().catch(() => undefined);
    await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }
}
