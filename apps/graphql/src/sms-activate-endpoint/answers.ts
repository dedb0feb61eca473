import { isDomainError, PriceAboveMax } from '@numbroker/core';
import { isProviderError } from '@numbroker/providers';
import type { Logger } from 'pino';
import { RateLimitExceeded } from '../auth/rate-limit.js';
import { mapError } from '../errors/to-graphql-error.js';
import { writeJson, type JsonValue } from './json-text.js';

/** What one request answers: a protocol line (`TOKEN` or `TOKEN:value`) or a JSON body. */
export type Answer =
  | { kind: 'text'; text: string; httpStatus?: number; retryAfterSeconds?: number }
  | { kind: 'json'; body: JsonValue };

export const textAnswer = (text: string): Answer => ({ kind: 'text', text });
export const jsonAnswer = (body: JsonValue): Answer => ({ kind: 'json', body });

export function answerBody(answer: Answer): string {
  return answer.kind === 'text' ? answer.text : writeJson(answer.body);
}

/** Thrown by an action to answer with a protocol token (BAD_SERVICE, NO_ACTIVATION, ...). */
export class ProtocolRefusal extends Error {
  constructor(readonly token: string) {
    super(token);
    this.name = 'ProtocolRefusal';
  }
}

/**
 * Any error of an action → the token an SMS-Activate host answers. One table over the same
 * `mapError` GraphQL uses, so both APIs refuse the same things; action-specific readings
 * (a refused transition is BAD_STATUS in setStatus) are made by the actions before this.
 */
export function answerForError(error: unknown, logger: Logger): Answer {
  if (error instanceof ProtocolRefusal) return textAnswer(error.token);
  if (error instanceof RateLimitExceeded) {
    return {
      kind: 'text',
      text: 'TOO_MANY_REQUESTS',
      httpStatus: 429,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof PriceAboveMax) {
    return textAnswer(`WRONG_MAX_PRICE:${error.cheapest.format()}`);
  }
  // Retryable: the upstream's early-cancel window; otherwise a code came meanwhile.
  if (isProviderError(error) && error.code === 'CANCEL_NOT_ALLOWED') {
    return textAnswer(error.retryable ? 'EARLY_CANCEL_DENIED' : 'BAD_STATUS');
  }
  if (isDomainError(error) && error.code === 'UNKNOWN_SERVICE') return textAnswer('BAD_SERVICE');
  if (isDomainError(error) && error.code === 'UNKNOWN_COUNTRY') return textAnswer('BAD_COUNTRY');
  const mapped = mapError(error);
  if (!mapped) {
    logger.error({ err: error }, 'unexpected error in the SMS-Activate endpoint');
    return textAnswer('ERROR_SQL');
  }
  switch (mapped.code) {
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
      return textAnswer('BAD_KEY');
    case 'BAD_USER_INPUT':
      return textAnswer('BAD_DATA');
    case 'NOT_FOUND':
      return textAnswer('NO_ACTIVATION');
    case 'INSUFFICIENT_FUNDS':
      return textAnswer('NO_BALANCE');
    case 'NO_NUMBERS':
      return textAnswer('NO_NUMBERS');
    case 'PRICE_ABOVE_MAX':
      return textAnswer('WRONG_MAX_PRICE');
    case 'CANCEL_NOT_ALLOWED':
    case 'STATE_CONFLICT':
      return textAnswer('BAD_STATUS');
    case 'RATE_LIMITED':
    case 'UPSTREAM_UNAVAILABLE':
      // A transient failure: SMS-Activate clients retry on ERROR_SQL.
      logger.warn({ err: error }, 'SMS-Activate endpoint: transient failure');
      return textAnswer('ERROR_SQL');
    case 'SUBSCRIBER_TOO_SLOW': // subscriptions only; this endpoint has none
    case 'INTERNAL_SERVER_ERROR':
      logger.error({ err: error }, 'internal error in the SMS-Activate endpoint');
      return textAnswer('ERROR_SQL');
  }
}
