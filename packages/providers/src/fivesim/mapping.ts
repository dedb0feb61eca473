/**
 * Pure translation between 5sim's wire shapes and ours: product names ↔ service slugs, country
 * names ↔ ISO codes, price trees → offers, orders → purchases and statuses, money. No I/O.
 */
import {
  findCountry,
  findService,
  Money,
  normalizePhoneE164,
  parseDecimal,
  pow10,
  type CurrencyCode,
} from '@numbroker/core';
import type { ActivationState, ActivationStatus, Offer, Purchase, SmsMessage } from '../adapter.js';
import { decimalText } from '../http/lossless-json.js';
import { upstreamMoney } from '../http/upstream-money.js';
import { extractCode } from '../simulator/extract-code.js';
import {
  ANY_OPERATOR,
  priceLeafSchema,
  type FiveSimCountries,
  type FiveSimOrder,
  type FiveSimSms,
} from './wire.js';

/** 5sim product name → our slug, where the names differ or are worth stating. Every other 5sim
 *  product whose name is one of our slugs maps onto it as is; the rest are not sold. */
// prettier-ignore
const PRODUCT_TO_SLUG: Readonly<Record<string, string>> = {
  vkontakte: 'vk',
  odnoklassniki: 'ok',
  mailru: 'mailru',
  mailru_group: 'mailru',
  twitter: 'twitter',
  x: 'twitter',
  openai: 'openai',
  chatgpt: 'openai',
  grabtaxi: 'grab',
  kakaotalk: 'kakaotalk',
  line: 'line',
  naver: 'other',
  epicgames: 'epicgames',
  battlenet: 'blizzard',
  blizzard: 'blizzard',
  alipay: 'alibaba',
  other: 'other',
};

/** Our slug → the 5sim product we buy for it (the first name listed above wins, else the slug). */
const SLUG_TO_PRODUCT: Readonly<Record<string, string>> = (() => {
  const table: Record<string, string> = {};
  for (const [product, slug] of Object.entries(PRODUCT_TO_SLUG)) {
    if (slug !== 'other' || product === 'other') table[slug] ??= product;
  }
  return table;
})();

/** Hosting products are rentals by time, not activations: never sold here. */
const HOSTING_PRODUCTS = new Set(['3hours', '1day', '10days', '1month']);

export function slugOfProduct(product: string): string | undefined {
  const name = product.trim().toLowerCase();
  if (name === '' || HOSTING_PRODUCTS.has(name)) return undefined;
  const mapped = PRODUCT_TO_SLUG[name];
  if (mapped) return mapped;
  return findService(name)?.slug === name ? name : undefined;
}

export function productOfSlug(slug: string): string {
  return SLUG_TO_PRODUCT[slug] ?? slug;
}

/** The products a catalog sync asks prices for: one per slug we sell. */
export function catalogProducts(slugs: readonly string[]): string[] {
  return [...new Set(slugs.filter((slug) => slug !== 'other').map(productOfSlug)), 'other'];
}

/**
 * 5sim country name → ISO, for when `/guest/countries` cannot be read or lacks an `iso`. The
 * names are 5sim's (lower case, no spaces: "england", "usa", "southafrica"); the live list is
 * the authority (NOTES.md).
 */
// prettier-ignore
export const COUNTRY_NAME_TO_ISO: Readonly<Record<string, string>> = {
  russia: 'RU', ukraine: 'UA', kazakhstan: 'KZ', china: 'CN', philippines: 'PH',
  indonesia: 'ID', malaysia: 'MY', kenya: 'KE', vietnam: 'VN', kyrgyzstan: 'KG',
  usa: 'US', israel: 'IL', hongkong: 'HK', poland: 'PL', england: 'GB',
  madagascar: 'MG', nigeria: 'NG', macau: 'MO', egypt: 'EG', india: 'IN',
  ireland: 'IE', cambodia: 'KH', laos: 'LA', haiti: 'HT', ivorycoast: 'CI',
  gambia: 'GM', serbia: 'RS', yemen: 'YE', southafrica: 'ZA', romania: 'RO',
  colombia: 'CO', estonia: 'EE', azerbaijan: 'AZ', canada: 'CA', morocco: 'MA',
  ghana: 'GH', argentina: 'AR', uzbekistan: 'UZ', cameroon: 'CM', chad: 'TD',
  germany: 'DE', lithuania: 'LT', croatia: 'HR', sweden: 'SE', iraq: 'IQ',
  netherlands: 'NL', latvia: 'LV', austria: 'AT', belarus: 'BY', thailand: 'TH',
  saudiarabia: 'SA', mexico: 'MX', taiwan: 'TW', spain: 'ES', algeria: 'DZ',
  slovenia: 'SI', bangladesh: 'BD', senegal: 'SN', turkey: 'TR', czech: 'CZ',
  srilanka: 'LK', peru: 'PE', pakistan: 'PK', newzealand: 'NZ', guinea: 'GN',
  mali: 'ML', venezuela: 'VE', ethiopia: 'ET', mongolia: 'MN', brazil: 'BR',
  afghanistan: 'AF', uganda: 'UG', angola: 'AO', cyprus: 'CY', france: 'FR',
  mozambique: 'MZ', nepal: 'NP', belgium: 'BE', bulgaria: 'BG', hungary: 'HU',
  moldova: 'MD', italy: 'IT', paraguay: 'PY', honduras: 'HN', tunisia: 'TN',
  nicaragua: 'NI', bolivia: 'BO', costarica: 'CR', guatemala: 'GT', uae: 'AE',
  zimbabwe: 'ZW', puertorico: 'PR', togo: 'TG', kuwait: 'KW', salvador: 'SV',
  libya: 'LY', jamaica: 'JM', trinidad: 'TT', ecuador: 'EC', swaziland: 'SZ',
  oman: 'OM', bosnia: 'BA', dominicana: 'DO', qatar: 'QA', panama: 'PA',
  mauritania: 'MR', sierraleone: 'SL', jordan: 'JO', portugal: 'PT', barbados: 'BB',
  burundi: 'BI', benin: 'BJ', brunei: 'BN', bahamas: 'BS', botswana: 'BW',
  belize: 'BZ', caf: 'CF', dominica: 'DM', grenada: 'GD', georgia: 'GE',
  greece: 'GR', guineabissau: 'GW', guyana: 'GY', iceland: 'IS', comoros: 'KM',
  saintkitts: 'KN', liberia: 'LR', lesotho: 'LS', malawi: 'MW', namibia: 'NA',
  niger: 'NE', rwanda: 'RW', slovakia: 'SK', suriname: 'SR', tajikistan: 'TJ',
  monaco: 'MC', bahrain: 'BH', reunion: 'RE', zambia: 'ZM', armenia: 'AM',
  somalia: 'SO', congo: 'CG', chile: 'CL', burkinafaso: 'BF', lebanon: 'LB',
  gabon: 'GA', albania: 'AL', uruguay: 'UY', mauritius: 'MU', bhutan: 'BT',
  maldives: 'MV', guadeloupe: 'GP', turkmenistan: 'TM', frenchguiana: 'GF', finland: 'FI',
  saintlucia: 'LC', luxembourg: 'LU', saintvincentgrenadines: 'VC', equatorialguinea: 'GQ', djibouti: 'DJ',
  antiguabarbuda: 'AG', caymanislands: 'KY', montenegro: 'ME', denmark: 'DK', switzerland: 'CH',
  norway: 'NO', australia: 'AU', eritrea: 'ER', southsudan: 'SS', saotomeandprincipe: 'ST',
  aruba: 'AW', montserrat: 'MS', anguilla: 'AI', japan: 'JP', northmacedonia: 'MK',
  seychelles: 'SC', newcaledonia: 'NC', capeverde: 'CV', southkorea: 'KR', singapore: 'SG',
  iran: 'IR', syria: 'SY', fiji: 'FJ', papuanewguinea: 'PG', timorleste: 'TL',
};

/** ISO (upper case) by 5sim country name, from `/guest/countries` over the built-in table. A
 *  country whose `iso` set names several codes, or one we do not know, is left out. */
export function countryIsoTable(countries: FiveSimCountries | undefined): Map<string, string> {
  const table = new Map<string, string>(Object.entries(COUNTRY_NAME_TO_ISO));
  for (const [name, entry] of Object.entries(countries ?? {})) {
    const codes = Object.keys(entry.iso ?? {})
      .map((code) => code.trim().toUpperCase())
      .filter((code) => findCountry(code)?.iso === code);
    if (codes.length === 1 && codes[0]) table.set(name.trim().toLowerCase(), codes[0]);
  }
  return table;
}

/** One priced leaf of a price tree, with its three names. */
export interface PriceRow {
  country: string;
  product: string;
  operator: string;
  cost: unknown;
  count: unknown;
}

/**
 * The leaves of a `/guest/prices` answer. Its nesting depends on the filter and the sources
 * disagree ([R]: `?product=` gives product → country → operator; otherwise country → product →
 * operator): when `product` is given and the top level is keyed by it, the tree is read
 * product-first, else country-first. `null`, `{}` and non-leaves are no offers.
 */
export function priceRows(body: unknown, product?: string): PriceRow[] {
  if (!isRecord(body)) return [];
  // No country is named like a product, so the top-level key tells the nesting apart.
  const productFirst = product !== undefined && Object.prototype.hasOwnProperty.call(body, product);
  const rows: PriceRow[] = [];
  for (const [outer, middle] of Object.entries(body)) {
    if (!isRecord(middle)) continue;
    for (const [inner, operators] of Object.entries(middle)) {
      if (!isRecord(operators)) continue;
      for (const [operator, leaf] of Object.entries(operators)) {
        const parsed = priceLeafSchema.safeParse(leaf);
        if (!parsed.success) continue;
        rows.push({
          country: (productFirst ? inner : outer).toLowerCase(),
          product: (productFirst ? outer : inner).toLowerCase(),
          operator: operator.toLowerCase(),
          cost: parsed.data.cost,
          count: parsed.data.count,
        });
      }
    }
  }
  return rows;
}

/**
 * The parts of an offer ref: `<country>/<operator>/<product>`, and for operator `any` a fourth
 * part, the exact upstream price at sync, sent as `maxPrice` so a price rise between the sync
 * and the buy cannot charge us more (5sim honours `maxPrice` only with `any`).
 */
export interface OfferRef {
  country: string;
  operator: string;
  product: string;
  maxPrice?: string;
}

export function formatOfferRef(ref: OfferRef): string {
  const base = `${ref.country}/${ref.operator}/${ref.product}`;
  return ref.maxPrice === undefined ? base : `${base}/${ref.maxPrice}`;
}

const NAME = /^[a-z0-9_.-]{1,64}$/;

export function parseOfferRef(ref: string): OfferRef | null {
  const parts = ref.split('/');
  if (parts.length !== 3 && parts.length !== 4) return null;
  const [country = '', operator = '', product = '', maxPrice] = parts;
  if (![country, operator, product].every((part) => NAME.test(part))) return null;
  if (maxPrice !== undefined && !/^\d+(?:\.\d+)?$/.test(maxPrice)) return null;
  return { country, operator, product, ...(maxPrice === undefined ? {} : { maxPrice }) };
}

export interface CatalogMapping {
  offers: Offer[];
  /** Leaves left out, with why (unknown country/product, unusable cost). */
  skipped: string[];
}

/**
 * Offers from price rows: one per operator (`Offer.operator`, so a buyer may choose it), and
 * before them one "any operator" offer per product and country at the cheapest operator that
 * has stock (5sim picks the operator; `maxPrice` caps what it may charge), with the stock of
 * every operator together. Without stock anywhere, the any-offer has the cheapest price and
 * stock 0.
 */
export function offersFromPriceRows(
  rows: readonly PriceRow[],
  isoByName: ReadonlyMap<string, string>,
  currency: CurrencyCode,
): CatalogMapping {
  const skipped: string[] = [];
  const groups = new Map<string, { any: OfferGroup; operators: Offer[] }>();
  for (const row of rows) {
    const where = `${row.country}/${row.operator}/${row.product}`;
    const slug = slugOfProduct(row.product);
    if (!slug) {
      skipped.push(`${where}: no service for product "${row.product}"`);
      continue;
    }
    const iso = isoByName.get(row.country);
    if (!iso) {
      skipped.push(`${where}: unknown country "${row.country}"`);
      continue;
    }
    if (row.operator === ANY_OPERATOR || !NAME.test(row.operator) || !NAME.test(row.country)) {
      // "any" is what we send, never a priced operator; odd names cannot be put in a path.
      if (row.operator !== ANY_OPERATOR) skipped.push(`${where}: unusable operator name`);
      continue;
    }
    const costText = decimalText(row.cost);
    const cost = costText === null ? null : upstreamMoney(costText, currency);
    const stock = stockOf(row.count);
    if (!cost || cost.minor <= 0n || costText === null || stock === null) {
      skipped.push(`${where}: unusable cost or count`);
      continue;
    }
    const key = `${row.country}\u0000${row.product}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        any: { slug, iso, country: row.country, product: row.product, stock: 0 },
        operators: [],
      };
      groups.set(key, group);
    }
    group.operators.push({
      service: slug,
      country: iso,
      operator: row.operator,
      cost,
      stock,
      ref: formatOfferRef({ country: row.country, operator: row.operator, product: row.product }),
    });
    group.any.stock += stock;
    const cheapestSoFar = group.any.cheapest;
    const better =
      cheapestSoFar === undefined ||
      (stock > 0 && cheapestSoFar.stock === 0) ||
      (stock > 0 === cheapestSoFar.stock > 0 && cost.compare(cheapestSoFar.cost) < 0);
    if (better) group.any.cheapest = { cost, costText, stock };
  }
  const offers: Offer[] = [];
  for (const { any, operators } of groups.values()) {
    if (any.cheapest) {
      offers.push({
        service: any.slug,
        country: any.iso,
        cost: any.cheapest.cost,
        stock: any.stock,
        ref: formatOfferRef({
          country: any.country,
          operator: ANY_OPERATOR,
          product: any.product,
          maxPrice: any.cheapest.costText,
        }),
      });
    }
    offers.push(...operators);
  }
  return { offers, skipped };
}

interface OfferGroup {
  slug: string;
  iso: string;
  country: string;
  product: string;
  stock: number;
  cheapest?: { cost: Money; costText: string; stock: number };
}

function stockOf(value: unknown): number | null {
  const text = decimalText(value);
  if (text === null || !/^\d+$/.test(text)) return null;
  const count = Number(text);
  return Number.isSafeInteger(count) ? count : null;
}

/** A balance, rounded DOWN to the currency's unit (5sim shows 4 decimals: 21.6408 USD): never
 *  claim money the account does not have. */
export function balanceMoney(value: unknown, currency: CurrencyCode): Money | null {
  const text = decimalText(value);
  if (text === null) return null;
  const { units, scale } = parseDecimal(text);
  const exponent = Money.exponentOf(currency);
  const minor =
    scale > exponent ? units / pow10(scale - exponent) : units * pow10(exponent - scale);
  return Money.ofMinor(minor, currency);
}

/** The order a buy answered with, as our purchase; null when it is no usable order. */
export function purchaseFromOrder(
  order: FiveSimOrder,
  currency: CurrencyCode,
  countryIso?: string,
): Purchase | null {
  const upstreamRef = orderIdOf(order.id);
  const phoneNumber = phoneOf(order.phone, countryIso);
  if (!upstreamRef || !phoneNumber) return null;
  const cost =
    order.price === undefined || order.price === null ? null : upstreamMoney(order.price, currency);
  return { upstreamRef, phoneNumber, ...(cost ? { cost } : {}) };
}

export function orderIdOf(value: unknown): string | null {
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
  return /^\d{1,20}$/.test(text) ? text : null;
}

/** 5sim writes "+79000381454"; a number without "+" is read as international. */
export function phoneOf(value: unknown, countryIso?: string): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const raw = value.trim();
  try {
    return normalizePhoneE164(/^\d/.test(raw) ? `+${raw}` : raw);
  } catch {
    try {
      return countryIso ? normalizePhoneE164(raw, { country: countryIso }) : null;
    } catch {
      return null;
    }
  }
}

/** Every SMS of an order, oldest first; `code` is 5sim's own extraction, or ours from the text
 *  when 5sim gives "" (it often sends a code-less SMS after the code). */
export function messagesOf(sms: readonly FiveSimSms[] | null | undefined): SmsMessage[] {
  const rows = (sms ?? []).map((message, index) => {
    const text = typeof message.text === 'string' && message.text !== '' ? message.text : null;
    const given = typeof message.code === 'string' ? message.code.trim() : '';
    const code = given !== '' ? given : text === null ? null : extractCode(text);
    const at = parseDate(message.date) ?? parseDate(message.created_at);
    return { index, at, message: { code, text, ...(at ? { receivedAt: at } : {}) } };
  });
  rows.sort((a, b) => (a.at && b.at ? a.at.getTime() - b.at.getTime() : 0) || a.index - b.index);
  return rows.map((row) => row.message);
}

/**
 * What an order's status means for us. RECEIVED does not mean an SMS came (only `sms` says
 * that); FINISHED, CANCELED, BANNED and TIMEOUT have ended it. FINISHED with no code counts as
 * expired: no customer pays for a number that gave nothing.
 */
export function stateOf(status: string, messages: readonly SmsMessage[]): ActivationState | null {
  const hasCode = messages.some((m) => m.code !== null && m.code !== '');
  switch (status.trim().toUpperCase()) {
    case 'PENDING':
    case 'RECEIVED':
      return hasCode ? 'code' : 'waiting';
    case 'FINISHED':
      return hasCode ? 'finished' : 'expired';
    case 'CANCELED':
    case 'CANCELLED':
    case 'BANNED':
      return 'cancelled';
    case 'TIMEOUT':
      return 'expired';
    default:
      return null;
  }
}

export function statusFromOrder(order: FiveSimOrder): ActivationStatus | null {
  const upstreamRef = orderIdOf(order.id);
  if (!upstreamRef) return null;
  const messages = messagesOf(order.sms);
  const state = stateOf(order.status, messages);
  return state ? { upstreamRef, state, messages } : null;
}

/** A refusal body as the table matches it: trimmed, lower case, without surrounding quotes
 *  (one client JSON-decodes it). */
export function normalizeRefusal(text: string): string {
  return text
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

function parseDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) || at.getUTCFullYear() < 2000 ? undefined : at;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
