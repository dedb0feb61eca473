import { findCountry, parseDecimal, pow10 } from '@numbroker/core';
import {
  SimulatorBase,
  SimulatorInputError,
  type SimReply,
  type SimRequest,
} from '../simulator/harness.js';
import { extractCode } from '../simulator/extract-code.js';
import type { SimActivationView, SimOffer, SimulatorOptions } from '../simulator/types.js';

/**
 * How the simulated host speaks the protocol (NOTES.md "The simulator" has the sources):
 * - `classic`: the documented protocol (sms-online.pro / privatesms.vip copies of SMS-Activate's
 *   page): text answers with HTTP 200, getNumberV2 and getActiveActivations.
 * - `strict`: real SMS-Activate: EARLY_CANCEL_DENIED for the first 2 minutes, BAD_STATUS to a
 *   repeated setStatus 6/8, NO_ACTIVATION to a cancel of an activation it auto-cancelled (with a
 *   refund) at the end of its lifetime.
 * - `no-batch`: an older host: BAD_ACTION to getActiveActivations and getNumberV2, and
 *   getPrices as price → count maps.
 * - `herosms`: HeroSMS: errors as JSON `{title, details}` with real HTTP statuses, rows of
 *   getActiveActivations under `data`, getNumberV2 saying its `currency` (ISO numeric).
 */
export type SmsActivateDialect = 'classic' | 'strict' | 'no-batch' | 'herosms';
export const SMS_ACTIVATE_DIALECTS: readonly SmsActivateDialect[] = [
  'classic',
  'strict',
  'no-batch',
  'herosms',
];

/** getPrices nesting: country → service → {cost,count} (classic), country → service →
 *  {"<price>": count} (price-map), or service → country → {cost,count} (service-first). */
export type SmsActivatePricesShape = 'classic' | 'price-map' | 'service-first';

export interface SmsActivateSimulatorOptions extends SimulatorOptions {
  dialect?: SmsActivateDialect;
  /** Refuse setStatus 8 with EARLY_CANCEL_DENIED this long after a buy (default 0, strict
   *  120000). */
  earlyCancelDeniedMs?: number;
  /** Starting balance, decimal string (default "1000.00"). */
  initialBalance?: string;
  /** Default per dialect: price-map for no-batch, classic otherwise. */
  pricesShape?: SmsActivatePricesShape;
  /** HeroSMS's getNumberV2 `currency` (ISO 4217 numeric, default 840 = USD). */
  currencyNumeric?: number;
  /** Where each delivered SMS is also POSTed, as a host does for an account with a webhook
   *  URL set (`setWebhookUrl` changes it later). */
  webhookUrl?: string;
}

/** HeroSMS's HTTP status per error token (privatesms.vip's table and HeroSMS clients: 401
 *  BAD_KEY, 403 BANNED, 404 NO_ACTIVATION / NO_NUMBERS, 400 the rest). */
const HERO_STATUS: Readonly<Record<string, number>> = {
  BAD_KEY: 401,
  BANNED: 403,
  NO_ACTIVATION: 404,
  NO_NUMBERS: 404,
};

const ERROR_DETAILS: Readonly<Record<string, string>> = {
  BAD_KEY: 'Invalid API key',
  BAD_ACTION: 'Unknown action',
  BAD_SERVICE: 'Unknown service',
  BAD_STATUS: 'The activation is not in a state that allows this',
  NO_NUMBERS: 'No numbers available',
  NO_BALANCE: 'Not enough money on the balance',
  NO_ACTIVATION: 'Activation not found',
  WRONG_MAX_PRICE: 'The price is above maxPrice',
  EARLY_CANCEL_DENIED: 'An activation cannot be cancelled in its first 2 minutes',
  ORDER_ALREADY_EXISTS: 'An activation with this orderId already exists',
};

/*
 * The simulator's own reading of the protocol's ids, kept apart from mapping.ts on purpose:
 * a shared table would let the adapter and its fake agree on the same mistake.
 */
// prettier-ignore
const SIM_COUNTRY_IDS: Readonly<Record<string, { id: number; eng: string; rus: string }>> = {
  RU: { id: 0, eng: 'Russia', rus: 'Россия' },
  UA: { id: 1, eng: 'Ukraine', rus: 'Украина' },
  KZ: { id: 2, eng: 'Kazakhstan', rus: 'Казахстан' },
  CN: { id: 3, eng: 'China', rus: 'Китай' },
  PH: { id: 4, eng: 'Philippines', rus: 'Филиппины' },
  ID: { id: 6, eng: 'Indonesia', rus: 'Индонезия' },
  VN: { id: 10, eng: 'Vietnam', rus: 'Вьетнам' },
  GB: { id: 16, eng: 'United Kingdom', rus: 'Великобритания' },
  IN: { id: 22, eng: 'India', rus: 'Индия' },
  DE: { id: 43, eng: 'Germany', rus: 'Германия' },
  IR: { id: 57, eng: 'Iran', rus: 'Иран' },
  TR: { id: 62, eng: 'Turkey', rus: 'Турция' },
  BR: { id: 73, eng: 'Brazil', rus: 'Бразилия' },
  FR: { id: 78, eng: 'France', rus: 'Франция' },
  US: { id: 187, eng: 'United States', rus: 'США' },
};

// prettier-ignore
const SIM_SERVICE_CODES: Readonly<Record<string, { code: string; name: string }>> = {
  telegram: { code: 'tg', name: 'Telegram' },
  whatsapp: { code: 'wa', name: 'Whatsapp' },
  instagram: { code: 'ig', name: 'Instagram+Threads' },
  facebook: { code: 'fb', name: 'facebook' },
  google: { code: 'go', name: 'Google,youtube,Gmail' },
  twitter: { code: 'tw', name: 'Twitter' },
  viber: { code: 'vi', name: 'Viber' },
  wechat: { code: 'wb', name: 'WeChat' },
  microsoft: { code: 'mm', name: 'Microsoft' },
  discord: { code: 'ds', name: 'Discord' },
  tiktok: { code: 'lf', name: 'TikTok/Douyin' },
  openai: { code: 'dr', name: 'OpenAI' },
  yandex: { code: 'ya', name: 'Yandex' },
  other: { code: 'ot', name: 'Any other' },
};

/** `getOperators`: each country's operators, by country id (the simulator's own list). */
// prettier-ignore
const SIM_OPERATORS: Readonly<Record<number, readonly string[]>> = {
  0: ['beeline', 'megafon', 'mts', 'tele2'],
  2: ['activ', 'beeline', 'tele2'],
  6: ['indosat', 'telkomsel', 'xl'],
  22: ['airtel', 'jio', 'vodafone'],
  187: ['tmobile', 'verizon'],
};

/** Stocked on start and after reset(). Costs in the account currency (2 decimals). */
const DEFAULT_OFFERS: readonly SimOffer[] = [
  { service: 'telegram', country: 'RU', cost: '12.50', stock: 100 },
  { service: 'whatsapp', country: 'RU', cost: '25.00', stock: 40 },
  { service: 'telegram', country: 'KZ', cost: '18.00', stock: 12 },
  { service: 'whatsapp', country: 'IN', cost: '9.90', stock: 300 },
  { service: 'google', country: 'US', cost: '30.00', stock: 7 },
  { service: 'instagram', country: 'ID', cost: '8.00', stock: 55 },
  { service: 'telegram', country: 'IR', cost: '45.00', stock: 0 },
];

/** Amounts in hundredths (the simulated account currency has 2 decimals). */
const SCALE = 2;

interface StockEntry {
  countryId: number;
  serviceCode: string;
  cost: bigint;
  stock: number;
}

type SimState = 'waiting' | 'code' | 'retry' | 'cancelled' | 'expired' | 'finished';

interface SimActivation {
  id: string;
  countryId: number;
  serviceCode: string;
  phoneDigits: string;
  cost: bigint;
  createdAt: number;
  state: SimState;
  messages: string[];
  /** getNumberV2's orderId, when the client sent one. */
  orderId?: string;
}

/**
 * A stateful SMS-Activate host: stock and prices per country id and service code, a balance
 * charged at getNumber and refunded on cancel or expiry without a code, text answers with
 * HTTP 200 (JSON for getPrices, getNumberV2, getActiveActivations, getCountries,
 * getServicesList), GET or POST.
 */
export class SmsActivateSimulator extends SimulatorBase {
  protected readonly mountPath = '/stubs/handler_api.php';
  private readonly stock = new Map<string, StockEntry>();
  private readonly activations = new Map<string, SimActivation>();
  /** The activations in the order they were bought. One lifetime for all, so those past it
   *  are always the oldest: a request closes the ones at the front (`ageHead` on) instead of
   *  looking at every activation ever sold (it did, and at 10,000 a buy took a millisecond). */
  private readonly byAge: SimActivation[] = [];
  private ageHead = 0;
  /** getNumberV2 orderIds already used. */
  private readonly orderIds = new Set<string>();
  private balanceMinor = 0n;
  private nextActivationId = 2_000_000_001;
  readonly dialect: SmsActivateDialect;
  private readonly earlyCancelDeniedMs: number;
  private readonly initialBalance: string;
  private readonly pricesShape: SmsActivatePricesShape;
  private readonly currencyNumeric: number;
  private webhookUrl: string | undefined;
  /** SMS callbacks the receiver answered 2xx to. */
  webhooksDelivered = 0;

  constructor(options: SmsActivateSimulatorOptions = {}) {
    super('smsactivate', options);
    this.dialect = options.dialect ?? 'classic';
    this.earlyCancelDeniedMs =
      options.earlyCancelDeniedMs ?? (this.dialect === 'strict' ? 120_000 : 0);
    this.initialBalance = options.initialBalance ?? '1000.00';
    this.pricesShape =
      options.pricesShape ?? (this.dialect === 'no-batch' ? 'price-map' : 'classic');
    this.currencyNumeric = options.currencyNumeric ?? 840;
    this.webhookUrl = options.webhookUrl;
    this.resetState();
  }

  // ---- control --------------------------------------------------------------------------------

  setOffer(offer: SimOffer): void {
    const country = SIM_COUNTRY_IDS[offer.country];
    const service = SIM_SERVICE_CODES[offer.service];
    if (!country)
      throw new SimulatorInputError(`smsactivate simulator: no country id for ${offer.country}`);
    if (!service)
      throw new SimulatorInputError(`smsactivate simulator: no service code for ${offer.service}`);
    if (!Number.isInteger(offer.stock) || offer.stock < 0) {
      throw new SimulatorInputError('stock must be a non-negative integer');
    }
    this.stock.set(stockKey(country.id, service.code), {
      countryId: country.id,
      serviceCode: service.code,
      cost: toMinor(offer.cost),
      stock: offer.stock,
    });
  }

  setBalance(amount: string): void {
    this.balanceMinor = toMinor(amount);
  }

  deliverSms(upstreamRef: string, text: string): void {
    const activation = this.live(upstreamRef);
    if (
      activation.state !== 'waiting' &&
      activation.state !== 'code' &&
      activation.state !== 'retry'
    ) {
      throw new SimulatorInputError(`activation ${upstreamRef} is ${activation.state}`);
    }
    activation.messages.push(text);
    activation.state = 'code';
    if (this.webhookUrl) void this.pushSms(this.webhookUrl, activation, text);
  }

  /** Sets (or, with null, clears) the account's SMS webhook URL. */
  setWebhookUrl(url: string | null): void {
    this.webhookUrl = url ?? undefined;
  }

  /** The protocol's SMS callback: one POST of JSON, retried a few times on a failure (a host
   *  does not wait long for a slow receiver). Never throws. */
  private async pushSms(url: string, activation: SimActivation, text: string): Promise<void> {
    const body = JSON.stringify({
      activationId: Number(activation.id),
      service: activation.serviceCode,
      text,
      code: extractCode(text),
      country: activation.countryId,
      receivedAt: new Date().toISOString().slice(0, 19).replace('T', ' '),
    });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        if (response.ok) {
          this.webhooksDelivered += 1;
          return;
        }
      } catch {
        // Retried below, as for a non-2xx answer.
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
    }
  }

  expireActivation(upstreamRef: string): void {
    const activation = this.live(upstreamRef);
    this.close(activation, 'expired');
  }

  protected upstreamRefs(): string[] {
    return [...this.activations.keys()].map(String);
  }

  activation(upstreamRef: string): SimActivationView | undefined {
    const activation = this.activations.get(upstreamRef);
    if (!activation) return undefined;
    this.applyTtl(activation);
    return {
      ref: activation.id,
      phoneNumber: `+${activation.phoneDigits}`,
      state: activation.state === 'retry' ? 'code' : activation.state,
      messages: [...activation.messages],
    };
  }

  protected resetState(): void {
    this.stock.clear();
    this.activations.clear();
    this.byAge.length = 0;
    this.ageHead = 0;
    this.orderIds.clear();
    for (const offer of DEFAULT_OFFERS) this.setOffer(offer);
    this.balanceMinor = toMinor(this.initialBalance);
  }

  // ---- protocol -------------------------------------------------------------------------------

  protected handle(req: SimRequest): SimReply {
    // Parameters come from the query string, or the form body of a POST.
    const params = new URLSearchParams(req.query);
    for (const [name, value] of req.form) if (!params.has(name)) params.set(name, value);
    if (params.get('api_key') !== this.apiKey) return this.error('BAD_KEY');
    this.expireDue();

    switch (params.get('action') ?? '') {
      case 'getBalance':
        return this.text(`ACCESS_BALANCE:${formatMinor(this.balanceMinor)}`);
      case 'getPrices':
        return this.prices(params.get('service'), params.get('country'));
      case 'getCountries':
        return this.json(
          Object.fromEntries(
            Object.values(SIM_COUNTRY_IDS).map((c) => [
              String(c.id),
              { id: c.id, rus: c.rus, eng: c.eng, visible: 1, retry: 1, rent: 0, multiService: 1 },
            ]),
          ),
        );
      case 'getServicesList':
        return this.json({
          status: 'success',
          services: Object.values(SIM_SERVICE_CODES).map(({ code, name }) => ({ code, name })),
        });
      case 'getNumber':
        return this.getNumber(params, false);
      case 'getNumberV2':
        if (this.dialect === 'no-batch') return this.error('BAD_ACTION');
        return this.getNumber(params, true);
      case 'getStatus':
        return this.getStatus(params.get('id'));
      case 'setStatus':
        return this.setStatus(params.get('id'), params.get('status'));
      case 'getActiveActivations':
        if (this.dialect === 'no-batch') return this.error('BAD_ACTION');
        return this.activeActivations();
      case 'getOperators':
        return this.operators(params.get('country'));
      default:
        return this.error('BAD_ACTION');
    }
  }

  /** An error token as this dialect sends it: a text line with HTTP 200, or HeroSMS's JSON
   *  `{title, details}` with a real HTTP status. */
  private error(token: string, value?: string, info?: Record<string, unknown>): SimReply {
    if (this.dialect !== 'herosms')
      return this.text(value === undefined ? token : `${token}:${value}`);
    return this.json(
      { title: token, details: ERROR_DETAILS[token] ?? token, ...(info ? { info } : {}) },
      HERO_STATUS[token] ?? 400,
    );
  }

  private prices(service: string | null, country: string | null): SimReply {
    // Written by hand so costs go out as JSON number literals with their exact digits
    // (12.5, 9.9), the way the real host prints them.
    const outer = new Map<string, string[]>();
    const entries = [...this.stock.values()]
      .filter((entry) => !service || entry.serviceCode === service)
      .filter((entry) => !country || String(entry.countryId) === country)
      .sort((a, b) => a.countryId - b.countryId || a.serviceCode.localeCompare(b.serviceCode));
    for (const entry of entries) {
      const serviceFirst = this.pricesShape === 'service-first';
      const outerKey = serviceFirst ? entry.serviceCode : String(entry.countryId);
      const innerKey = serviceFirst ? String(entry.countryId) : entry.serviceCode;
      const cell =
        this.pricesShape === 'price-map'
          ? // The free-price map: this price's stock, and a dearer tier with a few more.
            `{"${formatMinor(entry.cost)}":${entry.stock},"${formatMinor(entry.cost * 2n)}":${Math.min(entry.stock, 3)}}`
          : `{"cost":${jsonNumber(entry.cost)},"count":${entry.stock},"physicalCount":${Math.floor(entry.stock / 2)}}`;
      const list = outer.get(outerKey) ?? [];
      list.push(`${JSON.stringify(innerKey)}:${cell}`);
      outer.set(outerKey, list);
    }
    const body = [...outer.entries()]
      .map(([key, cells]) => `${JSON.stringify(key)}:{${cells.join(',')}}`)
      .join(',');
    return { status: 200, text: `{${body}}`, contentType: 'application/json; charset=utf-8' };
  }

  private getNumber(params: URLSearchParams, v2: boolean): SimReply {
    const serviceCode = params.get('service') ?? '';
    if (!Object.values(SIM_SERVICE_CODES).some((s) => s.code === serviceCode)) {
      return this.error('BAD_SERVICE');
    }
    const countryId = Number(params.get('country') ?? '0');
    const entry = this.stock.get(stockKey(countryId, serviceCode));
    if (!entry || entry.stock <= 0) return this.error('NO_NUMBERS');
    // `operator=mts` or a comma list: only those operators' numbers; none of them here is no
    // numbers (what hosts answer), `any` or nothing is no choice.
    const operator = this.operatorFor(countryId, params.get('operator'));
    if (operator === null) return this.error('NO_NUMBERS');
    const maxPrice = params.get('maxPrice');
    if (maxPrice !== null && /^\d+(\.\d{1,2})?$/.test(maxPrice) && toMinor(maxPrice) < entry.cost) {
      return this.error('WRONG_MAX_PRICE', formatMinor(entry.cost), {
        min: formatMinor(entry.cost),
      });
    }
    const orderId = v2 ? (params.get('orderId') ?? undefined) : undefined;
    if (orderId !== undefined && this.orderIds.has(orderId)) {
      return this.error('ORDER_ALREADY_EXISTS');
    }
    if (this.balanceMinor < entry.cost) return this.error('NO_BALANCE');

    this.balanceMinor -= entry.cost;
    entry.stock -= 1;
    const iso = Object.entries(SIM_COUNTRY_IDS).find(([, c]) => c.id === countryId)?.[0] ?? 'RU';
    const country = findCountry(iso);
    const activation: SimActivation = {
      id: String(this.nextActivationId++),
      countryId,
      serviceCode,
      phoneDigits: this.randomPhoneDigits(
        country?.dialingCode ?? '7',
        mobileLength(country?.nationalNumberLengths ?? []),
      ),
      cost: entry.cost,
      createdAt: this.now(),
      state: 'waiting',
      messages: [],
      ...(orderId === undefined ? {} : { orderId }),
    };
    this.activations.set(activation.id, activation);
    this.byAge.push(activation);
    if (orderId !== undefined) this.orderIds.add(orderId);
    this.scheduleAutoDelivery(activation.id);

    if (!v2) return this.text(`ACCESS_NUMBER:${activation.id}:${activation.phoneDigits}`);
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      text:
        `{"activationId":${activation.id},"phoneNumber":"${activation.phoneDigits}",` +
        `"activationCost":${jsonNumber(activation.cost)},"countryCode":"${countryId}",` +
        `"canGetAnotherSms":true,"activationTime":"${formatTime(activation.createdAt)}",` +
        `"activationOperator":${JSON.stringify(operator ?? 'any')}` +
        (this.dialect === 'herosms' ? `,"currency":${this.currencyNumeric}}` : '}'),
    };
  }

  private operators(country: string | null): SimReply {
    const entries = Object.entries(SIM_OPERATORS).filter(
      ([id]) => country === null || id === country,
    );
    if (entries.length === 0) return this.json({ status: 'error', error: 'OPERATORS_NOT_FOUND' });
    return this.json({ status: 'success', countryOperators: Object.fromEntries(entries) });
  }

  /** The operator a getNumber asks for: undefined for no choice, null when the country has none
   *  of the named ones. */
  private operatorFor(countryId: number, param: string | null): string | undefined | null {
    const names = (param ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== '');
    if (names.length === 0 || names.includes('any')) return undefined;
    return names.find((name) => SIM_OPERATORS[countryId]?.includes(name)) ?? null;
  }

  private getStatus(id: string | null): SimReply {
    const activation = id === null ? undefined : this.activations.get(id);
    if (!activation) return this.error('NO_ACTIVATION');
    switch (activation.state) {
      case 'waiting':
        return this.text('STATUS_WAIT_CODE');
      case 'code':
      case 'finished':
        return this.text(`STATUS_OK:${codeOf(activation)}`);
      case 'retry':
        return this.text(`STATUS_WAIT_RETRY:${codeOf(activation)}`);
      case 'cancelled':
      case 'expired':
        return this.text('STATUS_CANCEL');
    }
  }

  private setStatus(id: string | null, status: string | null): SimReply {
    const activation = id === null ? undefined : this.activations.get(id);
    if (!activation) return this.error('NO_ACTIVATION');
    const state = activation.state;
    const strict = this.dialect === 'strict';
    switch (status ?? '') {
      case '1':
        return state === 'waiting' || state === 'retry'
          ? this.text('ACCESS_READY')
          : this.error('BAD_STATUS');
      case '3':
        if (state !== 'code') return this.error('BAD_STATUS');
        activation.state = 'retry';
        return this.text('ACCESS_RETRY_GET');
      case '6':
        // A repeat: the lenient hosts answer the same, SMS-Activate refuses it.
        if (state === 'finished')
          return strict ? this.error('BAD_STATUS') : this.text('ACCESS_ACTIVATION');
        if (state !== 'code' && state !== 'retry') return this.error('BAD_STATUS');
        activation.state = 'finished';
        return this.text('ACCESS_ACTIVATION');
      case '8':
        // Already ended: no host says ACCESS_CANCEL again. An activation SMS-Activate closed
        // itself at the end of its lifetime is gone from setStatus's view.
        if (state === 'expired') return this.error(strict ? 'NO_ACTIVATION' : 'BAD_STATUS');
        if (state !== 'waiting') return this.error('BAD_STATUS');
        if (this.now() - activation.createdAt < this.earlyCancelDeniedMs) {
          return this.error('EARLY_CANCEL_DENIED');
        }
        this.close(activation, 'cancelled');
        return this.text('ACCESS_CANCEL');
      default:
        return this.error('BAD_STATUS');
    }
  }

  private activeActivations(): SimReply {
    const open = [...this.activations.values()].filter(
      (a) => a.state === 'waiting' || a.state === 'code' || a.state === 'retry',
    );
    const hero = this.dialect === 'herosms';
    if (open.length === 0) {
      return this.json(
        hero ? { status: 'success', data: [] } : { status: 'error', error: 'NO_ACTIVATIONS' },
      );
    }
    const rows = open.map((a) => ({
      activationId: a.id,
      serviceCode: a.serviceCode,
      phoneNumber: a.phoneDigits,
      activationCost: formatMinor(a.cost),
      activationStatus: a.state === 'waiting' ? '4' : a.state === 'retry' ? '3' : '1',
      smsCode: a.messages.length > 0 ? a.messages.map(codeOfText) : null,
      smsText: a.messages.length > 0 ? JSON.stringify(a.messages) : null,
      activationTime: formatTime(a.createdAt),
      discount: '0.00',
      repeated: '0',
      countryCode: String(a.countryId),
      countryName: Object.values(SIM_COUNTRY_IDS).find((c) => c.id === a.countryId)?.eng ?? '',
      canGetAnotherSms: '1',
    }));
    return this.json(
      hero ? { status: 'success', data: rows } : { status: 'success', activeActivations: rows },
    );
  }

  // ---- state ----------------------------------------------------------------------------------

  private live(ref: string): SimActivation {
    const activation = this.activations.get(ref);
    if (!activation) throw new SimulatorInputError(`unknown activation ${ref}`);
    this.applyTtl(activation);
    return activation;
  }

  /** Applies the lifetime to every activation past it: the oldest ones (see byAge). */
  private expireDue(): void {
    const now = this.now();
    while (this.ageHead < this.byAge.length) {
      const oldest = this.byAge[this.ageHead]!;
      if (now - oldest.createdAt < this.activationTtlMs) break;
      this.applyTtl(oldest);
      this.ageHead += 1;
    }
    // Past the lifetime an activation stays as it is: forget the front now and then.
    if (this.ageHead > 1024 && this.ageHead * 2 > this.byAge.length) {
      this.byAge.splice(0, this.ageHead);
      this.ageHead = 0;
    }
  }

  /** Past its lifetime an activation closes on its own: refunded when no code came. */
  private applyTtl(activation: SimActivation): void {
    if (this.now() - activation.createdAt < this.activationTtlMs) return;
    if (activation.state === 'waiting') this.close(activation, 'expired');
    else if (activation.state === 'code' || activation.state === 'retry')
      activation.state = 'finished';
  }

  /** Cancel or expiry before a code: money back, the number back in stock. */
  private close(activation: SimActivation, state: 'cancelled' | 'expired'): void {
    if (activation.state === 'cancelled' || activation.state === 'expired') return;
    const refund = activation.state === 'waiting';
    activation.state = state;
    if (!refund) return;
    this.balanceMinor += activation.cost;
    const entry = this.stock.get(stockKey(activation.countryId, activation.serviceCode));
    if (entry) entry.stock += 1;
  }
}

/** A plausible mobile number length: the longest national length up to 10 digits. */
function mobileLength(lengths: readonly number[]): number {
  const fitting = lengths.filter((length) => length >= 7 && length <= 10);
  return fitting.length > 0 ? Math.max(...fitting) : 10;
}

function stockKey(countryId: number, serviceCode: string): string {
  return `${countryId}:${serviceCode}`;
}

function codeOf(activation: SimActivation): string {
  return codeOfText(activation.messages.at(-1) ?? '');
}

/** What the host puts after STATUS_OK: the code it recognised, else the text on one line. */
function codeOfText(text: string): string {
  return extractCode(text) ?? text.replace(/\s+/g, ' ').trim();
}

function toMinor(amount: string): bigint {
  const { units, scale } = parseDecimal(amount, 'simulator amount');
  if (units < 0n) throw new SimulatorInputError(`amount "${amount}" must not be negative`);
  if (scale > SCALE) {
    throw new SimulatorInputError(`amount "${amount}" has more than ${SCALE} decimals`);
  }
  return units * pow10(SCALE - scale);
}

/** 123450n → "1234.50" (getBalance prints two decimals). */
function formatMinor(minor: bigint): string {
  const digits = minor.toString().padStart(SCALE + 1, '0');
  return `${digits.slice(0, -SCALE)}.${digits.slice(-SCALE)}`;
}

/** 1250n → "12.5", 1000n → "10": the shortest exact JSON number literal. */
function jsonNumber(minor: bigint): string {
  return formatMinor(minor).replace(/\.?0+$/, '');
}

/** The host's wall clock: Moscow time (UTC+3), without an offset, as SMS-Activate writes it. */
function formatTime(ms: number): string {
  return new Date(ms + 3 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
}
