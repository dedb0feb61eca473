/**
 * ShizNumber's refusals → our error classes, as one table.
 *
 * The doc gives every error as (HTTP status, Persian message). Statuses are overloaded — 404 is
 * "API key not found" as well as "number not found" and "no such order"; 422 covers "number
 * cannot be ordered", "too early to cancel", "order has ended" and "report failed" — so rows
 * match the message first and fall back on the status. Messages are compared after folding
 * spelling variants away (persian-text.ts): the doc itself writes "میباشد" and "می باشد".
 */
import {
  AuthError,
  CancelNotAllowed,
  InsufficientUpstreamBalance,
  InvalidRequest,
  NoNumbers,
  NotFound,
  RateLimited,
  Unavailable,
  type ProviderError,
  type ProviderOperation,
} from '../errors.js';
import { excerpt } from '../http/redact.js';
import { containsPersian, normalizePersian } from './persian-text.js';

/** What a refusal means, independent of the operation it answered. */
export type ShizErrorKind =
  | 'api-key-missing'
  | 'api-key-wrong'
  | 'insufficient-balance'
  | 'order-not-found'
  | 'number-not-found'
  | 'number-not-orderable'
  | 'too-early'
  | 'order-ended'
  | 'report-failed'
  | 'rate-limited'
  | 'server-error'
  | 'not-found'
  | 'unprocessable'
  | 'bad-request';

interface ErrorRow {
  kind: ShizErrorKind;
  /** The doc's words (matched spelling-insensitively); absent: the status alone decides. */
  phrase?: string;
  /** Statuses the row applies to; absent: any status (the message is specific enough). */
  statuses?: readonly number[];
  /** The doc's full message, for reference and tests. */
  doc?: string;
}

/** First match wins: messages before bare statuses. */
export const SHIZ_ERROR_TABLE: readonly ErrorRow[] = [
  // Authentication (every endpoint).
  { kind: 'api-key-missing', phrase: 'کلید API یافت نشد', doc: '404 کلید API یافت نشد' },
  { kind: 'api-key-wrong', phrase: 'کلید API اشتباه', doc: '403 کلید API اشتباه می باشد' },
  // POST numbers/{id}.
  {
    kind: 'insufficient-balance',
    phrase: 'اعتبار کیف پول شما کافی نیست',
    doc: '402 اعتبار کیف پول شما کافی نیست',
  },
  {
    kind: 'number-not-orderable',
    phrase: 'این شماره را نمیتوان سفارش داد',
    doc: '422 این شماره را نمیتوان سفارش داد (the number is disabled)',
  },
  { kind: 'number-not-found', phrase: 'شماره یافت نشد', doc: '404 شماره یافت نشد' },
  // GET orders/{id}, PUT orders/{id}/cancel, PUT orders/{id}/report.
  {
    kind: 'order-not-found',
    phrase: 'کاربر فاقد سفارش',
    doc: '404 کاربر فاقد سفارش مورد نظر می باشد',
  },
  {
    kind: 'too-early',
    phrase: 'فقط پس از گذر',
    doc: '422 سفارش را فقط پس از گذر X ثانیه میتوان کنسل کرد / گزارش داد',
  },
  {
    kind: 'order-ended',
    phrase: 'به اتمام رسیده',
    doc: '422 سفارش مورد نظر شما به اتمام رسیده است',
  },
  {
    kind: 'report-failed',
    phrase: 'شکست خورد',
    doc: '422 گزارش دادن سفارش مورد نظر شکست خورد',
  },
  // Statuses alone.
  { kind: 'api-key-wrong', statuses: [401, 403] },
  { kind: 'insufficient-balance', statuses: [402] },
  { kind: 'rate-limited', statuses: [429] },
  { kind: 'not-found', statuses: [404, 410] },
  { kind: 'unprocessable', statuses: [409, 422] },
  { kind: 'bad-request', statuses: [400, 405, 406, 413, 414, 415] },
];

/** The message of an error body: `{ message }` (Laravel), `{ error }`, `{ errors: {f: [m]} }`,
 *  a JSON string, or the plain text itself. */
export function shizErrorMessage(bodyText: string): string {
  const trimmed = bodyText.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
  if (typeof parsed === 'string') return parsed;
  if (typeof parsed !== 'object' || parsed === null) return trimmed;
  const body = parsed as Record<string, unknown>;
  for (const field of ['message', 'error', 'msg', 'detail']) {
    const value = body[field];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  const errors = body.errors;
  if (typeof errors === 'object' && errors !== null) {
    const first = Object.values(errors as Record<string, unknown>).flat()[0];
    if (typeof first === 'string') return first;
  }
  return trimmed;
}

/** The kind of a non-2xx answer, or undefined when nothing in the table matches. */
export function classifyShizError(status: number, message: string): ShizErrorKind | undefined {
  for (const row of SHIZ_ERROR_TABLE) {
    if (row.statuses && !row.statuses.includes(status)) continue;
    if (row.phrase !== undefined && !containsPersian(message, row.phrase)) continue;
    if (row.phrase === undefined && !row.statuses) continue;
    return row.kind;
  }
  if (status >= 500) return 'server-error';
  return undefined;
}

/** "…پس از گذر 120 ثانیه…" → 120 (Persian digits too), undefined when no number is given. */
export function waitSecondsFrom(message: string): number | undefined {
  const match = /(\d+)/.exec(normalizePersian(message, { keepSpaces: true }));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export interface ShizErrorContext {
  providerId: string;
  operation: ProviderOperation;
  httpStatus: number;
  /** The body as received; an excerpt of it (secrets removed) becomes `upstreamMessage`. */
  bodyText: string;
  secrets: readonly string[];
  retryAfterMs?: number;
}

/** Our error for a ShizNumber refusal, decided by the table and the operation it answered. */
export function shizError(context: ShizErrorContext): ProviderError {
  const { providerId, operation, httpStatus } = context;
  const message = excerpt(shizErrorMessage(context.bodyText), context.secrets, 160);
  const kind = classifyShizError(httpStatus, message);
  const base = { providerId, operation, httpStatus, upstreamMessage: message };
  const say = (what: string) =>
    `${providerId} ${operation}: ${what} (HTTP ${httpStatus}${message ? `: ${message}` : ''})`;
  const isOrderAction = operation === 'cancel' || operation === 'report';

  switch (kind) {
    case 'api-key-missing':
      return new AuthError(say('the API key was not received'), base);
    case 'api-key-wrong':
      return new AuthError(say('the API key was refused'), base);
    case 'insufficient-balance':
      return new InsufficientUpstreamBalance(say('the ShizNumber wallet is short'), base);
    case 'number-not-orderable':
      return new NoNumbers(say('this number cannot be ordered now'), base);
    case 'number-not-found':
      // On buy the product disappeared from the catalog since the last sync: fail over.
      return operation === 'buy'
        ? new NoNumbers(say('the number is no longer offered'), base)
        : new NotFound(say('no such number'), base);
    case 'order-not-found':
      return new NotFound(say('no such order for this account'), base);
    case 'too-early': {
      const seconds = waitSecondsFrom(message);
      const when = seconds === undefined ? 'later' : `after ${seconds} s`;
      return isOrderAction
        ? new CancelNotAllowed(say(`too early to ${operation}; possible ${when}`), {
            ...base,
            retryable: true,
          })
        : new InvalidRequest(say(`too early; possible ${when}`), base);
    }
    case 'order-ended':
      if (isOrderAction) {
        return new CancelNotAllowed(
          say(`the order has ended: it can no longer be ${operation}ed`),
          {
            ...base,
            retryable: false,
          },
        );
      }
      return operation === 'buy'
        ? new NoNumbers(say('the number cannot be ordered'), base)
        : new NotFound(say('the order has ended'), base);
    case 'report-failed':
      return operation === 'report'
        ? new CancelNotAllowed(say('the report was refused'), { ...base, retryable: false })
        : new InvalidRequest(say('refused'), base);
    case 'rate-limited':
      return new RateLimited(say('rate limited'), { ...base, retryAfterMs: context.retryAfterMs });
    case 'not-found':
      if (operation === 'buy') return new NoNumbers(say('the number is no longer offered'), base);
      if (operation === 'catalog' || operation === 'balance') {
        return new Unavailable(say('unexpected answer'), { ...base, surelyNotSent: false });
      }
      return new NotFound(say('not found'), base);
    case 'unprocessable':
      if (operation === 'buy') return new NoNumbers(say('the number cannot be ordered'), base);
      if (isOrderAction) {
        return new CancelNotAllowed(say(`${operation} refused`), { ...base, retryable: false });
      }
      return new InvalidRequest(say('refused'), base);
    case 'bad-request':
      return new InvalidRequest(say('request refused as malformed'), base);
    case 'server-error':
      // The doc lists 500 for buy: we cannot know whether the order was placed.
      return new Unavailable(say('server error'), { ...base, surelyNotSent: false });
    case undefined:
      return new Unavailable(say('unexpected answer'), { ...base, surelyNotSent: false });
  }
}
