import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedAdapter } from '../test-support/fake-adapter.js';
import { startEndpoint, type EndpointHarness } from './test-support/endpoint-harness.js';

/** The rest of the surface a bot written for SMS-Activate may call: reference data, the V2
 *  status, history, the cashback balance, legacy cancel and query-string POSTs. */
describe('SMS-Activate endpoint: the whole bot surface', () => {
  let h: EndpointHarness;
  let key: string;

  beforeAll(async () => {
    h = await startEndpoint({ adapters: [new ScriptedAdapter('upstream-a')] });
    await h.t.stockOffers('upstream-a', [
      { service: 'telegram', country: 'RU', cost: '15000', stock: 7, operator: 'beeline' },
      { service: 'telegram', country: 'RU', cost: '16000', stock: 2, operator: 'mts' },
      { service: 'whatsapp', country: 'RU', cost: '9000', stock: 4 },
      // SMS-Activate lists an operator beside the "any" offer with the same numbers.
      { service: 'whatsapp', country: 'RU', cost: '9000', stock: 4, operator: 'mts' },
      { service: 'telegram', country: 'KZ', cost: '20000', stock: 3, operator: 'tele2' },
      { service: 'google', country: 'KZ', cost: '9000', stock: 0 },
    ]);
    ({ apiKey: key } = await h.t.createFundedUser('bot', '100000'));
  });
  afterAll(async () => {
    await h.close();
  });

  const ask = (params: Record<string, string>) => h.get({ api_key: key, ...params });
  const json = async (params: Record<string, string>): Promise<unknown> => {
    const answer = await ask(params);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    return JSON.parse(answer.body);
  };
  const buy = async () => {
    const match = /^ACCESS_NUMBER:(\d+):\d+$/.exec(
      (await ask({ action: 'getNumber', service: 'tg', country: '0' })).body,
    );
    if (!match) throw new Error('getNumber failed');
    return match[1]!;
  };

  it('getBalanceAndCashBack answers the balance (there is no cashback account)', async () => {
    expect((await ask({ action: 'getBalanceAndCashBack' })).body).toBe('ACCESS_BALANCE:100000');
  });

  it('getNumbersStatus: stock per service code with the _0 suffix, country 0 by default', async () => {
    expect(await json({ action: 'getNumbersStatus' })).toEqual({
      tg_0: '9',
      wa_0: '4',
      go_0: '0',
      ig_0: '0',
    });
    expect(await json({ action: 'getNumbersStatus', country: '2' })).toMatchObject({
      tg_0: '3',
      go_0: '0',
    });
    expect(await json({ action: 'getNumbersStatus', operator: 'mts' })).toMatchObject({
      tg_0: '2',
      wa_0: '4',
    });
    // The same numbers are not counted twice in getPrices either.
    const prices = (await json({ action: 'getPrices', service: 'wa', country: '0' })) as Record<
      string,
      Record<string, { count: number }>
    >;
    expect(prices['0']?.['wa']?.count).toBe(4);
    expect((await ask({ action: 'getNumbersStatus', country: '999' })).body).toBe('BAD_COUNTRY');
  });

  it('getCountries: every country id we can name, keyed by id', async () => {
    const countries = (await json({ action: 'getCountries' })) as Record<string, unknown>;
    expect(Object.keys(countries)).toEqual(['0', '2', '12', '22', '187']);
    expect(countries['0']).toEqual({
      id: 0,
      rus: 'Russia',
      eng: 'Russia',
      chn: 'Russia',
      visible: 1,
      retry: 0,
      rent: 0,
      multiService: 0,
    });
  });

  it('getServicesList: every named service, or those on sale in a country', async () => {
    const all = (await json({ action: 'getServicesList' })) as {
      status: string;
      services: Array<{ code: string; name: string }>;
    };
    expect(all.status).toBe('success');
    expect(all.services.map((service) => service.code).sort()).toEqual(['go', 'ig', 'tg', 'wa']);
    expect(all.services.find((service) => service.code === 'tg')?.name).toBe('Telegram');
    expect(await json({ action: 'getServicesList', country: '2', lang: 'en' })).toEqual({
      status: 'success',
      services: [{ code: 'tg', name: 'Telegram' }],
    });
  });

  it('getOperators: operators on sale per country id; OPERATORS_NOT_FOUND where none', async () => {
    expect(await json({ action: 'getOperators', country: '0' })).toEqual({
      status: 'success',
      countryOperators: { '0': ['beeline', 'mts'] },
    });
    expect(await json({ action: 'getOperators' })).toEqual({
      status: 'success',
      countryOperators: { '0': ['beeline', 'mts'], '2': ['tele2'] },
    });
    expect(await json({ action: 'getOperators', country: '22' })).toEqual({
      status: 'error',
      error: 'OPERATORS_NOT_FOUND',
    });
  });

  it('getStatusV2: JSON with the newest SMS, STATUS_CANCEL once ended unused', async () => {
    const id = await buy();
    expect(await json({ action: 'getStatusV2', id })).toEqual({
      verificationType: 0,
      sms: null,
      call: null,
    });
    await h.deliverCode(await h.orderIdOf(id), '55555', 'Telegram code 55555');
    const status = (await json({ action: 'getStatusV2', id })) as {
      sms: { code: string; text: string; dateTime: string };
    };
    expect(status.sms).toMatchObject({ code: '55555', text: 'Telegram code 55555' });
    expect(status.sms.dateTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const cancelled = await buy();
    expect((await ask({ action: 'setStatus', id: cancelled, status: '8' })).body).toBe(
      'ACCESS_CANCEL',
    );
    expect((await ask({ action: 'getStatusV2', id: cancelled })).body).toBe('STATUS_CANCEL');
    expect((await ask({ action: 'getStatusV2', id: 'x' })).body).toBe('WRONG_ACTIVATION_ID');
  });

  it('setStatus -1 is the legacy cancel', async () => {
    const id = await buy();
    expect((await ask({ action: 'setStatus', id, status: '-1' })).body).toBe('ACCESS_CANCEL');
    expect((await ask({ action: 'getStatus', id })).body).toBe('STATUS_CANCEL');
  });

  it('getHistory: own activations newest first, with paging and a time window', async () => {
    const other = await h.t.createFundedUser('history bot', '100000');
    const mine = (params: Record<string, string>) =>
      h
        .get({ api_key: other.apiKey, action: 'getHistory', ...params })
        .then((answer) => JSON.parse(answer.body) as Array<Record<string, unknown>>);
    expect(await mine({})).toEqual([]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const match = /^ACCESS_NUMBER:(\d+):/.exec(
        (await h.get({ api_key: other.apiKey, action: 'getNumber', service: 'tg', country: '0' }))
          .body,
      );
      ids.push(match![1]!);
    }
    await h.deliverCode(await h.orderIdOf(ids[0]!), '111', 'code 111');
    const history = await mine({});
    expect(history.map((row) => String(row.id))).toEqual([...ids].reverse());
    expect(history.at(-1)).toMatchObject({ sms: '111', status: '6', cost: 16500 });
    expect(history[0]).toMatchObject({ sms: null, status: '4' });
    expect(history[0]!.phone).toMatch(/^\d+$/);
    expect((await mine({ offset: '1', limit: '1' })).map((row) => String(row.id))).toEqual([
      ids[1],
    ]);
    const future = String(Math.floor(Date.now() / 1000) + 3600);
    expect(await mine({ start: future })).toEqual([]);
    expect((await mine({ end: '1' })).length).toBe(0);
    expect((await h.get({ api_key: other.apiKey, action: 'getHistory', start: 'soon' })).body).toBe(
      'BAD_DATA',
    );
  });

  it('POST with every parameter in the query string, as old clients send it', async () => {
    const response = await fetch(
      `${h.endpointUrl}?${new URLSearchParams({ api_key: key, action: 'getBalance' }).toString()}`,
      { method: 'POST' },
    );
    const viaGet = (await ask({ action: 'getBalance' })).body;
    expect(viaGet).toMatch(/^ACCESS_BALANCE:\d+$/);
    expect(await response.text()).toBe(viaGet);
  });
});
