/**
 * 5sim refusals → our ProviderError taxonomy, as one table. 5sim refuses with short plain-text
 * bodies, under 200 and 4xx alike (the sources disagree on the status of `no free phones`), so
 * a body is matched by its normalised text first and by its HTTP status only when no text
 * matched. The table is protocols/5sim.md's "Errors" (NOTES.md says what was assumed).
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
import { normalizeRefusal } from './mapping.js';
import { FIVESIM_ERROR_TEXTS as T } from './wire.js';

export type FiveSimErrorKind =
  | 'auth'
  | 'no-numbers'
  | 'insufficient-balance'
  /** Our account is throttled (`not enough rating`, the per-key / per-IP limits). */
  | 'rate-limited'
  | 'invalid-request'
  | 'not-found'
  /** The order is over already (`order expired`): callers decide what that means. */
  | 'ended'
  /** A code came (`order has sms`): cancel and ban are refused for good. */
  | 'has-sms'
  /** Too early to cancel: worth trying again later. */
  | 'too-early'
  /** The upstream could not serve, and nothing was bought (`server offline`). */
  | 'offline'
  | 'unavailable';

export interface FiveSimErrorRule {
  kind: FiveSimErrorKind;
  texts: readonly string[];
}

/** Ordered: the first rule whose text matches wins. */
export const FIVESIM_ERROR_TABLE: readonly FiveSimErrorRule[] = [
  { kind: 'no-numbers', texts: [T.noFreePhones, 'no free phone', 'no phones'] },
  { kind: 'insufficient-balance', texts: [T.notEnoughBalance, 'not enough balance'] },
  { kind: 'rate-limited', texts: [T.notEnoughRating, T.apiLimit, T.ipLimit] },
  {
    kind: 'invalid-request',
    texts: [
      T.badCountry,
      T.selectCountry,
      T.countryIncorrect,
      T.badOperator,
      T.selectOperator,
      T.noProduct,
      T.productIncorrect,
      'bad product',
      T.hostingOrder,
      'reuse not possible',
      'reuse false',
      'reuse expired',
    ],
  },
  { kind: 'not-found', texts: [T.orderNotFound, T.recordNotFound] },
  { kind: 'ended', texts: [T.orderExpired] },
  { kind: 'has-sms', texts: [T.orderHasSms] },
  { kind: 'too-early', texts: [T.waitTime] },
  { kind: 'offline', texts: [T.serverOffline] },
  { kind: 'unavailable', texts: [T.internalError] },
];

const ORDER_CALLS: readonly ProviderOperation[] = [
  'status',
  'cancel',
  'finish',
  'report',
  'requestAnotherSms',
];

/** The rule for a body, or null when its text is none of 5sim's refusals. */
export function classifyFiveSimText(text: string): FiveSimErrorKind | null {
  const normalised = normalizeRefusal(text);
  if (normalised === '') return null;
  const rule = FIVESIM_ERROR_TABLE.find((candidate) =>
    candidate.texts.some((known) => normalised === known || normalised.startsWith(known)),
  );
  return rule?.kind ?? null;
}

/** What a status means when the body names nothing we know. */
export function kindOfHttpStatus(
  status: number,
  operation: ProviderOperation,
): FiveSimErrorKind | null {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate-limited';
  if (status === 404) return ORDER_CALLS.includes(operation) ? 'not-found' : 'unavailable';
  if (status >= 500) return 'unavailable';
  if (status >= 400) return 'invalid-request';
  return null;
}

export interface FiveSimErrorInput {
  providerId: string;
  operation: ProviderOperation;
  httpStatus: number;
  /** The body, already free of secrets. */
  body: string;
  retryAfterMs?: number;
}

/** The classification for an answer that is not the JSON the call expects. */
export function classifyFiveSimAnswer(input: FiveSimErrorInput): FiveSimErrorKind {
  // A 401 has an empty body; a 5xx page is never a refusal text worth trusting over the status
  // except the two limits, which 5sim sends as 503 with a text.
  const byText = classifyFiveSimText(input.body);
  if (byText) return byText;
  return kindOfHttpStatus(input.httpStatus, input.operation) ?? 'unavailable';
}

/**
 * The ProviderError for a refusal. `ended` and `has-sms` outside cancel become NotFound-free
 * forms the adapter handles before calling this; here they are told as plainly as possible.
 * Unknown refusals are Unavailable that may have reached the upstream (never `surelyNotSent`),
 * so a buy goes to reconciliation, not to a second buy.
 */
export function fiveSimError(
  input: FiveSimErrorInput,
  kind = classifyFiveSimAnswer(input),
): ProviderError {
  const said =
    input.body.trim() === '' ? `HTTP ${input.httpStatus}` : input.body.trim().slice(0, 120);
  const base = {
    providerId: input.providerId,
    operation: input.operation,
    httpStatus: input.httpStatus,
    upstreamMessage: said,
  };
  const message = (what: string): string =>
    `${input.providerId} ${input.operation}: ${what} (${said})`;
  switch (kind) {
    case 'auth':
      return new AuthError(message('the API token was refused'), base);
    case 'no-numbers':
      return new NoNumbers(message('no numbers in stock'), base);
    case 'insufficient-balance':
      return new InsufficientUpstreamBalance(message('not enough balance upstream'), base);
    case 'rate-limited':
      return new RateLimited(message('rate limited'), {
        ...base,
        retryAfterMs: input.retryAfterMs,
      });
    case 'invalid-request':
      return new InvalidRequest(message('request refused as invalid'), base);
    case 'not-found':
      return new NotFound(message('no such order'), base);
    case 'ended':
      return new CancelNotAllowed(message('the order is already over'), {
        ...base,
        retryable: false,
      });
    case 'has-sms':
      return new CancelNotAllowed(message('a code already came'), { ...base, retryable: false });
    case 'too-early':
      return new CancelNotAllowed(message('too early to cancel'), { ...base, retryable: true });
    case 'offline':
      // A refusal, not a lost request: nothing was bought, so a buy may fail over.
      return new Unavailable(message('the upstream is offline'), { ...base, surelyNotSent: true });
    case 'unavailable':
      return new Unavailable(message('the upstream could not answer'), {
        ...base,
        surelyNotSent: false,
      });
  }
}
