/**
 * SMS-Man refusals → our ProviderError taxonomy, as one table. An answer is matched by its
 * `error_code` (exact, normalised), then by code fragments, then by the words of `error_msg`,
 * then by the HTTP status alone. The doc lists wrong_token, wait_sms and wrong_status; the
 * rest are the service's other codes and their variants (NOTES.md).
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
import { normalizeErrorCode } from './mapping.js';

export type SmsManErrorKind =
  | 'auth'
  | 'no-numbers'
  | 'insufficient-balance'
  | 'not-found'
  | 'cancel-not-allowed'
  | 'invalid-request'
  | 'rate-limited'
  | 'unavailable';

export interface SmsManErrorRule {
  kind: SmsManErrorKind;
  /** Normalised error_code values (lower case, `_` between words). */
  codes: readonly string[];
  /** Fragments of an error_code not listed above ("…_token", "no_free_…"). */
  codePattern?: RegExp;
  /** Words of error_msg, for answers whose code is unknown or missing. */
  messagePattern?: RegExp;
  /** Only for these operations (a state refusal means "cancel not allowed" only for cancel). */
  operations?: readonly ProviderOperation[];
}

const PER_ACTIVATION: readonly ProviderOperation[] = ['status', 'cancel', 'finish', 'report'];

/** Ordered: the first rule that matches wins. */
export const SMSMAN_ERROR_TABLE: readonly SmsManErrorRule[] = [
  {
    kind: 'rate-limited',
    codes: ['too_many_requests', 'rate_limit', 'rate_limited', 'flood', 'limit_exceeded'],
    codePattern: /too_many|rate_limit|flood/,
    messagePattern: /too many requests|rate limit|flood/i,
  },
  {
    kind: 'auth',
    // wrong_token is the doc's; the others are variants of the same refusal.
    codes: [
      'wrong_token',
      'bad_token',
      'invalid_token',
      'no_token',
      'empty_token',
      'token_required',
      'wrong_key',
      'bad_key',
      'wrong_api_key',
      'unauthorized',
      'access_denied',
      'banned',
      'account_blocked',
      'user_blocked',
    ],
    codePattern: /token|api_key|unauthori[sz]ed|banned|blocked/,
    messagePattern:
      /wrong token|invalid token|bad token|\btoken\b|api key|unauthori[sz]ed|banned|blocked/i,
  },
  {
    kind: 'insufficient-balance',
    codes: [
      'not_enough_balance',
      'not_enough_money',
      'no_balance',
      'no_money',
      'low_balance',
      'insufficient_balance',
      'insufficient_funds',
      'balance',
    ],
    codePattern: /balance|money|funds/,
    messagePattern: /not enough (?:balance|money|funds)|insufficient|low balance|no money|top up/i,
  },
  {
    kind: 'no-numbers',
    codes: [
      'no_numbers',
      'no_number',
      'no_free_phones',
      'no_free_phone',
      'no_free_numbers',
      'no_phones',
      'numbers_not_found',
      'no_stock',
      'out_of_stock',
    ],
    codePattern: /no_(?:free_)?(?:numbers?|phones?)|out_of_stock|no_stock/,
    messagePattern: /no (?:free )?(?:numbers?|phones?)|out of stock/i,
  },
  {
    kind: 'cancel-not-allowed',
    codes: [
      'wrong_request_status',
      'sms_already_received',
      'already_received',
      'sms_received',
      'cannot_reject',
      'cannot_cancel',
      'too_early',
      'early_cancel',
    ],
    codePattern: /already|cannot_(?:reject|cancel)|early/,
    messagePattern:
      /already (?:received|got|has)|too early|cannot (?:be )?(?:rejected|cancell?ed)|can't (?:reject|cancel)/i,
    operations: ['cancel'],
  },
  {
    kind: 'not-found',
    codes: [
      'wrong_request_id',
      'wrong_request',
      'request_not_found',
      'wrong_id',
      'no_request',
      'not_found',
      'activation_not_found',
      'no_activation',
    ],
    codePattern: /request_id|not_found|no_request|no_activation/,
    messagePattern: /request[^.]*not found|wrong request|no such request|not found/i,
    operations: PER_ACTIVATION,
  },
  {
    kind: 'invalid-request',
    // wrong_status is the doc's ("Status $status does not exists").
    codes: [
      'wrong_status',
      'wrong_request_status',
      'wrong_country_id',
      'wrong_country',
      'wrong_application_id',
      'wrong_application',
      'wrong_request_id',
      'wrong_params',
      'bad_request',
      'invalid_request',
      'validation_error',
      'not_found',
    ],
    codePattern: /^wrong_|^invalid_|^bad_/,
    messagePattern: /\bwrong\b|\binvalid\b|does not exists?|not allowed|required/i,
  },
  {
    kind: 'unavailable',
    codes: ['server_error', 'internal_error', 'maintenance', 'service_unavailable', 'try_later'],
    codePattern: /server|internal|maintenance|unavailable|later/,
    messagePattern: /server error|maintenance|try (?:again )?later|temporar/i,
  },
];

/** Too early is worth retrying later; after a code a cancel never becomes possible. */
const RETRYABLE_CANCEL_REFUSAL = /early|wait/i;

export interface SmsManErrorInput {
  operation: ProviderOperation;
  httpStatus: number;
  /** error_code as sent (any case or separator), or '' when there is none. */
  errorCode: string;
  /** error_msg flattened to text and free of secrets, or ''. */
  errorMessage: string;
}

function appliesTo(rule: SmsManErrorRule, operation: ProviderOperation): boolean {
  return rule.operations === undefined || rule.operations.includes(operation);
}

/** Which of our errors an SMS-Man refusal is (null: nothing in the answer says). */
export function classifySmsManError(input: SmsManErrorInput): SmsManErrorKind | null {
  const code = normalizeErrorCode(input.errorCode);
  const rules = SMSMAN_ERROR_TABLE.filter((rule) => appliesTo(rule, input.operation));
  if (code !== '') {
    const exact = rules.find((rule) => rule.codes.includes(code));
    if (exact) return exact.kind;
    const partial = rules.find((rule) => rule.codePattern?.test(code) === true);
    if (partial) return partial.kind;
  }
  if (input.errorMessage.trim() !== '') {
    const worded = rules.find((rule) => rule.messagePattern?.test(input.errorMessage) === true);
    if (worded) return worded.kind;
  }
  return kindOfHttpStatus(input.httpStatus, input.operation);
}

/** Meaning of a bare HTTP status, when the body names no error. */
export function kindOfHttpStatus(
  status: number,
  operation: ProviderOperation,
): SmsManErrorKind | null {
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'insufficient-balance';
  if (status === 429) return 'rate-limited';
  if (status === 404) return PER_ACTIVATION.includes(operation) ? 'not-found' : 'invalid-request';
  if (status === 400 || status === 405 || status === 409 || status === 422) {
    return 'invalid-request';
  }
  if (status >= 500) return 'unavailable';
  return null;
}

/** `{"token": "Wrong token!"}` → "token: Wrong token!"; a string stays as it is. */
export function flattenErrorMessage(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(flattenErrorMessage).filter(Boolean).join('; ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([field, inner]) => `${field}: ${flattenErrorMessage(inner)}`)
      .join('; ');
  }
  return '';
}

export interface SmsManErrorContext extends SmsManErrorInput {
  providerId: string;
  retryAfterMs?: number;
}

/** The ProviderError for a refusal; unknown refusals are Unavailable (the request reached the
 *  upstream, so never `surelyNotSent`: a buy goes to reconciliation, not to a second buy). */
export function smsManError(context: SmsManErrorContext): ProviderError {
  const kind = classifySmsManError(context) ?? 'unavailable';
  const upstream = [context.errorCode, context.errorMessage].filter((part) => part !== '');
  const upstreamMessage = upstream.length > 0 ? upstream.join(': ') : undefined;
  const base = {
    providerId: context.providerId,
    operation: context.operation,
    httpStatus: context.httpStatus,
    upstreamMessage,
  };
  const said = upstreamMessage ?? `HTTP ${context.httpStatus}`;
  const message = (what: string): string =>
    `${context.providerId} ${context.operation}: ${what} (${said})`;
  switch (kind) {
    case 'auth':
      return new AuthError(message('the API token was refused'), base);
    case 'no-numbers':
      return new NoNumbers(message('no numbers in stock'), base);
    case 'insufficient-balance':
      return new InsufficientUpstreamBalance(message('not enough balance upstream'), base);
    case 'not-found':
      return new NotFound(message('no such request'), base);
    case 'cancel-not-allowed':
      return new CancelNotAllowed(message('the upstream refused to reject this request'), {
        ...base,
        retryable: RETRYABLE_CANCEL_REFUSAL.test(said),
      });
    case 'invalid-request':
      return new InvalidRequest(message('request refused as invalid'), base);
    case 'rate-limited':
      return new RateLimited(message('rate limited'), {
        ...base,
        retryAfterMs: context.retryAfterMs,
      });
    case 'unavailable':
      return new Unavailable(message('the upstream could not answer'), {
        ...base,
        surelyNotSent: false,
      });
  }
}
