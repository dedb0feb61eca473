import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import {
  CatalogError,
  COUNTRIES,
  countriesByDialingCode,
  countryByDialingCode,
  dialingCodeOf,
  findCountry,
  findService,
  normalizePhoneE164,
  requireCountry,
  requireService,
  SERVICES,
} from './index.js';

function errorOf(run: () => unknown): CatalogError {
  try {
    run();
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('expected a CatalogError');
}

describe('services', () => {
  it('has at least 30 unique lower-case slugs, including the well-known ones and other', () => {
    expect(SERVICES.length).toBeGreaterThanOrEqual(30);
    const slugs = SERVICES.map((s) => s.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z0-9]+$/);
    for (const slug of [
      'telegram',
      'whatsapp',
      'instagram',
      'facebook',
      'google',
      'twitter',
      'viber',
      'wechat',
      'microsoft',
      'discord',
      'tiktok',
      'snapchat',
      'linkedin',
      'amazon',
      'apple',
      'uber',
      'yahoo',
      'netflix',
      'paypal',
      'line',
      'kakaotalk',
      'signal',
      'imo',
      'tinder',
      'steam',
      'openai',
      'other',
    ]) {
      expect(findService(slug)?.slug).toBe(slug);
    }
  });

  it('every service has an English and a Persian name', () => {
    for (const service of SERVICES) {
      expect(service.name.trim()).not.toBe('');
      expect(service.namePersian).toMatch(/[\u0600-\u06ff]/);
    }
  });

  it('finds case-insensitively and refuses the unknown with BAD_USER_INPUT naming it', () => {
    expect(findService(' Telegram ')?.name).toBe('Telegram');
    expect(findService('nope')).toBeUndefined();
    const error = errorOf(() => requireService('myspace'));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'UNKNOWN_SERVICE', apiCode: 'BAD_USER_INPUT' });
    expect(error.message).toContain('myspace');
  });
});

describe('countries', () => {
  it('covers every ISO 3166-1 alpha-2 code once, with names and a calling code', () => {
    expect(COUNTRIES.length).toBeGreaterThanOrEqual(249);
    const isos = COUNTRIES.map((c) => c.iso);
    expect(new Set(isos).size).toBe(isos.length);
    for (const country of COUNTRIES) {
      expect(country.iso).toMatch(/^[A-Z]{2}$/);
      expect(country.dialingCode).toMatch(/^[1-9]\d{0,2}$/);
      expect(country.name.trim()).not.toBe('');
      expect(country.namePersian).toMatch(/[\u0600-\u06ff]/);
    }
  });

  it.each([
    ['ru', 'RU', 'Russia', 'روسیه', '7'],
    ['IR', 'IR', 'Iran', 'ایران', '98'],
    ['vn', 'VN', 'Vietnam', 'ویتنام', '84'],
    ['tr', 'TR', 'Türkiye', 'ترکیه', '90'],
    ['us', 'US', 'United States', 'ایالات متحده', '1'],
    ['gb', 'GB', 'United Kingdom', 'بریتانیا', '44'],
    ['AQ', 'AQ', 'Antarctica', 'جنوبگان', '672'],
  ])('findCountry(%s)', (query, iso, name, namePersian, code) => {
    expect(findCountry(query)).toMatchObject({ iso, name, namePersian, dialingCode: code });
  });

  it('refuses an unknown country naming it', () => {
    expect(findCountry('ZZ')).toBeUndefined();
    expect(findCountry('RUS')).toBeUndefined();
    const error = errorOf(() => requireCountry('Narnia'));
    expect(error).toMatchObject({ code: 'UNKNOWN_COUNTRY', apiCode: 'BAD_USER_INPUT' });
    expect(error.message).toContain('Narnia');
  });

  it('maps calling codes to countries, shared codes to their main country', () => {
    expect(countryByDialingCode('7')?.iso).toBe('RU');
    expect(countryByDialingCode('+1')?.iso).toBe('US');
    expect(countryByDialingCode('44')?.iso).toBe('GB');
    expect(countryByDialingCode('84')?.iso).toBe('VN');
    expect(countryByDialingCode('98')?.iso).toBe('IR');
    expect(countryByDialingCode('999')).toBeUndefined();
    expect(countriesByDialingCode('7').map((c) => c.iso)).toEqual(['KZ', 'RU']);
    expect(countriesByDialingCode('1').map((c) => c.iso)).toContain('CA');
  });

  it('calling codes are prefix-free, so a number has at most one', () => {
    const codes = [...new Set(COUNTRIES.map((c) => c.dialingCode))];
    const clashes = codes.flatMap((a) =>
      codes.filter((b) => a !== b && b.startsWith(a)).map((b) => `${a}/${b}`),
    );
    expect(clashes).toEqual([]);
    expect(dialingCodeOf('79001234567')).toBe('7');
    expect(dialingCodeOf('84923255262')).toBe('84');
    expect(dialingCodeOf('989123456789')).toBe('98');
  });
});

describe('normalizePhoneE164', () => {
  it.each([
    ['+79001234567', undefined, '+79001234567'],
    ['+7 (900) 123-45-67', undefined, '+79001234567'],
    ['79001234567', undefined, '+79001234567'],
    ['79001234567', 'RU', '+79001234567'],
    ['89001234567', 'RU', '+79001234567'],
    ['8 900 123-45-67', 'ru', '+79001234567'],
    ['9001234567', 'RU', '+79001234567'],
    ['0090 555 123 4567', undefined, '+905551234567'],
    ['00905551234567', 'RU', '+905551234567'],
    ['923255262', 'VN', '+84923255262'],
    ['0923255262', 'VN', '+84923255262'],
    ['84923255262', 'VN', '+84923255262'],
    ['09123456789', 'IR', '+989123456789'],
    ['9123456789', 'IR', '+989123456789'],
    ['989123456789', 'IR', '+989123456789'],
    ['۰۹۱۲۳۴۵۶۷۸۹', 'IR', '+989123456789'],
    ['+44 20 7946 0958', undefined, '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['(212) 555-1234', 'US', '+12125551234'],
    ['1-212-555-1234', 'US', '+12125551234'],
    ['+1\u00a0212.555.1234', undefined, '+12125551234'],
    // An explicit international number from another country stays as it is.
    ['+905551234567', 'RU', '+905551234567'],
  ])('%s (country %s) → %s', (raw, country, expected) => {
    expect(normalizePhoneE164(raw, country === undefined ? {} : { country })).toBe(expected);
  });

  it.each([
    ['', undefined],
    ['   ', undefined],
    ['hello', undefined],
    ['+7 900 abc', undefined],
    ['12+345678', undefined],
    ['+123', undefined],
    ['+1234567890123456', undefined],
    ['09123456789', undefined], // national without a country
    ['+0123456789', undefined], // no calling code starts with 0
    ['12345', 'RU'],
    ['123456789012', 'VN'],
  ])('refuses %s (country %s)', (raw, country) => {
    const error = errorOf(() => normalizePhoneE164(raw, country === undefined ? {} : { country }));
    expect(error).toMatchObject({ code: 'INVALID_PHONE_NUMBER', apiCode: 'BAD_USER_INPUT' });
    expect(error.message).toContain(`"${raw}"`);
  });

  it('refuses an unknown country option', () => {
    expect(errorOf(() => normalizePhoneE164('923255262', { country: 'XX' })).code).toBe(
      'UNKNOWN_COUNTRY',
    );
  });

  it('refuses a non-string', () => {
    expect(errorOf(() => normalizePhoneE164(79001234567 as unknown as string)).code).toBe(
      'INVALID_PHONE_NUMBER',
    );
  });
});
