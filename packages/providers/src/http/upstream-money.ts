import { Money, ceilDiv, parseDecimal, pow10, type CurrencyCode } from '@numbroker/core';
import { decimalText } from './lossless-json.js';

/**
 * An upstream amount (JSON number, numeric string) as Money in the provider's currency.
 * Extra decimals beyond the currency's minor unit round UP: it is a cost we pay, and pricing
 * must never undercut it. Returns null for anything that is not a non-negative decimal.
 */
export function upstreamMoney(value: unknown, currency: CurrencyCode): Money | null {
  const text = decimalText(value);
  if (text === null) return null;
  const { units, scale } = parseDecimal(text);
  if (units < 0n) return null;
  const exponent = Money.exponentOf(currency);
  const minor =
    scale > exponent ? ceilDiv(units, pow10(scale - exponent)) : units * pow10(exponent - scale);
  return Money.ofMinor(minor, currency);
}
