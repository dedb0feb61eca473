import { describe, expect, it } from 'vitest';
import { parseJsonLossless } from '../http/lossless-json.js';
import { errorForHttpStatus, errorForToken } from './errors.js';
import * as examples from './fixtures/documented-examples.js';
import {
  balanceFromValue,
  countryIdsFromCountriesList,
  messageFromValue,
  numberFromV2,
  numberFromValue,
  offersFromPrices,
  parseOfferRef,
  parseTokenAnswer,
  serviceCodeOf,
  statusFromActiveActivation,
  statusFromAnswer,
} from './mapping.js';
import type { ActiveActivation, PricesResponse } from './wire.js';

const context = (operation: 'buy' | 'status' | 'cancel' | 'finish' | 'balance') => ({
  providerId: 'sa',
  operation,
  httpStatus: 200,
  secrets: ['secret-key'],
});

describe('smsactivate mapping of the documented answers', () => {
  it('reads the balance', () => {
    const answer = parseTokenAnswer(examples.BALANCE.body)!;
    expect(answer.token).toBe('ACCESS_BALANCE');
    expect(balanceFromValue(answer.value, 'RUB')?.minor).toBe(examples.BALANCE.minor);
  });

  it('reads getNumber and getNumberV2', () => {
    const answer = parseTokenAnswer(examples.NUMBER.body)!;
    expect(answer.token).toBe('ACCESS_NUMBER');
    expect(numberFromValue(answer.value)).toEqual({
      activationId: examples.NUMBER.activationId,
      phoneNumber: examples.NUMBER.phoneNumber,
    });
    const v2 = numberFromV2(parseJsonLossless(examples.NUMBER_V2.body), 'RUB')!;
    expect(v2.activationId).toBe(examples.NUMBER_V2.activationId);
    expect(v2.phoneNumber).toBe(examples.NUMBER_V2.phoneNumber);
    expect(v2.cost?.minor).toBe(examples.NUMBER_V2.costMinor);
    expect(numberFromValue('635468021')).toBeNull();
    expect(numberFromV2({ activationId: 'x' }, 'RUB')).toBeNull();
  });

  it.each(examples.STATUSES)('reads $body', ({ body, state, code }) => {
    const status = statusFromAnswer(parseTokenAnswer(body)!)!;
    expect(status.state).toBe(state);
    expect(status.messages.map((m) => m.code)).toEqual(code === null ? [] : [code]);
  });

  it('never reads "no code" in words as an SMS', () => {
    expect(statusFromAnswer({ token: 'STATUS_OK', value: 'Нет кода' })).toEqual({
      state: 'code',
      messages: [],
    });
  });

  it('reads a whole SMS text put after STATUS_OK by some hosts', () => {
    expect(messageFromValue('Your Telegram code: 55321. Do not share')).toEqual({
      code: '55321',
      text: 'Your Telegram code: 55321. Do not share',
    });
    expect(statusFromAnswer({ token: 'NO_ACTIVATION', value: null })).toBeNull();
  });

  it('maps getPrices to offers with exact costs, leaving unknown services out', () => {
    const prices = parseJsonLossless(examples.PRICES.body) as PricesResponse;
    const { offers, unknownCountryIds } = offersFromPrices(prices, 'RUB');
    expect(unknownCountryIds).toEqual([]);
    expect(
      offers.map((o) => ({
        service: o.service,
        country: o.country,
        minor: o.cost.minor,
        stock: o.stock,
        ref: o.ref,
      })),
    ).toEqual(examples.PRICES.offers);
    // A plain JSON.parse gives the same here: costs are short decimals.
    const fromFloats = offersFromPrices(JSON.parse(examples.PRICES.body) as PricesResponse, 'RUB');
    expect(fromFloats.offers.map((o) => o.cost.minor)).toEqual(
      examples.PRICES.offers.map((o) => o.minor),
    );
  });

  it('rounds sub-kopeck costs up and skips unreadable ones; reports unknown country ids', () => {
    const prices = parseJsonLossless(
      '{"0":{"tg":{"cost":0.125,"count":3},"wa":{"cost":"n/a","count":1}},"777":{"tg":{"cost":1,"count":1}}}',
    ) as PricesResponse;
    const { offers, unknownCountryIds } = offersFromPrices(prices, 'RUB');
    expect(offers.map((o) => [o.ref, o.cost.minor])).toEqual([['0:tg', 13n]]);
    expect(unknownCountryIds).toEqual(['777']);
    expect(offersFromPrices(prices, 'RUB', { 777: 'MT' }).offers.map((o) => o.country)).toContain(
      'MT',
    );
  });

  it('learns country ids from getCountries by English name', () => {
    expect(
      countryIdsFromCountriesList({
        199: { id: 199, eng: 'Malta' },
        200: { id: 200, eng: 'Atlantis' },
      }),
    ).toEqual({ 199: 'MT' });
  });

  it('reads getActiveActivations rows (codes as lists, texts as JSON-encoded lists)', () => {
    const body = parseJsonLossless(examples.ACTIVE_ACTIVATIONS.body) as {
      activeActivations: ActiveActivation[];
    };
    expect(body.activeActivations.map((row) => statusFromActiveActivation(row))).toEqual(
      examples.ACTIVE_ACTIVATIONS.statuses,
    );
    expect(
      statusFromActiveActivation({
        activationId: 5,
        phoneNumber: '7900',
        smsCode: '777',
        smsText: 'code 777',
      }),
    ).toMatchObject({ state: 'code', messages: [{ code: '777', text: 'code 777' }] });
  });

  it('round-trips offer refs and our slugs', () => {
    expect(parseOfferRef('187:go')).toEqual({ countryId: '187', serviceCode: 'go' });
    expect(parseOfferRef('RU:telegram')).toBeNull();
    expect(serviceCodeOf('telegram')).toBe('tg');
  });
});

describe('smsactivate error table', () => {
  it.each(examples.ERRORS)(
    '$body on $operation → $code',
    ({ body, operation, code, retryable }) => {
      const answer = parseTokenAnswer(body)!;
      const error = errorForToken(answer.token, answer.value, context(operation))!;
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error.operation).toBe(operation);
      expect(error.message).toContain(answer.token);
    },
  );

  it('knows nothing of success tokens, and reads bare HTTP statuses', () => {
    expect(errorForToken('ACCESS_CANCEL', null, context('cancel'))).toBeUndefined();
    expect(errorForHttpStatus('nope', { ...context('status'), httpStatus: 401 }).code).toBe('AUTH');
    expect(errorForHttpStatus('nope', { ...context('status'), httpStatus: 400 }).code).toBe(
      'INVALID_REQUEST',
    );
    expect(errorForHttpStatus('nope', { ...context('status'), httpStatus: 404 }).code).toBe(
      'UNAVAILABLE',
    );
    expect(
      errorForHttpStatus('secret-key', { ...context('status'), httpStatus: 500 }).message,
    ).not.toContain('secret-key');
  });
});
