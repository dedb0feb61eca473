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

export type WalletErrorCode =
  | 'INVALID_AMOUNT'
  | 'INVALID_REFERENCE'
  | 'HOLD_EXISTS'
  | 'HOLD_NOT_FOUND'
  | 'HOLD_ALREADY_SETTLED'
  | 'HOLD_NOT_CAPTURED'
  | 'ALREADY_REFUNDED'
  | 'REFUND_EXCEEDS_CAPTURE';

/** A ledger rule broken by the caller. Apart from a bad amount (user input on credit), these
 *  are programming errors — a hold settled twice means a transition ran twice — so the API
 *  reports them as INTERNAL. */
export class WalletRuleViolation extends DomainError {
  override readonly name = 'WalletRuleViolation';
  readonly apiCode: ApiErrorCode;
  constructor(
    readonly code: WalletErrorCode,
    message: string,
    readonly holdId?: string,
  ) {
    super(message);
    this.apiCode =
      code === 'INVALID_AMOUNT' || code === 'INVALID_REFERENCE' ? 'BAD_USER_INPUT' : 'INTERNAL';
  }
}
