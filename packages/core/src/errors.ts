/** The codes the GraphQL layer puts in `extensions.code` (SPEC.md "GraphQL API"). A domain
 *  error carries one so the API can map every refusal without knowing each error class. */
export const API_ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'INSUFFICIENT_FUNDS',
  'NO_NUMBERS',
  'PRICE_ABOVE_MAX',
  'CANCEL_NOT_ALLOWED',
  'STATE_CONFLICT',
  'UPSTREAM_UNAVAILABLE',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/**
 * Base of every error the domain throws on purpose.
 *
 * - `code`: stable and specific (INSUFFICIENT_FUNDS, INVALID_AMOUNT, UNKNOWN_COUNTRY,
 *   ALREADY_FINAL, ...). Callers and tests branch on it; it never changes meaning.
 * - `apiCode`: what the GraphQL layer sends as `extensions.code`. Several specific codes share
 *   one API code (an unknown country and a garbage phone number are both BAD_USER_INPUT).
 *   `INTERNAL` marks programming errors (a hold settled twice): the API hides their message.
 *
 * Messages name the offending value (never a secret) so a user can fix the request.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly apiCode: ApiErrorCode;
}

/** A request names something we don't know or can't use: unknown service or country, a
 *  malformed phone number or policy value. */
export class BadUserInput extends DomainError {
  override readonly name: string = 'BadUserInput';
  readonly apiCode = 'BAD_USER_INPUT' as const;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A request the current state refuses, though it would be fine in another one: finishing an
 *  order that has no code, revoking a user's last key. Nothing is changed. */
export class StateConflict extends DomainError {
  override readonly name: string = 'StateConflict';
  readonly apiCode = 'STATE_CONFLICT' as const;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** The `extensions.code` for any thrown value: a domain error's own, INTERNAL for the rest
 *  (whose message the API should not show). */
export function apiErrorCodeOf(error: unknown): ApiErrorCode {
  return error instanceof DomainError ? error.apiCode : 'INTERNAL';
}
