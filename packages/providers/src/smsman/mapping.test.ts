import { findCountry, findService, Money } from '@numbroker/core';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  CancelNotAllowed,
  InsufficientUpstreamBalance,
  InvalidRequest,
  NoNumbers,
  NotFound,
  RateLimited,
  Unavailable,
  type ProviderOperation,
} from '../errors.js';
import { parseJsonLossless } from '../http/lossless-json.js';
import { parseRelaxed } from './adapter.js';
import { flattenErrorMessage, smsManError } from './errors.js';
import {
  SMSMAN_SERVICE_TABLE,
  balanceMoney,
  costMoney,
  countryIsoOf,
  entriesOfIdKeyed,
  isoOfCountryName,
  listFromIdKeyed,
  offersFromCatalog,
  parseUpstreamRef,
  parseOfferRef,
  purchaseFromGetNumber,
  readGetSms,
  serviceSlugOf,
  toE164,
} from './mapping.js';
import { fixtureRequest, fixtureText } from './test-support/fixtures.js';
import {
  applicationsResponseSchema,
  balanceResponseSchema,
  countriesResponseSchema,
  errorBodySchema,
  getNumberResponseSchema,
  getSmsResponseSchema,
  limitEntrySchema,
  pricesResponseSchema,
  setStatusResponseSchema,
  SMSMAN_SET_STATUS_VALUES,
} from './wire.js';

/** A doc answer → the error the adapter throws for it. */
function errorFor(fixture: string, operation: ProviderOperation, httpStatus = 200) {
  const body = errorBodySchema.parse(parseJsonLossless(fixtureText(fixture)));
  return smsManError({
    providerId: 'man',
    operation,
    httpStatus,
    errorCode: String(body.error_code),
    errorMessage: flattenErrorMessage(body.error_msg),
  });
}

function refusal(errorCode: string, operation: ProviderOperation, errorMessage = '') {
  return smsManError({ providerId: 'man', operation, httpStatus: 200, errorCode, errorMessage });
}

describe('the doc examples (fixtures) through the mapping', () => {
  it('get-balance: {"balance":"799.70"} is 799.70 RUB', () => {
    const body = balanceResponseSchema.parse(parseJsonLossless(fixtureText('get-balance.ok')));
    expect(balanceMoney(body.balance, 'RUB')?.equals(Money.parse('799.70', 'RUB'))).toBe(true);
  });

  it('wrong_token with a string error_msg is AuthError on every endpoint that shows it', () => {
    for (const fixture of [
      'get-balance.wrong-token',
      'set-status.wrong-token',
      'countries.wrong-token',
      'applications.wrong-token',
    ]) {
      const error = errorFor(fixture, 'balance');
      expect(error, fixture).toBeInstanceOf(AuthError);
      expect(error.upstreamMessage).toBe('wrong_token: Wrong token!');
    }
  });

  it('wrong_token with an object error_msg ({"token": ...}) is AuthError too', () => {
    for (const fixture of [
      'limits.wrong-token',
      'get-number.wrong-token',
      'get-prices.wrong-token',
    ]) {
      const error = errorFor(fixture, 'buy');
      expect(error, fixture).toBeInstanceOf(AuthError);
      expect(error.upstreamMessage).toBe('wrong_token: token: Wrong token!');
      expect(error.retryable).toBe(false);
    }
  });

  it('limits: ids and counts as strings', () => {
    const rows = limitEntrySchema.array().parse(parseJsonLossless(fixtureText('limits.ok')));
    expect(rows.map((row) => [row.country_id, row.application_id, row.numbers])).toEqual([
      ['1', '1', '32302'],
      ['2', '1', '3494'],
    ]);
  });

  it('get-number: request_id 1 and "79002415539" → ref "1", +79002415539', () => {
    const body = getNumberResponseSchema.parse(parseJsonLossless(fixtureText('get-number.ok')));
    expect(purchaseFromGetNumber(body)).toEqual({
      upstreamRef: '1',
      phoneNumber: '+79002415539',
    });
    expect(purchaseFromGetNumber(body, 'RU')?.phoneNumber).toBe('+79002415539');
  });

  it('get-sms: sms_code "1243" is a code; wait_sms is waiting', () => {
    const ok = getSmsResponseSchema.parse(parseJsonLossless(fixtureText('get-sms.ok')));
    expect(readGetSms('1', ok)).toEqual({
      kind: 'status',
      status: { upstreamRef: '1', state: 'code', messages: [{ code: '1243', text: null }] },
    });
    const waiting = getSmsResponseSchema.parse(parseJsonLossless(fixtureText('get-sms.wait-sms')));
    expect(readGetSms('1', waiting)).toEqual({
      kind: 'status',
      status: { upstreamRef: '1', state: 'waiting', messages: [] },
    });
  });

  it('set-status: {"request_id": 1, "success": true}; wrong_status is InvalidRequest', () => {
    const ok = setStatusResponseSchema.parse(parseJsonLossless(fixtureText('set-status.ok')));
    expect(ok.success).toBe(true);
    for (const operation of ['cancel', 'finish', 'report'] as const) {
      const error = errorFor('set-status.wrong-status', operation);
      expect(error, operation).toBeInstanceOf(InvalidRequest);
      expect(error.upstreamMessage).toBe('wrong_status: Status $status does not exists');
    }
  });

  it('the request lines name the doc endpoints and parameters', () => {
    const values = { token: 'T', country_id: '0', application_id: '3', request_id: '1' };
    expect(fixtureRequest('get-number', values)).toEqual({
      endpoint: 'get-number',
      params: new URLSearchParams({ token: 'T', country_id: '0', application_id: '3' }),
    });
    const setStatus = fixtureRequest('set-status', { ...values, status: 'reject' });
    expect(setStatus.endpoint).toBe('set-status');
    expect([...setStatus.params.keys()]).toEqual(['token', 'request_id', 'status']);
    expect(SMSMAN_SET_STATUS_VALUES).toEqual(['ready', 'close', 'reject', 'used']);
  });

  it('get-prices as printed is cut short (a brace is missing): not JSON, not even relaxed', () => {
    const printed = fixtureText('get-prices.ok.as-printed');
    expect(() => parseJsonLossless(printed)).toThrow();
    expect(parseRelaxed(printed)).toBeUndefined();
  });

  it('countries and applications as printed use single quotes: read as relaxed JSON', () => {
    const countriesText = fixtureText('countries.ok.as-printed');
    expect(() => parseJsonLossless(countriesText)).toThrow();
    const countries = listFromIdKeyed(countriesResponseSchema.parse(parseRelaxed(countriesText)));
    expect(countries.map((c) => [String(c.id), countryIsoOf(c)])).toEqual([
      ['0', 'RU'],
      ['3', 'CN'],
    ]);
    const applications = listFromIdKeyed(
      applicationsResponseSchema.parse(parseRelaxed(fixtureText('applications.ok.as-printed'))),
    );
    expect(applications.map((a) => [a.id, a.code, serviceSlugOf(a)])).toEqual([
      ['1', 'vk', 'vk'],
      ['2', 'wb', 'wechat'],
      ['3', 'tg', 'telegram'],
    ]);
  });

  it('get-prices × countries × applications: the outer key is the country, the inner the app', () => {
    const prices = pricesResponseSchema.parse(parseJsonLossless(fixtureText('get-prices.ok')));
    const { offers, skipped } = offersFromCatalog({
      countries: listFromIdKeyed(
        countriesResponseSchema.parse(parseRelaxed(fixtureText('countries.ok.as-printed'))),
      ),
      applications: listFromIdKeyed(
        applicationsResponseSchema.parse(parseRelaxed(fixtureText('applications.ok.as-printed'))),
      ),
      prices: entriesOfIdKeyed(prices).map(([id, products]) => [id, entriesOfIdKeyed(products)]),
      currency: 'RUB',
    });
    expect(offers.map((o) => ({ ...o, cost: o.cost.format() }))).toEqual([
      { service: 'vk', country: 'RU', cost: '15.00', stock: 6455, ref: '0:1' },
      { service: 'wechat', country: 'RU', cost: '50.00', stock: 124, ref: '0:2' },
    ]);
    // Country 1 is not in the doc's /countries example (only Russia 0 and China 3).
    expect(skipped).toEqual([
      { countryId: '1', applicationId: '3', reason: 'country id not in /countries' },
    ]);
  });
});

describe('mapping beyond the examples', () => {
  it('reads JSON-number costs from their decimal text, never through a float', () => {
    const body = parseJsonLossless('{"0":{"3":{"cost":12.5,"count":7}}}');
    const prices = pricesResponseSchema.parse(body);
    const entry = entriesOfIdKeyed(entriesOfIdKeyed(prices)[0]![1])[0]![1]!;
    expect(entry.cost).toBe('12.5');
    expect(costMoney(entry.cost, 'RUB')?.minor).toBe(1250n);
    // A cost with more decimals than kopeks rounds up (never undercut what we pay) ...
    expect(costMoney('0.125', 'RUB')?.format()).toBe('0.13');
    // ... a balance rounds down (never count money we lack).
    expect(balanceMoney('799.705', 'RUB')?.format()).toBe('799.70');
    expect(balanceMoney('-0.005', 'RUB')?.format()).toBe('-0.01');
    expect(costMoney('abc', 'RUB')).toBeNull();
  });

  it('accepts id-keyed objects and PHP arrays for every list', () => {
    const keyed = countriesResponseSchema.parse({
      '1': { id: '1', title: 'Russia', code: 'ru' },
      '5': { title: 'USA' },
    });
    expect(listFromIdKeyed(keyed).map((c) => [String(c.id), countryIsoOf(c)])).toEqual([
      ['1', 'RU'],
      ['5', 'US'],
    ]);
    const asArray = pricesResponseSchema.parse([{ '3': { cost: '6', count: 1 } }]);
    expect(entriesOfIdKeyed(asArray).map(([id]) => id)).toEqual(['0']);
    const apps = applicationsResponseSchema.parse({ '3': { title: 'Telegram', code: 'tg' } });
    expect(listFromIdKeyed(apps).map((a) => [a.id, serviceSlugOf(a)])).toEqual([['3', 'telegram']]);
  });

  it('maps country titles the service spells its own way to ISO codes core knows', () => {
    const cases: Array<[string, string | null]> = [
      ['Russia', 'RU'],
      ['Russian Federation', 'RU'],
      ['USA', 'US'],
      ['USA (virtual)', 'US'],
      ['United States', 'US'],
      ['England', 'GB'],
      ['United Kingdom', 'GB'],
      ['Turkey', 'TR'],
      ['Germany', 'DE'],
      ['Czech Republic', 'CZ'],
      ['Ivory Coast', 'CI'],
      ["Côte d'Ivoire", 'CI'],
      ['Hong Kong', 'HK'],
      ['Myanmar', 'MM'],
      ['Vietnam', 'VN'],
      ['South Korea', 'KR'],
      ['Bosnia and Herzegovina', 'BA'],
      ['Iran', 'IR'],
      ['Atlantis', null],
    ];
    for (const [title, iso] of cases) expect(isoOfCountryName(title), title).toBe(iso);
    expect(countryIsoOf({ id: 9, code: 'kz' })).toBe('KZ');
    expect(countryIsoOf({ id: 9, code: 'uk' })).toBe('GB');
    expect(countryIsoOf({ id: 9, code: 'zz' })).toBeNull();
  });

  it('maps services by name first, then by code, and only to core slugs', () => {
    expect(serviceSlugOf({ id: 1, name: 'WhatsApp', code: 'zz' })).toBe('whatsapp');
    expect(serviceSlugOf({ id: 1, title: 'Tik Tok' })).toBe('tiktok');
    expect(serviceSlugOf({ id: 1, name: 'Unknown thing', code: 'ig' })).toBe('instagram');
    expect(serviceSlugOf({ id: 1, name: 'Any other', code: 'ot' })).toBe('other');
    expect(serviceSlugOf({ id: 1, name: 'Unknown thing', code: 'zzz' })).toBeNull();
    for (const { slug } of SMSMAN_SERVICE_TABLE) {
      expect(findService(slug)?.slug, slug).toBe(slug);
    }
  });

  it('only ever produces ISO codes that core has', () => {
    for (const title of ['Kosovo', 'Congo', 'DR Congo', 'Macau', 'Palestine', 'UAE']) {
      const iso = isoOfCountryName(title);
      expect(iso, title).not.toBeNull();
      expect(findCountry(iso!)?.iso, title).toBe(iso);
    }
  });

  it('writes numbers as E.164', () => {
    expect(toE164('79002415539')).toBe('+79002415539');
    expect(toE164('+7 900 241-55-39')).toBe('+79002415539');
    expect(toE164('9002415539', 'RU')).toBe('+79002415539');
    expect(toE164('905551234567', 'TR')).toBe('+905551234567');
    expect(toE164('abc')).toBeNull();
    expect(toE164('')).toBeNull();
    expect(toE164(undefined)).toBeNull();
  });

  it('offer and activation refs', () => {
    expect(parseOfferRef('0:3')).toEqual({ countryId: '0', applicationId: '3' });
    expect(parseOfferRef('187:04')).toEqual({ countryId: '187', applicationId: '4' });
    expect(parseOfferRef('telegram')).toBeNull();
    expect(parseUpstreamRef('42')).toBe('42');
    expect(parseUpstreamRef('0')).toBeNull();
    expect(parseUpstreamRef('4x')).toBeNull();
  });

  it('reads ended requests in get-sms as their state', () => {
    const echo = { request_id: '1', number: '79002415539' };
    const stateOf = (errorCode: string) => {
      const reading = readGetSms('1', { ...echo, error_code: errorCode });
      return reading.kind === 'status' ? reading.status.state : `error:${reading.errorCode}`;
    };
    expect(stateOf('request_rejected')).toBe('cancelled');
    expect(stateOf('request_expired')).toBe('expired');
    expect(stateOf('Wait SMS')).toBe('waiting');
    expect(stateOf('wrong_request_id')).toBe('error:wrong_request_id');
    expect(readGetSms('1', {})).toEqual({ kind: 'error', errorCode: '' });
  });
});

describe('the error table', () => {
  it('maps the codes the service uses beyond the doc', () => {
    expect(refusal('no_numbers', 'buy')).toBeInstanceOf(NoNumbers);
    expect(refusal('no_free_phones', 'buy')).toBeInstanceOf(NoNumbers);
    expect(refusal('not_enough_balance', 'buy')).toBeInstanceOf(InsufficientUpstreamBalance);
    expect(refusal('NO-MONEY', 'buy')).toBeInstanceOf(InsufficientUpstreamBalance);
    expect(refusal('bad_token', 'catalog')).toBeInstanceOf(AuthError);
    expect(refusal('wrong_request_id', 'status')).toBeInstanceOf(NotFound);
    expect(refusal('wrong_request_id', 'buy')).toBeInstanceOf(InvalidRequest);
    expect(refusal('wrong_country_id', 'buy')).toBeInstanceOf(InvalidRequest);
    expect(refusal('too_many_requests', 'status')).toBeInstanceOf(RateLimited);
  });

  it('matches messages when the code is unknown or missing', () => {
    expect(refusal('', 'buy', 'No numbers, try again')).toBeInstanceOf(NoNumbers);
    expect(refusal('x17', 'balance', 'token: Wrong token!')).toBeInstanceOf(AuthError);
    expect(refusal('', 'buy', 'Not enough money on balance')).toBeInstanceOf(
      InsufficientUpstreamBalance,
    );
  });

  it('refusals of a reject are CancelNotAllowed only for cancel; too early may be retried', () => {
    const afterCode = refusal('wrong_request_status', 'cancel', 'SMS already received');
    expect(afterCode).toBeInstanceOf(CancelNotAllowed);
    expect(afterCode.retryable).toBe(false);
    const early = refusal('too_early', 'cancel');
    expect(early).toBeInstanceOf(CancelNotAllowed);
    expect(early.retryable).toBe(true);
    expect(refusal('wrong_request_status', 'finish')).toBeInstanceOf(InvalidRequest);
  });

  it('reads a bare HTTP status, and leaves anything unknown Unavailable (maybe sent)', () => {
    const bare = (httpStatus: number, operation: ProviderOperation) =>
      smsManError({ providerId: 'man', operation, httpStatus, errorCode: '', errorMessage: '' });
    expect(bare(401, 'balance')).toBeInstanceOf(AuthError);
    expect(bare(403, 'buy')).toBeInstanceOf(AuthError);
    expect(bare(402, 'buy')).toBeInstanceOf(InsufficientUpstreamBalance);
    expect(bare(404, 'status')).toBeInstanceOf(NotFound);
    expect(bare(404, 'catalog')).toBeInstanceOf(InvalidRequest);
    const unknown = refusal('something_new', 'buy', 'whatever happened');
    expect(unknown).toBeInstanceOf(Unavailable);
    expect((unknown as Unavailable).surelyNotSent).toBe(false);
    expect(unknown.message).toContain('something_new');
  });
});
