/** The one error taxonomy every adapter maps its upstream's answers onto. Nothing above the
 *  adapters knows a provider's quirks; routing and failover decide from `code` alone. */
export type ProviderErrorCode =
  | 'AUTH'
  | 'NO_NUMBERS'
  | 'INSUFFICIENT_UPSTREAM_BALANCE'
  | 'INVALID_REQUEST'
  | 'NOT_FOUND'
  | 'CANCEL_NOT_ALLOWED'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE';

export type ProviderOperation =
  | 'catalog'
  | 'buy'
  | 'status'
  | 'statusMany'
  | 'cancel'
  | 'finish'
  | 'report'
  | 'requestAnotherSms'
  | 'balance';

export interface ProviderErrorContext {
  providerId: string;
  operation: ProviderOperation;
  /** The upstream's own words (status line, token, message), already free of secrets. */
  upstreamMessage?: string;
  httpStatus?: number;
  cause?: unknown;
}

export abstract class ProviderError extends Error {
  abstract readonly code: ProviderErrorCode;
  /** May the same call be tried again later (by the worker, or a retry of an idempotent call)? */
  abstract readonly retryable: boolean;
  readonly providerId: string;
  readonly operation: string;
  readonly upstreamMessage: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(message: string, context: ProviderErrorContext) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.providerId = context.providerId;
    this.operation = context.operation;
    this.upstreamMessage = context.upstreamMessage;
    this.httpStatus = context.httpStatus;
  }
}

/** Bad or blocked key/token/account. */
export class AuthError extends ProviderError {
  readonly code = 'AUTH';
  readonly retryable = false;
}

/** No stock for this product right now: fail over to the next offer. */
export class NoNumbers extends ProviderError {
  readonly code = 'NO_NUMBERS';
  readonly retryable = false;
}

/** Our account at the upstream is out of money. */
export class InsufficientUpstreamBalance extends ProviderError {
  readonly code = 'INSUFFICIENT_UPSTREAM_BALANCE';
  readonly retryable = false;
}

/** The upstream refused the request as malformed (unknown service/country/product, ...). */
export class InvalidRequest extends ProviderError {
  readonly code = 'INVALID_REQUEST';
  readonly retryable = false;
}

/** The activation/order is unknown upstream. */
export class NotFound extends ProviderError {
  readonly code = 'NOT_FOUND';
  readonly retryable = false;
}

/** Cancel refused: too early, a code already came, or the protocol has no cancel. */
export class CancelNotAllowed extends ProviderError {
  readonly code = 'CANCEL_NOT_ALLOWED';
  /** Too early is retryable later; after a code it never is. */
  readonly retryable: boolean;
  constructor(message: string, context: ProviderErrorContext & { retryable?: boolean }) {
    super(message, context);
    this.retryable = context.retryable ?? false;
  }
}

/** 429 or the upstream's own "too many requests". */
export class RateLimited extends ProviderError {
  readonly code = 'RATE_LIMITED';
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, context: ProviderErrorContext & { retryAfterMs?: number }) {
    super(message, context);
    this.retryAfterMs = context.retryAfterMs;
  }
}

/** Timeouts, connection failures, 5xx, HTML where JSON was due, malformed bodies. */
export class Unavailable extends ProviderError {
  readonly code = 'UNAVAILABLE';
  readonly retryable = true;
  /** True only when the request surely never reached the upstream (connection refused, DNS,
   *  rate-limiter rejection before sending). A `buy` may fail over only then; otherwise the
   *  order goes to reconciliation and the buy is never repeated. */
  readonly surelyNotSent: boolean;
  constructor(message: string, context: ProviderErrorContext & { surelyNotSent: boolean }) {
    super(message, context);
    this.surelyNotSent = context.surelyNotSent;
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
