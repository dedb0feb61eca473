import { CURRENCY_EXPONENTS, isCurrencyCode, type CurrencyCode } from './currency.js';
import { ceilDiv, parseDecimal, pow10 } from './decimal.js';
import { MoneyError } from './money-error.js';

export interface ParseOptions {
  /** Negative amounts are refused unless allowed (a ledger adjustment may need them). */
  allowNegative?: boolean;
}

/** An amount in integer minor units of one currency. Immutable. */
export class Money {
  private constructor(
    readonly minor: bigint,
    readonly currency: CurrencyCode,
  ) {}

  static exponentOf(code: string): number {
    return CURRENCY_EXPONENTS[Money.currencyCode(code)];
  }

  static currencyCode(code: string): CurrencyCode {
    const upper = typeof code === 'string' ? code.trim().toUpperCase() : '';
    if (!isCurrencyCode(upper)) {
      throw new MoneyError('UNKNOWN_CURRENCY', `unknown currency "${String(code)}"`);
    }
    return upper;
  }

  static ofMinor(minor: bigint, currency: string): Money {
    if (typeof minor !== 'bigint') {
      throw new MoneyError('INVALID_AMOUNT', 'minor units must be a bigint');
    }
    return new Money(minor, Money.currencyCode(currency));
  }

  static zero(currency: string): Money {
    return Money.ofMinor(0n, currency);
  }

  /** "799.70" RUB → 79970n. More decimals than the currency has is an error, never a rounding. */
  static parse(text: string, currency: string, options: ParseOptions = {}): Money {
    const code = Money.currencyCode(currency);
    const exponent = CURRENCY_EXPONENTS[code];
    const { units, scale } = parseDecimal(text);
    if (units < 0n && !options.allowNegative) {
      throw new MoneyError('NEGATIVE_AMOUNT', `amount "${text}" must not be negative`);
    }
    if (scale > exponent) {
      // "12.50" for a 0-exponent currency is fine only when the extra digits are zeros.
      const excess = pow10(scale - exponent);
      if (units % excess !== 0n) {
        throw new MoneyError(
          'TOO_MANY_DECIMALS',
          `amount "${text}" has more than ${exponent} decimal place(s) for ${code}`,
        );
      }
      return new Money(units / excess, code);
    }
    return new Money(units * pow10(exponent - scale), code);
  }

  /** Exact decimal string with exactly the currency's decimals: 79970n RUB → "799.70". */
  format(): string {
    const exponent = CURRENCY_EXPONENTS[this.currency];
    const negative = this.minor < 0n;
    const digits = (negative ? -this.minor : this.minor).toString();
    if (exponent === 0) return (negative ? '-' : '') + digits;
    const padded = digits.padStart(exponent + 1, '0');
    const whole = padded.slice(0, padded.length - exponent);
    const fraction = padded.slice(padded.length - exponent);
    return `${negative ? '-' : ''}${whole}.${fraction}`;
  }

  toString(): string {
    return `${this.format()} ${this.currency}`;
  }

  toJSON(): { amount: string; currency: string } {
    return { amount: this.format(), currency: this.currency };
  }

  plus(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.minor + other.minor, this.currency);
  }

  minus(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.minor - other.minor, this.currency);
  }

  times(factor: bigint): Money {
    return new Money(this.minor * factor, this.currency);
  }

  negate(): Money {
    return new Money(-this.minor, this.currency);
  }

  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    return this.minor < other.minor ? -1 : this.minor > other.minor ? 1 : 0;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.minor === other.minor;
  }

  isZero(): boolean {
    return this.minor === 0n;
  }

  isNegative(): boolean {
    return this.minor < 0n;
  }

  /** Rounds up (towards +infinity) to a multiple of `step` minor units. */
  roundUpTo(step: bigint): Money {
    if (step <= 0n) throw new MoneyError('INVALID_AMOUNT', 'rounding step must be positive');
    return new Money(ceilDiv(this.minor, step) * step, this.currency);
  }

  /** Adds `percent` (a decimal string, e.g. "15" or "2.5") of this amount, rounded up. */
  addPercent(percent: string): Money {
    const { units, scale } = parseDecimal(percent, 'percent');
    const extra = ceilDiv(this.minor * units, 100n * pow10(scale));
    return new Money(this.minor + extra, this.currency);
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new MoneyError(
        'CURRENCY_MISMATCH',
        `cannot combine ${this.currency} with ${other.currency}`,
      );
    }
  }
}

/** Exchange rates as decimal strings: how many units of the target currency one unit of the
 *  keyed currency buys, e.g. `{ RUB: "1200" }` with target IRT means 1 RUB = 1200 IRT. */
export type ExchangeRates = Readonly<Record<string, string>>;

/** Converts exactly and rounds up to the target currency's minor unit. */
export function convertMoney(amount: Money, target: string, rates: ExchangeRates): Money {
  const targetCode = Money.currencyCode(target);
  if (amount.currency === targetCode) return amount;
  const rateText = rates[amount.currency];
  if (rateText === undefined) {
    throw new MoneyError(
      'MISSING_RATE',
      `no exchange rate from ${amount.currency} to ${targetCode} (set exchangeRates.${amount.currency})`,
    );
  }
  const rate = parseDecimal(rateText, `exchange rate for ${amount.currency}`);
  if (rate.units <= 0n) {
    throw new MoneyError('INVALID_RATE', `exchange rate for ${amount.currency} must be positive`);
  }
  // minor_t = minor_s / 10^e_s * (units / 10^scale) * 10^e_t
  const numerator = amount.minor * rate.units * pow10(CURRENCY_EXPONENTS[targetCode]);
  const denominator = pow10(CURRENCY_EXPONENTS[amount.currency] + rate.scale);
  return Money.ofMinor(ceilDiv(numerator, denominator), targetCode);
}
