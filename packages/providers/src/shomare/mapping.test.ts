import { readFileSync } from 'node:fs';
import { Money } from '@numbroker/core';
import { describe, expect, it } from 'vitest';
import { parseJsonLossless } from '../http/lossless-json.js';
import { classifyShomareRefusal, shomareError } from './errors.js';
import {
  decodeOfferRef,
  encodeOfferRef,
  mapApplication,
  mapBalance,
  mapCheck,
  mapCountry,
  mapOperator,
  mapPriceRow,
  mapPurchase,
  offerOperatorName,
  offersFromPriceRows,
  operatorsOfCountry,
  readEnvelope,
  readList,
  toE164,
  type ShomareApplication,
  type ShomareCountry,
  type ShomareOperator,
} from './mapping.js';

interface Variant<E> {
  name: string;
  simulator?: boolean;
  httpStatus: number;
  body: unknown;
  expected: E;
  country?: string;
  operation?: string;
}

/** A fixture as the adapter reads it: the body re-serialised and parsed losslessly, so numbers
 *  reach the mappers as decimal text exactly as they do over HTTP. */
function fixture<E>(name: string): { variants: Array<Variant<E>>; context?: unknown } {
  const raw = JSON.parse(
    readFileSync(new URL(`./fixtures/assumed/${name}.json`, import.meta.url), 'utf8'),
  ) as { variants: Array<Variant<E>>; context?: unknown };
  return {
    ...raw,
    variants: raw.variants.map((variant) => ({
      ...variant,
      body: parseJsonLossless(JSON.stringify(variant.body)),
    })),
  };
}

const dataOf = (body: unknown): unknown => {
  const envelope = readEnvelope(body);
  expect(envelope.ok).toBe(true);
  return envelope.data;
};

describe('shomare mapping against the fixtures', () => {
  it.each(fixture<{ balance: string }>('profile').variants)('profile: $name', (variant) => {
    const balance = mapBalance(dataOf(variant.body), 'IRT');
    expect(balance?.equals(Money.parse(variant.expected.balance, 'IRT'))).toBe(true);
  });

  it.each(
    fixture<Array<{ id: string; iso: string | null; dialCode: string | null }>>('allcountries')
      .variants,
  )('allcountries: $name', (variant) => {
    const countries = readList(dataOf(variant.body), ['countries']).map(mapCountry);
    expect(
      countries.map((country) => ({
        id: country?.id,
        iso: country?.iso,
        dialCode: country?.dialCode,
      })),
    ).toEqual(variant.expected);
  });

  it.each(
    fixture<
      Array<{ id: string; countryId: string | null; name: string; offerOperator: string | null }>
    >('alloperators').variants,
  )('alloperators: $name', (variant) => {
    const operators = readList(dataOf(variant.body), ['operators']).map(mapOperator);
    expect(
      operators.map((operator) => ({
        id: operator?.id,
        countryId: operator?.countryId,
        name: operator?.name,
        offerOperator: operator ? (offerOperatorName(operator) ?? null) : undefined,
      })),
    ).toEqual(variant.expected);
  });

  it.each(fixture<Array<{ id: string; slug: string | null }>>('allapplications').variants)(
    'allapplications: $name',
    (variant) => {
      const apps = readList(dataOf(variant.body), ['applications', 'apps']).map(mapApplication);
      expect(apps.map((app) => ({ id: app?.id, slug: app?.slug }))).toEqual(variant.expected);
    },
  );

  const prices =
    fixture<Array<{ service: string; country: string; cost: string; stock: number; ref: string }>>(
      'pricebycountry',
    );
  const priceContext = prices.context as {
    country: ShomareCountry;
    operator: ShomareOperator;
    applications: ShomareApplication[];
  };
  it.each(prices.variants)('pricebycountry: $name', (variant) => {
    const rows = readList(dataOf(variant.body), ['prices', 'services']).map((row) =>
      mapPriceRow(row, 'IRT'),
    );
    const offers = offersFromPriceRows(
      rows,
      priceContext.country,
      priceContext.operator,
      priceContext.applications,
    );
    expect(offers.map((offer) => ({ ...offer, cost: offer.cost.format() }))).toEqual(
      variant.expected,
    );
  });

  it.each(
    fixture<{ upstreamRef: string; phoneNumber: string; cost: string | null }>('buy').variants,
  )('buy: $name', (variant) => {
    const purchase = mapPurchase(dataOf(variant.body), 'IRT');
    expect(purchase).not.toBeNull();
    expect({
      upstreamRef: purchase!.upstreamRef,
      phoneNumber: toE164(purchase!.rawNumber, variant.country ?? null),
      cost: purchase!.cost?.format() ?? null,
    }).toEqual(variant.expected);
  });

  it.each(fixture<{ state: string; codes: string[] }>('check').variants)(
    'check: $name',
    (variant) => {
      const status = mapCheck(dataOf(variant.body), 'ref-1');
      expect(status?.upstreamRef).toBe('ref-1');
      expect({ state: status?.state, codes: status?.messages.map((m) => m.code) }).toEqual(
        variant.expected,
      );
    },
  );

  it.each(fixture<{ ok: boolean }>('cancel').variants)('cancel: $name', (variant) => {
    expect(readEnvelope(variant.body).ok).toBe(variant.expected.ok);
  });

  it.each(fixture<string>('errors').variants)('refusal: $name', (variant) => {
    const envelope = readEnvelope(variant.body);
    expect(envelope.ok).toBe(false);
    const operation = variant.operation as 'buy' | 'status' | 'cancel' | 'catalog' | 'balance';
    const kind = classifyShomareRefusal({
      httpStatus: variant.httpStatus,
      code: envelope.code,
      message: envelope.message,
      isJson: true,
      operation,
    });
    if (variant.expected === 'already-cancelled') {
      expect(kind).toBe('already-cancelled');
      return;
    }
    const error = shomareError(kind, { providerId: 'shomare-test', operation }, '');
    expect(error.constructor.name).toBe(variant.expected);
  });
});

describe('shomare doc error table', () => {
  const table = JSON.parse(
    readFileSync(new URL('./fixtures/doc/error-statuses.json', import.meta.url), 'utf8'),
  ) as {
    rows: Array<{
      httpStatus: number;
      code: number | null;
      json: boolean;
      operation: 'buy' | 'status' | 'catalog' | 'balance';
      en: string;
      expected: string;
    }>;
  };
  it.each(table.rows)('HTTP $httpStatus code $code on $operation ($en)', (row) => {
    const kind = classifyShomareRefusal({
      httpStatus: row.httpStatus,
      code: row.code,
      message: null,
      isJson: row.json,
      operation: row.operation,
    });
    const error = shomareError(kind, { providerId: 'shomare-test', operation: row.operation }, '');
    expect(error.constructor.name).toBe(row.expected);
  });

  it('tells a blocked account from a wrong token only by code -1', () => {
    const blocked = { httpStatus: 401, code: -1, message: null, isJson: true } as const;
    expect(classifyShomareRefusal({ ...blocked, operation: 'balance' })).toBe('blocked');
    expect(classifyShomareRefusal({ ...blocked, code: 401, operation: 'balance' })).toBe(
      'bad-token',
    );
  });

  it('reads 500 as "no numbers" only for a JSON answer to buy', () => {
    const refusal = { httpStatus: 500, code: 500, message: null } as const;
    expect(classifyShomareRefusal({ ...refusal, isJson: true, operation: 'buy' })).toBe(
      'no-numbers',
    );
    expect(classifyShomareRefusal({ ...refusal, isJson: false, operation: 'buy' })).toBe(
      'server-error',
    );
    expect(classifyShomareRefusal({ ...refusal, isJson: true, operation: 'status' })).toBe(
      'server-error',
    );
  });
});

describe('shomare mapping details', () => {
  it('round-trips offer refs, ids with separators included', () => {
    const ids = { country: '1', operator: 'a:b', application: 'x/y' };
    expect(decodeOfferRef(encodeOfferRef(ids))).toEqual(ids);
    expect(decodeOfferRef('1:2')).toBeNull();
    expect(decodeOfferRef('1::3')).toBeNull();
  });

  it('prices a country with its own operators, or with every operator of a global list', () => {
    const country: ShomareCountry = { id: '1', iso: 'RU', dialCode: '7', name: 'Russia' };
    const tied: ShomareOperator[] = [
      { id: '11', countryId: '1', name: 'any' },
      { id: '21', countryId: '2', name: 'any' },
    ];
    expect(operatorsOfCountry(country, tied).map((o) => o.id)).toEqual(['11']);
    const global: ShomareOperator[] = [
      { id: '1', countryId: null, name: 'any' },
      { id: '2', countryId: null, name: 'mts' },
    ];
    expect(operatorsOfCountry(country, global).map((o) => o.id)).toEqual(['1', '2']);
  });

  it('drops rows of applications we do not sell and countries we do not know', () => {
    const row = mapPriceRow({ app_id: '5', price: '1000', count: '1' }, 'IRT');
    const apps: ShomareApplication[] = [{ id: '5', slug: null, name: 'بازی' }];
    const country: ShomareCountry = { id: '1', iso: 'RU', dialCode: '7', name: 'Russia' };
    const operator: ShomareOperator = { id: '11', countryId: '1', name: 'any' };
    expect(offersFromPriceRows([row], country, operator, apps)).toEqual([]);
    const unknown: ShomareCountry = { ...country, iso: null };
    const telegram: ShomareApplication[] = [{ id: '5', slug: 'telegram', name: 'تلگرام' }];
    expect(offersFromPriceRows([row], unknown, operator, telegram)).toEqual([]);
    expect(offersFromPriceRows([row], country, operator, telegram)).toHaveLength(1);
  });

  it('refuses what cannot be a phone number', () => {
    expect(toE164('abc', 'RU')).toBeNull();
    expect(toE164('12', null)).toBeNull();
    // A number of another country than the order's is kept as the upstream wrote it.
    expect(toE164('+989121234567', 'RU')).toBe('+989121234567');
  });

  it('never takes the envelope status for an order state', () => {
    const status = mapCheck(readEnvelope({ status: true, code: 200 }).data, 'r');
    expect(status?.state).toBe('waiting');
  });
});
