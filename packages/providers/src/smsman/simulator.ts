/**
 * A stateful fake of SMS-Man's `control/` API, strict to its doc (seeds/004): the `token`
 * parameter on every call, the doc's exact answers and refusals (`wrong_token` with a string or
 * an object `error_msg` as each endpoint shows it, `wait_sms` / "Still waiting...",
 * `wrong_status` / "Status $status does not exists"), costs and balance as decimal strings in
 * RUB. What the doc leaves open is decided once here and written down in NOTES.md.
 *
 * Its tables of countries and applications are its own (the doc's Russia=0, China=3,
 * Vkontakte=1, WeChat=2, Telegram=3, then more in the same numbering), never the adapter's
 * mapping, so the two cannot share one misreading.
 */
import { Money } from '@numbroker/core';
import {
  SimulatorBase,
  SimulatorInputError,
  extractCode,
  type SimReply,
  type SimRequest,
} from '../simulator/harness.js';
import type { SimActivationView, SimOffer, SimulatorOptions } from '../simulator/types.js';
import {
  SMSMAN_DOC_ERROR_CODES,
  SMSMAN_ENDPOINTS,
  SMSMAN_EXTRA_ERROR_CODES,
  SMSMAN_SET_STATUS_VALUES,
  type SmsManSetStatus,
} from './wire.js';

interface SimCountry {
  id: number;
  title: string;
  iso: string;
  dialingCode: string;
  nationalLength: number;
}

interface SimApplication {
  id: number;
  name: string;
  code: string;
  slug: string;
}

/** [id, title, ISO, dialing code, national number length]. 0 Russia and 3 China are the doc's;
 *  the rest follow the same (SMS-Activate family) numbering. Titles are the service's English
 *  ones, not ISO names ("USA", "England", "Turkey"). */
// prettier-ignore
const COUNTRY_ROWS: ReadonlyArray<readonly [number, string, string, string, number]> = [
  [0, 'Russia', 'RU', '7', 10],
  [1, 'Ukraine', 'UA', '380', 9],
  [2, 'Kazakhstan', 'KZ', '7', 10],
  [3, 'China', 'CN', '86', 11],
  [4, 'Philippines', 'PH', '63', 10],
  [6, 'Indonesia', 'ID', '62', 10],
  [7, 'Malaysia', 'MY', '60', 9],
  [8, 'Kenya', 'KE', '254', 9],
  [10, 'Vietnam', 'VN', '84', 9],
  [11, 'Kyrgyzstan', 'KG', '996', 9],
  [15, 'Poland', 'PL', '48', 9],
  [16, 'England', 'GB', '44', 10],
  [19, 'Nigeria', 'NG', '234', 10],
  [21, 'Egypt', 'EG', '20', 10],
  [22, 'India', 'IN', '91', 10],
  [31, 'South Africa', 'ZA', '27', 9],
  [32, 'Romania', 'RO', '40', 9],
  [35, 'Azerbaijan', 'AZ', '994', 9],
  [36, 'Canada', 'CA', '1', 10],
  [40, 'Uzbekistan', 'UZ', '998', 9],
  [43, 'Germany', 'DE', '49', 10],
  [48, 'Netherlands', 'NL', '31', 9],
  [51, 'Belarus', 'BY', '375', 9],
  [52, 'Thailand', 'TH', '66', 9],
  [53, 'Saudi Arabia', 'SA', '966', 9],
  [56, 'Spain', 'ES', '34', 9],
  [57, 'Iran', 'IR', '98', 10],
  [60, 'Bangladesh', 'BD', '880', 10],
  [62, 'Turkey', 'TR', '90', 10],
  [66, 'Pakistan', 'PK', '92', 10],
  [73, 'Brazil', 'BR', '55', 11],
  [78, 'France', 'FR', '33', 9],
  [86, 'Italy', 'IT', '39', 10],
  [95, 'United Arab Emirates', 'AE', '971', 9],
  [117, 'Portugal', 'PT', '351', 9],
  [128, 'Georgia', 'GE', '995', 9],
  [148, 'Armenia', 'AM', '374', 8],
  [175, 'Australia', 'AU', '61', 9],
  [182, 'Japan', 'JP', '81', 10],
  [187, 'USA', 'US', '1', 10],
  [190, 'South Korea', 'KR', '82', 10],
];

/** [id, name, code, our slug]. 1–3 are the doc's; the rest use SMS-Activate's service codes. */
// prettier-ignore
const APPLICATION_ROWS: ReadonlyArray<readonly [number, string, string, string]> = [
  [1, 'Vkontakte', 'vk', 'vk'],
  [2, 'WeChat', 'wb', 'wechat'],
  [3, 'Telegram', 'tg', 'telegram'],
  [4, 'WhatsApp', 'wa', 'whatsapp'],
  [5, 'Instagram', 'ig', 'instagram'],
  [6, 'Facebook', 'fb', 'facebook'],
  [7, 'Google', 'go', 'google'],
  [8, 'Viber', 'vi', 'viber'],
  [9, 'TikTok', 'lf', 'tiktok'],
  [10, 'Twitter', 'tw', 'twitter'],
  [11, 'Discord', 'ds', 'discord'],
  [12, 'Microsoft', 'mm', 'microsoft'],
  [13, 'Yahoo', 'mb', 'yahoo'],
  [14, 'Amazon', 'am', 'amazon'],
  [15, 'OpenAI', 'dr', 'openai'],
  [16, 'Uber', 'ub', 'uber'],
  [17, 'Netflix', 'nf', 'netflix'],
  [18, 'LinkedIn', 'tn', 'linkedin'],
  [19, 'Snapchat', 'fu', 'snapchat'],
  [20, 'Signal', 'bw', 'signal'],
  [21, 'Apple', 'wx', 'apple'],
  [22, 'PayPal', 'ts', 'paypal'],
  [23, 'Steam', 'mt', 'steam'],
  [24, 'Tinder', 'oi', 'tinder'],
  [25, 'Line', 'me', 'line'],
  [26, 'KakaoTalk', 'kt', 'kakaotalk'],
  [27, 'Yandex', 'ya', 'yandex'],
  [28, 'Odnoklassniki', 'ok', 'ok'],
  [29, 'Avito', 'av', 'avito'],
  [30, 'Mail.ru', 'ma', 'mailru'],
  [31, 'Any other', 'ot', 'other'],
];

/** Stock at start: the doc's get-prices example (Russia: Vkontakte 15, WeChat 50; country 1:
 *  Telegram 6), then a few products the tests and the demo buy. [country id, app id, cost, count] */
// prettier-ignore
const DEFAULT_STOCK: ReadonlyArray<readonly [number, number, string, number]> = [
  [0, 1, '15', 6455],
  [0, 2, '50', 124],
  [1, 3, '6', 1000],
  [0, 3, '12.50', 500],
  [0, 4, '35', 300],
  [0, 5, '9.75', 800],
  [187, 4, '45.50', 120],
  [187, 3, '30', 200],
  [22, 3, '11', 900],
  [6, 4, '18.20', 400],
  [62, 3, '25', 150],
];

/** The doc's get-balance example. */
const DEFAULT_BALANCE = '799.70';
const CURRENCY = 'RUB';

type SimState = SimActivationView['state'];

interface Activation {
  id: number;
  countryId: number;
  applicationId: number;
  /** International digits without "+", as the doc shows numbers. */
  number: string;
  state: SimState;
  messages: string[];
  codes: string[];
  cost: Money;
  createdAt: number;
}

/** How an endpoint words `wrong_token`: the doc shows a string for some, an object for others. */
const TOKEN_ERROR_AS_OBJECT = new Set<string>([
  SMSMAN_ENDPOINTS.limits,
  SMSMAN_ENDPOINTS.getNumber,
  SMSMAN_ENDPOINTS.prices,
]);

export class SmsManSimulator extends SimulatorBase {
  protected readonly mountPath = '/control/';

  private readonly countries: readonly SimCountry[] = COUNTRY_ROWS.map(
    ([id, title, iso, dialingCode, nationalLength]) => ({
      id,
      title,
      iso,
      dialingCode,
      nationalLength,
    }),
  );
  private readonly applications: readonly SimApplication[] = APPLICATION_ROWS.map(
    ([id, name, code, slug]) => ({ id, name, code, slug }),
  );
  /** "<country_id>:<application_id>" → product. */
  private readonly stock = new Map<string, { cost: Money; count: number }>();
  private readonly activations = new Map<number, Activation>();
  private balanceMoney = Money.parse(DEFAULT_BALANCE, CURRENCY);
  private nextRequestId = 1;

  constructor(options: SimulatorOptions = {}) {
    super('smsman', options);
    this.resetState();
  }

  // ---- the protocol ----------------------------------------------------------------------------

  protected handle(req: SimRequest): SimReply {
    // "POST or GET": parameters come from the query string or an urlencoded body.
    const params = new URLSearchParams(req.query);
    for (const [name, value] of req.form) if (!params.has(name)) params.set(name, value);
    const endpoint = req.subPath.replace(/\/+$/, '');

    if (!isEndpoint(endpoint)) {
      return this.json(
        { success: false, error_code: SMSMAN_EXTRA_ERROR_CODES.notFound, error_msg: 'Not found' },
        404,
      );
    }
    // "All requests must have the API key as the token parameter."
    if (params.get('token') !== this.apiKey) {
      return this.json({
        success: false,
        error_code: SMSMAN_DOC_ERROR_CODES.wrongToken,
        error_msg: TOKEN_ERROR_AS_OBJECT.has(endpoint) ? { token: 'Wrong token!' } : 'Wrong token!',
      });
    }
    switch (endpoint) {
      case SMSMAN_ENDPOINTS.balance:
        return this.json({ balance: this.balanceMoney.format() });
      case SMSMAN_ENDPOINTS.limits:
        return this.limits(params);
      case SMSMAN_ENDPOINTS.getNumber:
        return this.getNumber(params);
      case SMSMAN_ENDPOINTS.getSms:
        return this.getSms(params);
      case SMSMAN_ENDPOINTS.setStatus:
        return this.setStatus(params);
      case SMSMAN_ENDPOINTS.prices:
        return this.prices(params);
      case SMSMAN_ENDPOINTS.countries:
        return this.json(this.countries.map(({ id, title }) => ({ id, title })));
      case SMSMAN_ENDPOINTS.applications:
        return this.json(
          this.applications.map(({ id, name, code }) => ({ id: String(id), name, code })),
        );
    }
  }

  private limits(params: URLSearchParams): SimReply {
    const filter = this.productFilter(params);
    if ('error' in filter) return filter.error;
    const rows: Array<{ application_id: string; country_id: string; numbers: string }> = [];
    for (const [key, product] of this.stock) {
      const [countryId, applicationId] = splitKey(key);
      if (!filter.matches(countryId, applicationId)) continue;
      rows.push({
        application_id: String(applicationId),
        country_id: String(countryId),
        numbers: String(product.count),
      });
    }
    return this.json(rows);
  }

  private prices(params: URLSearchParams): SimReply {
    const filter = this.productFilter(params, { application: false });
    if ('error' in filter) return filter.error;
    const byCountry: Record<string, Record<string, { cost: string; count: number }>> = {};
    for (const [key, product] of this.stock) {
      const [countryId, applicationId] = splitKey(key);
      if (!filter.matches(countryId, applicationId)) continue;
      (byCountry[String(countryId)] ??= {})[String(applicationId)] = {
        cost: costText(product.cost),
        count: product.count,
      };
    }
    return this.json(byCountry);
  }

  private getNumber(params: URLSearchParams): SimReply {
    const filter = this.productFilter(params);
    if ('error' in filter) return filter.error;
    // Both ids are optional in the doc: without them, the cheapest product that fits is sold.
    const candidates = [...this.stock.entries()]
      .map(([key, product]) => ({ ids: splitKey(key), product }))
      .filter(({ ids, product }) => filter.matches(ids[0], ids[1]) && product.count > 0)
      .sort((a, b) => a.product.cost.compare(b.product.cost));
    const chosen = candidates[0];
    if (!chosen) return this.refusal(SMSMAN_EXTRA_ERROR_CODES.noNumbers, 'No numbers, try again');
    if (this.balanceMoney.compare(chosen.product.cost) < 0) {
      return this.refusal(SMSMAN_EXTRA_ERROR_CODES.notEnoughBalance, 'Not enough balance');
    }
    const [countryId, applicationId] = chosen.ids;
    const country = this.countries.find((c) => c.id === countryId);
    if (!country) return this.refusal(SMSMAN_EXTRA_ERROR_CODES.noNumbers, 'No numbers, try again');

    // Paid at the purchase; given back by reject / expiry before any SMS (NOTES.md).
    this.balanceMoney = this.balanceMoney.minus(chosen.product.cost);
    chosen.product.count -= 1;
    const activation: Activation = {
      id: this.nextRequestId++,
      countryId,
      applicationId,
      number: this.uniqueNumber(country),
      state: 'waiting',
      messages: [],
      codes: [],
      cost: chosen.product.cost,
      createdAt: this.now(),
    };
    this.activations.set(activation.id, activation);
    this.scheduleAutoDelivery(String(activation.id));
    return this.json({
      request_id: activation.id,
      country_id: countryId,
      application_id: applicationId,
      number: activation.number,
    });
  }

  private getSms(params: URLSearchParams): SimReply {
    const activation = this.requestOf(params);
    if (!activation) return this.wrongRequestId();
    const echo = {
      request_id: activation.id,
      country_id: activation.countryId,
      application_id: activation.applicationId,
      number: activation.number,
    };
    switch (activation.state) {
      case 'waiting':
        return this.json({
          ...echo,
          error_code: SMSMAN_DOC_ERROR_CODES.waitSms,
          error_msg: 'Still waiting...',
        });
      case 'code':
      case 'finished':
        return this.json({ ...echo, sms_code: activation.codes.at(-1) ?? '' });
      case 'cancelled':
      case 'reported':
        return this.json({
          ...echo,
          error_code: SMSMAN_EXTRA_ERROR_CODES.requestRejected,
          error_msg: 'Request was rejected',
        });
      case 'expired':
        return this.json({
          ...echo,
          error_code: SMSMAN_EXTRA_ERROR_CODES.requestExpired,
          error_msg: 'Request expired',
        });
    }
  }

  private setStatus(params: URLSearchParams): SimReply {
    const status = params.get('status') ?? '';
    if (!isSetStatus(status)) {
      // The doc's own words, grammar included.
      return this.refusal(SMSMAN_DOC_ERROR_CODES.wrongStatus, `Status ${status} does not exists`);
    }
    const activation = this.requestOf(params);
    if (!activation) return this.wrongRequestId();
    const refuse = (why: string): SimReply =>
      this.refusal(SMSMAN_EXTRA_ERROR_CODES.wrongRequestStatus, why);
    const ended = activation.state !== 'waiting' && activation.state !== 'code';
    if (ended) return refuse(`Request is already closed (${activation.state})`);

    switch (status) {
      case 'ready':
        // "The number is ready / the SMS was sent": nothing changes in our model.
        break;
      case 'reject':
        if (activation.state === 'code') {
          return refuse('SMS already received, the request cannot be rejected');
        }
        this.end(activation, 'cancelled');
        break;
      case 'close':
        if (activation.state !== 'code') {
          return refuse('No SMS received yet, reject the request instead');
        }
        this.end(activation, 'finished');
        break;
      case 'used':
        // "The number is already used at the service": the customer could not use it, so it
        // comes before an SMS and ends like a reject (refunded). After an SMS it makes no sense.
        if (activation.state === 'code') {
          return refuse('SMS already received, the number cannot be marked used');
        }
        this.end(activation, 'cancelled');
        break;
    }
    return this.json({ request_id: activation.id, success: true });
  }

  // ---- control ---------------------------------------------------------------------------------

  setOffer(offer: SimOffer): void {
    const application = this.applications.find((a) => a.slug === offer.service);
    if (!application) {
      throw new SimulatorInputError(`SMS-Man simulator has no application for "${offer.service}"`);
    }
    const iso = typeof offer.country === 'string' ? offer.country.toUpperCase() : '';
    const country = this.countries.find((c) => c.iso === iso);
    if (!country) {
      throw new SimulatorInputError(`SMS-Man simulator has no country for "${offer.country}"`);
    }
    if (!Number.isSafeInteger(offer.stock) || offer.stock < 0) {
      throw new SimulatorInputError(`stock must be a non-negative integer, got ${offer.stock}`);
    }
    let cost: Money;
    try {
      cost = Money.parse(offer.cost, CURRENCY);
    } catch (error) {
      throw new SimulatorInputError(error instanceof Error ? error.message : String(error));
    }
    this.stock.set(productKey(country.id, application.id), { cost, count: offer.stock });
  }

  setBalance(amount: string): void {
    try {
      this.balanceMoney = Money.parse(amount, CURRENCY);
    } catch (error) {
      throw new SimulatorInputError(error instanceof Error ? error.message : String(error));
    }
  }

  deliverSms(upstreamRef: string, text: string): void {
    const activation = this.activationByRef(upstreamRef);
    if (!activation) throw new SimulatorInputError(`unknown SMS-Man request ${upstreamRef}`);
    if (activation.state !== 'waiting' && activation.state !== 'code') {
      throw new SimulatorInputError(`request ${upstreamRef} is ${activation.state}`);
    }
    activation.messages.push(text);
    activation.codes.push(extractCode(text) ?? text.trim());
    activation.state = 'code';
  }

  expireActivation(upstreamRef: string): void {
    const activation = this.activationByRef(upstreamRef);
    if (!activation) throw new SimulatorInputError(`unknown SMS-Man request ${upstreamRef}`);
    if (activation.state === 'waiting' || activation.state === 'code') {
      this.end(activation, 'expired');
    }
  }

  protected upstreamRefs(): string[] {
    return [...this.activations.keys()].map(String);
  }

  activation(upstreamRef: string): SimActivationView | undefined {
    const activation = this.activationByRef(upstreamRef);
    if (!activation) return undefined;
    return {
      ref: String(activation.id),
      phoneNumber: `+${activation.number}`,
      state: activation.state,
      messages: [...activation.messages],
    };
  }

  /** The balance as the upstream holds it (tests check charges and refunds). */
  get balance(): string {
    return this.balanceMoney.format();
  }

  protected resetState(): void {
    this.stock.clear();
    for (const [countryId, applicationId, cost, count] of DEFAULT_STOCK) {
      this.stock.set(productKey(countryId, applicationId), {
        cost: Money.parse(cost, CURRENCY),
        count,
      });
    }
    this.activations.clear();
    this.balanceMoney = Money.parse(DEFAULT_BALANCE, CURRENCY);
    this.nextRequestId = 1;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** A refusal in the doc's error envelope. */
  private refusal(errorCode: string, message: string): SimReply {
    return this.json({ success: false, error_code: errorCode, error_msg: message });
  }

  private wrongRequestId(): SimReply {
    return this.refusal(SMSMAN_EXTRA_ERROR_CODES.wrongRequestId, 'Wrong request_id');
  }

  /** country_id / application_id, both optional; an unknown one is refused, not ignored. */
  private productFilter(
    params: URLSearchParams,
    accepts: { application: boolean } = { application: true },
  ): { matches: (countryId: number, applicationId: number) => boolean } | { error: SimReply } {
    const countryText = params.get('country_id');
    const applicationText = accepts.application ? params.get('application_id') : null;
    const countryId = optionalId(countryText);
    const applicationId = optionalId(applicationText);
    if (countryId === null || (countryId !== undefined && !this.hasCountry(countryId))) {
      return {
        error: this.json({
          success: false,
          error_code: SMSMAN_EXTRA_ERROR_CODES.wrongCountryId,
          error_msg: { country_id: 'Wrong country_id!' },
        }),
      };
    }
    if (
      applicationId === null ||
      (applicationId !== undefined && !this.applications.some((a) => a.id === applicationId))
    ) {
      return {
        error: this.json({
          success: false,
          error_code: SMSMAN_EXTRA_ERROR_CODES.wrongApplicationId,
          error_msg: { application_id: 'Wrong application_id!' },
        }),
      };
    }
    return {
      matches: (c, a) =>
        (countryId === undefined || c === countryId) &&
        (applicationId === undefined || a === applicationId),
    };
  }

  private hasCountry(id: number): boolean {
    return this.countries.some((country) => country.id === id);
  }

  private requestOf(params: URLSearchParams): Activation | undefined {
    const id = optionalId(params.get('request_id'));
    if (id === undefined || id === null) return undefined;
    return this.current(this.activations.get(id));
  }

  private activationByRef(ref: string): Activation | undefined {
    const id = optionalId(ref);
    if (id === undefined || id === null) return undefined;
    return this.current(this.activations.get(id));
  }

  /** Applies the TTL on read: a request with no SMS in time expires and is refunded. */
  private current(activation: Activation | undefined): Activation | undefined {
    if (
      activation?.state === 'waiting' &&
      this.now() - activation.createdAt >= this.activationTtlMs
    ) {
      this.end(activation, 'expired');
    }
    return activation;
  }

  /** Ends a request; money comes back only when no SMS came (reject, used, expiry alike). */
  private end(activation: Activation, state: SimState): void {
    if (activation.codes.length === 0) {
      this.balanceMoney = this.balanceMoney.plus(activation.cost);
      const product = this.stock.get(productKey(activation.countryId, activation.applicationId));
      if (product) product.count += 1;
    }
    activation.state = state;
  }

  private uniqueNumber(country: SimCountry): string {
    const taken = new Set([...this.activations.values()].map((a) => a.number));
    for (;;) {
      const digits = this.randomPhoneDigits(country.dialingCode, country.nationalLength);
      if (!taken.has(digits)) return digits;
    }
  }
}

function isEndpoint(
  value: string,
): value is (typeof SMSMAN_ENDPOINTS)[keyof typeof SMSMAN_ENDPOINTS] {
  return (Object.values(SMSMAN_ENDPOINTS) as string[]).includes(value);
}

function isSetStatus(value: string): value is SmsManSetStatus {
  return (SMSMAN_SET_STATUS_VALUES as readonly string[]).includes(value);
}

/** undefined when absent or empty, null when not a non-negative integer. */
function optionalId(text: string | null): number | undefined | null {
  if (text === null || text.trim() === '') return undefined;
  if (!/^\d{1,9}$/.test(text.trim())) return null;
  return Number(text.trim());
}

function productKey(countryId: number, applicationId: number): string {
  return `${countryId}:${applicationId}`;
}

function splitKey(key: string): [number, number] {
  const [country = '', application = ''] = key.split(':');
  return [Number(country), Number(application)];
}

/** "15" for whole roubles (as the doc prints), "12.50" otherwise. */
function costText(cost: Money): string {
  const text = cost.format();
  return text.endsWith('.00') ? text.slice(0, -3) : text;
}
