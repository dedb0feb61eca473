import { MoneyError } from './money-error.js';

/** An exact decimal: value = units / 10^scale. Parsed from strings only, so no float ever
 *  touches an amount or a rate. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_PATTERN = /^([+-]?)(\d+)(?:\.(\d+))?$/;

export function parseDecimal(text: string, what = 'amount'): Decimal {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const match = DECIMAL_PATTERN.exec(trimmed);
  if (!match) {
    throw new MoneyError('INVALID_AMOUNT', `${what} "${String(text)}" is not a decimal number`);
  }
  const [, sign = '', whole = '', fraction = ''] = match;
  const units = BigInt(whole + fraction) * (sign === '-' ? -1n : 1n);
  return { units, scale: fraction.length };
}

export function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

/** Integer division rounding towards +infinity (for non-negative and negative numerators). */
export function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('ceilDiv needs a positive denominator');
  const quotient = numerator / denominator;
  return numerator % denominator > 0n ? quotient + 1n : quotient;
}
