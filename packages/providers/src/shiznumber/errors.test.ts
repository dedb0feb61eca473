import { describe, expect, it } from 'vitest';
import type { ProviderOperation } from '../errors.js';
import { classifyShizError, shizError, shizErrorMessage, waitSecondsFrom } from './errors.js';
import { docErrorRows, type DocErrorRow } from './test-support/fixtures.js';

const OPERATION_OF: Record<DocErrorRow['endpoint'], ProviderOperation> = {
  any: 'balance',
  buy: 'buy',
  order: 'status',
  cancel: 'cancel',
  report: 'report',
};

/** What each row of the doc's error tables must become. */
const EXPECTED: Record<string, { name: string; retryable: boolean }> = {
  'any 404': { name: 'AuthError', retryable: false },
  'any 403': { name: 'AuthError', retryable: false },
  'buy 422': { name: 'NoNumbers', retryable: false },
  'buy 404': { name: 'NoNumbers', retryable: false },
  'buy 402': { name: 'InsufficientUpstreamBalance', retryable: false },
  'buy 500': { name: 'Unavailable', retryable: true },
  'order 404': { name: 'NotFound', retryable: false },
  'order 422': { name: 'NotFound', retryable: false },
  'cancel 404': { name: 'NotFound', retryable: false },
  'report 404': { name: 'NotFound', retryable: false },
};

function expectedFor(row: DocErrorRow): { name: string; retryable: boolean } {
  const fixed = EXPECTED[`${row.endpoint} ${row.status}`];
  if (fixed) return fixed;
  // cancel/report 422: too early is worth retrying later; "ended" and "failed" are final.
  return { name: 'CancelNotAllowed', retryable: row.message.includes('پس از گذر') };
}

const laravelBody = (message: string) => JSON.stringify({ message });

describe('ShizNumber error table, row by row of the doc', () => {
  it.each(
    docErrorRows().map((row) => [`${row.endpoint} ${row.status} ${row.message.trim()}`, row]),
  )('%s', (_, row) => {
    const error = shizError({
      providerId: 'shiz',
      operation: OPERATION_OF[row.endpoint],
      httpStatus: row.status,
      bodyText: laravelBody(row.message),
      secrets: [],
    });
    const expected = expectedFor(row);
    expect({ name: error.name, retryable: error.retryable }).toEqual(expected);
    expect(error.httpStatus).toBe(row.status);
    expect(error.upstreamMessage).toBe(row.message.trim());
    if (error.name === 'Unavailable') {
      expect((error as { surelyNotSent?: boolean }).surelyNotSent).toBe(false);
    }
  });

  it('the API-key errors mean AuthError on every operation', () => {
    for (const operation of ['catalog', 'buy', 'status', 'cancel', 'report', 'balance'] as const) {
      const missing = shizError({
        providerId: 'shiz',
        operation,
        httpStatus: 404,
        bodyText: laravelBody('کلید API یافت نشد'),
        secrets: [],
      });
      expect(missing.code).toBe('AUTH');
    }
  });
});

describe('ShizNumber error matching', () => {
  it.each([
    ['zero-width non-joiner', 'کلید API اشتباه می\u200cباشد', 'api-key-wrong'],
    ['Arabic yeh and kaf', 'كليد API اشتباه مي باشد', 'api-key-wrong'],
    ['no spaces', 'اعتبارکیف پولشما کافی نیست', 'insufficient-balance'],
    ['ZWNJ in می‌توان', 'این شماره را نمی\u200cتوان سفارش داد', 'number-not-orderable'],
    ['Persian digits for X', 'سفارش را فقط پس از گذر ۱۲۰ ثانیه می‌توان کنسل کرد', 'too-early'],
    ['the other spelling of the 404', 'کاربر فاقد سفارش مورد نظر میباشد', 'order-not-found'],
    ['a trailing period', 'سفارش مورد نظر شما به اتمام رسیده است.', 'order-ended'],
  ])('%s', (_, message, kind) => {
    expect(classifyShizError(422, message)).toBe(kind);
  });

  it('falls back on the status when the message is unknown', () => {
    expect(classifyShizError(403, 'Forbidden')).toBe('api-key-wrong');
    expect(classifyShizError(402, '')).toBe('insufficient-balance');
    expect(classifyShizError(404, 'Not Found')).toBe('not-found');
    expect(classifyShizError(422, 'The given data was invalid.')).toBe('unprocessable');
    expect(classifyShizError(503, 'down')).toBe('server-error');
    expect(classifyShizError(418, 'teapot')).toBeUndefined();
  });

  it('an unknown 404 on buy fails over; on status it is NotFound; on catalog Unavailable', () => {
    const of = (operation: ProviderOperation) =>
      shizError({ providerId: 'shiz', operation, httpStatus: 404, bodyText: '{}', secrets: [] })
        .name;
    expect([of('buy'), of('status'), of('catalog')]).toEqual([
      'NoNumbers',
      'NotFound',
      'Unavailable',
    ]);
  });

  it('reads the message from every plausible body', () => {
    expect(shizErrorMessage('{"message":"شماره یافت نشد"}')).toBe('شماره یافت نشد');
    expect(shizErrorMessage('{"error":"شماره یافت نشد"}')).toBe('شماره یافت نشد');
    expect(shizErrorMessage('{"errors":{"id":["شماره یافت نشد"]}}')).toBe('شماره یافت نشد');
    expect(shizErrorMessage('"شماره یافت نشد"')).toBe('شماره یافت نشد');
    expect(shizErrorMessage(' شماره یافت نشد ')).toBe('شماره یافت نشد');
  });

  it('reads the wait of a too-early refusal', () => {
    expect(waitSecondsFrom('سفارش را فقط پس از گذر ۱۲۰ ثانیه میتوان کنسل کرد')).toBe(120);
    expect(waitSecondsFrom('سفارش را فقط پس از گذر X ثانیه میتوان کنسل کرد')).toBeUndefined();
    const error = shizError({
      providerId: 'shiz',
      operation: 'cancel',
      httpStatus: 422,
      bodyText: laravelBody('سفارش را فقط پس از گذر 90 ثانیه میتوان کنسل کرد'),
      secrets: [],
    });
    expect(error.message).toMatch(/after 90 s/);
  });

  it('never repeats a secret the body echoes', () => {
    const error = shizError({
      providerId: 'shiz',
      operation: 'balance',
      httpStatus: 403,
      bodyText: laravelBody('کلید API اشتباه می باشد: key-SECRET-123'),
      secrets: ['key-SECRET-123'],
    });
    expect(error.message).not.toContain('key-SECRET-123');
    expect(error.upstreamMessage).not.toContain('key-SECRET-123');
  });
});
