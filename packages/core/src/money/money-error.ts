import { DomainError, type ApiErrorCode } from '../errors.js';

export type MoneyErrorCode =
  | 'INVALID_AMOUNT'
  | 'NEGATIVE_AMOUNT'
  | 'TOO_MANY_DECIMALS'
  | 'UNKNOWN_CURRENCY'
  | 'CURRENCY_MISMATCH'
  | 'MISSING_RATE'
  | 'INVALID_RATE';

/** Every failure of parsing, converting or combining money; `code` is stable for callers.
 *  A bad amount from a request (maxPrice "1.234", a credit of "-5") is BAD_USER_INPUT; a
 *  mismatch or a bad rate is our own configuration or code, INTERNAL. */
export class MoneyError extends DomainError {
  override readonly name = 'MoneyError';
  readonly apiCode: ApiErrorCode;
  constructor(
    readonly code: MoneyErrorCode,
    message: string,
  ) {
    super(message);
    this.apiCode =
      code === 'CURRENCY_MISMATCH' || code === 'MISSING_RATE' || code === 'INVALID_RATE'
        ? 'INTERNAL'
        : 'BAD_USER_INPUT';
  }
}
