import { findCountry, parseDecimal, pow10 } from '@numbroker/core';
import {
  SimulatorBase,
  SimulatorInputError,
  type SimReply,
  type SimRequest,
} from '../simulator/harness.js';
import { extractCode } from '../simulator/extract-code.js';
import type { SimActivationView, SimOffer, SimulatorOptions } from '../simulator/types.js';

export interface SmsActivateSimulatorOptions extends SimulatorOptions {
  /** Refuse setStatus 8 with EARLY_CANCEL_DENIED this long after a buy (default 0: never). */
  earlyCancelDeniedMs?: number;
  /** Starting balance, decimal string (default "1000.00"). */
  initialBalance?: string;
  /** Where each delivered SMS is also POSTed, as a host does for an account with a webhook
   *  URL set (`setWebhookUrl` changes it later). */
  webhookUrl?: string;
}

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
  private balanceMinor = 0n;
  private nextActivationId = 2_000_000_001;
  private readonly earlyCancelDeniedMs: number;
  private readonly initialBalance: string;
  private webhookUrl: string | undefined;
  /** SMS callbacks the receiver answered 2xx to. */
  webhooksDelivered = 0;

  constructor(options: SmsActivateSimulatorOptions = {}) {
    super('smsactivate', options);
    this.earlyCancelDeniedMs = options.earlyCancelDeniedMs ?? 0;
    this.initialBalance = options.initialBalance ?? '1000.00';
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

  deliverSms(activationRef: string, text: string): void {
    const activation = this.live(activationRef);
    if (
      activation.state !== 'waiting' &&
      activation.state !== 'code' &&
      activation.state !== 'retry'
    ) {
      throw new SimulatorInputError(`activation ${activationRef} is ${activation.state}`);
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

  expireActivation(activationRef: string): void {
    const activation = this.live(activationRef);
    this.close(activation, 'expired');
  }

  activation(activationRef: string): SimActivationView | undefined {
    const activation = this.activations.get(activationRef);
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
    for (const offer of DEFAULT_OFFERS) this.setOffer(offer);
    this.balanceMinor = toMinor(this.initialBalance);
  }

  // ---- protocol -------------------------------------------------------------------------------

  protected handle(req: SimRequest): SimReply {
    // Parameters come from the query string, or the form body of a POST.
    const params = new URLSearchParams(req.query);
    for (const [name, value] of req.form) if (!params.has(name)) params.set(name, value);
    if (params.get('api_key') !== this.apiKey) return this.text('BAD_KEY');
    for (const activation of this.activations.values()) this.applyTtl(activation);

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
      case 'getNumberV2':
        return this.getNumber(params, params.get('action') === 'getNumberV2');
      case 'getStatus':
        return this.getStatus(params.get('id'));
      case 'setStatus':
        return this.setStatus(params.get('id'), params.get('status'));
      case 'getActiveActivations':
        return this.activeActivations();
      default:
        return this.text('BAD_ACTION');
    }
  }

  private prices(service: string | null, country: string | null): SimReply {
    // Written by hand so costs go out as JSON number literals with their exact digits
    // (12.5, 9.9), the way the real host prints them.
    const byCountry = new Map<number, string[]>();
    for (const entry of this.stock.values()) {
      if (service && entry.serviceCode !== service) continue;
      if (country && String(entry.countryId) !== country) continue;
      const list = byCountry.get(entry.countryId) ?? [];
      list.push(
        `${JSON.stringify(entry.serviceCode)}:{"cost":${jsonNumber(entry.cost)},"count":${entry.stock},"physicalCount":${Math.floor(entry.stock / 2)}}`,
      );
      byCountry.set(entry.countryId, list);
    }
    const body = [...byCountry.entries()]
      .sort(([a], [b]) => a - b)
      .map(([id, services]) => `"${id}":{${services.join(',')}}`)
      .join(',');
    return { status: 200, text: `{${body}}`, contentType: 'application/json; charset=utf-8' };
  }

  private getNumber(params: URLSearchParams, v2: boolean): SimReply {
    const serviceCode = params.get('service') ?? '';
    if (!Object.values(SIM_SERVICE_CODES).some((s) => s.code === serviceCode)) {
      return this.text('BAD_SERVICE');
    }
    const countryId = Number(params.get('country') ?? '0');
    const entry = this.stock.get(stockKey(countryId, serviceCode));
    if (!entry || entry.stock <= 0) return this.text('NO_NUMBERS');
    const maxPrice = params.get('maxPrice');
    if (maxPrice !== null && /^\d+(\.\d+)?$/.test(maxPrice) && toMinor(maxPrice) < entry.cost) {
      return this.text(`WRONG_MAX_PRICE:${formatMinor(entry.cost)}`);
    }
    if (this.balanceMinor < entry.cost) return this.text('NO_BALANCE');

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
    };
    this.activations.set(activation.id, activation);
    this.scheduleAutoDelivery(activation.id);

    if (!v2) return this.text(`ACCESS_NUMBER:${activation.id}:${activation.phoneDigits}`);
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      text:
        `{"activationId":${activation.id},"phoneNumber":"${activation.phoneDigits}",` +
        `"activationCost":${jsonNumber(activation.cost)},"countryCode":"${countryId}",` +
        `"canGetAnotherSms":true,"activationTime":"${formatTime(activation.createdAt)}",` +
        `"activationOperator":"any"}`,
    };
  }

  private getStatus(id: string | null): SimReply {
    const activation = id === null ? undefined : this.activations.get(id);
    if (!activation) return this.text('NO_ACTIVATION');
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
    if (!activation) return this.text('NO_ACTIVATION');
    const state = activation.state;
    switch (status ?? '') {
      case '1':
        return state === 'waiting' || state === 'retry'
          ? this.text('ACCESS_READY')
          : this.text('BAD_STATUS');
      case '3':
        if (state !== 'code') return this.text('BAD_STATUS');
        activation.state = 'retry';
        return this.text('ACCESS_RETRY_GET');
      case '6':
        if (state === 'finished') return this.text('ACCESS_ACTIVATION');
        if (state !== 'code' && state !== 'retry') return this.text('BAD_STATUS');
        activation.state = 'finished';
        return this.text('ACCESS_ACTIVATION');
      case '8':
        if (state === 'cancelled' || state === 'expired') return this.text('ACCESS_CANCEL');
        if (state !== 'waiting') return this.text('BAD_STATUS');
        if (this.now() - activation.createdAt < this.earlyCancelDeniedMs) {
          return this.text('EARLY_CANCEL_DENIED');
        }
        this.close(activation, 'cancelled');
        return this.text('ACCESS_CANCEL');
      default:
        return this.text('BAD_STATUS');
    }
  }

  private activeActivations(): SimReply {
    const open = [...this.activations.values()].filter(
      (a) => a.state === 'waiting' || a.state === 'code' || a.state === 'retry',
    );
    if (open.length === 0) return this.json({ status: 'error', error: 'NO_ACTIVATIONS' });
    return this.json({
      status: 'success',
      activeActivations: open.map((a) => ({
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
      })),
    });
  }

  // ---- state ----------------------------------------------------------------------------------

  private live(ref: string): SimActivation {
    const activation = this.activations.get(ref);
    if (!activation) throw new SimulatorInputError(`unknown activation ${ref}`);
    this.applyTtl(activation);
    return activation;
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

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
