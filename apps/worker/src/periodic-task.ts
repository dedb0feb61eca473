import type { Logger } from 'pino';

/** Runs `run` again and again with a pause between the end of one pass and the start of the
 *  next (never overlapping itself). `stop()` waits for the pass in flight, so a SIGTERM
 *  finishes the work it started instead of abandoning it half-written. */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = true;
  private wakeRequested = false;

  constructor(
    readonly name: string,
    private readonly delayMs: () => number,
    private readonly run: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs the next pass now (or right after the one in flight). */
  wake(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.pass().finally(() => {
        this.inFlight = undefined;
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? 0 : this.delayMs());
      });
    }, delay);
  }

  private async pass(): Promise<void> {
    try {
      await this.run();
    } catch (error) {
      // One bad pass must not end the loop: log it and try again next time.
      this.logger.error({ err: error, task: this.name }, `${this.name} pass failed`);
    }
  }
}
