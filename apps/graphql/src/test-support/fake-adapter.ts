import { Money } from '@numbroker/core';
import type {
  ActivationStatus,
  BuyRequest,
  Capabilities,
  Offer,
  ProviderAdapter,
  ProviderKind,
  Purchase,
} from '@numbroker/providers';

/** A scripted upstream for failover tests: each `buy` takes the next scripted outcome (an
 *  error to throw, or "ok"). Calls are logged to assert on. */
export class ScriptedAdapter implements ProviderAdapter {
  readonly kind: ProviderKind = 'smsactivate';
  readonly currency = 'IRT' as const;
  readonly capabilities: Capabilities = {
    batchStatus: false,
    listActivations: false,
    cancel: true,
    cancelRefunds: true,
    finish: true,
    report: true,
    reportRefunds: true,
    requestAnotherSms: true,
    chargesPerSms: false,
  };
  readonly calls: Array<{ operation: string; ref: string; operator?: string }> = [];
  private readonly buyScript: Array<Error | 'ok'> = [];
  private counter = 0;
  /** Runs inside each `cancel` / `buy` call (a race with the worker, a slow upstream). */
  onCancel: ((upstreamRef: string) => Promise<void>) | undefined;
  onBuy: (() => Promise<void>) | undefined;

  constructor(
    readonly id: string,
    private readonly offers: Offer[] = [],
  ) {}

  scriptBuys(...outcomes: Array<Error | 'ok'>): void {
    this.buyScript.push(...outcomes);
  }

  async catalog(): Promise<Offer[]> {
    return this.offers;
  }

  async buy(request: BuyRequest): Promise<Purchase> {
    this.calls.push({
      operation: 'buy',
      ref: request.ref,
      ...(request.operator === undefined ? {} : { operator: request.operator }),
    });
    const outcome = this.buyScript.shift() ?? 'ok';
    await this.onBuy?.();
    if (outcome !== 'ok') throw outcome;
    this.counter += 1;
    return {
      upstreamRef: `${this.id}-${this.counter}`,
      phoneNumber: `+7900000${String(this.counter).padStart(4, '0')}`,
    };
  }

  async status(upstreamRef: string): Promise<ActivationStatus> {
    return { upstreamRef, state: 'waiting', messages: [] };
  }

  async cancel(upstreamRef: string): Promise<void> {
    this.calls.push({ operation: 'cancel', ref: upstreamRef });
    await this.onCancel?.(upstreamRef);
  }

  async finish(upstreamRef: string): Promise<void> {
    this.calls.push({ operation: 'finish', ref: upstreamRef });
  }

  async report(upstreamRef: string): Promise<void> {
    this.calls.push({ operation: 'report', ref: upstreamRef });
  }

  async requestAnotherSms(upstreamRef: string): Promise<void> {
    this.calls.push({ operation: 'requestAnotherSms', ref: upstreamRef });
  }

  async balance(): Promise<Money> {
    return Money.parse('1000000', 'IRT');
  }
}
