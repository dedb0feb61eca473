import { describe, expect, it } from 'vitest';
import {
  apiErrorCodeOf,
  API_ERROR_CODES,
  CatalogError,
  DomainError,
  InsufficientFunds,
  Money,
  MoneyError,
  NoNumbersAvailable,
  OrderTransitionRefused,
  PriceAboveMax,
  PricingError,
  WalletRuleViolation,
} from './index.js';

describe('DomainError', () => {
  const irt = (text: string) => Money.parse(text, 'IRT');
  it.each([
    [new InsufficientFunds(10n, 5n), 'INSUFFICIENT_FUNDS', 'INSUFFICIENT_FUNDS'],
    [
      new OrderTransitionRefused('CANCEL_NOT_ALLOWED', 'CODE_RECEIVED', 'CANCEL'),
      'CANCEL_NOT_ALLOWED',
      'CANCEL_NOT_ALLOWED',
    ],
    [
      new OrderTransitionRefused('INVALID_TRANSITION', 'ACTIVE', 'FINISH'),
      'INVALID_TRANSITION',
      'STATE_CONFLICT',
    ],
    [
      new OrderTransitionRefused('ALREADY_FINAL', 'EXPIRED', 'REPORT'),
      'ALREADY_FINAL',
      'STATE_CONFLICT',
    ],
    [
      new CatalogError('UNKNOWN_SERVICE', 'unknown service "x"'),
      'UNKNOWN_SERVICE',
      'BAD_USER_INPUT',
    ],
    [
      new CatalogError('UNKNOWN_COUNTRY', 'unknown country "x"'),
      'UNKNOWN_COUNTRY',
      'BAD_USER_INPUT',
    ],
    [new NoNumbersAvailable('telegram', 'RU'), 'NO_NUMBERS', 'NO_NUMBERS'],
    [new PriceAboveMax(irt('1'), irt('2')), 'PRICE_ABOVE_MAX', 'PRICE_ABOVE_MAX'],
    [new WalletRuleViolation('INVALID_AMOUNT', 'x'), 'INVALID_AMOUNT', 'BAD_USER_INPUT'],
    [new PricingError('MISSING_EXCHANGE_RATE', 'x'), 'MISSING_EXCHANGE_RATE', 'INTERNAL'],
    [new MoneyError('TOO_MANY_DECIMALS', 'x'), 'TOO_MANY_DECIMALS', 'BAD_USER_INPUT'],
    [new MoneyError('CURRENCY_MISMATCH', 'x'), 'CURRENCY_MISMATCH', 'INTERNAL'],
  ] as Array<[DomainError, string, string]>)(
    '%s has code %s and API code %s',
    (error, code, apiCode) => {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.apiCode).toBe(apiCode);
      expect(API_ERROR_CODES).toContain(error.apiCode);
      expect(apiErrorCodeOf(error)).toBe(apiCode);
    },
  );

  it('anything else is INTERNAL', () => {
    expect(apiErrorCodeOf(new Error('boom'))).toBe('INTERNAL');
    expect(apiErrorCodeOf('nope')).toBe('INTERNAL');
  });

  it('a bad amount in a request is BAD_USER_INPUT', () => {
    try {
      Money.parse('1.234', 'IRT');
      expect.unreachable();
    } catch (error) {
      expect(apiErrorCodeOf(error)).toBe('BAD_USER_INPUT');
    }
  });
});
