import { Money } from '@numbroker/core';
import { describe, expect, it } from 'vitest';
import { parseJsonLossless } from '../http/lossless-json.js';
import {
  activationStatusFromShiz,
  isoCountryFromShiz,
  offerFromShiz,
  purchaseFromShiz,
  serviceSlugFromShiz,
  smsCodeFromOrder,
  statusKindFromShiz,
  toE164,
  wireId,
} from './mapping.js';
import { loadFixture } from './test-support/fixtures.js';
import {
  shizBuyResponseSchema,
  shizCountrySchema,
  shizMessageResponseSchema,
  shizNumberSchema,
  shizOrderDetailResponseSchema,
  shizOrderListItemSchema,
  shizServiceSchema,
  shizUserResponseSchema,
  type ShizOrder,
} from './wire.js';

/** Each doc example as a plain JSON.parse gives it, and as the HTTP client's lossless parse does
 *  (every number a decimal string): the mapping must read both alike. */
function bothParses(name: string): Array<[string, unknown]> {
  const plain = loadFixture(name);
  return [
    ['plain', plain],
    ['lossless', parseJsonLossless(JSON.stringify(plain))],
  ];
}

const ORDER_34 = {
  upstreamRef: '34',
  state: 'code',
  messages: [{ code: '21341', text: 'Your account verification code is 21341' }],
};

describe('ShizNumber mapping against the doc examples', () => {
  it.each(bothParses('get-numbers.response.json5'))('GET numbers (%s) → offers', (_, body) => {
    const offers = (body as unknown[]).map((entry) =>
      offerFromShiz(shizNumberSchema.parse(entry), 'IRT'),
    );
    expect(offers).toEqual([
      {
        ok: true,
        offer: {
          service: 'facebook',
          country: 'TR',
          operator: 'shiz62',
          cost: Money.parse('64400', 'IRT'),
          stock: 3,
          ref: '57172',
        },
      },
      {
        ok: true,
        offer: {
          service: 'telegram',
          country: 'AF',
          cost: Money.parse('42000', 'IRT'),
          stock: 4606,
          ref: '57237',
        },
      },
    ]);
  });

  it.each(bothParses('get-number-57172.response.json5'))('GET numbers/57172 (%s)', (_, body) => {
    const mapped = offerFromShiz(shizNumberSchema.parse(body), 'IRT');
    expect(mapped).toMatchObject({ ok: true, offer: { ref: '57172', service: 'facebook' } });
  });

  it.each(bothParses('post-number-57172.response.json5'))(
    'POST numbers/57172 (%s) → purchase with an E.164 number built from dialing_code',
    (_, body) => {
      const response = shizBuyResponseSchema.parse(body);
      expect(response.message).toBe('شماره مورد نظر با موفقیت سفارش داده شد');
      expect(purchaseFromShiz(response.order, 'IRT')).toEqual({
        upstreamRef: '34',
        phoneNumber: '+84923255262',
        cost: Money.parse('19500', 'IRT'),
      });
    },
  );

  it.each([
    ...bothParses('get-order-34.response.json5'),
    ...bothParses('get-order-50.response.json5'),
  ])('GET orders/{id} (%s) → a code, though the status says waiting', (_, body) => {
    const order = shizOrderDetailResponseSchema.parse(body);
    expect(activationStatusFromShiz(order)).toEqual({ status: ORDER_34 });
  });

  it.each(bothParses('get-orders.response.json5'))(
    'GET orders (%s): elements shaped like the buy answer',
    (_, body) => {
      const orders = (body as unknown[]).map((entry) => shizOrderListItemSchema.parse(entry));
      expect(orders.map((order) => activationStatusFromShiz(order).status)).toEqual([ORDER_34]);
    },
  );

  it.each(bothParses('get-user.response.json5'))('GET user (%s) → balance', (_, body) => {
    const user = shizUserResponseSchema.parse(body);
    expect(Money.parse(String(user.balance), 'IRT')).toEqual(Money.parse('27200', 'IRT'));
  });

  it('PUT cancel/report answers carry the doc messages', () => {
    expect(
      shizMessageResponseSchema.parse(loadFixture('put-order-50-cancel.response.json5')).message,
    ).toBe('سفارش با موفقیت لغو و مبلغ آن به کیف پول پس داده شد');
    expect(
      shizMessageResponseSchema.parse(loadFixture('put-order-50-report.response.json5')).message,
    ).toBe('سفارش با موفقیت گزارش و مبلغ آن به کیف پول پس داده شد');
  });

  it('services and countries parse, their slugs and ISO codes map', () => {
    const services = (loadFixture('get-services.response.json5') as unknown[]).map((entry) =>
      shizServiceSchema.parse(entry),
    );
    expect(services.map((service) => serviceSlugFromShiz(service.slug))).toEqual([
      'facebook',
      'telegram',
      'microsoft',
    ]);
    expect(
      serviceSlugFromShiz(
        shizServiceSchema.parse(loadFixture('get-service-telegram.response.json5')).slug,
      ),
    ).toBe('telegram');
    const countries = (loadFixture('get-countries.response.json5') as unknown[]).map((entry) =>
      shizCountrySchema.parse(entry),
    );
    expect(countries.map((country) => isoCountryFromShiz(country.iso_code))).toEqual([
      'AF',
      'AO',
      'AR',
    ]);
    expect(
      shizCountrySchema.parse(loadFixture('get-country-telegram.response.json5')).iso_code,
    ).toBe('AF');
  });
});

describe('ShizNumber mapping rules', () => {
  it('drops services we do not sell and codes that are not ISO', () => {
    const number = shizNumberSchema.parse(loadFixture('get-number-57172.response.json5'));
    expect(offerFromShiz({ ...number, service: { slug: 'payoneer' } }, 'IRT')).toMatchObject({
      ok: false,
      shizService: 'payoneer',
    });
    expect(offerFromShiz({ ...number, service: { slug: 'divar' } }, 'IRT')).toMatchObject({
      ok: true,
      offer: { service: 'divar' },
    });
    expect(
      offerFromShiz({ ...number, country: { ...number.country, iso_code: 'TUR' } }, 'IRT'),
    ).toMatchObject({ ok: false, shizCountry: 'TUR' });
    expect(offerFromShiz({ ...number, price: 0 }, 'IRT')).toMatchObject({ ok: false });
    expect(offerFromShiz({ ...number, count: null }, 'IRT')).toMatchObject({
      ok: true,
      offer: { stock: 0 },
    });
    expect(isoCountryFromShiz('uk')).toBe('GB');
    expect(isoCountryFromShiz('XX')).toBeUndefined();
    expect(serviceSlugFromShiz('Telegram')).toBe('telegram');
    expect(serviceSlugFromShiz('epic_games')).toBe('epicgames');
    expect(serviceSlugFromShiz(' Gmail ')).toBe('google');
  });

  it('reads ids written as numbers or decimal text, and nothing else', () => {
    expect(wireId(57172)).toBe('57172');
    expect(wireId('57172')).toBe('57172');
    expect(wireId('57172.0')).toBe('57172');
    expect(wireId('57172.5')).toBeNull();
    expect(wireId('SO-XDHJZSO')).toBeNull();
    expect(wireId(null)).toBeNull();
  });

  it.each([
    ['923255262', '+84', '+84923255262'],
    ['923255262', '84', '+84923255262'],
    ['923255262', 84, '+84923255262'],
    ['0923255262', '+84', '+84923255262'],
    ['84923255262', '+84', '+84923255262'],
    ['+84 923 255 262', '+84', '+84923255262'],
    ['0084923255262', null, '+84923255262'],
    ['9161234567', '+7', '+79161234567'],
    ['89161234567', '+7', '+79161234567'],
    ['0612345678', '+39', '+390612345678'],
    [5551234567, '+90', '+905551234567'],
  ])('toE164(%j, %j) = %s', (national, code, e164) => {
    expect(toE164(national, code)).toBe(e164);
  });

  it.each([
    // Brazil: area code 55 (Rio Grande do Sul) + a 9-digit mobile is an 11-digit national number.
    ['55991234567', '+55', 'BR', '+5555991234567'],
    ['55991234567', '+55', null, '+5555991234567'],
    ['5555991234567', '+55', 'BR', '+5555991234567'],
    ['11987654321', '+55', 'BR', '+5511987654321'],
    ['5511987654321', '+55', 'BR', '+5511987654321'],
    // Where no national number has 11 digits, a leading code is still taken off.
    ['79161234567', '+7', 'RU', '+79161234567'],
    ['989121234567', '+98', 'IR', '+989121234567'],
    ['09121234567', '+98', 'IR', '+989121234567'],
  ])('toE164(%j, %j, %j) = %s, read with the order’s country', (national, code, iso, e164) => {
    expect(toE164(national, code, iso)).toBe(e164);
  });

  it('keeps a Brazilian number whose area code is 55 whole in a bought order', () => {
    const response = shizBuyResponseSchema.parse(loadFixture('post-number-57172.response.json5'));
    const order = response.order;
    const brazilian = {
      ...order,
      ordered_number: '55991234567',
      number: {
        ...order.number,
        country: { ...order.number.country, iso_code: 'BR', dialing_code: '+55' },
      },
    };
    // Before: "+55991234567", a number that does not exist.
    expect(purchaseFromShiz(brazilian, 'IRT').phoneNumber).toBe('+5555991234567');
  });

  it("falls back on core's dialing code when the answer has none", () => {
    const response = shizBuyResponseSchema.parse(loadFixture('post-number-57172.response.json5'));
    const order = response.order;
    const withoutCode = {
      ...order,
      number: { ...order.number, country: { ...order.number.country, dialing_code: null } },
    };
    expect(purchaseFromShiz(withoutCode, 'IRT').phoneNumber).toBe('+84923255262');
  });

  it('refuses numbers it cannot make E.164', () => {
    expect(() => toE164('923255262', null)).toThrow(/dialing code/);
    expect(() => toE164('12', '+84')).toThrow(/E\.164/);
  });

  const order = (fields: Partial<ShizOrder>): ShizOrder => ({
    ...shizOrderDetailResponseSchema.parse(loadFixture('get-order-34.response.json5')),
    ...fields,
  });

  it.each([
    [21341, 'Your account verification code is 21341', '21341'],
    ['21341', null, '21341'],
    [1234, 'Your code is 01234', '01234'],
    [1234, 'Code 1234 (ref 001234)', '1234'],
    [null, 'Your code is 5566', '5566'],
    ['', 'کد شما ۴۵۶۷۸ است', '45678'],
    [0, null, null],
    [null, null, null],
    ['AB-12', null, 'AB-12'],
  ])('sms_code %j with text %j → code %j', (code, text, expected) => {
    expect(smsCodeFromOrder({ sms_code: code, sms_code_str: text })).toBe(expected);
  });

  it.each([
    [{ name: 'waiting', fa_name: 'در حال انجام' }, 'waiting'],
    [{ name: 'Completed' }, 'done'],
    [{ name: 'canceled' }, 'cancelled'],
    [{ name: 'expired' }, 'expired'],
    [{ name: 'reported' }, 'reported'],
    [{ name: 'x1', fa_name: 'در\u200cحال انجام' }, 'waiting'],
    [{ name: 'x2', fa_name: 'لغو شده' }, 'cancelled'],
    [{ name: 'x3', fa_name: 'منقضي شده' }, 'expired'],
    [{ name: 'x4', fa_name: 'انجام شد' }, 'done'],
    [{ name: 'x5', fa_name: 'گزارش شده' }, 'reported'],
    [{ name: 'x6' }, undefined],
  ])('status %j is %s', (status, kind) => {
    expect(statusKindFromShiz(status)).toBe(kind);
  });

  it('decides the state by the code first, then by the status name', () => {
    const noCode = { sms_code: null, sms_code_str: null };
    const state = (fields: Partial<ShizOrder>) =>
      activationStatusFromShiz(order(fields)).status.state;
    expect(state({ ...noCode, status: { name: 'waiting' } })).toBe('waiting');
    expect(state({ status: { name: 'waiting' } })).toBe('code');
    expect(state({ status: { name: 'completed' } })).toBe('code');
    expect(state({ status: { name: 'expired' } })).toBe('code');
    expect(state({ ...noCode, status: { name: 'expired' } })).toBe('expired');
    expect(state({ ...noCode, status: { name: 'canceled' } })).toBe('cancelled');
    expect(state({ status: { name: 'reported' } })).toBe('cancelled');
    const unknown = activationStatusFromShiz(order({ ...noCode, status: { name: 'limbo' } }));
    expect(unknown).toMatchObject({ status: { state: 'waiting' }, unknownStatus: 'limbo' });
  });
});
