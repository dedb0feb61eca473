/**
 * Shomare's refusals → our error classes, as one table.
 *
 * The doc's table (seed 001, "لیست خطاهای قابل دریافت"): `status` is not true on an error, and
 * `code` then equals the HTTP status — except a blocked account, whose `code` is -1 (with 401).
 *   200 success · 500 on buy: no free number for that country/operator · 405 wrong method ·
 *   404 with JSON: the parameters do not exist or are incomplete, without JSON: wrong endpoint ·
 *   403 no token in the header · 402 wallet too low to buy · 401 wrong token or blocked account.
 * The doc gives no message texts; the Persian patterns below catch the plausible wordings of
 * the same facts (and of the one it does not list: a cancel refused after the SMS came).
 */
import {
  AuthError,
  CancelNotAllowed,
  InsufficientUpstreamBalance,
  InvalidRequest,
  NoNumbers,
  NotFound,
  Unavailable,
  type ProviderError,
  type ProviderErrorContext,
  type ProviderOperation,
} from '../errors.js';
import { foldName } from './catalog-names.js';
import { SHOMARE_BLOCKED_CODE } from './wire.js';

export type ShomareErrorKind =
  | 'blocked'
  | 'bad-token'
  | 'missing-token'
  | 'low-balance'
  | 'no-numbers'
  | 'not-found'
  | 'bad-params'
  | 'wrong-endpoint'
  | 'wrong-method'
  | 'cancel-refused'
  | 'already-cancelled'
  | 'server-error';

/** Message patterns, matched on `foldName`ed text (Persian letters unified, ZWNJ → space).
 *  Order matters: the first match wins. */
export const SHOMARE_MESSAGE_PATTERNS: ReadonlyArray<[ShomareErrorKind, RegExp]> = [
  ['blocked', /مسدود|blocked|banned|suspend/],
  ['already-cancelled', /(قبلا|قبلاً|already).*(لغو|کنسل|cancel)/],
  [
    'cancel-refused',
    /((لغو|کنسل).*(ممکن نیست|امکان پذیر نیست|امکانپذیر نیست|مجاز نیست|نمی ?شود|قابل .*نیست|وجود ندارد))|(امکان (لغو|کنسل))|(پیامک.*دریافت شده)|(can ?not|cannot|not allowed).*cancel/,
  ],
  [
    'low-balance',
    /موجودی.*(کافی نیست|کم|ناکافی)|شارژ.*(کافی نیست|ناکافی)|insufficient|not enough balance/,
  ],
  [
    'no-numbers',
    /شماره.*(خالی|موجود نیست|وجود ندارد|تمام شده|یافت نشد)|(موجود|خالی) نیست|no (free )?numbers?|out of stock/,
  ],
  ['missing-token', /توکن.*(ارسال نشده|یافت نشد|وارد نشده)|token.*(missing|required|not sent)/],
  ['bad-token', /توکن.*(نامعتبر|اشتباه|صحیح نیست|معتبر نیست)|invalid token|unauthori[sz]ed/],
  ['not-found', /(خرید|سفارش|شناسه).*(یافت نشد|وجود ندارد|پیدا نشد)|not found/],
  ['bad-params', /پارامتر|ناقص|نامعتبر|invalid|required/],
];

/** Which kind a documented status/code means, given the operation (500 only means "no numbers"
 *  on buy; a JSON 404 is an unknown purchase on check/cancel, unknown ids elsewhere). */
function kindFromStatus(
  status: number,
  operation: ProviderOperation,
  isJson: boolean,
): ShomareErrorKind | null {
  switch (status) {
    case 401:
      return 'bad-token';
    case 402:
      return 'low-balance';
    case 403:
      return 'missing-token';
    case 404:
      if (!isJson) return 'wrong-endpoint';
      return operation === 'status' || operation === 'cancel' ? 'not-found' : 'bad-params';
    case 405:
      return 'wrong-method';
    case 500:
      return operation === 'buy' && isJson ? 'no-numbers' : 'server-error';
    case 400:
    case 409:
    case 422:
      return operation === 'cancel' ? 'cancel-refused' : 'bad-params';
    default:
      return status >= 500 ? 'server-error' : null;
  }
}

export interface ShomareRefusal {
  httpStatus: number;
  /** The envelope's `code`, when the body was a JSON envelope. */
  code: number | null;
  message: string | null;
  /** The body was JSON (the doc tells a wrong endpoint from bad parameters by this). */
  isJson: boolean;
  operation: ProviderOperation;
}

/** Classifies a refusal: code -1 first (the doc's blocked account), then a message naming a
 *  specific fact, then the envelope `code` (which the doc says equals the HTTP status), then the
 *  HTTP status; a message that only says "invalid parameters" is the last resort. */
export function classifyShomareRefusal(refusal: ShomareRefusal): ShomareErrorKind {
  if (refusal.code === SHOMARE_BLOCKED_CODE) return 'blocked';
  const folded = refusal.message === null ? null : foldName(refusal.message);
  const byMessage = (generic: boolean): ShomareErrorKind | null => {
    if (folded === null) return null;
    for (const [kind, pattern] of SHOMARE_MESSAGE_PATTERNS) {
      if ((kind === 'bad-params') !== generic) continue;
      if (
        (kind === 'cancel-refused' || kind === 'already-cancelled') &&
        refusal.operation !== 'cancel'
      ) {
        continue;
      }
      if (pattern.test(folded)) return kind;
    }
    return null;
  };
  const byCode =
    refusal.code !== null && refusal.code !== 200
      ? kindFromStatus(refusal.code, refusal.operation, refusal.isJson)
      : null;
  return (
    byMessage(false) ??
    byCode ??
    kindFromStatus(refusal.httpStatus, refusal.operation, refusal.isJson) ??
    byMessage(true) ??
    'bad-params'
  );
}

/** The error a refusal becomes. `already-cancelled` is not an error for a cancel (the adapter
 *  treats it as done) and only reaches here from other operations. */
export function shomareError(
  kind: ShomareErrorKind,
  context: ProviderErrorContext,
  detail: string,
): ProviderError {
  const what = `${context.providerId} ${context.operation}`;
  switch (kind) {
    case 'blocked':
      return new AuthError(`${what}: the Shomare account is blocked (code -1)${detail}`, context);
    case 'bad-token':
      return new AuthError(`${what}: the token was refused${detail}`, context);
    case 'missing-token':
      return new AuthError(`${what}: the token header was not accepted${detail}`, context);
    case 'low-balance':
      return new InsufficientUpstreamBalance(`${what}: wallet too low${detail}`, context);
    case 'no-numbers':
      return new NoNumbers(`${what}: no free number for this product${detail}`, context);
    case 'not-found':
      return new NotFound(`${what}: unknown purchase${detail}`, context);
    case 'bad-params':
      return new InvalidRequest(`${what}: parameters refused${detail}`, context);
    case 'wrong-endpoint':
      return new InvalidRequest(`${what}: endpoint not found (check baseUrl)${detail}`, context);
    case 'wrong-method':
      return new InvalidRequest(`${what}: HTTP method refused${detail}`, context);
    case 'cancel-refused':
    case 'already-cancelled':
      return new CancelNotAllowed(`${what}: cancel refused${detail}`, context);
    case 'server-error':
      return new Unavailable(`${what}: upstream error${detail}`, {
        ...context,
        surelyNotSent: false,
      });
  }
}
