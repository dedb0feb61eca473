/** SMS-Activate's answers → our error taxonomy, as one table. */
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

export interface ErrorContext {
  providerId: string;
  operation: ProviderOperation;
  httpStatus: number;
  secrets: readonly string[];
}

type ErrorFactory = (message: string, context: ErrorContext, value: string | null) => ProviderError;

const base = (context: ErrorContext, upstreamMessage: string) => ({
  providerId: context.providerId,
  operation: context.operation,
  httpStatus: context.httpStatus,
  upstreamMessage,
});

const auth: ErrorFactory = (message, context) => new AuthError(message, base(context, message));
const noNumbers: ErrorFactory = (message, context) =>
  new NoNumbers(message, base(context, message));
const invalid: ErrorFactory = (message, context) =>
  new InvalidRequest(message, base(context, message));
const notFound: ErrorFactory = (message, context) => new NotFound(message, base(context, message));
const unavailable: ErrorFactory = (message, context) =>
  new Unavailable(message, { ...base(context, message), surelyNotSent: false });

/**
 * Every error token compatible hosts are known to answer, with what it means to us.
 * `BAD_STATUS` depends on the call: on a cancel it means "not in a cancellable state" (a code
 * came, or it is finished), elsewhere a request we should not have sent.
 */
export const ERROR_TOKENS: Readonly<Record<string, ErrorFactory>> = {
  BAD_KEY: auth,
  BANNED: auth, // BANNED:<until>: the account is blocked
  ACCOUNT_INACTIVE: auth,
  NO_KEY: auth,
  WRONG_KEY: auth,
  NO_NUMBERS: noNumbers,
  NO_NUMBER: noNumbers,
  MAX_PRICE_EXCEEDED: noNumbers, // HeroSMS: the price rose above our maxPrice
  WRONG_MAX_PRICE: noNumbers, // WRONG_MAX_PRICE:<min>: nothing at or below our price cap
  NO_BALANCE: (message, context) =>
    new InsufficientUpstreamBalance(message, base(context, message)),
  NO_MEANS: (message, context) => new InsufficientUpstreamBalance(message, base(context, message)),
  NO_BALANCE_FORWARD: (message, context) =>
    new InsufficientUpstreamBalance(message, base(context, message)),
  // Too many activations open at once on this account: nothing bought, another provider may sell.
  CHANNELS_LIMIT: (message, context) => new RateLimited(message, base(context, message)),
  BAD_ACTION: invalid,
  WRONG_ACTION: invalid,
  BAD_SERVICE: invalid,
  WRONG_SERVICE: invalid,
  BAD_COUNTRY: invalid,
  WRONG_COUNTRY: invalid,
  BAD_DATA: invalid,
  BAD_OPERATOR: invalid,
  WRONG_OPERATOR: invalid,
  WRONG_EXCEPTION_PHONE: invalid,
  // getNumberV2 with an orderId already used: that earlier buy reached the host. Ambiguous on
  // purpose, so the order goes to reconciliation instead of buying elsewhere.
  ORDER_ALREADY_EXISTS: unavailable,
  BAD_STATUS: (message, context) =>
    context.operation === 'cancel'
      ? new CancelNotAllowed(message, { ...base(context, message), retryable: false })
      : new InvalidRequest(message, base(context, message)),
  NO_ACTIVATION: notFound,
  ALREADY_CANCEL: (message, context) =>
    new CancelNotAllowed(message, { ...base(context, message), retryable: false }),
  ALREADY_FINISH: invalid,
  WRONG_ACTIVATION_ID: notFound,
  EARLY_CANCEL_DENIED: (message, context) =>
    new CancelNotAllowed(message, { ...base(context, message), retryable: true }),
  ERROR_SQL: unavailable,
  SQL_ERROR: unavailable,
  SERVER_ERROR: unavailable,
};

/** The error for an error token, or undefined when the token is not an error we know. */
export function errorForToken(
  token: string,
  value: string | null,
  context: ErrorContext,
): ProviderError | undefined {
  const factory = ERROR_TOKENS[token.toUpperCase()];
  if (!factory) return undefined;
  const said = value === null ? token : `${token}:${value}`;
  const message = `${context.providerId} ${context.operation}: upstream answered ${excerpt(said, context.secrets, 80)}`;
  return factory(message, context, value);
}

/**
 * An upper-case token no table above knows, answered to a buy: the host refused (every
 * success of getNumber starts with ACCESS_), so nothing was bought and another provider may
 * sell. Not retryable: the same request gets the same refusal.
 */
export function unknownRefusal(
  token: string,
  value: string | null,
  context: ErrorContext,
): ProviderError {
  const said = value === null ? token : `${token}:${value}`;
  const message = `${context.providerId} ${context.operation}: upstream refused with ${excerpt(said, context.secrets, 80)} (not a token we know; nothing was bought)`;
  return invalid(message, context, value);
}

/** No token we know, and not an HTML page: decide from the HTTP status (hosts that answer
 *  with real statuses). */
export function errorForHttpStatus(body: string, context: ErrorContext): ProviderError {
  const said = excerpt(body, context.secrets, 80);
  const message = `${context.providerId} ${context.operation}: unexpected answer (HTTP ${context.httpStatus})${said ? `: ${said}` : ''}`;
  const { httpStatus } = context;
  if (httpStatus === 401 || httpStatus === 403) return auth(message, context, null);
  // A bare 404 is more likely a wrong baseUrl than an unknown activation: only the
  // NO_ACTIVATION token says NotFound.
  if (httpStatus === 400 || httpStatus === 422) return invalid(message, context, null);
  return unavailable(message, context, null);
}
