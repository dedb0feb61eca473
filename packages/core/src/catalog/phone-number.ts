import { CatalogError } from './catalog-errors.js';
import { dialingCodeOf, requireCountry, type Country } from './catalog.js';

export interface NormalizePhoneOptions {
  /** ISO alpha-2 of the number's country, when known (the order's country). Lets a national
   *  number ("923255262" for Vietnam, "8 900 123-45-67" for Russia) be read. */
  country?: string;
}

// E.164: at most 15 digits after "+". The shortest real numbers (Niue, Tokelau) have 7.
const MIN_E164_DIGITS = 7;
const MAX_E164_DIGITS = 15;
// Decoration upstreams put around numbers: spaces (incl. no-break/zero-width), dashes, dots,
// slashes, parentheses.
const DECORATION = /[\s\u00a0\u200b-\u200f\u202f\-‐-―.()/]/g;
// Persian and Arabic-Indic digits: Iranian upstreams sometimes answer in them.
const EASTERN_DIGITS = /[۰-۹٠-٩]/g;

/**
 * Any way an upstream writes a phone number → E.164 `+<digits>`.
 *
 * - "+79001234567", "+7 (900) 123-45-67" → "+79001234567"
 * - "0090 555 123 4567" (international "00" prefix) → "+905551234567"
 * - "79001234567" → as international when it starts with a calling code; with
 *   `{ country }` it must also fit that country (its code then a national number's length)
 * - national numbers with `{ country }`: "923255262" (VN) → "+84923255262",
 *   "09123456789" (IR, trunk "0") → "+989123456789", "89001234567" (RU, trunk "8")
 *
 * Throws CatalogError INVALID_PHONE_NUMBER (BAD_USER_INPUT) for anything else, naming it.
 */
export function normalizePhoneE164(raw: string, options: NormalizePhoneOptions = {}): string {
  const country = options.country === undefined ? undefined : requireCountry(options.country);
  if (typeof raw !== 'string') throw invalid(String(raw), 'not a string');
  const cleaned = raw
    .trim()
    .replace(EASTERN_DIGITS, (digit) => String(easternDigitValue(digit)))
    .replace(DECORATION, '');
  if (!/^\+?\d+$/.test(cleaned))
    throw invalid(raw, 'only digits, spaces, dashes and parentheses are allowed');

  let international: string;
  if (cleaned.startsWith('+')) {
    international = cleaned.slice(1);
  } else if (cleaned.startsWith('00')) {
    international = cleaned.slice(2);
  } else if (country) {
    international = withCountry(cleaned, country, raw);
  } else if (cleaned.startsWith('0')) {
    throw invalid(raw, 'a national number needs its country');
  } else {
    international = cleaned;
  }

  if (international.length < MIN_E164_DIGITS || international.length > MAX_E164_DIGITS) {
    throw invalid(
      raw,
      `an international number has ${MIN_E164_DIGITS} to ${MAX_E164_DIGITS} digits`,
    );
  }
  const code = dialingCodeOf(international);
  if (code === undefined) throw invalid(raw, 'it starts with no country calling code');
  // An explicit international number ("+"/"00") from another country is kept as it is: the
  // caller asked for E.164, not for a check; only digits we had to guess about use `country`.
  return `+${international}`;
}

/** Digits without "+"/"00", read with the order's country: international when they start
 *  with its calling code and the rest fits a national length; else national (minus a trunk
 *  prefix). When lengths are unknown or nothing fits, the calling code decides. */
function withCountry(digits: string, country: Country, raw: string): string {
  const code = country.dialingCode;
  const lengths = country.nationalNumberLengths;
  const fits = (national: string): boolean => lengths.includes(national.length);
  const trunk = country.trunkPrefix;

  if (digits.startsWith(code) && fits(digits.slice(code.length))) return digits;
  if (trunk !== undefined && digits.startsWith(trunk) && fits(digits.slice(trunk.length))) {
    return code + digits.slice(trunk.length);
  }
  if (fits(digits)) return code + digits;
  if (lengths.length > 0) {
    throw invalid(
      raw,
      `it fits no ${country.name} number (+${code}, ${lengths.join('/')} national digits)`,
    );
  }
  // No length data (a few territories): trust a leading calling code, else read as national.
  if (digits.startsWith(code)) return digits;
  const national =
    trunk !== undefined && digits.startsWith(trunk) ? digits.slice(trunk.length) : digits;
  return code + national;
}

function easternDigitValue(digit: string): number {
  const point = digit.codePointAt(0) ?? 0;
  return point >= 0x06f0 ? point - 0x06f0 : point - 0x0660;
}

function invalid(raw: string, why: string): CatalogError {
  // A phone number is not a secret; truncate so a pasted blob doesn't flood logs.
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return new CatalogError('INVALID_PHONE_NUMBER', `"${shown}" is not a phone number: ${why}`);
}
