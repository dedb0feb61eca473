/**
 * ShizNumber stamps orders with Solar Hijri (Jalali) wall-clock times in Tehran
 * ("1402/06/28 00:27:21" is 2023-09-19 00:27:21 +03:30), while `user.created_at` is Gregorian
 * ("2022-01-09 19:17:35"). Both are local times without an offset.
 *
 * The conversions go through ICU (`Intl`'s `persian` calendar and the `Asia/Tehran` zone, which
 * knows Iran's daylight saving time until it was abolished in 2022) rather than a hand-rolled
 * calendar: Gregorian → Jalali is a formatter call, and Jalali → instant is a binary search over
 * instants, since Tehran's wall clock only moves forward (apart from DST fall-back hours, where
 * the first matching instant is taken).
 */

const TEHRAN = 'Asia/Tehran';

const tehranPersian = new Intl.DateTimeFormat('en-US-u-ca-persian-nu-latn', {
  timeZone: TEHRAN,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});

const tehranGregorian = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
  timeZone: TEHRAN,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});

type WallClock = [
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
];

function wallClockOf(format: Intl.DateTimeFormat, instant: number): WallClock {
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) {
    if (part.type !== 'literal' && part.type !== 'era') parts[part.type] = Number(part.value);
  }
  return [
    parts.year ?? 0,
    parts.month ?? 0,
    parts.day ?? 0,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  ];
}

function compareWallClocks(a: WallClock, b: WallClock): number {
  for (let index = 0; index < a.length; index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The first instant whose Tehran wall clock (in `format`'s calendar) is `target` or later. */
function instantOfWallClock(format: Intl.DateTimeFormat, target: WallClock, guess: number): Date {
  const day = 86_400_000;
  let low = Math.floor((guess - 3 * day) / 1000);
  let high = Math.ceil((guess + 3 * day) / 1000);
  if (
    compareWallClocks(wallClockOf(format, low * 1000), target) > 0 ||
    compareWallClocks(wallClockOf(format, high * 1000), target) < 0
  ) {
    throw new RangeError('wall-clock time outside the search window');
  }
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (compareWallClocks(wallClockOf(format, middle * 1000), target) < 0) low = middle + 1;
    else high = middle;
  }
  return new Date(low * 1000);
}

const PERSIAN_DIGITS = /[۰-۹٠-٩]/g;

function latinDigits(text: string): string {
  return text.replace(PERSIAN_DIGITS, (digit) => {
    const code = digit.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

const DATE_TIME = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * A ShizNumber timestamp as an instant, or undefined when it is not one. Years before 1700 are
 * Jalali (the orders' dates), later ones Gregorian (the user's `created_at`); both are read as
 * Tehran wall-clock time.
 */
export function parseShizDate(text: string | null | undefined): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const match = DATE_TIME.exec(latinDigits(text.trim()));
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part))) as WallClock;
  const jalali = year < 1700;
  const monthDays = jalali ? (month <= 6 ? 31 : 30) : 31;
  if (month < 1 || month > 12 || day < 1 || day > monthDays) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const target: WallClock = [year, month, day, hour, minute, second];
  // A first guess within a day or two: Farvardin 1 falls on March 20 or 21.
  const dayOfYear = jalali ? (month <= 6 ? (month - 1) * 31 : 186 + (month - 7) * 30) + day : 0;
  const guess = jalali
    ? Date.UTC(year + 621, 2, 20 + dayOfYear, hour, minute, second)
    : Date.UTC(year, month - 1, day, hour, minute, second);
  const instant = instantOfWallClock(jalali ? tehranPersian : tehranGregorian, target, guess);
  // A day that does not exist (30 Esfand of a common year, Feb 30) lands on another date.
  const landed = wallClockOf(jalali ? tehranPersian : tehranGregorian, instant.getTime());
  if (landed[0] !== year || landed[1] !== month || landed[2] !== day) return undefined;
  return instant;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** An instant as ShizNumber writes order dates: Jalali, Tehran time, "1402/06/28 00:27:21". */
export function formatJalali(instant: Date): string {
  const [year, month, day, hour, minute, second] = wallClockOf(tehranPersian, instant.getTime());
  return `${year}/${pad(month)}/${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}`;
}

/** An instant as ShizNumber writes the user's `created_at`: Gregorian, Tehran time. */
export function formatGregorianTehran(instant: Date): string {
  const [year, month, day, hour, minute, second] = wallClockOf(tehranGregorian, instant.getTime());
  return `${year}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}`;
}
