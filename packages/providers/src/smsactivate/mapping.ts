/** Pure translation between SMS-Activate's wire values and our domain (no I/O). */
import { COUNTRIES, Money, type CurrencyCode } from '@numbroker/core';
import type { ActivationState, ListedActivation, Offer, SmsMessage } from '../adapter.js';
import { decimalText } from '../http/lossless-json.js';
import { upstreamMoney } from '../http/upstream-money.js';
import { extractCode } from '../simulator/extract-code.js';
import type { ActiveActivation, CountriesResponse, NumberV2Response, TokenAnswer } from './wire.js';

/** SMS-Activate country ids (shared by SMSHub, GrizzlySMS, HeroSMS, ...). Ids 12 ("USA virtual")
 *  and 187 ("USA") both sell US numbers: both map to US and stay apart in the offer ref. */
// prettier-ignore
export const COUNTRY_ID_TO_ISO: Readonly<Record<string, string>> = {
  0: 'RU', 1: 'UA', 2: 'KZ', 3: 'CN', 4: 'PH', 5: 'MM', 6: 'ID', 7: 'MY', 8: 'KE', 9: 'TZ',
  10: 'VN', 11: 'KG', 12: 'US', 13: 'IL', 14: 'HK', 15: 'PL', 16: 'GB', 17: 'MG', 18: 'CD',
  19: 'NG', 20: 'MO', 21: 'EG', 22: 'IN', 23: 'IE', 24: 'KH', 25: 'LA', 26: 'HT', 27: 'CI',
  28: 'GM', 29: 'RS', 30: 'YE', 31: 'ZA', 32: 'RO', 33: 'CO', 34: 'EE', 35: 'AZ', 36: 'CA',
  37: 'MA', 38: 'GH', 39: 'AR', 40: 'UZ', 41: 'CM', 42: 'TD', 43: 'DE', 44: 'LT', 45: 'HR',
  46: 'SE', 47: 'IQ', 48: 'NL', 49: 'LV', 50: 'AT', 51: 'BY', 52: 'TH', 53: 'SA', 54: 'MX',
  55: 'TW', 56: 'ES', 57: 'IR', 58: 'DZ', 59: 'SI', 60: 'BD', 61: 'SN', 62: 'TR', 63: 'CZ',
  64: 'LK', 65: 'PE', 66: 'PK', 67: 'NZ', 68: 'GN', 69: 'ML', 70: 'VE', 71: 'ET', 72: 'MN',
  73: 'BR', 74: 'AF', 75: 'UG', 76: 'AO', 77: 'CY', 78: 'FR', 79: 'PG', 80: 'MZ', 81: 'NP',
  82: 'BE', 83: 'BG', 84: 'HU', 85: 'MD', 86: 'IT', 87: 'PY', 88: 'HN', 89: 'TN', 90: 'NI',
  91: 'TL', 92: 'BO', 93: 'CR', 94: 'GT', 95: 'AE', 96: 'ZW', 97: 'PR', 98: 'SD', 99: 'TG',
  100: 'KW', 101: 'SV', 102: 'LY', 103: 'JM', 104: 'TT', 105: 'EC', 106: 'SZ', 107: 'OM',
  108: 'BA', 109: 'DO', 110: 'SY', 111: 'QA', 112: 'PA', 113: 'CU', 114: 'MR', 115: 'SL',
  116: 'JO', 117: 'PT', 128: 'GE', 129: 'GR', 141: 'SK', 163: 'FI', 172: 'DK', 173: 'CH',
  174: 'NO', 175: 'AU', 182: 'JP', 187: 'US', 190: 'KR', 196: 'SG',
};

/** SMS-Activate service codes we sell, to our slugs. Codes not listed are left out of the
 *  catalog (we cannot route to what we cannot name); `ot` is SMS-Activate's "any other". */
// prettier-ignore
export const SERVICE_CODE_TO_SLUG: Readonly<Record<string, string>> = {
  tg: 'telegram', wa: 'whatsapp', ig: 'instagram', fb: 'facebook', go: 'google', tw: 'twitter',
  vi: 'viber', wb: 'wechat', mm: 'microsoft', ds: 'discord', lf: 'tiktok', fu: 'snapchat',
  tn: 'linkedin', am: 'amazon', wx: 'apple', ub: 'uber', mb: 'yahoo', nf: 'netflix',
  ts: 'paypal', me: 'line', kt: 'kakaotalk', bw: 'signal', im: 'imo', oi: 'tinder', mt: 'steam',
  dr: 'openai', ya: 'yandex', vk: 'vk', ok: 'ok', ma: 'mailru', av: 'avito', sg: 'ozon',
  uu: 'wildberries', hx: 'aliexpress', ab: 'alibaba', dh: 'ebay', ka: 'shopee', jg: 'grab',
  mj: 'zalo', tx: 'bolt', mo: 'bumble', qv: 'badoo', hb: 'twitch', ot: 'other',
};

const SLUG_TO_SERVICE_CODE = new Map(
  Object.entries(SERVICE_CODE_TO_SLUG).map(([code, slug]) => [slug, code]),
);

export function serviceSlugOf(code: string): string | undefined {
  return SERVICE_CODE_TO_SLUG[code];
}

export function serviceCodeOf(slug: string): string | undefined {
  return SLUG_TO_SERVICE_CODE.get(slug);
}

/** Ids the built-in table lacks, matched by the English name `getCountries` gives. */
export function countryIdsFromCountriesList(list: CountriesResponse): Record<string, string> {
  const byName = new Map(COUNTRIES.map((country) => [normalizeName(country.name), country.iso]));
  const extra: Record<string, string> = {};
  for (const [id, entry] of Object.entries(list)) {
    const iso = entry.eng ? byName.get(normalizeName(entry.eng)) : undefined;
    if (iso) extra[String(entry.id ?? id)] = iso;
  }
  return extra;
}

function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z]/g, '');
}

// ---- offers ----------------------------------------------------------------------------------

/** Our offer ref: "<countryId>:<serviceCode>", what `getNumber` needs back. */
export function offerRef(countryId: string, serviceCode: string): string {
  return `${countryId}:${serviceCode}`;
}

export function parseOfferRef(ref: string): { countryId: string; serviceCode: string } | null {
  const match = /^(\d{1,4}):([a-z0-9_]{1,16})$/.exec(ref);
  return match ? { countryId: match[1]!, serviceCode: match[2]! } : null;
}

export interface PricesMapping {
  offers: Offer[];
  /** Country ids neither table knew: the adapter asks getCountries once for them. */
  unknownCountryIds: string[];
  /** False when the body is in none of the shapes below: the adapter fails loudly rather than
   *  publish an empty catalog. */
  shapeKnown: boolean;
}

/** One (country, service) cell of a getPrices answer, before its price is read. */
interface PriceCell {
  countryId: string;
  serviceCode: string;
  entry: unknown;
}

const NUMERIC_KEY = /^\d{1,4}$/;
const SERVICE_KEY = /^[a-z0-9_]{1,16}$/;
const DECIMAL_KEY = /^\d+(?:\.\d+)?$/;

/**
 * `getPrices` (parsed losslessly) → offers. The shapes hosts are known to answer:
 * - country → service → `{cost, count, physicalCount?}` (SMS-Activate, HeroSMS, Grizzly);
 * - country → service → `{"<price>": count, ...}` (getPricesV2, SMSHub-style free-price maps):
 *   the cheapest price with stock is the cost, its count the stock;
 * - service → country → either of those (some hosts when asked with `service=`);
 * - any of those under `data` (`{"status":"success","data":…}`);
 * - a list of rows `{country, service, cost|price, count|quantity}`.
 * `cost` may also be spelt `price` / `retail_price`, `count` `quantity` / `qty`.
 * Unknown services are left out; cells with an unreadable cost are left out rather than
 * priced wrongly; a body none of the shapes fits says so (`shapeKnown: false`).
 */
export function offersFromPrices(
  prices: unknown,
  currency: CurrencyCode,
  countryIds: Readonly<Record<string, string>> = COUNTRY_ID_TO_ISO,
): PricesMapping {
  const cells = priceCells(prices);
  if (cells === null) return { offers: [], unknownCountryIds: [], shapeKnown: false };
  const offers: Offer[] = [];
  const unknown = new Set<string>();
  let readable = 0;
  for (const { countryId, serviceCode, entry } of cells) {
    const price = priceOfEntry(entry, currency);
    if (price === 'unknown') continue;
    readable += 1;
    const slug = serviceSlugOf(serviceCode);
    if (!slug || price === null) continue;
    const iso = countryIds[countryId];
    if (!iso) {
      unknown.add(countryId);
      continue;
    }
    offers.push({
      service: slug,
      country: iso,
      cost: price.cost,
      stock: price.stock,
      ref: offerRef(countryId, serviceCode),
    });
  }
  // Cells present but not one of them in a form we read: a shape we do not know.
  const shapeKnown = cells.length === 0 || readable > 0;
  return shapeKnown
    ? { offers, unknownCountryIds: [...unknown], shapeKnown }
    : { offers: [], unknownCountryIds: [], shapeKnown };
}

/** The (country, service, entry) cells of any known getPrices shape; null for none. */
function priceCells(body: unknown): PriceCell[] | null {
  if (Array.isArray(body)) return rowCells(body);
  if (!isRecord(body)) return null;
  if ('data' in body && (isRecord(body.data) || Array.isArray(body.data))) {
    return priceCells(body.data);
  }
  if (body.status === 'success' || body.status === 'error') return null;
  const keys = Object.keys(body);
  if (keys.length === 0) return [];
  const cells: PriceCell[] = [];
  if (keys.every((key) => NUMERIC_KEY.test(key))) {
    for (const [countryId, services] of Object.entries(body)) {
      if (isEmptyList(services)) continue; // PHP hosts encode an empty map as []
      if (!isRecord(services)) return null;
      for (const [serviceCode, entry] of Object.entries(services)) {
        cells.push({ countryId, serviceCode, entry });
      }
    }
    return cells;
  }
  if (keys.every((key) => SERVICE_KEY.test(key))) {
    for (const [serviceCode, countries] of Object.entries(body)) {
      if (isEmptyList(countries)) continue;
      if (!isRecord(countries) || !Object.keys(countries).every((k) => NUMERIC_KEY.test(k))) {
        return null;
      }
      for (const [countryId, entry] of Object.entries(countries)) {
        cells.push({ countryId, serviceCode, entry });
      }
    }
    return cells;
  }
  return null;
}

function rowCells(rows: unknown[]): PriceCell[] | null {
  const cells: PriceCell[] = [];
  for (const row of rows) {
    if (!isRecord(row)) return null;
    const countryId = decimalText(row.country ?? row.countryId ?? row.country_id);
    const serviceCode = row.service ?? row.serviceCode ?? row.service_code;
    if (countryId === null || typeof serviceCode !== 'string') return null;
    cells.push({ countryId, serviceCode, entry: row });
  }
  return cells;
}

/** Cost and stock of one cell; null when it is readable but unusable (no cost, cost 0);
 *  'unknown' when it is in no form we know. */
function priceOfEntry(
  entry: unknown,
  currency: CurrencyCode,
): { cost: Money; stock: number } | null | 'unknown' {
  if (!isRecord(entry)) return 'unknown';
  const costValue = entry.cost ?? entry.price ?? entry.retail_price;
  const countValue = entry.count ?? entry.quantity ?? entry.qty;
  if (costValue !== undefined || countValue !== undefined) {
    const cost = upstreamMoney(costValue, currency);
    const stock = countOf(countValue);
    if (!cost || cost.isZero() || stock === null) return null;
    return { cost, stock };
  }
  const tiers = Object.entries(entry);
  if (tiers.length === 0 || !tiers.every(([price]) => DECIMAL_KEY.test(price))) return 'unknown';
  // A free-price map: buy at the cheapest tier that has stock (and send it as maxPrice).
  let best: { cost: Money; stock: number } | null = null;
  for (const [price, count] of tiers) {
    const cost = upstreamMoney(price, currency);
    const stock = countOf(count);
    if (!cost || cost.isZero() || stock === null || stock === 0) continue;
    if (!best || cost.compare(best.cost) < 0) best = { cost, stock };
  }
  return best;
}

function isEmptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function countOf(value: unknown): number | null {
  const text = decimalText(value);
  if (text === null || !/^\d+$/.test(text)) return null;
  return Math.min(Number(text), Number.MAX_SAFE_INTEGER);
}

// ---- text answers ----------------------------------------------------------------------------

/** `TOKEN` or `TOKEN:value`; null when the first line is not an upper-case token. */
export function parseTokenAnswer(text: string): TokenAnswer | null {
  const line = text.trim().split(/\r?\n/, 1)[0] ?? '';
  const match = /^([A-Z][A-Z0-9_]*)(?::(.*))?$/s.exec(line);
  if (!match) return null;
  return { token: match[1]!, value: match[2] ?? null };
}

/** `ACCESS_BALANCE:123.45` value → Money. */
export function balanceFromValue(value: string | null, currency: CurrencyCode): Money | null {
  if (value === null) return null;
  return upstreamMoney(value.trim(), currency);
}

export interface NumberAnswer {
  activationId: string;
  phoneNumber: string;
  cost?: Money;
  canRequestAnotherSms?: boolean;
  startedAt?: Date;
}

/** `ACCESS_NUMBER:$id:$number` value part → activation id and E.164 number. */
export function numberFromValue(value: string | null): NumberAnswer | null {
  const match = /^(\d+):\+?(\d{6,15})$/.exec(value?.trim() ?? '');
  if (!match) return null;
  return { activationId: match[1]!, phoneNumber: `+${match[2]!}` };
}

/** ISO 4217 numeric codes some hosts put in getNumberV2's `currency` (HeroSMS: 840). */
const NUMERIC_CURRENCIES: Readonly<Record<string, string>> = {
  643: 'RUB',
  840: 'USD',
  978: 'EUR',
  826: 'GBP',
  949: 'TRY',
  980: 'UAH',
  398: 'KZT',
  356: 'INR',
  156: 'CNY',
  704: 'VND',
  364: 'IRR',
};

/** True when a row looks like a getNumberV2 answer (it has an activation id): a number was
 *  sold, even if the rest cannot be read. */
export function looksLikeNumberV2(body: unknown): boolean {
  return isRecord(body) && body.activationId !== undefined && body.activationId !== null;
}

/**
 * `getNumberV2` JSON → activation id, E.164 number, and what it says: the cost it charged
 * (left out when its `currency` names another currency than the account's), whether another
 * SMS may be requested, and when the activation started.
 */
export function numberFromV2(body: unknown, currency: CurrencyCode): NumberAnswer | null {
  if (!isRecord(body)) return null;
  const v2 = body as Partial<NumberV2Response>;
  const id = v2.activationId === undefined ? null : decimalText(v2.activationId);
  const phone =
    typeof v2.phoneNumber === 'string' || typeof v2.phoneNumber === 'number'
      ? String(v2.phoneNumber).replace(/\D/g, '')
      : '';
  if (id === null || !/^\d+$/.test(id) || !/^\d{6,15}$/.test(phone)) return null;
  const said = v2.currency === undefined ? null : String(v2.currency).trim().toUpperCase();
  const saidCurrency = said === null ? null : (NUMERIC_CURRENCIES[said] ?? said);
  const cost =
    saidCurrency === null || saidCurrency === currency
      ? (upstreamMoney(v2.activationCost, currency) ?? undefined)
      : undefined;
  const another = booleanOf(v2.canGetAnotherSms);
  const startedAt = hostTime(v2.activationTime);
  return {
    activationId: id,
    phoneNumber: `+${phone}`,
    ...(cost ? { cost } : {}),
    ...(another === undefined ? {} : { canRequestAnotherSms: another }),
    ...(startedAt ? { startedAt } : {}),
  };
}

function booleanOf(value: unknown): boolean | undefined {
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  return undefined;
}

/** "2022-06-01 17:30:57" (the host's clock; SMS-Activate runs on Moscow time, UTC+3, and
 *  says so nowhere) or ISO text with an offset. Without an offset it is read as UTC+3. */
function hostTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const plain = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(text);
  const parsed = plain ? Date.parse(`${plain[1]}T${plain[2]}+03:00`) : Date.parse(text);
  return Number.isFinite(parsed) ? new Date(parsed) : undefined;
}

/** A code-or-text value (`STATUS_OK:$code`; some hosts put the whole SMS there) → message. */
export function messageFromValue(value: string): SmsMessage {
  const trimmed = value.trim();
  if (/^[A-Za-z0-9-]{3,12}$/.test(trimmed)) return { code: trimmed, text: null };
  return { code: extractCode(trimmed), text: trimmed };
}

export interface StatusAnswer {
  state: ActivationState;
  messages: SmsMessage[];
}

/** Some hosts put "no code" there in words (`STATUS_OK:Нет кода`, read so by public clients):
 *  not an SMS, so never a code a customer is charged for. */
const NO_CODE_WORDS = new Set(['нет кода', 'no code', 'null', 'none']);

function hasCode(value: string | null): value is string {
  const text = value?.trim().toLowerCase() ?? '';
  return text !== '' && !NO_CODE_WORDS.has(text);
}

/** `getStatus` answer → state. Null when the token is not a status (an error token). */
export function statusFromAnswer(answer: TokenAnswer): StatusAnswer | null {
  switch (answer.token) {
    case 'STATUS_WAIT_CODE':
    case 'STATUS_WAIT_RESEND':
      return { state: 'waiting', messages: [] };
    case 'STATUS_WAIT_RETRY':
    case 'STATUS_OK':
      // WAIT_RETRY: another SMS was asked for after a code; the earlier code still stands.
      return {
        state: 'code',
        messages: hasCode(answer.value) ? [messageFromValue(answer.value)] : [],
      };
    case 'STATUS_CANCEL':
      return { state: 'cancelled', messages: [] };
    default:
      return null;
  }
}

// ---- getActiveActivations ------------------------------------------------------------------

/** A row of `getActiveActivations` → status (always `waiting` or `code`: the list only holds
 *  open activations) plus its phone number. */
export function statusFromActiveActivation(
  row: ActiveActivation,
  countries: Readonly<Record<string, string>> = COUNTRY_ID_TO_ISO,
): ListedActivation | null {
  if (!isRecord(row)) return null;
  const id = decimalText(row.activationId);
  if (id === null) return null;
  const orderId = row.orderId === undefined ? null : (decimalText(row.orderId) ?? row.orderId);
  const codes = listOf(row.smsCode);
  const texts = listOf(row.smsText);
  const count = Math.max(codes.length, texts.length);
  const messages: SmsMessage[] = [];
  for (let index = 0; index < count; index += 1) {
    const text = texts[index] ?? null;
    const code = codes[index] ?? (text === null ? null : extractCode(text));
    messages.push({ code, text });
  }
  const phone = typeof row.phoneNumber === 'string' ? row.phoneNumber.replace(/\D/g, '') : '';
  const service = typeof row.serviceCode === 'string' ? serviceSlugOf(row.serviceCode) : undefined;
  const countryId = decimalText(row.countryCode);
  const country = countryId === null ? undefined : countries[countryId];
  const createdAt = hostTime(row.activationTime);
  return {
    upstreamRef: id,
    state: messages.length > 0 ? 'code' : 'waiting',
    messages,
    ...(phone.length >= 6 ? { phoneNumber: `+${phone}` } : {}),
    ...(typeof orderId === 'string' && orderId !== '' ? { idempotencyKey: orderId } : {}),
    ...(service ? { service } : {}),
    ...(country ? { country } : {}),
    ...(createdAt ? { createdAt } : {}),
  };
}

/** The rows of a getActiveActivations answer, wherever the host puts them; null when the
 *  body holds no list at all. */
export function activeActivationRows(body: unknown): unknown[] | null {
  if (!isRecord(body)) return null;
  const list = body.activeActivations ?? body.data;
  if (Array.isArray(list)) return list as unknown[];
  if (isRecord(list) && Array.isArray(list.rows)) return list.rows as unknown[];
  return null;
}

/** null / "" / "x" / ["x", "y"] / '["x","y"]' (some hosts JSON-encode the list) → list. */
function listOf(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) {
    return value.filter((item): item is string => typeof item === 'string' && item.trim() !== '');
  }
  if (typeof value !== 'string' || value.trim() === '') return [];
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      return listOf(JSON.parse(trimmed) as unknown);
    } catch {
      return [trimmed];
    }
  }
  return [trimmed];
}
