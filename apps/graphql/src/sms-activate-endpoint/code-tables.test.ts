import { describe, expect, it } from 'vitest';
import { providerCodeTables, SmsActivateCodes } from './code-tables.js';
import { JsonNumber, writeJson } from './json-text.js';
import { TEST_CODES } from './test-support/endpoint-harness.js';

describe('SmsActivateCodes', () => {
  const codes = new SmsActivateCodes({
    countryIdToIso: { ...TEST_CODES.countryIdToIso, 999: 'XX' },
    serviceCodeToSlug: { ...TEST_CODES.serviceCodeToSlug, zz: 'no-such-service' },
  });

  it('reads ids and codes both ways, leaving out what core cannot name', () => {
    expect(codes.isoOfCountryId('0')).toBe('RU');
    expect(codes.isoOfCountryId('007')).toBeUndefined();
    expect(codes.isoOfCountryId('02')).toBe('KZ');
    expect(codes.isoOfCountryId('999')).toBeUndefined();
    expect(codes.isoOfCountryId('-1')).toBeUndefined();
    expect(codes.countryIdsOfIso('US')).toEqual(['12', '187']);
    expect(codes.slugOfServiceCode('TG')).toBe('telegram');
    expect(codes.slugOfServiceCode('zz')).toBeUndefined();
    expect(codes.serviceCodeOfSlug('whatsapp')).toBe('wa');
    expect(codes.slugs()).toEqual(['telegram', 'whatsapp', 'google', 'instagram']);
  });

  // The tests' slice must agree with the tables the server really uses.
  it('the test slice agrees with the provider tables', () => {
    const tables = providerCodeTables();
    for (const [id, iso] of Object.entries(TEST_CODES.countryIdToIso)) {
      expect(tables.countryIdToIso[id]).toBe(iso);
    }
    for (const [code, slug] of Object.entries(TEST_CODES.serviceCodeToSlug)) {
      expect(tables.serviceCodeToSlug[code]).toBe(slug);
    }
  });
});

describe('writeJson', () => {
  it('writes decimal numbers from their text, digit for digit', () => {
    expect(
      writeJson(
        new Map([
          ['187', { cost: JsonNumber.of('12.50'), count: JsonNumber.ofInteger(3) }],
          [
            '0',
            { cost: JsonNumber.of('90071992547409931234.01'), count: JsonNumber.ofInteger(0n) },
          ],
        ]),
      ),
    ).toBe('{"187":{"cost":12.50,"count":3},"0":{"cost":90071992547409931234.01,"count":0}}');
    expect(writeJson({ a: ['x"y', true, null], b: [] })).toBe('{"a":["x\\"y",true,null],"b":[]}');
  });

  it('refuses text that is not a JSON number', () => {
    expect(() => JsonNumber.of('1e5')).toThrow(TypeError);
    expect(() => JsonNumber.of('01')).toThrow(TypeError);
    expect(() => JsonNumber.of('12.')).toThrow(TypeError);
    expect(() => JsonNumber.ofInteger(2 ** 60)).toThrow(TypeError);
  });
});
