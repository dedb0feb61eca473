/**
 * Pure translation between VerifyPlus's wire values and our domain: product ids ↔ service slugs,
 * its country codes ↔ ISO 3166-1 alpha-2, its per-SMS price table ↔ Money, its bare digit
 * strings ↔ E.164 numbers, and the refs the adapter hands out. No I/O here.
 */
import { Money, normalizePhoneE164, type CurrencyCode } from '@numbroker/core';
import type { SmsMessage } from '../adapter.js';
import { wireText } from './wire.js';

/** The doc prices in تومان (toman). */
export const VERIFYPLUS_DOC_CURRENCY: CurrencyCode = 'IRT';

export interface VerifyPlusProduct {
  /** The doc's `productId`. */
  productId: string;
  /** The doc's "Product Name", verbatim. */
  name: string;
  /** Our service slug. */
  service: string;
}

/** The doc's "productIdهای موجود" table. */
export const VERIFYPLUS_PRODUCTS: readonly VerifyPlusProduct[] = [
  { productId: '2', name: 'Telegram', service: 'telegram' },
  { productId: '25', name: 'Instagram', service: 'instagram' },
  { productId: '26', name: 'WhatsAPP', service: 'whatsapp' },
  { productId: '27', name: 'Steam', service: 'steam' },
  { productId: '28', name: 'LinkedIn', service: 'linkedin' },
  { productId: '29', name: 'Twitter', service: 'twitter' },
  { productId: '31', name: 'WebMoney', service: 'webmoney' },
  // GMail is a Google account: our slug is the one every SMS-activation catalog uses for it.
  { productId: '32', name: 'GMail', service: 'google' },
];

export interface VerifyPlusCountry {
  /** The code the upstream takes in `country` (its own spelling: "UK", not ISO "GB"). */
  wire: string;
  /** ISO 3166-1 alpha-2. */
  iso: string;
  /** The doc's "هزینه هر اس ام اس" (cost of each SMS), in toman, as written. */
  smsPriceToman: string;
}

/** The doc's "countryهای موجود" table. */
export const VERIFYPLUS_COUNTRIES: readonly VerifyPlusCountry[] = [
  { wire: 'RU', iso: 'RU', smsPriceToman: '3000' },
  { wire: 'KZ', iso: 'KZ', smsPriceToman: '3000' },
  { wire: 'UA', iso: 'UA', smsPriceToman: '5000' },
  // "UK" is not an ISO 3166-1 code (only exceptionally reserved); the United Kingdom is GB.
  { wire: 'UK', iso: 'GB', smsPriceToman: '10000' },
  { wire: 'ID', iso: 'ID', smsPriceToman: '5000' },
  { wire: 'PH', iso: 'PH', smsPriceToman: '5000' },
  { wire: 'LV', iso: 'LV', smsPriceToman: '10000' },
];

/** A wire value the mapping cannot make sense of; the adapter turns it into a typed error. */
export class VerifyPlusMappingError extends Error {
  override readonly name = 'VerifyPlusMappingError';
}

export function productForService(service: string): VerifyPlusProduct | undefined {
  const slug = service.trim().toLowerCase();
  return VERIFYPLUS_PRODUCTS.find((product) => product.service === slug);
}

export function productForId(productId: string): VerifyPlusProduct | undefined {
  const id = productId.trim();
  return VERIFYPLUS_PRODUCTS.find((product) => product.productId === id);
}

/** By ISO code; "UK" is accepted as an alias of GB since people (and this upstream) write it. */
export function countryForIso(iso: string): VerifyPlusCountry | undefined {
  const code = iso.trim().toUpperCase();
  return VERIFYPLUS_COUNTRIES.find((country) => country.iso === code || country.wire === code);
}

/** By the upstream's own code ("UK"); ISO "GB" is accepted too, in case it ever answers so. */
export function countryForWire(wire: string): VerifyPlusCountry | undefined {
  return countryForIso(wire);
}

/** Per-country per-SMS price overrides from the account's config (`prices: { "RU": "3000" }`),
 *  checked once: an unknown country or a bad amount names its key. */
export function parsePriceOverrides(
  prices: Readonly<Record<string, string>> | undefined,
  currency: CurrencyCode,
): Map<string, Money> {
  const parsed = new Map<string, Money>();
  for (const [key, amount] of Object.entries(prices ?? {})) {
    const country = countryForIso(key);
    if (!country) {
      throw new VerifyPlusMappingError(
        `prices.${key}: not a VerifyPlus country (known: ${VERIFYPLUS_COUNTRIES.map((c) => c.iso).join(', ')})`,
      );
    }
    let money: Money;
    try {
      money = Money.parse(amount, currency);
    } catch (error) {
      throw new VerifyPlusMappingError(
        `prices.${key}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (money.minor <= 0n) {
      throw new VerifyPlusMappingError(`prices.${key}: a price must be positive`);
    }
    parsed.set(country.iso, money);
  }
  return parsed;
}

/** What one SMS in this country costs: the configured override, else the doc's table — which is
 *  in toman, so it only applies to an account kept in IRT. Null: no price known (not offered). */
export function smsPrice(
  country: VerifyPlusCountry,
  currency: CurrencyCode,
  overrides: ReadonlyMap<string, Money>,
): Money | null {
  const override = overrides.get(country.iso);
  if (override) return override;
  if (currency !== VERIFYPLUS_DOC_CURRENCY) return null;
  return Money.parse(country.smsPriceToman, VERIFYPLUS_DOC_CURRENCY);
}

/** `get_available`'s `online` as a stock count. */
export function stockFromOnline(online: unknown): number {
  const text = wireText(online);
  if (text === null || !/^\d+$/.test(text)) {
    throw new VerifyPlusMappingError(`"online" is not a count: ${JSON.stringify(online)}`);
  }
  const count = Number(text);
  return Number.isSafeInteger(count) ? count : Number.MAX_SAFE_INTEGER;
}

/** An offer's ref: the upstream's own country code and product id, "RU:2". */
export function offerRef(country: VerifyPlusCountry, product: VerifyPlusProduct): string {
  return `${country.wire}:${product.productId}`;
}

export function parseOfferRef(ref: string): {
  country: VerifyPlusCountry;
  product: VerifyPlusProduct;
} {
  const [countryCode = '', productId = '', ...rest] = ref.split(':');
  const country = countryForWire(countryCode);
  const product = productForId(productId);
  if (!country || !product || rest.length > 0) {
    throw new VerifyPlusMappingError(`not a VerifyPlus offer ref: "${ref}" (expected e.g. "RU:2")`);
  }
  return { country, product };
}

/**
 * An activation's ref. get_sms needs the numberId AND the country and productId it was bought
 * with, and the rest of the system keeps only the ref, so the ref carries all three:
 * "RU:2:1343243" (the numberId last, so an id holding ":" still round-trips).
 */
export interface ActivationKey {
  country: VerifyPlusCountry;
  product: VerifyPlusProduct;
  numberId: string;
}

export function upstreamRef(key: ActivationKey): string {
  return `${key.country.wire}:${key.product.productId}:${key.numberId}`;
}

export function parseUpstreamRef(ref: string): ActivationKey {
  const [countryCode = '', productId = '', ...idParts] = ref.split(':');
  const numberId = idParts.join(':');
  const country = countryForWire(countryCode);
  const product = productForId(productId);
  if (!country || !product || numberId.trim().length === 0) {
    throw new VerifyPlusMappingError(
      `not a VerifyPlus activation ref: "${ref}" (expected "<country>:<productId>:<numberId>")`,
    );
  }
  return { country, product, numberId };
}

/**
 * The upstream's number as E.164. The doc's example answers digits without "+"
 * ("959978292769"), without saying whether the calling code is included, so every plausible
 * form is accepted: read with the order's country first (its calling code and a national length,
 * or a national number with or without its trunk prefix — core's numbering plans); failing that,
 * digits that start with some real calling code are taken as already international (the doc's
 * own RU example fits no RU number and reads as a +95 one). Anything else is refused.
 */
export function toE164(raw: unknown, country: VerifyPlusCountry): string {
  const text = wireText(raw);
  if (text === null) {
    throw new VerifyPlusMappingError(`"number" is not a phone number: ${JSON.stringify(raw)}`);
  }
  try {
    return normalizePhoneE164(text, { country: country.iso });
  } catch {
    try {
      return normalizePhoneE164(text);
    } catch (error) {
      throw new VerifyPlusMappingError(
        `"number" from VerifyPlus (${country.wire}) ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/** A bare code like "546533" (what the doc's example shows), possibly split "123-456". */
const BARE_CODE = /^\d{2,4}[- ]?\d{2,4}$/;
/** The first run of 4–8 digits (optionally split by one dash or space) in a longer text. */
const CODE_IN_TEXT = /(?<![\d])(\d{3,4})[- ]?(\d{2,4})(?![\d])|(?<![\d])(\d{4,8})(?![\d])/;

/** The code in an SMS text, or null. */
export function codeFromText(text: string): string | null {
  const match = CODE_IN_TEXT.exec(text);
  if (!match) return null;
  const code = match[3] ?? `${match[1] ?? ''}${match[2] ?? ''}`;
  return code.length >= 4 && code.length <= 8 ? code : null;
}

/**
 * get_sms's `sms`: the doc shows the bare code ({"sms": "546533"}); a whole SMS text is just as
 * plausible from such an API, so a text has its code picked out. `text` keeps what the upstream
 * said either way.
 */
export function smsFromWire(sms: unknown): SmsMessage {
  const text = wireText(sms);
  if (text === null) {
    throw new VerifyPlusMappingError(`"sms" is empty or not text: ${JSON.stringify(sms)}`);
  }
  if (BARE_CODE.test(text)) return { code: text.replace(/[- ]/g, ''), text };
  return { code: codeFromText(text), text };
}
