import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatGregorianTehran, formatJalali, parseShizDate } from './jalali-date.js';

describe('ShizNumber dates', () => {
  it.each([
    // The doc's order date: 28 Shahrivar 1402, Tehran time (+03:30 since DST was abolished).
    ['1402/06/28 00:27:21', '2023-09-18T20:57:21.000Z'],
    ['1402/06/28 00:27:52', '2023-09-18T20:57:52.000Z'],
    // Before 2022 Tehran kept DST (+04:30) from 1 Farvardin to 30 Shahrivar.
    ['1399/06/28 00:27:21', '2020-09-17T19:57:21.000Z'],
    ['1399/07/01 12:00:00', '2020-09-22T08:30:00.000Z'],
    ['1403/12/30 10:00:00', '2025-03-20T06:30:00.000Z'],
    ['۱۴۰۲/۰۱/۰۱ ۰۰:۰۰:۰۰', '2023-03-20T20:30:00.000Z'],
    ['1402/06/28', '2023-09-18T20:30:00.000Z'],
    // The user's created_at is Gregorian.
    ['2022-01-09 19:17:35', '2022-01-09T15:47:35.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseShizDate(text)?.toISOString()).toBe(iso);
  });

  it.each(['1401/12/30 10:00:00', '1402/07/31 00:00:00', '1402/13/01', 'yesterday', '', null])(
    '%j is not a date',
    (text) => {
      expect(parseShizDate(text)).toBeUndefined();
    },
  );

  it('formats as the doc writes them', () => {
    const instant = new Date('2023-09-18T20:57:21Z');
    expect(formatJalali(instant)).toBe('1402/06/28 00:27:21');
    expect(formatGregorianTehran(new Date('2022-01-09T15:47:35Z'))).toBe('2022-01-09 19:17:35');
  });

  it('reads back what it writes (from 2022 on, where no wall-clock hour repeats)', () => {
    const from = Date.UTC(2022, 8, 22);
    const to = Date.UTC(2035, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: from / 1000, max: to / 1000 }), (seconds) => {
        const instant = new Date(seconds * 1000);
        expect(parseShizDate(formatJalali(instant))?.getTime()).toBe(instant.getTime());
        expect(parseShizDate(formatGregorianTehran(instant))?.getTime()).toBe(instant.getTime());
      }),
      { numRuns: 200 },
    );
  });
});
