/**
 * A stateful fake of Shomare.online, strict to its doc (seed 001) where the doc speaks and to
 * the ONE shape NOTES.md assumes where it is silent: `{status, code, message, data}` envelopes,
 * numeric ids, the `token` header, GET everywhere but POST `buy`, the documented statuses
 * (401/-1/402/403/404/405/500). It translates our ids with its own tables, never the adapter's.
 */
import { Money } from '@numbroker/core';
import type { SimActivationView, SimOffer, SimulatorOptions } from '../simulator/types.js';
import {
  SimulatorBase,
  SimulatorInputError,
  extractCode,
  type SimReply,
  type SimRequest,
} from '../simulator/harness.js';
import {
  SHOMARE_BLOCKED_CODE,
  SHOMARE_ENDPOINTS,
  SHOMARE_METHODS,
  SHOMARE_PARAMS,
  SHOMARE_PATH_PARAMS,
  SHOMARE_TOKEN_HEADER,
  type ShomareEndpoint,
  type ShomareParamStyle,
  type SimApplication,
  type SimCancel,
  type SimCheck,
  type SimCountry,
  type SimCountryPrice,
  type SimOperator,
  type SimOrderStatus,
  type SimProductPrice,
  type SimProfile,
  type SimPurchase,
  type SimSms,
} from './wire.js';

/** The upstream's countries (its own ids). */
const COUNTRIES: readonly SimCountry[] = [
  { id: 1, name: 'روسیه', name_en: 'Russia', iso: 'RU', prefix: '7' },
  { id: 2, name: 'ایران', name_en: 'Iran', iso: 'IR', prefix: '98' },
  { id: 3, name: 'آمریکا', name_en: 'United States', iso: 'US', prefix: '1' },
  { id: 4, name: 'انگلستان', name_en: 'United Kingdom', iso: 'GB', prefix: '44' },
  { id: 5, name: 'ترکیه', name_en: 'Turkey', iso: 'TR', prefix: '90' },
  { id: 6, name: 'اندونزی', name_en: 'Indonesia', iso: 'ID', prefix: '62' },
  { id: 7, name: 'قزاقستان', name_en: 'Kazakhstan', iso: 'KZ', prefix: '7' },
  { id: 8, name: 'هلند', name_en: 'Netherlands', iso: 'NL', prefix: '31' },
];

/** Operators belong to a country; "any" gives whichever has numbers. */
const OPERATORS: readonly SimOperator[] = [
  { id: 11, name: 'any', country_id: 1 },
  { id: 12, name: 'mts', country_id: 1 },
  { id: 13, name: 'beeline', country_id: 1 },
  { id: 21, name: 'any', country_id: 2 },
  { id: 22, name: 'همراه اول', country_id: 2 },
  { id: 31, name: 'any', country_id: 3 },
  { id: 41, name: 'any', country_id: 4 },
  { id: 51, name: 'any', country_id: 5 },
  { id: 61, name: 'any', country_id: 6 },
  { id: 71, name: 'any', country_id: 7 },
  { id: 81, name: 'any', country_id: 8 },
];

/** Applications, with the slug of ours each one is (kept out of the wire answer). */
const APPLICATIONS: ReadonlyArray<SimApplication & { slug: string }> = [
  { id: 1, name: 'تلگرام', code: 'telegram', slug: 'telegram' },
  { id: 2, name: 'واتساپ', code: 'whatsapp', slug: 'whatsapp' },
  { id: 3, name: 'اینستاگرام', code: 'instagram', slug: 'instagram' },
  { id: 4, name: 'گوگل', code: 'google', slug: 'google' },
  { id: 5, name: 'فیسبوک', code: 'facebook', slug: 'facebook' },
  { id: 6, name: 'وایبر', code: 'viber', slug: 'viber' },
  { id: 7, name: 'توییتر', code: 'twitter', slug: 'twitter' },
  { id: 8, name: 'دیسکورد', code: 'discord', slug: 'discord' },
  { id: 9, name: 'تیک تاک', code: 'tiktok', slug: 'tiktok' },
  { id: 10, name: 'مایکروسافت', code: 'microsoft', slug: 'microsoft' },
];

/** The stock a fresh simulator sells: [countryId, operatorId, appId, toman, count]. */
const DEFAULT_STOCK: ReadonlyArray<[number, number, number, number, number]> = [
  [1, 11, 1, 25_000, 40],
  [1, 11, 2, 31_000, 25],
  [1, 12, 1, 27_500, 8],
  [1, 11, 4, 9_000, 120],
  [2, 21, 1, 12_000, 15],
  [2, 22, 2, 14_000, 6],
  [3, 31, 2, 45_000, 10],
  [3, 31, 3, 38_000, 12],
  [4, 41, 1, 52_000, 4],
  [5, 51, 2, 29_000, 0],
  [6, 61, 1, 8_500, 300],
  [7, 71, 1, 18_000, 9],
  [8, 81, 5, 21_000, 14],
];

const DEFAULT_BALANCE = 5_000_000n;

/** The upstream's messages (the doc names none; these are the plausible Persian wordings). */
export const SHOMARE_SIM_MESSAGES = {
  ok: 'عملیات با موفقیت انجام شد',
  noNumbers: 'سرویس دهنده شماره خالی جهت ارائه ندارد، کشور یا اپراتور را تغییر دهید',
  wrongMethod: 'نوع درخواست ارسالی صحیح نیست',
  incompleteParams: 'پارامترهای ارسالی ناقص است',
  unknownParams: 'پارامترهای ارسالی در سیستم وجود ندارند',
  unknownPurchase: 'خرید مورد نظر یافت نشد',
  missingToken: 'توکن در هدر درخواست ارسال نشده است',
  lowBalance: 'موجودی کیف پول شما جهت خرید شماره کافی نیست',
  badToken: 'توکن ارسال شده صحیح نیست',
  blocked: 'حساب کاربری شما مسدود شده است',
  cancelAfterSms: 'پیامک این خرید دریافت شده است و امکان لغو آن وجود ندارد',
  alreadyCancelled: 'این خرید قبلا لغو شده است',
} as const;

/** Laravel's page for an unknown route: the doc's "not JSON → wrong endpoint". */
const NOT_FOUND_PAGE =
  '<!DOCTYPE html><html lang="en"><head><title>Not Found</title></head><body><div>404 | Not Found</div></body></html>';

export interface ShomareSimulatorOptions extends SimulatorOptions {
  /**
   * How this host takes ids (the doc allows both, NOTES.md): `query` (default) serves
   * `pricebycountry?country=1&operator=11`, `path` serves `pricebycountry/1/11` (Laravel route
   * parameters). The other form hits no route: the doc's "404 without JSON".
   */
  paramStyle?: ShomareParamStyle;
}

interface SimOrder {
  id: number;
  /** The order reference panels show as `code` (not an SMS code). */
  code: string;
  number: string;
  price: bigint;
  countryId: number;
  operatorId: number;
  appId: number;
  status: SimOrderStatus;
  sms: SimSms[];
  createdAt: number;
}

interface StockEntry {
  price: bigint;
  count: number;
}

export class ShomareSimulator extends SimulatorBase {
  protected readonly mountPath = '/api/';
  private stock = new Map<string, StockEntry>();
  private orders = new Map<string, SimOrder>();
  private balanceToman = DEFAULT_BALANCE;
  private blocked = false;
  private nextOrderId = 5001;
  private readonly paramStyle: ShomareParamStyle;

  constructor(options: ShomareSimulatorOptions = {}) {
    super('shomare', options);
    this.paramStyle = options.paramStyle ?? 'query';
    this.resetState();
  }

  // ---- controls ------------------------------------------------------------------------------

  setOffer(offer: SimOffer): void {
    const country = COUNTRIES.find((item) => item.iso === offer.country.toUpperCase());
    if (!country)
      throw new SimulatorInputError(`shomare simulator sells no country "${offer.country}"`);
    const app = APPLICATIONS.find((item) => item.slug === offer.service);
    if (!app)
      throw new SimulatorInputError(`shomare simulator sells no service "${offer.service}"`);
    const operators = OPERATORS.filter((item) => item.country_id === country.id);
    const operator =
      offer.operator === undefined
        ? operators.find((item) => item.name === 'any')
        : operators.find((item) => item.name === offer.operator);
    if (!operator) {
      throw new SimulatorInputError(
        `shomare simulator has no operator "${offer.operator ?? 'any'}" in ${country.iso}`,
      );
    }
    let price: Money;
    try {
      price = Money.parse(offer.cost, 'IRT');
    } catch (error) {
      throw new SimulatorInputError(`bad cost "${offer.cost}": ${(error as Error).message}`);
    }
    if (!Number.isSafeInteger(offer.stock) || offer.stock < 0) {
      throw new SimulatorInputError(`bad stock ${offer.stock}`);
    }
    this.stock.set(stockKey(country.id, operator.id, app.id), {
      price: price.minor,
      count: offer.stock,
    });
  }

  setBalance(amount: string): void {
    try {
      this.balanceToman = Money.parse(amount, 'IRT').minor;
    } catch (error) {
      throw new SimulatorInputError(`bad balance "${amount}": ${(error as Error).message}`);
    }
  }

  /** The upstream's wallet, in toman (tests check charges and refunds). */
  get balance(): bigint {
    return this.balanceToman;
  }

  /** The doc's blocked account: every call answers 401 with `code: -1`. */
  blockAccount(blocked = true): void {
    this.blocked = blocked;
  }

  deliverSms(upstreamRef: string, text: string): void {
    const order = this.requireOrder(upstreamRef);
    this.expireIfDue(order);
    if (order.status !== 'waiting' && order.status !== 'received') {
      throw new SimulatorInputError(`purchase ${upstreamRef} is ${order.status}: no SMS arrives`);
    }
    order.sms.push({ text, code: extractCode(text), date: formatDate(this.now()) });
    order.status = 'received';
  }

  expireActivation(upstreamRef: string): void {
    const order = this.requireOrder(upstreamRef);
    if (order.status === 'waiting') this.endWithRefund(order, 'expired');
  }

  protected upstreamRefs(): string[] {
    return [...this.orders.keys()].map(String);
  }

  activation(upstreamRef: string): SimActivationView | undefined {
    const order = this.orders.get(upstreamRef);
    if (!order) return undefined;
    this.expireIfDue(order);
    return {
      ref: String(order.id),
      phoneNumber: `+${order.number}`,
      state: VIEW_STATE[order.status],
      messages: order.sms.map((sms) => sms.text),
    };
  }

  protected resetState(): void {
    this.stock = new Map(
      DEFAULT_STOCK.map(([countryId, operatorId, appId, price, count]) => [
        stockKey(countryId, operatorId, appId),
        { price: BigInt(price), count },
      ]),
    );
    this.orders = new Map();
    this.balanceToman = DEFAULT_BALANCE;
    this.blocked = false;
    this.nextOrderId = 5001;
  }

  // ---- the protocol ---------------------------------------------------------------------------

  protected handle(req: SimRequest): SimReply {
    const route = routeOf(req.subPath, this.paramStyle);
    if (route === null)
      return { status: 404, text: NOT_FOUND_PAGE, contentType: 'text/html; charset=UTF-8' };
    const { endpoint } = route;
    const params = (name: string): string | null =>
      this.paramStyle === 'path' ? (route.segments.get(name) ?? null) : param(req, name);
    if (req.method !== SHOMARE_METHODS[endpoint])
      return refuse(405, SHOMARE_SIM_MESSAGES.wrongMethod);
    const token = req.headers[SHOMARE_TOKEN_HEADER];
    if (token === undefined || token === '') return refuse(403, SHOMARE_SIM_MESSAGES.missingToken);
    if (token !== this.apiKey) return refuse(401, SHOMARE_SIM_MESSAGES.badToken);
    if (this.blocked) return refuse(401, SHOMARE_SIM_MESSAGES.blocked, SHOMARE_BLOCKED_CODE);

    switch (endpoint) {
      case 'profile':
        return success<SimProfile>({
          id: 1,
          name: 'کاربر آزمایشی',
          email: 'sim@shomare.test',
          balance: Number(this.balanceToman),
        });
      case 'allcountries':
        return success(COUNTRIES);
      case 'alloperators':
        return success(OPERATORS);
      case 'allapplications':
        return success(APPLICATIONS.map(({ id, name, code }) => ({ id, name, code })));
      case 'pricebycountry':
        return this.priceByCountry(params);
      case 'pricebyproduct':
        return this.priceByProduct(params);
      case 'buy':
        return this.buy(params);
      case 'check':
        return this.check(params);
      case 'cancel':
        return this.cancel(params);
    }
  }

  private priceByCountry(params: ParamReader): SimReply {
    const ids = readIds(params, [SHOMARE_PARAMS.country, SHOMARE_PARAMS.operator]);
    if (ids === null) return refuse(404, SHOMARE_SIM_MESSAGES.incompleteParams);
    const [countryId, operatorId] = ids as [number, number];
    if (!operatorOf(countryId, operatorId)) return refuse(404, SHOMARE_SIM_MESSAGES.unknownParams);
    const rows: SimCountryPrice[] = [];
    for (const app of APPLICATIONS) {
      const entry = this.stock.get(stockKey(countryId, operatorId, app.id));
      if (entry)
        rows.push({
          app_id: app.id,
          app_name: app.name,
          price: Number(entry.price),
          count: entry.count,
        });
    }
    return success(rows);
  }

  private priceByProduct(params: ParamReader): SimReply {
    const ids = readIds(params, [
      SHOMARE_PARAMS.country,
      SHOMARE_PARAMS.operator,
      SHOMARE_PARAMS.application,
    ]);
    if (ids === null) return refuse(404, SHOMARE_SIM_MESSAGES.incompleteParams);
    const [countryId, operatorId, appId] = ids as [number, number, number];
    const entry = this.stock.get(stockKey(countryId, operatorId, appId));
    if (!operatorOf(countryId, operatorId) || !entry)
      return refuse(404, SHOMARE_SIM_MESSAGES.unknownParams);
    return success<SimProductPrice>({
      country_id: countryId,
      operator_id: operatorId,
      app_id: appId,
      price: Number(entry.price),
      count: entry.count,
    });
  }

  private buy(params: ParamReader): SimReply {
    const ids = readIds(params, [
      SHOMARE_PARAMS.country,
      SHOMARE_PARAMS.operator,
      SHOMARE_PARAMS.application,
    ]);
    if (ids === null) return refuse(404, SHOMARE_SIM_MESSAGES.incompleteParams);
    const [countryId, operatorId, appId] = ids as [number, number, number];
    const country = COUNTRIES.find((item) => item.id === countryId);
    const known =
      country && operatorOf(countryId, operatorId) && APPLICATIONS.some((app) => app.id === appId);
    if (!country || !known) return refuse(404, SHOMARE_SIM_MESSAGES.unknownParams);
    const entry = this.stock.get(stockKey(countryId, operatorId, appId));
    // The doc: a 500 from buy means no free number for this country/operator.
    if (!entry || entry.count <= 0) return refuse(500, SHOMARE_SIM_MESSAGES.noNumbers);
    if (this.balanceToman < entry.price) return refuse(402, SHOMARE_SIM_MESSAGES.lowBalance);
    this.balanceToman -= entry.price;
    entry.count -= 1;
    const id = this.nextOrderId++;
    const order: SimOrder = {
      id,
      code: orderReference(id),
      number: this.randomPhoneDigits(country.prefix, country.prefix.length === 1 ? 10 : 9),
      price: entry.price,
      countryId,
      operatorId,
      appId,
      status: 'waiting',
      sms: [],
      createdAt: this.now(),
    };
    this.orders.set(String(order.id), order);
    this.scheduleAutoDelivery(String(order.id));
    return success<SimPurchase>({
      id: order.id,
      code: order.code,
      number: order.number,
      price: Number(order.price),
      country_id: countryId,
      operator_id: operatorId,
      app_id: appId,
      status: order.status,
    });
  }

  private check(params: ParamReader): SimReply {
    const found = this.orderOf(params);
    if ('reply' in found) return found.reply;
    const { order } = found;
    return success<SimCheck>({
      id: order.id,
      code: order.code,
      number: order.number,
      status: order.status,
      // Nothing yet is `null`, as PHP panels write an empty relation: beside the order `code`
      // that is where a reader that takes `code` for the SMS goes wrong.
      sms: order.sms.length === 0 ? null : order.sms.map((sms) => ({ ...sms })),
    });
  }

  private cancel(params: ParamReader): SimReply {
    const found = this.orderOf(params);
    if ('reply' in found) return found.reply;
    const { order } = found;
    if (order.status === 'received') return refuse(400, SHOMARE_SIM_MESSAGES.cancelAfterSms);
    if (order.status !== 'waiting') return refuse(400, SHOMARE_SIM_MESSAGES.alreadyCancelled);
    this.endWithRefund(order, 'canceled');
    return success<SimCancel>({ id: order.id, status: 'canceled', refund: Number(order.price) });
  }

  /** The purchase a check/cancel names, or the refusal to answer with. */
  private orderOf(params: ParamReader): { order: SimOrder } | { reply: SimReply } {
    const id = params(SHOMARE_PARAMS.purchaseId);
    if (id === null) return { reply: refuse(404, SHOMARE_SIM_MESSAGES.incompleteParams) };
    const order = this.orders.get(id);
    if (!order) return { reply: refuse(404, SHOMARE_SIM_MESSAGES.unknownPurchase) };
    this.expireIfDue(order);
    return { order };
  }

  private requireOrder(upstreamRef: string): SimOrder {
    const order = this.orders.get(upstreamRef);
    if (!order) throw new SimulatorInputError(`unknown purchase ${upstreamRef}`);
    return order;
  }

  /** A purchase nobody cancelled ends on its own after the TTL, money back (assumed). */
  private expireIfDue(order: SimOrder): void {
    if (order.status === 'waiting' && this.now() - order.createdAt >= this.activationTtlMs) {
      this.endWithRefund(order, 'expired');
    }
  }

  private endWithRefund(order: SimOrder, status: 'canceled' | 'expired'): void {
    order.status = status;
    this.balanceToman += order.price;
    const entry = this.stock.get(stockKey(order.countryId, order.operatorId, order.appId));
    if (entry) entry.count += 1;
  }
}

const VIEW_STATE: Readonly<Record<SimOrderStatus, SimActivationView['state']>> = {
  waiting: 'waiting',
  received: 'code',
  canceled: 'cancelled',
  expired: 'expired',
};

const ENDPOINTS = new Set<string>(Object.values(SHOMARE_ENDPOINTS));

type ParamReader = (name: string) => string | null;

/** The route a path hits, as a Laravel router would match it: with path-style ids, an endpoint
 *  that takes ids exists only with all its segments; with query-style ids, with none. */
function routeOf(
  subPath: string,
  style: ShomareParamStyle,
): { endpoint: ShomareEndpoint; segments: Map<string, string> } | null {
  const [name = '', ...rest] = subPath.replace(/\/+$/, '').split('/');
  if (!ENDPOINTS.has(name)) return null;
  const endpoint = name as ShomareEndpoint;
  const names = SHOMARE_PATH_PARAMS[endpoint];
  const expected = style === 'path' ? names.length : 0;
  if (rest.length !== expected || rest.some((segment) => segment === '')) return null;
  let values: string[];
  try {
    values = rest.map(decodeURIComponent);
  } catch {
    return null;
  }
  return { endpoint, segments: new Map(values.map((value, index) => [names[index]!, value])) };
}

/** A 6-digit order reference (کد پیگیری) derived from the purchase id. */
function orderReference(id: number): string {
  return String(100_000 + ((id * 7919) % 900_000));
}

function success<T>(data: T): SimReply {
  return { status: 200, json: { status: true, code: 200, message: SHOMARE_SIM_MESSAGES.ok, data } };
}

/** The doc's error envelope: `status` false and `code` = the HTTP status (or -1: blocked). */
function refuse(httpStatus: number, message: string, code: number = httpStatus): SimReply {
  return { status: httpStatus, json: { status: false, code, message } };
}

/** A parameter as a PHP/Laravel backend reads it: body (form or JSON) first, then the query. */
function param(req: SimRequest, name: string): string | null {
  const fromForm = req.form.get(name);
  const fromJson =
    typeof req.json === 'object' && req.json !== null
      ? (req.json as Record<string, unknown>)[name]
      : undefined;
  const value =
    fromForm ??
    (typeof fromJson === 'string' || typeof fromJson === 'number' ? String(fromJson) : null) ??
    req.query.get(name);
  return value === null || value.trim() === '' ? null : value.trim();
}

/** Numeric ids for `names`, or null when one is missing. A non-numeric id is an unknown id (0). */
function readIds(params: ParamReader, names: readonly string[]): number[] | null {
  const values = names.map((name) => params(name));
  if (values.some((value) => value === null)) return null;
  return values.map((value) => (/^\d+$/.test(value!) ? Number(value) : 0));
}

function operatorOf(countryId: number, operatorId: number): SimOperator | undefined {
  return OPERATORS.find((item) => item.id === operatorId && item.country_id === countryId);
}

function stockKey(countryId: number, operatorId: number, appId: number): string {
  return `${countryId}:${operatorId}:${appId}`;
}

/** "2024-05-01 12:30:00" (UTC), the way a PHP backend writes datetimes. */
function formatDate(time: number): string {
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}
