import type { DueDelivery, WebhookStore } from '@numbroker/store';
import type { Logger } from 'pino';
import { messagesOfEvent } from './messages.js';
import { DEFAULT_RETRY_SCHEDULE_SECONDS, nextAttemptAt } from './schedule.js';
import type { WebhookSecretBox } from './secret-box.js';
import { sendWebhook, type SendInput, type SendResult } from './sender.js';

export interface DispatcherOptions {
  /** Lease owner id (unique per process). */
  workerId: string;
  allowPrivateUrls: boolean;
  /** An attempt without a 2xx answer by then has failed (15 000). */
  timeoutMs: number;
  retryScheduleSeconds?: readonly number[];
  /** Attempts in flight to one endpoint, at most (4): a slow endpoint holds only its own. */
  maxConcurrentPerEndpoint: number;
  /** Attempts in flight in this process, at most (256). */
  maxConcurrent: number;
  /** The gap between two looks at the outbox and the due deliveries (500 ms). */
  pollIntervalMs: number;
}

export interface DispatcherDeps {
  store: WebhookStore;
  secrets: WebhookSecretBox;
  logger: Logger;
  /** Tests may swap the HTTP attempt. */
  send?: (input: SendInput) => Promise<SendResult>;
  now?: () => Date;
}

/**
 * Delivers customer webhooks from the order-event outbox, off every request path (it runs in
 * the worker): each pass fans new events out into deliveries, then leases due deliveries per
 * endpoint — never more than `maxConcurrentPerEndpoint` in flight to one endpoint, so a dead or
 * slow endpoint waits on its own timeouts while everyone else's go out — and records each
 * attempt's outcome with its next time on the retry schedule. A process killed mid-attempt
 * leaves a lease that lapses; the delivery is then sent again (at least once).
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private passing: Promise<void> | undefined;
  private again = false;
  private readonly inFlight = new Map<string, number>();
  private readonly attempts = new Set<Promise<void>>();
  private total = 0;

  constructor(
    private readonly options: DispatcherOptions,
    private readonly deps: DispatcherDeps,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Finishes the attempts in flight, then gives back the leases that were not used. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.passing;
    await Promise.allSettled([...this.attempts]);
    await this.deps.store.releaseLeases(this.options.workerId).catch(() => undefined);
  }

  /** One pass now (tests; and after an attempt frees a slot). */
  async runPass(): Promise<void> {
    if (this.passing) {
      this.again = true;
      return this.passing;
    }
    this.passing = this.pass().finally(() => {
      this.passing = undefined;
    });
    return this.passing;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.runPass().finally(() => this.schedule(this.options.pollIntervalMs));
    }, delayMs);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async pass(): Promise<void> {
    do {
      this.again = false;
      try {
        // Catch up with the outbox (bounded per pass, the rest next time).
        for (let round = 0; round < 20; round += 1) {
          if ((await this.deps.store.fanOut(messagesOfEvent, { now: this.now() })) === 0) break;
        }
        await this.claimAndSend();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'webhook pass failed; retrying next pass');
      }
    } while (this.again && this.running);
  }

  private async claimAndSend(): Promise<void> {
    const now = this.now();
    const endpoints = await this.deps.store.endpointsWithDueDeliveries(now);
    for (const endpointId of endpoints) {
      const free = Math.min(
        this.options.maxConcurrentPerEndpoint - (this.inFlight.get(endpointId) ?? 0),
        this.options.maxConcurrent - this.total,
      );
      if (free <= 0) continue;
      const leased = await this.deps.store.claimDue({
        endpointId,
        workerId: this.options.workerId,
        limit: free,
        // Longer than an attempt can take, so a live worker never loses its lease mid-attempt.
        leaseMs: this.options.timeoutMs + 30_000,
        now,
      });
      for (const due of leased) this.launch(due);
    }
  }

  private launch(due: DueDelivery): void {
    const endpointId = due.endpoint.id;
    this.inFlight.set(endpointId, (this.inFlight.get(endpointId) ?? 0) + 1);
    this.total += 1;
    const attempt = this.attempt(due).finally(() => {
      const left = (this.inFlight.get(endpointId) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(endpointId);
      else this.inFlight.set(endpointId, left);
      this.total -= 1;
      this.attempts.delete(attempt);
      // A slot is free: the endpoint's next due delivery need not wait for the poll.
      if (this.running) void this.runPass();
    });
    this.attempts.add(attempt);
  }

  private async attempt({ delivery, endpoint }: DueDelivery): Promise<void> {
    const log = this.deps.logger.child({ deliveryId: delivery.id, endpointId: endpoint.id });
    let result: SendResult;
    try {
      const secret = this.deps.secrets.open(endpoint.secretSealed);
      result = await (this.deps.send ?? sendWebhook)({
        url: endpoint.url,
        messageId: `msg_${delivery.id}`,
        body: delivery.payload,
        secret,
        timeoutMs: this.options.timeoutMs,
        allowPrivate: this.options.allowPrivateUrls,
        now: this.now(),
      });
    } catch (error) {
      result = { delivered: false, statusCode: null, error: (error as Error).message };
    }
    const next = result.delivered
      ? null
      : nextAttemptAt(
          delivery.scheduleStep,
          this.now(),
          this.options.retryScheduleSeconds ?? DEFAULT_RETRY_SCHEDULE_SECONDS,
        );
    try {
      const recorded = await this.deps.store.recordAttempt({
        deliveryId: delivery.id,
        workerId: this.options.workerId,
        outcome: { ...result, nextAttemptAt: next },
        now: this.now(),
      });
      if (!recorded) log.warn('webhook lease lost before the attempt was recorded');
      else if (!result.delivered) {
        log.info(
          {
            status: result.statusCode,
            error: result.error,
            nextAttemptAt: next?.toISOString() ?? null,
          },
          next ? 'webhook attempt failed; retry scheduled' : 'webhook delivery failed for good',
        );
      }
    } catch (error) {
      // The lease lapses and the delivery is tried again: at least once.
      log.error({ err: error }, 'recording a webhook attempt failed');
    }
  }
}
