/**
 * Pure translation between Shomare's JSON and our domain: no I/O, no HTTP statuses.
 *
 * The seed doc shows no response body, so every reader here accepts each plausible shape
 * (NOTES.md lists them): the result under `data` or beside `status`/`code` at the top level;
 * lists as arrays or as objects keyed by id; ids and amounts as JSON numbers or strings (bodies
 * are parsed losslessly, so numbers arrive as their exact decimal text); several field names
 * for the same fact.
 */
import { Money, normalizePhoneE164, type CurrencyCode } from '@numbroker/core';
import type { ActivationState, ActivationStatus, Offer, SmsMessage } from '../adapter.js';
import { upstreamMoney } from '../http/upstream-money.js';
import { extractCode } from '../simulator/harness.js';
import {
  countryFromDialCode,
  countryFromIsoCode,
  countryFromName,
  foldName,
  serviceSlugFromName,
} from './catalog-names.js';

type WireRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is WireRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first of `keys` holding a usable value (not undefined, null or an empty string). */
function pick(record: WireRecord, keys: readonly string[]): unknown {
  for (const key of keys) {
    const value = record[key];
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

/** A scalar as trimmed text: ids, names, codes. */
export function scalarText(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return null;
}

function pickText(record: WireRecord, keys: readonly string[]): string | null {
  for (const key of keys) {
    const text = scalarText(record[key]);
    if (text !== null) return text;
  }
  return null;
}

// ---- the envelope ---------------------------------------------------------------------------

/** Keys of the documented envelope (and its assumed message), never part of a result. */
const ENVELOPE_KEYS = new Set(['status', 'code', 'message', 'msg', 'error', 'errors', 'success']);

export interface EnvelopeView {
  /** `status` is true (or a truthy spelling of it). */
  ok: boolean;
  /** The documented error `code` (= HTTP status, or -1 for a blocked account), when present. */
  code: number | null;
  /** The upstream's human message, when it sends one (Persian). */
  message: string | null;
  /** The result: `data` (or `result`) when present, else the top-level fields minus the envelope. */
  data: unknown;
}

const TRUE_SPELLINGS = new Set(['true', '1', 'success', 'ok', 'yes']);

function isTrueFlag(value: unknown): boolean {
  if (value === true) return true;
  const text = scalarText(value);
  return text !== null && TRUE_SPELLINGS.has(text.toLowerCase());
}

/** Reads the `status` + `code` envelope around any answer. A bare array or an object without a
 *  `status` is taken as a successful result as it is (some endpoints may skip the envelope). */
export function readEnvelope(body: unknown): EnvelopeView {
  if (!isRecord(body)) return { ok: true, code: null, message: null, data: body };
  const codeText = scalarText(body.code);
  const code = codeText !== null && /^-?\d+$/.test(codeText) ? Number(codeText) : null;
  const message = messageOf(body);
  const hasStatus = 'status' in body || 'success' in body;
  const ok = hasStatus ? isTrueFlag(body.status ?? body.success) : code === null || code === 200;
  let data: unknown;
  if ('data' in body) data = body.data;
  else if ('result' in body) data = body.result;
  else {
    data = Object.fromEntries(Object.entries(body).filter(([key]) => !ENVELOPE_KEYS.has(key)));
  }
  return { ok, code, message, data };
}

function messageOf(body: WireRecord): string | null {
  for (const key of ['message', 'msg', 'error', 'errors', 'description', 'detail']) {
    const value = body[key];
    const text = scalarText(value);
    if (text !== null) return text;
    if (Array.isArray(value)) {
      const parts = value.map(scalarText).filter((part): part is string => part !== null);
      if (parts.length > 0) return parts.join('; ');
    }
    if (isRecord(value)) {
      const parts = Object.values(value)
        .flat()
        .map(scalarText)
        .filter((part): part is string => part !== null);
      if (parts.length > 0) return parts.join('; ');
    }
  }
  return null;
}

/** A list result: an array, an object holding one under a known key, or an object keyed by id
 *  (each entry gets that key as `id` unless it has its own). */
export function readList(data: unknown, listKeys: readonly string[] = []): WireRecord[] {
  if (Array.isArray(data)) return data.filter(isRecord);
  if (!isRecord(data)) return [];
  for (const key of [...listKeys, 'data', 'items', 'list', 'results', 'rows']) {
    const value = data[key];
    if (Array.isArray(value)) return value.filter(isRecord);
    if (isRecord(value)) return readList(value);
  }
  const entries = Object.entries(data);
  if (entries.length > 0 && entries.every(([, value]) => isRecord(value))) {
    return entries.map(([key, value]) => ({ id: key, ...(value as WireRecord) }));
  }
  return [];
}

/** A single-object result; a one-element list is unwrapped. */
export function readObject(data: unknown): WireRecord | null {
  if (Array.isArray(data)) return data.length === 1 && isRecord(data[0]) ? data[0] : null;
  return isRecord(data) ? data : null;
}

// ---- countries, operators, applications ----------------------------------------------------

export interface ShomareCountry {
  id: string;
  /** ISO 3166-1 alpha-2, or null when the upstream's country is not one we recognise. */
  iso: string | null;
  /** Dialling code without "+". */
  dialCode: string | null;
  name: string;
}

const NAME_KEYS = [
  'name_en',
  'en_name',
  'english_name',
  'title_en',
  'name',
  'title',
  'name_fa',
  'fa_name',
  'persian_name',
  'title_fa',
];

export function mapCountry(raw: WireRecord): ShomareCountry | null {
  const id = pickText(raw, ['id', 'country_id', 'countryId', 'cid']);
  if (id === null) return null;
  const names = NAME_KEYS.map((key) => scalarText(raw[key])).filter(
    (name): name is string => name !== null,
  );
  let dialCode: string | null = null;
  for (const key of [
    'prefix',
    'phone_code',
    'phonecode',
    'dial_code',
    'dialing_code',
    'calling_code',
    'area_code',
    'code',
  ]) {
    const text = scalarText(raw[key]);
    if (text !== null && /^(?:\+|00)?\d{1,4}$/.test(text)) {
      dialCode = text.replace(/^\+|^00/, '');
      break;
    }
  }
  let iso: string | null = null;
  for (const key of [
    'iso',
    'iso2',
    'iso_code',
    'isocode',
    'alpha2',
    'short_name',
    'shortname',
    'abbr',
    'abbreviation',
    'country_code',
    'code',
    'symbol',
  ]) {
    const text = scalarText(raw[key]);
    const country =
      text !== null && /^[A-Za-z]{2}$/.test(text) ? countryFromIsoCode(text) : undefined;
    if (country) {
      iso = country.iso;
      break;
    }
  }
  iso ??= names.map(countryFromName).find((country) => country !== undefined)?.iso ?? null;
  if (iso === null && dialCode !== null) iso = countryFromDialCode(dialCode)?.iso ?? null;
  dialCode ??= iso === null ? null : (countryFromIsoCode(iso)?.dialingCode ?? null);
  return { id, iso, dialCode, name: names[0] ?? id };
}

export interface ShomareOperator {
  id: string;
  /** The country this operator belongs to, when the list says. */
  countryId: string | null;
  name: string;
}

export function mapOperator(raw: WireRecord): ShomareOperator | null {
  const id = pickText(raw, ['id', 'operator_id', 'operatorId', 'oid']);
  if (id === null) return null;
  return {
    id,
    countryId: pickText(raw, ['country_id', 'countryId', 'country']),
    name: pickText(raw, NAME_KEYS) ?? id,
  };
}

/** Operator names meaning "whichever has numbers": the offer then names no operator. */
const ANY_OPERATOR = new Set(['any', 'all', 'random', 'همه', 'فرقی نمیکند', 'فرقی نمی کند']);

export function offerOperatorName(operator: ShomareOperator): string | undefined {
  const folded = foldName(operator.name);
  return ANY_OPERATOR.has(folded) ? undefined : folded;
}

export interface ShomareApplication {
  id: string;
  /** Our service slug, or null for an application we do not sell. */
  slug: string | null;
  name: string;
}

export function mapApplication(raw: WireRecord): ShomareApplication | null {
  const id = pickText(raw, ['id', 'app_id', 'application_id', 'appId', 'service_id']);
  if (id === null) return null;
  const candidates = ['code', 'slug', 'short_name', 'service', ...NAME_KEYS]
    .map((key) => scalarText(raw[key]))
    .filter((text): text is string => text !== null);
  const slug = candidates.map(serviceSlugFromName).find((found) => found !== undefined) ?? null;
  return { id, slug, name: pickText(raw, NAME_KEYS) ?? id };
}

// ---- prices and offers --------------------------------------------------------------------

export interface ShomarePriceRow {
  /** The application id, when the row names one. */
  appId: string | null;
  /** The application's name, when the row names it (matched against the list otherwise). */
  appName: string | null;
  cost: Money | null;
  stock: number;
}

export function mapPriceRow(raw: WireRecord, currency: CurrencyCode): ShomarePriceRow {
  return {
    appId: pickText(raw, [
      'app_id',
      'application_id',
      'appId',
      'service_id',
      'app',
      'application',
      'id',
    ]),
    appName: pickText(raw, ['app_name', 'application_name', 'service_name', 'name', 'title']),
    cost: upstreamMoney(
      pick(raw, ['price', 'cost', 'amount', 'sell_price', 'price_toman']),
      currency,
    ),
    stock: countOf(
      pick(raw, ['count', 'stock', 'quantity', 'qty', 'available', 'numbers', 'total']),
    ),
  };
}

function countOf(value: unknown): number {
  const text = scalarText(value);
  if (text === null || !/^\d+(?:\.0+)?$/.test(text)) return 0;
  const count = Number(text.split('.')[0]);
  return Number.isSafeInteger(count) ? count : 0;
}

/** What a Shomare product is: the three ids `pricebyproduct` and `buy` take. */
export interface ShomareProductIds {
  country: string;
  operator: string;
  application: string;
}

/** `Offer.ref`: "<countryId>:<operatorId>:<appId>", each part URI-encoded. */
export function encodeOfferRef(ids: ShomareProductIds): string {
  return [ids.country, ids.operator, ids.application].map(encodeURIComponent).join(':');
}

export function decodeOfferRef(ref: string): ShomareProductIds | null {
  const parts = ref.split(':');
  if (parts.length !== 3 || parts.some((part) => part === '')) return null;
  try {
    const [country, operator, application] = parts.map(decodeURIComponent) as [
      string,
      string,
      string,
    ];
    return { country, operator, application };
  } catch {
    return null;
  }
}

/** The offers one `pricebycountry` answer describes. Rows of applications we do not sell, or
 *  without a positive price, are left out. */
export function offersFromPriceRows(
  rows: readonly ShomarePriceRow[],
  country: ShomareCountry,
  operator: ShomareOperator,
  applications: readonly ShomareApplication[],
): Offer[] {
  if (country.iso === null) return [];
  const byId = new Map(applications.map((app) => [app.id, app]));
  const byName = new Map(applications.map((app) => [foldName(app.name), app]));
  const offers: Offer[] = [];
  for (const row of rows) {
    const app =
      (row.appId === null ? undefined : byId.get(row.appId)) ??
      (row.appName === null ? undefined : byName.get(foldName(row.appName)));
    const slug =
      app?.slug ?? (row.appName === null ? null : (serviceSlugFromName(row.appName) ?? null));
    const appId = app?.id ?? row.appId;
    if (slug === null || appId === null || row.cost === null || row.cost.minor <= 0n) continue;
    const operatorName = offerOperatorName(operator);
    offers.push({
      service: slug,
      country: country.iso,
      ...(operatorName === undefined ? {} : { operator: operatorName }),
      cost: row.cost,
      stock: row.stock,
      ref: encodeOfferRef({ country: country.id, operator: operator.id, application: appId }),
    });
  }
  return offers;
}

/** Which operators to price a country with: those the list ties to it, or every operator when
 *  the list ties none to any country (a global list). */
export function operatorsOfCountry(
  country: ShomareCountry,
  operators: readonly ShomareOperator[],
): ShomareOperator[] {
  const tied = operators.filter((operator) => operator.countryId !== null);
  if (tied.length === 0) return [...operators];
  return tied.filter((operator) => operator.countryId === country.id);
}

// ---- balance --------------------------------------------------------------------------------

const BALANCE_KEYS = [
  'balance',
  'wallet',
  'wallet_balance',
  'walletBalance',
  'credit',
  'charge',
  'amount',
  'money',
  'cash',
];

/** The wallet balance from `profile`: directly, or inside a `user`/`wallet` object. */
export function mapBalance(data: unknown, currency: CurrencyCode): Money | null {
  const record = readObject(data);
  if (record === null) return null;
  const direct = upstreamMoney(pick(record, BALANCE_KEYS), currency);
  if (direct !== null) return direct;
  for (const key of ['user', 'profile', 'wallet', 'account']) {
    const nested = record[key];
    if (isRecord(nested)) {
      const found = mapBalance(nested, currency);
      if (found !== null) return found;
    }
  }
  return null;
}

// ---- purchases ------------------------------------------------------------------------------

export interface ShomarePurchase {
  upstreamRef: string;
  /** The number as the upstream wrote it (normalise with `toE164`). */
  rawNumber: string;
  cost: Money | null;
}

const PURCHASE_ID_KEYS = [
  'id',
  'purchase_id',
  'purchaseId',
  'order_id',
  'orderId',
  'request_id',
  'activation_id',
  'number_id',
];
const NUMBER_KEYS = ['number', 'phone', 'phone_number', 'phoneNumber', 'mobile', 'tel', 'msisdn'];

export function mapPurchase(data: unknown, currency: CurrencyCode): ShomarePurchase | null {
  const record = readObject(data);
  if (record === null) return null;
  const inner = isRecord(record.order)
    ? record.order
    : isRecord(record.purchase)
      ? record.purchase
      : record;
  const upstreamRef = pickText(inner, PURCHASE_ID_KEYS);
  const rawNumber = pickText(inner, NUMBER_KEYS);
  if (upstreamRef === null || rawNumber === null) return null;
  return {
    upstreamRef,
    rawNumber,
    cost: upstreamMoney(pick(inner, ['price', 'cost', 'amount']), currency),
  };
}

/**
 * E.164 with "+", from whatever the upstream wrote ("+7 900 …", "0079…", "79001234567", or a
 * national number completed with the order's country), via core's normaliser. Null for
 * anything that cannot be a phone number.
 */
export function toE164(raw: string, countryIso: string | null): string | null {
  try {
    return normalizePhoneE164(raw, countryIso === null ? {} : { country: countryIso });
  } catch {
    if (countryIso === null) return null;
    // The number may belong to another country than the order's (an "any" product).
    try {
      return normalizePhoneE164(raw);
    } catch {
      return null;
    }
  }
}

// ---- check ----------------------------------------------------------------------------------

const STATE_WORDS: ReadonlyArray<[ActivationState, readonly string[]]> = [
  [
    'waiting',
    ['waiting', 'wait', 'pending', 'active', 'in progress', 'processing', 'new', 'در انتظار'],
  ],
  [
    'code',
    ['received', 'success', 'done', 'completed', 'complete', 'finished', 'has sms', 'دریافت شده'],
  ],
  [
    'cancelled',
    ['canceled', 'cancelled', 'cancel', 'refunded', 'refund', 'لغو شده', 'کنسل شده', 'لغو', 'کنسل'],
  ],
  ['expired', ['expired', 'expire', 'timeout', 'timed out', 'منقضی شده', 'منقضی']],
];
const stateByWord = new Map<string, ActivationState>();
for (const [state, words] of STATE_WORDS) {
  for (const word of words) stateByWord.set(foldName(word), state);
}

/** An order state word, or null when the upstream did not give a word we know (booleans — the
 *  envelope's `status` at the top level — and numbers are not states). */
export function stateFromWord(value: unknown): ActivationState | null {
  if (typeof value !== 'string') return null;
  return stateByWord.get(foldName(value)) ?? null;
}

const SMS_LIST_KEYS = ['sms', 'messages', 'smses', 'sms_list', 'inbox', 'codes'];
const SMS_TEXT_KEYS = ['text', 'sms', 'message', 'body', 'content', 'full_text', 'sms_text'];
const SMS_CODE_KEYS = [
  'code',
  'sms_code',
  'smsCode',
  'otp',
  'activation_code',
  'verify_code',
  'pin',
];
const SMS_DATE_KEYS = ['date', 'received_at', 'receivedAt', 'created_at', 'time', 'datetime'];

function smsFromRecord(raw: WireRecord): SmsMessage | null {
  const text = pickText(raw, SMS_TEXT_KEYS);
  const code = pickText(raw, SMS_CODE_KEYS) ?? (text === null ? null : extractCode(text));
  if (text === null && code === null) return null;
  const dateText = pickText(raw, SMS_DATE_KEYS);
  const date = dateText === null ? undefined : parseDate(dateText);
  return { code, text, ...(date === undefined ? {} : { receivedAt: date }) };
}

function smsFromText(text: string): SmsMessage {
  return { code: extractCode(text), text };
}

/** A date the upstream wrote ("2024-05-01 12:30:00" or ISO); undefined when unreadable. */
function parseDate(text: string): Date | undefined {
  const iso = /^\d{4}-\d{2}-\d{2} \d/.test(text) ? text.replace(' ', 'T') : text;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** Codes that can only mean an SMS code. A bare `code` cannot: Iranian panels use it for the
 *  order's reference (کد پیگیری), so it counts only inside the SMS text beside it, or with a
 *  "received" state and no text. */
const PURCHASE_SMS_CODE_KEYS = SMS_CODE_KEYS.filter((key) => key !== 'code');

/** Every SMS the `check` result holds, oldest first. `stated`: the state word of the answer. */
export function mapMessages(
  record: WireRecord,
  stated: ActivationState | null = null,
): SmsMessage[] {
  for (const key of SMS_LIST_KEYS) {
    const value = record[key];
    if (Array.isArray(value)) {
      return value
        .map((item) =>
          isRecord(item)
            ? smsFromRecord(item)
            : scalarText(item) === null
              ? null
              : smsFromText(scalarText(item)!),
        )
        .filter((sms): sms is SmsMessage => sms !== null);
    }
    if (isRecord(value)) {
      const one = smsFromRecord(value);
      if (one !== null) return [one];
    }
  }
  // A single SMS written as plain fields of the purchase.
  const text = pickText(record, ['sms', 'sms_text', 'smsText', 'text', 'content', 'full_sms']);
  const bareCode = pickText(record, ['code']);
  // The SMS's own text outranks a bare `code` that it does not contain.
  const bareCodeIsSms =
    bareCode !== null &&
    bareCode !== pickText(record, PURCHASE_ID_KEYS) &&
    (text === null ? stated === 'code' : text.includes(bareCode));
  const code =
    pickText(record, PURCHASE_SMS_CODE_KEYS) ??
    (bareCodeIsSms ? bareCode : null) ??
    (text === null ? null : extractCode(text));
  if (text === null && code === null) return [];
  return [{ code, text }];
}

/**
 * `check` → our status. A bare `code` is an SMS code only inside the SMS text beside it or with a
 * "received" state — never beside "waiting" (it is the order reference there, and reading it as the SMS would
 * charge a customer for no SMS). An SMS with its text counts whatever the state word (a panel may
 * still say "active" after one came). Then: cancelled/expired as stated; otherwise an SMS means
 * "code" and none means "waiting".
 */
export function mapCheck(data: unknown, upstreamRef: string): ActivationStatus | null {
  const record = readObject(data);
  if (record === null) return null;
  const inner = isRecord(record.order)
    ? record.order
    : isRecord(record.purchase)
      ? record.purchase
      : record;
  const stated =
    stateFromWord(inner.status) ??
    stateFromWord(inner.state) ??
    stateFromWord(inner.order_status) ??
    stateFromWord(inner.orderStatus) ??
    stateFromWord(inner.sms_status);
  const messages = mapMessages(inner, stated);
  let state: ActivationState;
  if (stated === null || stated === 'waiting' || stated === 'code') {
    state = messages.length > 0 ? 'code' : 'waiting';
  } else state = stated;
  return { upstreamRef, state, messages };
}
