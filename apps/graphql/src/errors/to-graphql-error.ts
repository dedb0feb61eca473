import { unwrapResolverError } from '@apollo/server/errors';
import { isDomainError } from '@numbroker/core';
import { ProviderError, type ProviderErrorCode } from '@numbroker/providers';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { ApiError, type ApiErrorCode } from './api-error.js';

/** The one place where errors of the domain, the store and the provider adapters become the
 *  `extensions.code` of SPEC.md. Anything not listed here is masked as INTERNAL_SERVER_ERROR. */

/** Domain and store errors carry a stable `code`; these are the ones a caller may see, with
 *  the message the domain wrote for a person. */
const DOMAIN_CODES: Readonly<Record<string, ApiErrorCode>> = {
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  CANCEL_NOT_ALLOWED: 'CANCEL_NOT_ALLOWED',
  PRICE_ABOVE_MAX: 'PRICE_ABOVE_MAX',
  NO_NUMBERS: 'NO_NUMBERS',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNKNOWN_SERVICE: 'BAD_USER_INPUT',
  UNKNOWN_COUNTRY: 'BAD_USER_INPUT',
  INVALID_PHONE_NUMBER: 'BAD_USER_INPUT',
  // A command the order's state refuses (finish before a code, cancel of a closed order).
  INVALID_TRANSITION: 'STATE_CONFLICT',
  ALREADY_FINAL: 'STATE_CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
  ORDER_NOT_FOUND: 'NOT_FOUND',
  USER_NOT_FOUND: 'NOT_FOUND',
};

/** Provider errors never reach the caller with the upstream's words: those may quote the
 *  upstream's body. The caller learns what to do, the log keeps the details. */
const PROVIDER_CODES: Readonly<Record<ProviderErrorCode, { code: ApiErrorCode; message: string }>> =
  {
    NO_NUMBERS: { code: 'NO_NUMBERS', message: 'no numbers in stock at the provider' },
    CANCEL_NOT_ALLOWED: {
      code: 'CANCEL_NOT_ALLOWED',
      message: 'the provider refuses to cancel this order now',
    },
    RATE_LIMITED: {
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'the provider is throttling requests; try again shortly',
    },
    UNAVAILABLE: { code: 'UPSTREAM_UNAVAILABLE', message: 'the provider is unavailable' },
    AUTH: { code: 'UPSTREAM_UNAVAILABLE', message: 'the provider refused our account' },
    INSUFFICIENT_UPSTREAM_BALANCE: {
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'the provider cannot sell right now',
    },
    INVALID_REQUEST: {
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'the provider refused the request',
    },
    NOT_FOUND: { code: 'UPSTREAM_UNAVAILABLE', message: 'the provider no longer knows this order' },
  };

export interface MappedError {
  code: ApiErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** Maps any thrown value to what the caller may see; `undefined` means "mask it". */
export function mapError(error: unknown): MappedError | undefined {
  if (error instanceof ApiError) {
    return { code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof ProviderError) {
    const mapped = PROVIDER_CODES[error.code];
    return {
      code: mapped.code,
      message: `${mapped.message} (provider ${error.providerId})`,
      details: { provider: error.providerId },
    };
  }
  if (isDomainError(error)) {
    // INTERNAL marks a programming error: its message is for the log, not the caller.
    if (error.apiCode === 'INTERNAL') return undefined;
    return { code: error.apiCode, message: error.message, details: { reason: error.code } };
  }
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    const code = DOMAIN_CODES[error.code];
    if (code) return { code, message: error.message };
  }
  return undefined;
}

/** Apollo's `formatError` and graphql-ws's `onNext` both end here. */
export function toGraphQLFormattedError(
  formatted: GraphQLFormattedError,
  error: unknown,
  logger: Logger,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { locations: formatted.locations, path: formatted.path };
  // GraphQL's and Apollo's own errors (syntax, validation, variable coercion) are about the
  // request itself; resolver errors arrive unwrapped above, so no GraphQLError hides one.
  if (original instanceof GraphQLError) {
    const code =
      typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : 'BAD_REQUEST';
    return { ...base, message: formatted.message, extensions: { code } };
  }
  const mapped = mapError(original);
  if (mapped) {
    return {
      ...base,
      message: mapped.message,
      extensions: { code: mapped.code, ...mapped.details },
    };
  }
  logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
  return {
    ...base,
    message: 'Internal server error',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
