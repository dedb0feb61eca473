/** ISO 4217-style codes with the number of decimal places their minor unit has.
 *  IRT (toman) is not ISO but is how every Iranian provider prices; it has no subunit. */
export const CURRENCY_EXPONENTS = {
  IRT: 0,
  IRR: 0,
  RUB: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  TRY: 2,
  UAH: 2,
  KZT: 2,
  INR: 2,
  CNY: 2,
  VND: 0,
  USDT: 2,
} as const satisfies Record<string, number>;

export type CurrencyCode = keyof typeof CURRENCY_EXPONENTS;

export function isCurrencyCode(code: string): code is CurrencyCode {
  return Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENTS, code);
}
