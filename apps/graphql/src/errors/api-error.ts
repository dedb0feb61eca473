/** The machine-readable codes of SPEC.md ("Errors carry a machine-readable extensions.code"),
 *  plus the masked fallback. */
export const API_ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'INSUFFICIENT_FUNDS',
  'NO_NUMBERS',
  'PRICE_ABOVE_MAX',
  'CANCEL_NOT_ALLOWED',
  'STATE_CONFLICT',
  'UPSTREAM_UNAVAILABLE',
  'RATE_LIMITED',
  // A subscriber more than its buffer behind: resume with `after: lastEventId`.
  'SUBSCRIBER_TOO_SLOW',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** An error raised by this server's own code whose message is written for the caller. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const unauthenticated = (
  message = 'a valid API key is required (Authorization: Bearer <key>)',
) => new ApiError('UNAUTHENTICATED', message);
export const forbidden = (message = 'this operation needs the admin key') =>
  new ApiError('FORBIDDEN', message);
export const notFound = (what: string, id: string) =>
  new ApiError('NOT_FOUND', `${what} "${id}" was not found`);
export const badUserInput = (message: string, details: Record<string, unknown> = {}) =>
  new ApiError('BAD_USER_INPUT', message, details);
