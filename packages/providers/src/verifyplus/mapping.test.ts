import { findService, Money } from '@numbroker/core';
import { describe, expect, it } from 'vitest';
import { classifyVerifyPlusError, normalizeDetail, type VerifyPlusCall } from './errors.js';
import getAvailableFixture from './fixtures/get-available.json' with { type: 'json' };
import getNumberFixture from './fixtures/get-number.json' with { type: 'json' };
import getSmsFixture from './fixtures/get-sms.json' with { type: 'json' };
import tablesFixture from './fixtures/tables.json' with { type: 'json' };
import {
  VERIFYPLUS_COUNTRIES,
  VERIFYPLUS_PRODUCTS,
  VerifyPlusMappingError,
  upstreamRef,
  countryForIso,
  countryForWire,
  offerRef,
  parseUpstreamRef,
  parseOfferRef,
  parsePriceOverrides,
  productForId,
  productForService,
  smsFromWire,
  smsPrice,
  stockFromOnline,
  toE164,
} from './mapping.js';
import {
  isErrorResponse,
  isGetAvailableResponse,
  isGetNumberResponse,
  isGetSmsResponse,
  VERIFYPLUS_DETAILS,
  wireText,
} from './wire.js';

function country(iso: string) {
  const found = countryForIso(iso);
  if (!found) throw new Error(`no ${iso}`);
  return found;
}

describe('the doc tables (fixtures/tables.json) are the mapping data', () => {
  it('has every productId with its name, and no other', () => {
    expect(VERIFYPLUS_PRODUCTS.map(({ productId, name }) => ({ productId, name }))).toEqual(
      tablesFixture.products,
    );
  });

  it('has every country with its per-SMS price in toman, and no other', () => {
    expect(
      VERIFYPLUS_COUNTRIES.map(({ wire, smsPriceToman }) => ({
        country: wire,
        price: `${smsPriceToman} تومان`,
      })),
    ).toEqual(tablesFixture.countries);
  });

  it('maps products to distinct slugs and back', () => {
    const slugs = VERIFYPLUS_PRODUCTS.map((product) => product.service);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(productForService('telegram')?.productId).toBe('2');
    expect(productForService(' WhatsApp ')?.productId).toBe('26');
    expect(productForService('google')?.name).toBe('GMail');
    expect(productForService('viber')).toBeUndefined();
    expect(productForId('32')?.service).toBe('google');
    expect(productForId('1')).toBeUndefined();
  });

  it('sells WebMoney (productId 31, seed line 55) as its own service, not "other"', () => {
    expect(productForId('31')?.service).toBe('webmoney');
    expect(findService('webmoney')?.name).toBe('WebMoney');
    expect(productForService('webmoney')?.productId).toBe('31');
  });

  it('speaks ISO outside and the upstream’s "UK" on the wire', () => {
    expect(countryForIso('GB')?.wire).toBe('UK');
    expect(countryForWire('UK')?.iso).toBe('GB');
    expect(countryForIso('uk')?.iso).toBe('GB');
    expect(countryForIso('ru')?.wire).toBe('RU');
    expect(countryForIso('TR')).toBeUndefined();
    for (const entry of VERIFYPLUS_COUNTRIES) expect(entry.iso).toMatch(/^[A-Z]{2}$/);
  });
});

describe('fixtures/get-number.json against the mapping', () => {
  for (const fixture of getNumberFixture.cases) {
    it(fixture.name, () => {
      const body: unknown = fixture.response.json;
      if (fixture.expect.outcome === 'success') {
        expect(isGetNumberResponse(body)).toBe(true);
        if (!isGetNumberResponse(body)) return;
        const where = country(fixture.request.json.country);
        const product = productForId(fixture.request.json.productId);
        expect(product).toBeDefined();
        const ref = upstreamRef({
          country: where,
          product: product!,
          numberId: wireText(body.numberId)!,
        });
        expect(ref).toBe(fixture.expect.upstreamRef);
        expect(toE164(body.number, where)).toBe(fixture.expect.phoneNumber);
        return;
      }
      expect(isErrorResponse(body)).toBe(true);
      expect(isGetNumberResponse(body)).toBe(false);
      if (!isErrorResponse(body)) return;
      expect(Number(body.status)).toBe(fixture.response.status);
      expect(classifyVerifyPlusError('get_number', Number(body.status), body.detail)).toBe(
        fixture.expect.outcome,
      );
    });
  }
});

describe('fixtures/get-sms.json against the mapping', () => {
  for (const fixture of getSmsFixture.cases) {
    it(fixture.name, () => {
      const body: unknown = fixture.response.json;
      if (fixture.expect.outcome === 'code') {
        expect(isGetSmsResponse(body)).toBe(true);
        if (!isGetSmsResponse(body)) return;
        expect(smsFromWire(body.sms).code).toBe(fixture.expect.code);
        const ref = parseUpstreamRef(
          `${fixture.request.json.country}:${fixture.request.json.productId}:${fixture.request.json.numberId}`,
        );
        expect(ref.numberId).toBe('1343243');
        return;
      }
      expect(isErrorResponse(body)).toBe(true);
      if (!isErrorResponse(body)) return;
      expect(classifyVerifyPlusError('get_sms', Number(body.status), body.detail)).toBe(
        fixture.expect.outcome,
      );
    });
  }
});

describe('fixtures/get-available.json against the mapping', () => {
  it('reads "online" as the stock', () => {
    const [fixture] = getAvailableFixture.cases;
    const body: unknown = fixture!.response.json;
    expect(isGetAvailableResponse(body)).toBe(true);
    if (isGetAvailableResponse(body))
      expect(stockFromOnline(body.online)).toBe(fixture!.expect.stock);
  });

  it('takes a JSON number too, and refuses what is no count', () => {
    expect(stockFromOnline(7)).toBe(7);
    expect(stockFromOnline(' 0 ')).toBe(0);
    expect(() => stockFromOnline('-1')).toThrow(VerifyPlusMappingError);
    expect(() => stockFromOnline('many')).toThrow(VerifyPlusMappingError);
    expect(() => stockFromOnline(null)).toThrow(VerifyPlusMappingError);
  });
});

describe('errors: every documented detail, and plausible variants', () => {
  const documented: Array<[VerifyPlusCall, number, string, string]> = [
    ['get_number', 400, VERIFYPLUS_DETAILS.invalidCountry, 'invalid-request'],
    ['get_number', 401, VERIFYPLUS_DETAILS.invalidToken, 'auth'],
    ['get_number', 400, VERIFYPLUS_DETAILS.invalidProductId, 'invalid-request'],
    ['get_number', 409, VERIFYPLUS_DETAILS.noNumberAvailable, 'no-numbers'],
    ['get_sms', 400, VERIFYPLUS_DETAILS.invalidCountry, 'invalid-request'],
    ['get_sms', 401, VERIFYPLUS_DETAILS.invalidToken, 'auth'],
    ['get_sms', 402, VERIFYPLUS_DETAILS.insufficientBalance, 'insufficient-balance'],
    ['get_sms', 400, VERIFYPLUS_DETAILS.invalidProductId, 'invalid-request'],
    ['get_sms', 409, VERIFYPLUS_DETAILS.noSmsCode, 'waiting'],
  ];
  it.each(documented)('%s %i "%s" → %s', (call, status, detail, outcome) => {
    expect(classifyVerifyPlusError(call, status, detail)).toBe(outcome);
    // The detail alone decides, whatever status line came with it.
    expect(classifyVerifyPlusError(call, 200, detail)).toBe(outcome);
  });

  it.each([
    ['get_number', 'no number available', 'no-numbers'],
    ['get_number', 'NO NUMBER AVAILABLE!', 'no-numbers'],
    ['get_number', '  Invalid   Token. ', 'auth'],
    ['get_sms', 'No SMS code.', 'waiting'],
    ['get_sms', 'insufficient balance', 'insufficient-balance'],
    ['get_number', 'invalid product id', 'invalid-request'],
    ['get_sms', 'Invalid numberId', 'not-found'],
    ['get_sms', 'Number expired', 'expired'],
    ['get_number', 'توکن نامعتبر است', 'auth'],
    ['get_number', 'توكن اشتباه است', 'auth'], // Arabic kaf
    ['get_number', 'شماره\u200cای موجود نیست', 'no-numbers'],
    ['get_sms', 'اعتبار شما کافی نیست', 'insufficient-balance'],
    ['get_sms', 'پیامک هنوز دریافت نشده', 'waiting'],
    ['get_number', 'کد کشور نامعتبر', 'invalid-request'],
  ] as Array<[VerifyPlusCall, string, string]>)('%s "%s" → %s', (call, detail, outcome) => {
    expect(classifyVerifyPlusError(call, undefined, detail)).toBe(outcome);
  });

  it('falls back on the status code when the detail says nothing known', () => {
    expect(classifyVerifyPlusError('get_number', 401, 'Nope')).toBe('auth');
    expect(classifyVerifyPlusError('get_number', 403, undefined)).toBe('auth');
    expect(classifyVerifyPlusError('get_sms', 402, 'x')).toBe('insufficient-balance');
    expect(classifyVerifyPlusError('get_number', 409, 'x')).toBe('no-numbers');
    expect(classifyVerifyPlusError('get_sms', 409, 'x')).toBe('waiting');
    expect(classifyVerifyPlusError('get_sms', 404, 'x')).toBe('not-found');
    expect(classifyVerifyPlusError('get_sms', 410, 'x')).toBe('expired');
    expect(classifyVerifyPlusError('get_number', 400, 'x')).toBe('invalid-request');
    expect(classifyVerifyPlusError('get_number', 418, 'x')).toBe('unavailable');
    expect(classifyVerifyPlusError('get_number', undefined, undefined)).toBe('unavailable');
  });

  it('"No sms code" on get_number is not mistaken for waiting', () => {
    expect(classifyVerifyPlusError('get_number', 409, 'No sms code')).toBe('no-numbers');
  });

  it('normalises Persian text', () => {
    expect(normalizeDetail('  ۴۰۹ ي\u200cك! ')).toBe('409 ی ک');
  });
});

describe('toE164', () => {
  it.each([
    ['959978292769', 'RU', '+959978292769'], // the doc's own example: no RU pattern fits
    ['79161234567', 'RU', '+79161234567'],
    ['9161234567', 'RU', '+79161234567'],
    ['89161234567', 'RU', '+79161234567'],
    ['+7 916 123-45-67', 'RU', '+79161234567'],
    ['0079161234567', 'RU', '+79161234567'],
    ['77012345678', 'KZ', '+77012345678'],
    ['380501234567', 'UA', '+380501234567'],
    ['0501234567', 'UA', '+380501234567'],
    ['447911123456', 'GB', '+447911123456'],
    ['07911123456', 'GB', '+447911123456'],
    ['6281234567890', 'ID', '+6281234567890'],
    ['081234567890', 'ID', '+6281234567890'],
    ['639171234567', 'PH', '+639171234567'],
    ['37121234567', 'LV', '+37121234567'],
    ['21234567', 'LV', '+37121234567'],
  ])('%s in %s → %s', (raw, iso, e164) => {
    expect(toE164(raw, country(iso))).toBe(e164);
  });

  it('takes a JSON number', () => {
    expect(toE164(79161234567, country('RU'))).toBe('+79161234567');
  });

  it.each(['', 'abc', '12', '+0123456789', '1234567890123456', '79161234567x'])(
    'refuses "%s"',
    (raw) => {
      expect(() => toE164(raw, country('RU'))).toThrow(VerifyPlusMappingError);
      expect(() => toE164(raw, country('RU'))).toThrow(/not a phone number/);
    },
  );
});

describe('refs', () => {
  it('offer refs round-trip', () => {
    const ru = country('RU');
    const telegram = productForService('telegram')!;
    expect(offerRef(ru, telegram)).toBe('RU:2');
    expect(parseOfferRef('UK:32')).toEqual({ country: country('GB'), product: productForId('32') });
    expect(() => parseOfferRef('RU')).toThrow(VerifyPlusMappingError);
    expect(() => parseOfferRef('RU:2:3')).toThrow(VerifyPlusMappingError);
    expect(() => parseOfferRef('XX:2')).toThrow(VerifyPlusMappingError);
  });

  it('activation refs carry country, product and numberId', () => {
    const key = { country: country('GB'), product: productForId('26')!, numberId: 'a:b' };
    const ref = upstreamRef(key);
    expect(ref).toBe('UK:26:a:b');
    expect(parseUpstreamRef(ref)).toEqual(key);
    expect(() => parseUpstreamRef('1343243')).toThrow(VerifyPlusMappingError);
    expect(() => parseUpstreamRef('RU:2:')).toThrow(VerifyPlusMappingError);
    expect(() => parseUpstreamRef('RU:99:1')).toThrow(VerifyPlusMappingError);
  });
});

describe('prices', () => {
  it('uses the doc table in IRT, overrides first', () => {
    const overrides = parsePriceOverrides({ RU: '3500', UK: '12000' }, 'IRT');
    expect(smsPrice(country('RU'), 'IRT', overrides)?.format()).toBe('3500');
    expect(smsPrice(country('GB'), 'IRT', overrides)?.format()).toBe('12000');
    expect(smsPrice(country('KZ'), 'IRT', overrides)?.format()).toBe('3000');
    const latvia = smsPrice(country('LV'), 'IRT', new Map());
    expect(latvia?.compare(Money.parse('10000', 'IRT'))).toBe(0);
    expect(latvia?.currency).toBe('IRT');
  });

  it('has no price for a country without an override when the account is not in toman', () => {
    const overrides = parsePriceOverrides({ RU: '2.50' }, 'RUB');
    expect(smsPrice(country('RU'), 'RUB', overrides)?.format()).toBe('2.50');
    expect(smsPrice(country('KZ'), 'RUB', overrides)).toBeNull();
  });

  it.each([
    [{ TR: '100' }, /prices\.TR: not a VerifyPlus country/],
    [{ RU: 'cheap' }, /prices\.RU: .*not a decimal/],
    [{ RU: '0' }, /prices\.RU: a price must be positive/],
    [{ RU: '12.5' }, /prices\.RU/],
  ])('refuses %j', (prices, message) => {
    expect(() => parsePriceOverrides(prices, 'IRT')).toThrow(message);
  });
});

describe('smsFromWire', () => {
  it.each([
    ['546533', '546533'],
    ['123-456', '123456'],
    ['Your code is 12345', '12345'],
    ['Telegram code: 48213. Do not give this code to anyone', '48213'],
    ['G-918273 is your Google verification code.', '918273'],
    ['no digits here', null],
  ])('"%s" → code %s', (sms, code) => {
    expect(smsFromWire(sms)).toEqual({ code, text: sms });
  });

  it('takes a JSON number, refuses an empty one', () => {
    expect(smsFromWire(546533).code).toBe('546533');
    expect(() => smsFromWire('')).toThrow(VerifyPlusMappingError);
  });
});
