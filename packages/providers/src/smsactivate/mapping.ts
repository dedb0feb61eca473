/** Pure translation between SMS-Activate's wire values and our domain (no I/O). */
import { COUNTRIES, Money, type CurrencyCode } from '@numbroker/core';
import type { ActivationState, ActivationStatus, Offer, SmsMessage } from '../adapter.js';
import { decimalText } from '../http/lossless-json.js';
import { upstreamMoney } from '../http/upstream-money.js';
import { extractCode } from '../simulator/extract-code.js';
import type {
  ActiveActivation,
  CountriesResponse,
  NumberV2Response,
  PricesResponse,
  TokenAnswer,
} from './wire.js';

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
}

/** `getPrices` (parsed losslessly) → offers. Unknown services are left out; entries with an
 *  unreadable cost are left out rather than priced wrongly. */
export function offersFromPrices(
  prices: PricesResponse,
  currency: CurrencyCode,
  countryIds: Readonly<Record<string, string>> = COUNTRY_ID_TO_ISO,
): PricesMapping {
  const offers: Offer[] = [];
  const unknown = new Set<string>();
  for (const [countryId, services] of Object.entries(prices)) {
    if (typeof services !== 'object' || services === null) continue;
    const iso = countryIds[countryId];
    for (const [serviceCode, entry] of Object.entries(services)) {
      const slug = serviceSlugOf(serviceCode);
      if (!slug || typeof entry !== 'object' || entry === null) continue;
      if (!iso) {
        unknown.add(countryId);
        continue;
      }
      const cost = upstreamMoney(entry.cost, currency);
      const stock = countOf(entry.count);
      if (!cost || cost.isZero() || stock === null) continue;
      offers.push({
        service: slug,
        country: iso,
        cost,
        stock,
        ref: offerRef(countryId, serviceCode),
      });
    }
  }
  return { offers, unknownCountryIds: [...unknown] };
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
}

/** `ACCESS_NUMBER:$id:$number` value part → activation id and E.164 number. */
export function numberFromValue(value: string | null): NumberAnswer | null {
  const match = /^(\d+):\+?(\d{6,15})$/.exec(value?.trim() ?? '');
  if (!match) return null;
  return { activationId: match[1]!, phoneNumber: `+${match[2]!}` };
}

/** `getNumberV2` JSON → activation id, E.164 number and the cost it says it charged. */
export function numberFromV2(body: unknown, currency: CurrencyCode): NumberAnswer | null {
  if (typeof body !== 'object' || body === null) return null;
  const v2 = body as Partial<NumberV2Response>;
  const id = v2.activationId === undefined ? null : decimalText(v2.activationId);
  const phone = typeof v2.phoneNumber === 'string' ? v2.phoneNumber.replace(/\D/g, '') : '';
  if (id === null || !/^\d+$/.test(id) || !/^\d{6,15}$/.test(phone)) return null;
  const cost = upstreamMoney(v2.activationCost, currency) ?? undefined;
  return { activationId: id, phoneNumber: `+${phone}`, ...(cost ? { cost } : {}) };
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
        messages:
          answer.value && answer.value.trim() !== '' ? [messageFromValue(answer.value)] : [],
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
): (ActivationStatus & { phoneNumber?: string }) | null {
  const id = decimalText(row.activationId);
  if (id === null) return null;
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
  return {
    activationRef: id,
    state: messages.length > 0 ? 'code' : 'waiting',
    messages,
    ...(phone.length >= 6 ? { phoneNumber: `+${phone}` } : {}),
  };
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
