import { DomainError, type ApiErrorCode } from '../errors.js';

/** A hold larger than what the user can spend. */
export class InsufficientFunds extends DomainError {
  override readonly name = 'InsufficientFunds';
  readonly code = 'INSUFFICIENT_FUNDS' as const;
  readonly apiCode = 'INSUFFICIENT_FUNDS' as const;
  constructor(
    readonly requiredMinor: bigint,
    readonly availableMinor: bigint,
  ) {
    super(`insufficient funds: ${requiredMinor} needed, ${availableMinor} available (minor units)`);
  }
}

export type WalletErrorCode = 'INVALID_AMOUNT' | 'INVALID_REFERENCE';

/** A wallet movement refused for its input: a non-positive amount, a missing reference.
 *  (Settling a hold twice cannot be asked for: the order's state machine decides settlements
 *  and the ledger's unique (order_id, kind) refuses a second one.) */
export class WalletRuleViolation extends DomainError {
  override readonly name = 'WalletRuleViolation';
  readonly apiCode: ApiErrorCode;
  constructor(
    readonly code: WalletErrorCode,
    message: string,
  ) {
    super(message);
    this.apiCode = 'BAD_USER_INPUT';
  }
}
