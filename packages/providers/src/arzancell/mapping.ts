/**
 * Pure translation between ArzanCell's answers and our domain: no I/O, no HTTP.
 *
 * Answers are either a JSON array of objects (the doc wraps even a single result in one), or
 * one upper-case word or phrase in plain text (`CANCELED` and every error). `readAnswer` tells
 * them apart without trusting the Content-Type (a PHP backend labels both text/html).
 */
import {
  Money,
  SERVICES,
  findCountry,
  findService,
  normalizePhoneE164,
  type CurrencyCode,
} from '@numbroker/core';
import type { ActivationStatus, Offer } from '../adapter.js';
import { parseJsonLossless } from '../http/lossless-json.js';
import { upstreamMoney } from '../http/upstream-money.js';
import { extractCode } from '../simulator/harness.js';
import { normalizeToken } from './errors.js';
import { ARZANCELL_ANY } from './wire.js';

type WireRecord = Record<string, unknown>;

function isRecord(value: unknown): value is WireRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function pickText(record: WireRecord, keys: readonly string[]): string | null {
  for (const key of keys) {
    const text = scalarText(record[key]);
    if (text !== null) return text;
  }
  return null;
}

// ---- answers ----------------------------------------------------------------------------------

export type ArzanCellAnswer =
  { kind: 'token'; token: string } | { kind: 'rows'; rows: WireRecord[] } | { kind: 'unreadable' };

/** A bare upper-case word or phrase: `NO NUMBER`, `CANCELED`, `INVALID_API`. */
const TOKEN_TEXT = /^[A-Za-z][A-Za-z _']{1,40}$/;

/**
 * Reads a body: a plain-text token; JSON rows (an array of objects, a single object, or either
 * under `data`); a JSON string or `{"error": "..."}` holding a token. Numbers stay exact text.
 */
export function readAnswer(text: string): ArzanCellAnswer {
  const trimmed = text.trim();
  if (TOKEN_TEXT.test(trimmed)) return { kind: 'token', token: normalizeToken(trimmed) };
  let parsed: unknown;
  try {
    parsed = parseJsonLossless(trimmed);
  } catch {
    return { kind: 'unreadable' };
  }
  if (typeof parsed === 'string') {
    return TOKEN_TEXT.test(parsed.trim())
      ? { kind: 'token', token: normalizeToken(parsed) }
      : { kind: 'unreadable' };
  }
  if (isRecord(parsed)) {
    const error = pickText(parsed, ['error', 'error_code', 'message', 'msg']);
    if (error !== null && TOKEN_TEXT.test(error) && Object.keys(parsed).length <= 3) {
      return { kind: 'token', token: normalizeToken(error) };
    }
    if (Array.isArray(parsed.data)) return { kind: 'rows', rows: parsed.data.filter(isRecord) };
    return { kind: 'rows', rows: [parsed] };
  }
  if (Array.isArray(parsed)) return { kind: 'rows', rows: parsed.filter(isRecord) };
  return { kind: 'unreadable' };
}

// ---- balance ----------------------------------------------------------------------------------

/** `[{"balance": 981000, "unit": "Toman"}]` → Money. A balance in rial (unit "Rial"/"ریال") is
 *  converted to toman (÷10, rounded down: never more than we have). */
export function mapBalance(rows: readonly WireRecord[], currency: CurrencyCode): Money | null {
  const row = rows[0];
  if (!row) return null;
  const amount = upstreamMoney(row.balance ?? row.amount ?? row.credit, currency);
  if (amount === null) return null;
  const unit = (scalarText(row.unit) ?? '').toLowerCase();
  const inRial = /rial|ریال|irr/.test(unit);
  return inRial && currency === 'IRT' ? Money.ofMinor(amount.minor / 10n, currency) : amount;
}

// ---- stock and offers -------------------------------------------------------------------------

/** Short codes ArzanCell may use ("the service code is the service name, sometimes an
 *  abbreviation") beside full names, SMS-Activate style. */
const SERVICE_CODE_ALIASES: Readonly<Record<string, string>> = {
  tg: 'telegram',
  wa: 'whatsapp',
  whats: 'whatsapp',
  ig: 'instagram',
  insta: 'instagram',
  fb: 'facebook',
  go: 'google',
  gmail: 'google',
  youtube: 'google',
  vi: 'viber',
  tw: 'twitter',
  x: 'twitter',
  ds: 'discord',
  lf: 'tiktok',
  mm: 'microsoft',
  outlook: 'microsoft',
  hotmail: 'microsoft',
  mb: 'yahoo',
  am: 'amazon',
  wx: 'apple',
  dr: 'openai',
  chatgpt: 'openai',
  fu: 'snapchat',
  tn: 'linkedin',
  im: 'imo',
  wb: 'wechat',
  bw: 'signal',
  nf: 'netflix',
  ts: 'paypal',
  mt: 'steam',
  oi: 'tinder',
  ub: 'uber',
};

const slugByServiceName = new Map<string, string>();
for (const service of SERVICES) {
  if (service.slug === 'other') continue;
  slugByServiceName.set(service.slug, service.slug);
  slugByServiceName.set(foldServiceName(service.name), service.slug);
}

function foldServiceName(text: string): string {
  return text.toLowerCase().replace(/[\s_\-./]+/g, '');
}

/** Our slug for an ArzanCell service code or name, or undefined when we have none. */
export function serviceSlugOf(codeOrName: string): string | undefined {
  const folded = foldServiceName(codeOrName);
  const slug = SERVICE_CODE_ALIASES[folded] ?? slugByServiceName.get(folded);
  return slug !== undefined && findService(slug)?.slug === slug ? slug : undefined;
}

/** ISO 3166-1 alpha-2 for ArzanCell's lower-case country code ("ee" → EE, "uk" → GB). */
export function isoOfCountryCode(code: string): string | undefined {
  const upper = code.trim().toUpperCase();
  return findCountry(upper === 'UK' ? 'GB' : upper)?.iso;
}

export interface ArzanCellStockRow {
  server: string;
  serviceCode: string;
  serviceName: string | null;
  /** As ArzanCell writes it (lower case): what get_number takes back. */
  country: string;
  stock: number;
  cost: Money | null;
}

/** One `get_status` row; null when it lacks the server, service code or country. Both the
 *  example's spaced keys ("service code") and the table's underscored ones are read. */
export function mapStockRow(raw: WireRecord, currency: CurrencyCode): ArzanCellStockRow | null {
  const server = pickText(raw, ['server', 'server_id']);
  const serviceCode = pickText(raw, ['service code', 'service_code', 'serviceCode', 'service']);
  const country = pickText(raw, ['country', 'country_code']);
  if (server === null || serviceCode === null || country === null) return null;
  const stockText = pickText(raw, ['stock', 'count', 'quantity']);
  const stock = stockText !== null && /^\d+$/.test(stockText) ? Number(stockText) : 0;
  return {
    server,
    serviceCode,
    serviceName: pickText(raw, ['service name', 'service_name', 'serviceName', 'name']),
    country,
    stock: Number.isSafeInteger(stock) ? stock : 0,
    cost: upstreamMoney(raw.price ?? raw.cost, currency),
  };
}

/** What get_number takes: the server, country and service code of one stock row. */
export interface ArzanCellProduct {
  server: string;
  country: string;
  service: string;
}

/** `Offer.ref` = "<server>:<country>:<serviceCode>", each part URI-encoded. */
export function encodeOfferRef(product: ArzanCellProduct): string {
  return [product.server, product.country, product.service].map(encodeURIComponent).join(':');
}

export function decodeOfferRef(ref: string): ArzanCellProduct | null {
  const parts = ref.split(':');
  if (parts.length !== 3 || parts.some((part) => part === '')) return null;
  try {
    const [server, country, service] = parts.map(decodeURIComponent) as [string, string, string];
    return { server, country, service };
  } catch {
    return null;
  }
}

/** A stock row as an offer; null for a service or country we have no id for, or no price. */
export function offerOf(row: ArzanCellStockRow): Offer | null {
  const service =
    serviceSlugOf(row.serviceCode) ??
    (row.serviceName === null ? undefined : serviceSlugOf(row.serviceName));
  const country =
    row.country.toLowerCase() === ARZANCELL_ANY ? undefined : isoOfCountryCode(row.country);
  if (service === undefined || country === undefined || row.cost === null || row.cost.minor <= 0n) {
    return null;
  }
  return {
    service,
    country,
    cost: row.cost,
    stock: row.stock,
    ref: encodeOfferRef({ server: row.server, country: row.country, service: row.serviceCode }),
  };
}

// ---- orders -----------------------------------------------------------------------------------

export interface ArzanCellNumber {
  orderId: string;
  rawPhone: string;
}

/** `get_number` → `[{"phone": "+989150681843", "order_id": "3762"}]`. */
export function mapNumber(rows: readonly WireRecord[]): ArzanCellNumber | null {
  const row = rows[0];
  if (!row) return null;
  const orderId = pickText(row, ['order_id', 'orderId', 'order', 'id', 'activation_id']);
  const rawPhone = pickText(row, ['phone', 'number', 'phone_number', 'mobile']);
  return orderId === null || rawPhone === null ? null : { orderId, rawPhone };
}

/** E.164 via core's normaliser, read with the order's country; null when it is no number. */
export function toE164(raw: string, countryIso: string | undefined): string | null {
  for (const options of countryIso === undefined ? [{}] : [{ country: countryIso }, {}]) {
    try {
      return normalizePhoneE164(raw, options);
    } catch {
      // next reading
    }
  }
  return null;
}

/** `check_order` rows → our status: an empty `code` is waiting, any other is the code. The doc
 *  shows no SMS text, only the code. */
export function mapCheckRows(
  rows: readonly WireRecord[],
  upstreamRef: string,
): ActivationStatus | null {
  const row = rows[0];
  if (!row) return null;
  const codeText = pickText(row, ['code', 'sms_code', 'sms']);
  if (codeText === null) return { upstreamRef, state: 'waiting', messages: [] };
  // A full SMS text in `code` (not the doc's form) still yields its code.
  const code = /^\d{3,10}$/.test(codeText) ? codeText : (extractCode(codeText) ?? codeText);
  const text = code === codeText ? null : codeText;
  return { upstreamRef, state: 'code', messages: [{ code, text }] };
}
