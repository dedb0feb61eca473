/**
 * Pure translation between ShizNumber's wire shapes and our domain: its service slugs ↔ ours,
 * its `iso_code` ↔ ISO 3166-1 alpha-2, integer toman ↔ Money, national numbers ↔ E.164, order
 * statuses ↔ ActivationState. No I/O here; the adapter logs what these functions drop.
 */
import {
  countryByDialingCode,
  findCountry,
  findService,
  type CurrencyCode,
  type Money,
} from '@numbroker/core';
import type { ActivationState, ActivationStatus, Offer, Purchase, SmsMessage } from '../adapter.js';
import { upstreamMoney } from '../http/upstream-money.js';
import { normalizePersian } from './persian-text.js';
import type { ShizNumber, ShizOrder, ShizOrderStatus } from './wire.js';

/** ShizNumber's slugs are English names in lower case (the doc shows facebook, telegram,
 *  microsoft): where one is our slug too it maps to itself. These are the spellings that differ. */
const SERVICE_ALIASES: Readonly<Record<string, string>> = {
  'whats-app': 'whatsapp',
  gmail: 'google',
  youtube: 'google',
  outlook: 'microsoft',
  hotmail: 'microsoft',
  x: 'twitter',
  'tik-tok': 'tiktok',
  chatgpt: 'openai',
  'mail-ru': 'mailru',
  'snapp-food': 'snapp',
  snappfood: 'snapp',
  epic: 'epicgames',
  'epic-games': 'epicgames',
  odnoklassniki: 'ok',
  vkontakte: 'vk',
};

/** Our service slug (as core's catalog spells it) for ShizNumber's, or undefined when we do not
 *  sell that service: the catalog drops such offers. */
export function serviceSlugFromShiz(shizSlug: string): string | undefined {
  const slug = shizSlug
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  return findService(SERVICE_ALIASES[slug] ?? slug)?.slug;
}

/** Codes some panels write that are not ISO 3166-1 alpha-2. */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = { UK: 'GB', EN: 'GB' };

/** ISO 3166-1 alpha-2 (as core's catalog has it) for ShizNumber's `iso_code`, or undefined. */
export function isoCountryFromShiz(isoCode: string): string | undefined {
  const upper = isoCode.trim().toUpperCase();
  return findCountry(COUNTRY_ALIASES[upper] ?? upper)?.iso;
}

/** An integer id as the text we hand around as a ref ("57172"); null when it is not one. */
export function wireId(value: unknown): string | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const match = /^\s*(\d+)(?:\.0+)?\s*$/.exec(text);
  return match?.[1] ?? null;
}

/** A price or amount in the provider's currency; null when it is not a non-negative decimal. */
export function moneyFromWire(value: unknown, currency: CurrencyCode): Money | null {
  return upstreamMoney(value, currency);
}

export function stockFromWire(value: unknown): number {
  const id = wireId(value);
  const count = id === null ? 0 : Number(id);
  return Number.isSafeInteger(count) ? count : Number.MAX_SAFE_INTEGER;
}

export type OfferMapping =
  | { ok: true; offer: Offer }
  | { ok: false; reason: string; shizService?: string; shizCountry?: string };

/** One entry of GET numbers as an Offer in our ids, or why it was dropped. */
export function offerFromShiz(number: ShizNumber, currency: CurrencyCode): OfferMapping {
  const ref = wireId(number.id);
  if (ref === null) return { ok: false, reason: 'number id is not an integer' };
  const service = serviceSlugFromShiz(number.service.slug);
  if (service === undefined) {
    return { ok: false, reason: 'unknown service slug', shizService: number.service.slug };
  }
  const country = isoCountryFromShiz(number.country.iso_code);
  if (country === undefined) {
    return { ok: false, reason: 'not an ISO country code', shizCountry: number.country.iso_code };
  }
  const cost = moneyFromWire(number.price, currency);
  if (cost === null || cost.minor <= 0n) return { ok: false, reason: 'price is not positive' };
  const offer: Offer = { service, country, cost, stock: stockFromWire(number.count), ref };
  const operator = number.operator?.trim();
  if (operator) offer.operator = operator;
  return { ok: true, offer };
}

export class ShizMappingError extends Error {
  override readonly name = 'ShizMappingError';
}

/** Digits of a dialing code: "+84" → "84", "0098" → "98", 7 → "7". */
export function dialingCodeDigits(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const digits = String(value).replace(/[^\d]/g, '').replace(/^00/, '');
  return /^[1-9]\d{0,3}$/.test(digits) ? digits : null;
}

/** Italy, San Marino and the Vatican keep the leading 0 of landlines inside the E.164 number. */
const KEEPS_LEADING_ZERO = new Set(['39', '378', '379']);

/**
 * `ordered_number` → E.164. The doc's number is national, without the country code
 * ("923255262" with dialing code "+84" → "+84923255262"). Tolerated as well: a leading "+" or
 * "00" (already international), a national trunk prefix ("0…", or "8…" for +7), and the country
 * code written in front of the national number — but only when the digits are no national
 * number of the order's country and what follows the code is one (core's numbering plans).
 * Brazil's area code 55 is why: "55991234567" is a national number there (+55 55 99123-4567).
 */
export function toE164(
  orderedNumber: string | number,
  dialingCode: string | number | null | undefined,
  countryIso?: string | null,
): string {
  const raw = String(orderedNumber).trim();
  const digits = raw.replace(/[^\d]/g, '');
  let e164: string;
  if (raw.startsWith('+')) {
    e164 = `+${digits}`;
  } else if (digits.startsWith('00')) {
    e164 = `+${digits.slice(2)}`;
  } else {
    const cc = dialingCodeDigits(dialingCode);
    if (cc === null) throw new ShizMappingError('the number has no usable dialing code');
    let national = digits;
    if (national.startsWith('0') && !KEEPS_LEADING_ZERO.has(cc)) {
      national = national.replace(/^0+/, '');
    } else if (cc === '7' && national.length === 11 && national.startsWith('8')) {
      national = national.slice(1);
    }
    national = withoutLeadingCountryCode(national, cc, countryIso);
    e164 = `+${cc}${national}`;
  }
  if (!/^\+[1-9]\d{6,14}$/.test(e164)) {
    throw new ShizMappingError(`"${raw}" does not make an E.164 number`);
  }
  return e164;
}

/** The national number when `digits` carry the calling code in front, else `digits`. With the
 *  country's national lengths known, the code is only taken off digits that fit none of them;
 *  without (a few territories), off 11+ digits leaving 7–10. */
function withoutLeadingCountryCode(
  digits: string,
  cc: string,
  countryIso: string | null | undefined,
): string {
  if (!digits.startsWith(cc)) return digits;
  const rest = digits.slice(cc.length);
  const byIso = countryIso ? findCountry(countryIso) : undefined;
  const country = byIso?.dialingCode === cc ? byIso : countryByDialingCode(cc);
  const lengths = country?.nationalNumberLengths ?? [];
  if (lengths.length > 0) {
    return !lengths.includes(digits.length) && lengths.includes(rest.length) ? rest : digits;
  }
  return digits.length >= 11 && rest.length >= 7 && rest.length <= 10 ? rest : digits;
}

/** What a status name means, before the presence of a code is taken into account. */
export type ShizStatusKind = 'waiting' | 'done' | 'cancelled' | 'expired' | 'reported';

/** Status names: the doc shows only `waiting` ("در حال انجام", in progress); the rest are the
 *  names such panels use, accepted so that no plausible spelling is misread (NOTES.md). */
const STATUS_NAMES: Readonly<Record<string, ShizStatusKind>> = {
  waiting: 'waiting',
  wait: 'waiting',
  pending: 'waiting',
  processing: 'waiting',
  in_progress: 'waiting',
  inprogress: 'waiting',
  active: 'waiting',
  completed: 'done',
  complete: 'done',
  done: 'done',
  finished: 'done',
  success: 'done',
  successful: 'done',
  received: 'done',
  canceled: 'cancelled',
  cancelled: 'cancelled',
  cancel: 'cancelled',
  refunded: 'cancelled',
  refund: 'cancelled',
  returned: 'cancelled',
  expired: 'expired',
  expire: 'expired',
  timeout: 'expired',
  timed_out: 'expired',
  failed: 'expired',
  reported: 'reported',
  report: 'reported',
};

/** The Persian label, when the English name is unknown. Order matters: "در حال انجام"
 *  (in progress) contains "انجام" (done). */
const STATUS_LABELS: ReadonlyArray<[pattern: string, kind: ShizStatusKind]> = [
  ['درحال', 'waiting'],
  ['انتظار', 'waiting'],
  ['گزارش', 'reported'],
  ['لغو', 'cancelled'],
  ['کنسل', 'cancelled'],
  ['بازگشت', 'cancelled'],
  ['عودت', 'cancelled'],
  ['منقضی', 'expired'],
  ['پایان', 'expired'],
  ['اتمام', 'expired'],
  ['ناموفق', 'expired'],
  ['تکمیل', 'done'],
  ['انجامشد', 'done'],
  ['موفق', 'done'],
  ['دریافتشد', 'done'],
];

/** The kind of a status, or undefined when neither its name nor its label is known. */
export function statusKindFromShiz(status: ShizOrderStatus): ShizStatusKind | undefined {
  const name = status.name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const byName = STATUS_NAMES[name];
  if (byName) return byName;
  const label = normalizePersian(status.fa_name ?? '');
  if (label === '') return undefined;
  return STATUS_LABELS.find(([pattern]) => label.includes(pattern))?.[1];
}

/** Pulls a 4–8 digit code out of an SMS text (the first such run), or null. */
export function codeFromText(text: string): string | null {
  const latin = normalizePersian(text, { keepSpaces: true });
  return (
    /(?<!\d)(\d{4,8})(?!\d)/.exec(latin)?.[1] ??
    /(?<!\d)(\d{3})[-\s](\d{3})(?!\d)/.exec(latin)?.slice(1).join('') ??
    null
  );
}

/**
 * The order's code. `sms_code` may be a JSON number — which loses leading zeros ("01234" →
 * 1234) — a string, or null. When the number's digits are found with leading zeros in the SMS
 * text, the text's spelling wins. Empty strings and 0 mean "no code". Without `sms_code`, the
 * code is pulled out of `sms_code_str`.
 */
export function smsCodeFromOrder(
  order: Pick<ShizOrder, 'sms_code' | 'sms_code_str'>,
): string | null {
  const text = order.sms_code_str?.trim() ?? '';
  const raw = order.sms_code;
  const code = raw === null || raw === undefined ? '' : String(raw).trim();
  if (code === '' || /^0+$/.test(code) || code.toLowerCase() === 'null') {
    return text === '' ? null : codeFromText(text);
  }
  if (/^\d+$/.test(code) && text !== '') {
    const latin = normalizePersian(text, { keepSpaces: true });
    // Only when the number itself does not stand alone in the text.
    if (!new RegExp(`(?<!\\d)${code}(?!\\d)`).test(latin)) {
      const padded = new RegExp(`(?<!\\d)(0+${code})(?!\\d)`).exec(latin);
      if (padded?.[1]) return padded[1];
    }
  }
  return code;
}

/** The SMS of an order (ShizNumber keeps one per order), oldest first. */
export function messagesFromOrder(order: ShizOrder): SmsMessage[] {
  const code = smsCodeFromOrder(order);
  const text = order.sms_code_str?.trim() ? order.sms_code_str.trim() : null;
  if (code === null && text === null) return [];
  return [{ code, text }];
}

export interface StatusMapping {
  status: ActivationStatus;
  /** Set when the status name was not recognised (the adapter logs it). */
  unknownStatus?: string;
}

/**
 * An order's state. The doc's own example shows `waiting` together with a received code, so
 * a code decides: any order holding one is `code`, except a cancelled or reported one (the
 * upstream gave the money back). Without a code the name decides; an unknown name counts as
 * still waiting (our TTL ends it) and is reported for logging.
 */
export function activationStatusFromShiz(order: ShizOrder): StatusMapping {
  const upstreamRef = wireId(order.id) ?? String(order.id);
  const messages = messagesFromOrder(order);
  const hasCode = messages.some((message) => message.code !== null);
  const kind = statusKindFromShiz(order.status);
  let state: ActivationState;
  switch (kind) {
    case 'cancelled':
    case 'reported':
      state = 'cancelled';
      break;
    case 'expired':
      state = hasCode ? 'code' : 'expired';
      break;
    case 'waiting':
    case 'done':
    case undefined:
      state = hasCode ? 'code' : 'waiting';
      break;
  }
  const mapping: StatusMapping = { status: { upstreamRef, state, messages } };
  if (kind === undefined) mapping.unknownStatus = order.status.name;
  return mapping;
}

/** The order's dialing code: the answer's own, else core's catalog's for its ISO country. */
export function dialingCodeOfOrder(order: ShizOrder): string | number | null {
  const { dialing_code: code, iso_code: iso } = order.number.country;
  if (dialingCodeDigits(code) !== null) return code ?? null;
  return findCountry(isoCountryFromShiz(iso) ?? '')?.dialingCode ?? null;
}

/** The ISO country the order's number belongs to, as the answer names it. */
export function countryOfOrder(order: ShizOrder): string | undefined {
  return isoCountryFromShiz(order.number.country.iso_code);
}

/** POST numbers/{id}'s order as a Purchase. Throws ShizMappingError when the number or id is
 *  unusable (the adapter turns that into a reconcilable failure: the money is spent). */
export function purchaseFromShiz(
  order: ShizOrder,
  currency: CurrencyCode,
  requestedCountry?: string,
): Purchase {
  const upstreamRef = wireId(order.id);
  if (upstreamRef === null) throw new ShizMappingError('the order id is not an integer');
  const phoneNumber = toE164(
    order.ordered_number,
    dialingCodeOfOrder(order),
    countryOfOrder(order) ?? requestedCountry,
  );
  const purchase: Purchase = { upstreamRef, phoneNumber };
  const cost =
    order.amount === null || order.amount === undefined
      ? null
      : moneyFromWire(order.amount, currency);
  if (cost !== null) purchase.cost = cost;
  return purchase;
}
