import { Money } from '@numbroker/core';

/** One committed change of a wallet: what an operator traces, one log line each. */
export interface MoneyMovement {
  /** HOLD at a buy, CAPTURE at the first code, RELEASE on cancel/expiry/failure, REFUND on a
   *  refunded report, CREDIT by an admin or the CLI. */
  kind: 'HOLD' | 'CAPTURE' | 'RELEASE' | 'REFUND' | 'CREDIT';
  userId: string;
  /** Decimal in `currency`, e.g. "64400". */
  amount: string;
  amountMinor: bigint;
  currency: string;
  orderId?: string;
  providerId?: string | null;
  /** CREDIT: the caller's reference. */
  reference?: string;
}

export type MoneyMovementListener = (movement: MoneyMovement) => void;

/** Tells listeners (logs, metrics) of money movements after their transaction committed:
 *  never for a rolled-back or re-run attempt, never twice for an idempotent repeat. */
export class MoneyMovements {
  private readonly listeners = new Set<MoneyMovementListener>();

  on(listener: MoneyMovementListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(movement: Omit<MoneyMovement, 'amount'>): void {
    if (this.listeners.size === 0) return;
    const full: MoneyMovement = {
      ...movement,
      amount: Money.ofMinor(movement.amountMinor, movement.currency).format(),
    };
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A listener's failure (a log stream gone) must not turn a committed change into an error.
      }
    }
  }
}
