/**
 * ArzanCell's plain-text answers → what they mean for us, as one table.
 *
 * Every token of the doc's error table is here, plus `CANCELED` (cancel_order's success). The
 * site says it is "fully compatible with competitor sites", so SMS-Activate's spellings of the
 * same facts (BAD_KEY, NO_NUMBERS, NO_BALANCE, ...) are accepted too. Tokens are compared after
 * `normalizeToken` (upper case, `_`/spaces folded), so "No Number" and "NO_NUMBER" match.
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
} from '../errors.js';
import type { ArzanCellErrorToken } from './wire.js';

export type ArzanCellOutcome =
  | 'auth'
  | 'low-balance'
  | 'no-numbers'
  | 'bad-request'
  | 'unknown-order'
  | 'uncancellable'
  | 'try-again'
  | 'expired'
  | 'cancelled';

/** The doc's tokens (all of them: the type makes a missing one a compile error). */
export const ARZANCELL_TOKEN_OUTCOMES: Readonly<Record<ArzanCellErrorToken, ArzanCellOutcome>> &
  Readonly<Record<string, ArzanCellOutcome>> = {
  'INVALID REQUEST': 'bad-request',
  'INVALID API': 'auth',
  'NOT ENOUGH BALANCE': 'low-balance',
  'INVALID COUNTRY': 'bad-request',
  'INVALID SERVICE': 'bad-request',
  'INVALID SERVER': 'bad-request',
  'NO NUMBER': 'no-numbers',
  'INVALID ORDER ID': 'unknown-order',
  'UNCANCELLABLE ORDER': 'uncancellable',
  'INVALID ACTION': 'bad-request',
  'TRY AGAIN': 'try-again',
  'EXPIRED SMS TIME': 'expired',
  'CAN NOT GET SMS': 'try-again',
  // cancel_order's success; on check_order (not in the doc) a cancelled order.
  CANCELED: 'cancelled',
  CANCELLED: 'cancelled',
  // Other spellings of the same facts: SMS-Activate's, and near-misses of the doc's.
  'INVALID API KEY': 'auth',
  'INVALID KEY': 'auth',
  'BAD KEY': 'auth',
  'NO KEY': 'auth',
  'WRONG KEY': 'auth',
  'NO BALANCE': 'low-balance',
  'NOT ENOUGH MONEY': 'low-balance',
  'NO NUMBERS': 'no-numbers',
  'BAD ACTION': 'bad-request',
  'BAD SERVICE': 'bad-request',
  'BAD COUNTRY': 'bad-request',
  'INVALID ORDER': 'unknown-order',
  'NO ACTIVATION': 'unknown-order',
  'WRONG ACTIVATION ID': 'unknown-order',
  'BAD ID': 'unknown-order',
  'CANNOT GET SMS': 'try-again',
  'CANT GET SMS': 'try-again',
  'ERROR SQL': 'try-again',
  'SMS TIME EXPIRED': 'expired',
};

/** "no_number", " No Number \n" → "NO NUMBER". */
export function normalizeToken(text: string): string {
  return text
    .trim()
    .toUpperCase()
    .replace(/[\s_]+/g, ' ')
    .replace(/'/g, '');
}

export function outcomeOfToken(token: string): ArzanCellOutcome | undefined {
  return ARZANCELL_TOKEN_OUTCOMES[normalizeToken(token)];
}

/**
 * The error an outcome is when the operation did not expect it. `expired` and `cancelled` are
 * states for `status` and done-ness for `cancel` (the adapter handles those itself); reaching
 * here they are unexpected answers.
 */
export function arzanCellError(
  outcome: ArzanCellOutcome,
  context: ProviderErrorContext,
  token: string,
): ProviderError {
  const what = `${context.providerId} ${context.operation}: ${token}`;
  switch (outcome) {
    case 'auth':
      return new AuthError(`${what} (the API key was refused)`, context);
    case 'low-balance':
      return new InsufficientUpstreamBalance(`${what} (account balance too low)`, context);
    case 'no-numbers':
      return new NoNumbers(`${what} (sold out for now)`, context);
    case 'bad-request':
      return new InvalidRequest(`${what} (request refused)`, context);
    case 'unknown-order':
      return new NotFound(`${what} (unknown order)`, context);
    case 'uncancellable':
      return new CancelNotAllowed(`${what} (the order cannot be cancelled)`, {
        ...context,
        retryable: false,
      });
    case 'try-again':
      // An explicit refusal: the upstream handled the request and did nothing. For a buy an
      // orphaned order, if any, ends as EXPIRED SMS TIME, which refunds (NOTES.md).
      return new Unavailable(`${what} (upstream asks to try again)`, {
        ...context,
        surelyNotSent: true,
      });
    case 'expired':
    case 'cancelled':
      return new Unavailable(`${what} (unexpected for this call)`, {
        ...context,
        surelyNotSent: false,
      });
  }
}
