export type MoneyErrorCode =
  | 'INVALID_AMOUNT'
  | 'NEGATIVE_AMOUNT'
  | 'TOO_MANY_DECIMALS'
  | 'UNKNOWN_CURRENCY'
  | 'CURRENCY_MISMATCH'
  | 'MISSING_RATE'
  | 'INVALID_RATE';

/** Every failure of parsing, converting or combining money; `code` is stable for callers. */
export class MoneyError extends Error {
  override readonly name = 'MoneyError';
  constructor(
    readonly code: MoneyErrorCode,
    message: string,
  ) {
    super(message);
  }
}
