/**
 * A stateful fake of ShizNumber's REST API, strict to its doc (seed 000): the `X-API-KEY`
 * checks with the doc's 404/403 messages, its catalog of "numbers" with stock and prices in
 * toman, buying with POST numbers/{id} (the wallet is charged at once), orders that wait until an
 * SMS is delivered, cancel/report with their refunds and 422 refusals, and the list, services
 * and countries endpoints. Its tables translate OUR ids to ShizNumber's on their own — they are
 * deliberately not the adapter's mapping, so the two cannot share one misreading.
 *
 * Where the doc is silent the choices are written down in NOTES.md ("Simulator choices").
 */
import { randomInt } from 'node:crypto';
import { Money } from '@numbroker/core';
import type { SimActivationView, SimOffer, SimulatorOptions } from '../simulator/types.js';
import {
  SimulatorBase,
  SimulatorInputError,
  extractCode,
  type SimReply,
  type SimRequest,
} from '../simulator/harness.js';
import { formatGregorianTehran, formatJalali } from './jalali-date.js';

/** The doc's messages, verbatim. */
export const SHIZ_SIM_MESSAGES = {
  apiKeyMissing: 'کلید API یافت نشد',
  apiKeyWrong: 'کلید API اشتباه می باشد',
  ordered: 'شماره مورد نظر با موفقیت سفارش داده شد',
  numberNotOrderable: 'این شماره را نمیتوان سفارش داد',
  numberNotFound: 'شماره یافت نشد',
  walletShort: 'اعتبار کیف پول شما کافی نیست',
  orderNotFound: 'کاربر فاقد سفارش مورد نظر می باشد',
  orderEnded: 'سفارش مورد نظر شما به اتمام رسیده است',
  cancelTooEarly: (seconds: number) => `سفارش را فقط پس از گذر ${seconds} ثانیه میتوان کنسل کرد`,
  reportTooEarly: (seconds: number) => `سفارش را فقط پس از گذر ${seconds} ثانیه میتوان گزارش داد`,
  reportFailed: 'گزارش دادن سفارش مورد نظر شکست خورد',
  cancelled: 'سفارش با موفقیت لغو و مبلغ آن به کیف پول پس داده شد',
  reported: 'سفارش با موفقیت گزارش و مبلغ آن به کیف پول پس داده شد',
} as const;

export interface ShizNumberSimulatorOptions extends SimulatorOptions {
  /** The doc's "X": seconds an order must age before it may be cancelled or reported
   *  (default 0, so tests can cancel at once). */
  minActionAgeSeconds?: number;
  /** Wallet balance in toman at start and after reset (default 5,000,000). */
  initialBalance?: string;
  /** Not in the doc: serve GET orders Laravel-paginated (`?page=N`, `{ data, last_page }`)
   *  with this page size, to exercise an adapter's tolerance. Default: a bare array, as shown. */
  ordersPageSize?: number;
}

interface SimCountry {
  name: string;
  faName: string;
  slug: string;
  iso: string;
  /** "+84", as the doc writes it. */
  dialingCode: string;
  /** Digits in a national mobile number. */
  nationalLength: number;
}

interface SimService {
  name: string;
  slug: string;
  faName: string;
}

// ShizNumber's countries (the doc shows Turkey, Afghanistan, Vietnam, Angola, Argentina), keyed
// by ISO code, with the national length the simulator gives its numbers.
// prettier-ignore
const COUNTRY_ROWS: ReadonlyArray<[iso: string, name: string, faName: string, dialing: string, length: number]> = [
  ['TR', 'Turkey', 'ترکیه', '+90', 10], ['AF', 'Afghanistan', 'افغانستان', '+93', 9],
  ['VN', 'Vietnam', 'ویتنام', '+84', 9], ['AO', 'Angola', 'آنگولا', '+244', 9],
  ['AR', 'Argentina', 'آرژانتین', '+54', 10], ['RU', 'Russia', 'روسیه', '+7', 10],
  ['KZ', 'Kazakhstan', 'قزاقستان', '+7', 10], ['UA', 'Ukraine', 'اوکراین', '+380', 9],
  ['GB', 'United Kingdom', 'انگلستان', '+44', 10], ['US', 'United States', 'آمریکا', '+1', 10],
  ['CA', 'Canada', 'کانادا', '+1', 10], ['ID', 'Indonesia', 'اندونزی', '+62', 10],
  ['PH', 'Philippines', 'فیلیپین', '+63', 10], ['IN', 'India', 'هند', '+91', 10],
  ['IR', 'Iran', 'ایران', '+98', 10], ['DE', 'Germany', 'آلمان', '+49', 10],
  ['FR', 'France', 'فرانسه', '+33', 9], ['NL', 'Netherlands', 'هلند', '+31', 9],
  ['PL', 'Poland', 'لهستان', '+48', 9], ['BR', 'Brazil', 'برزیل', '+55', 11],
  ['CN', 'China', 'چین', '+86', 11], ['EG', 'Egypt', 'مصر', '+20', 10],
  ['GE', 'Georgia', 'گرجستان', '+995', 9], ['MX', 'Mexico', 'مکزیک', '+52', 10],
  ['TH', 'Thailand', 'تایلند', '+66', 9], ['MY', 'Malaysia', 'مالزی', '+60', 9],
  ['KE', 'Kenya', 'کنیا', '+254', 9], ['NG', 'Nigeria', 'نیجریه', '+234', 10],
  ['PK', 'Pakistan', 'پاکستان', '+92', 10], ['BD', 'Bangladesh', 'بنگلادش', '+880', 10],
  ['UZ', 'Uzbekistan', 'ازبکستان', '+998', 9], ['KG', 'Kyrgyzstan', 'قرقیزستان', '+996', 9],
  ['TJ', 'Tajikistan', 'تاجیکستان', '+992', 9], ['SE', 'Sweden', 'سوئد', '+46', 9],
  ['EE', 'Estonia', 'استونی', '+372', 8], ['LV', 'Latvia', 'لتونی', '+371', 8],
  ['LT', 'Lithuania', 'لیتوانی', '+370', 8], ['CY', 'Cyprus', 'قبرس', '+357', 8],
  ['IL', 'Israel', 'اسرائیل', '+972', 9], ['SA', 'Saudi Arabia', 'عربستان', '+966', 9],
  ['AE', 'United Arab Emirates', 'امارات', '+971', 9], ['IQ', 'Iraq', 'عراق', '+964', 10],
  ['ES', 'Spain', 'اسپانیا', '+34', 9], ['IT', 'Italy', 'ایتالیا', '+39', 10],
  ['PT', 'Portugal', 'پرتغال', '+351', 9], ['RO', 'Romania', 'رومانی', '+40', 9],
  ['CZ', 'Czechia', 'چک', '+420', 9], ['HK', 'Hong Kong', 'هنگ کنگ', '+852', 8],
  ['KH', 'Cambodia', 'کامبوج', '+855', 9], ['MM', 'Myanmar', 'میانمار', '+95', 9],
  ['CO', 'Colombia', 'کلمبیا', '+57', 10], ['CL', 'Chile', 'شیلی', '+56', 9],
  ['PE', 'Peru', 'پرو', '+51', 9], ['ZA', 'South Africa', 'آفریقای جنوبی', '+27', 9],
  ['MA', 'Morocco', 'مراکش', '+212', 9], ['DZ', 'Algeria', 'الجزایر', '+213', 9],
];

// Our slug → ShizNumber's service. Payoneer has no slug of ours: the default stock carries it so
// that an adapter's dropping of unknown services is exercised.
// prettier-ignore
const SERVICE_ROWS: ReadonlyArray<[ours: string | null, name: string, slug: string, faName: string]> = [
  ['facebook', 'Facebook', 'facebook', 'فیسبوک'], ['telegram', 'Telegram', 'telegram', 'تلگرام'],
  ['microsoft', 'Microsoft', 'microsoft', 'مایکروسافت'], ['whatsapp', 'WhatsApp', 'whatsapp', 'واتساپ'],
  ['instagram', 'Instagram', 'instagram', 'اینستاگرام'], ['google', 'Google', 'google', 'گوگل'],
  ['twitter', 'Twitter', 'twitter', 'توییتر'], ['tiktok', 'TikTok', 'tiktok', 'تیک تاک'],
  ['discord', 'Discord', 'discord', 'دیسکورد'], ['viber', 'Viber', 'viber', 'وایبر'],
  ['wechat', 'WeChat', 'wechat', 'وی چت'], ['signal', 'Signal', 'signal', 'سیگنال'],
  ['snapchat', 'Snapchat', 'snapchat', 'اسنپ چت'], ['linkedin', 'LinkedIn', 'linkedin', 'لینکدین'],
  ['amazon', 'Amazon', 'amazon', 'آمازون'], ['apple', 'Apple', 'apple', 'اپل'],
  ['yahoo', 'Yahoo', 'yahoo', 'یاهو'], ['netflix', 'Netflix', 'netflix', 'نتفلیکس'],
  ['paypal', 'PayPal', 'paypal', 'پی پال'], ['uber', 'Uber', 'uber', 'اوبر'],
  ['steam', 'Steam', 'steam', 'استیم'], ['openai', 'OpenAI', 'openai', 'اوپن ای آی'],
  ['line', 'Line', 'line', 'لاین'], ['imo', 'Imo', 'imo', 'ایمو'],
  ['tinder', 'Tinder', 'tinder', 'تیندر'], ['kakaotalk', 'KakaoTalk', 'kakaotalk', 'کاکائو تاک'],
  ['divar', 'Divar', 'divar', 'دیوار'], ['snapp', 'Snapp', 'snapp', 'اسنپ'],
  ['digikala', 'Digikala', 'digikala', 'دیجی کالا'], ['bale', 'Bale', 'bale', 'بله'],
  ['eitaa', 'Eitaa', 'eitaa', 'ایتا'], ['rubika', 'Rubika', 'rubika', 'روبیکا'],
  [null, 'Payoneer', 'payoneer', 'پایونیر'],
];

const COUNTRIES = new Map<string, SimCountry>(
  COUNTRY_ROWS.map(([iso, name, faName, dialingCode, nationalLength]) => [
    iso,
    { iso, name, faName, dialingCode, nationalLength, slug: name.toLowerCase().replace(/ /g, '-') },
  ]),
);
const SERVICES_BY_OURS = new Map<string, SimService>();
const SERVICES_BY_SLUG = new Map<string, SimService>();
for (const [ours, name, slug, faName] of SERVICE_ROWS) {
  const service = { name, slug, faName };
  if (ours !== null) SERVICES_BY_OURS.set(ours, service);
  SERVICES_BY_SLUG.set(slug, service);
}

interface SimNumber {
  id: number;
  service: SimService;
  country: SimCountry;
  operator: string | null;
  /** Toman. */
  price: bigint;
  count: number;
  /** The doc's 422 "if the number is disabled". */
  active: boolean;
}

type OrderState = SimActivationView['state'];

interface SimOrder {
  id: number;
  number: SimNumber;
  national: string;
  amount: bigint;
  /** ShizNumber's "code" field: its own order reference. */
  reference: string;
  state: OrderState;
  /** Every SMS text delivered, oldest first; the API shows the latest. */
  texts: string[];
  createdAt: number;
  updatedAt: number;
}

/** The default catalog: the doc's own examples first (ids 57172, 57237, 56107). */
// prettier-ignore
const DEFAULT_STOCK: ReadonlyArray<[id: number, service: string, iso: string, operator: string | null, price: bigint, count: number]> = [
  [57172, 'facebook', 'TR', 'shiz62', 64400n, 3],
  [57237, 'telegram', 'AF', null, 42000n, 4606],
  [56107, 'telegram', 'VN', 'shiz44', 100800n, 25],
  [57301, 'whatsapp', 'RU', null, 38500n, 120],
  [57302, 'telegram', 'RU', 'shiz12', 56000n, 80],
  [57303, 'instagram', 'ID', null, 12600n, 40],
  [57304, 'google', 'US', null, 91000n, 7],
  [57305, 'microsoft', 'GB', null, 27300n, 0],
  [57306, 'divar', 'IR', null, 15000n, 50],
  [57307, 'payoneer', 'RU', null, 21000n, 9],
  [57308, 'whatsapp', 'BR', null, 33600n, 15],
];

const DEFAULT_BALANCE = 5_000_000n;
const FIRST_ORDER_ID = 1001;
const FIRST_NEW_NUMBER_ID = 60001;

export class ShizNumberSimulator extends SimulatorBase {
  protected readonly mountPath = '/api/';
  private readonly numbers = new Map<number, SimNumber>();
  private readonly orders = new Map<number, SimOrder>();
  private balance = DEFAULT_BALANCE;
  private nextOrderId = FIRST_ORDER_ID;
  private nextNumberId = FIRST_NEW_NUMBER_ID;
  private readonly createdAt = Date.now();
  private readonly shizOptions: ShizNumberSimulatorOptions;

  constructor(options: ShizNumberSimulatorOptions = {}) {
    super('shiznumber', options);
    this.shizOptions = options;
    this.resetState();
  }

  // ---- control --------------------------------------------------------------------------------

  /** Stocks (or restocks/reprices) the product for (service, country, operator). */
  setOffer(offer: SimOffer): void {
    const service = SERVICES_BY_OURS.get(String(offer.service));
    if (!service) throw new SimulatorInputError(`ShizNumber has no service for "${offer.service}"`);
    const country = COUNTRIES.get(String(offer.country).toUpperCase());
    if (!country) throw new SimulatorInputError(`ShizNumber has no country "${offer.country}"`);
    const cost = toman(offer.cost, 'cost');
    if (cost <= 0n) throw new SimulatorInputError(`cost must be positive, got "${offer.cost}"`);
    if (!Number.isSafeInteger(offer.stock) || offer.stock < 0) {
      throw new SimulatorInputError(`stock must be a non-negative integer, got ${offer.stock}`);
    }
    const operator = offer.operator ?? null;
    const existing = [...this.numbers.values()].find(
      (number) =>
        number.service === service && number.country === country && number.operator === operator,
    );
    const number = existing ?? {
      id: this.nextNumberId++,
      service,
      country,
      operator,
      price: 0n,
      count: 0,
      active: true,
    };
    number.price = cost;
    number.count = offer.stock;
    number.active = true;
    this.numbers.set(number.id, number);
  }

  /** Disables a number: buying it then answers the doc's 422. */
  setNumberActive(numberId: number, active: boolean): void {
    const number = this.numbers.get(numberId);
    if (!number) throw new SimulatorInputError(`no number ${numberId}`);
    number.active = active;
  }

  setBalance(amount: string): void {
    this.balance = toman(amount, 'balance');
  }

  get walletBalance(): string {
    return this.balance.toString();
  }

  deliverSms(upstreamRef: string, text: string): void {
    const order = this.requireOrder(upstreamRef);
    this.settleTimeouts();
    if (order.state !== 'waiting' && order.state !== 'code') {
      throw new SimulatorInputError(`order ${upstreamRef} has ended (${order.state})`);
    }
    order.texts.push(text);
    order.state = 'code';
    order.updatedAt = this.now();
  }

  expireActivation(upstreamRef: string): void {
    const order = this.requireOrder(upstreamRef);
    if (order.state === 'waiting') this.endWithoutCode(order, 'expired');
    else if (order.state === 'code') this.endOrder(order, 'finished');
  }

  protected upstreamRefs(): string[] {
    return [...this.orders.keys()].map(String);
  }

  activation(upstreamRef: string): SimActivationView | undefined {
    this.settleTimeouts();
    const order = this.orders.get(Number(upstreamRef));
    if (!order || String(order.id) !== upstreamRef.trim()) return undefined;
    return {
      ref: String(order.id),
      phoneNumber: `${order.number.country.dialingCode}${order.national}`,
      state: order.state,
      messages: [...order.texts],
    };
  }

  protected resetState(): void {
    this.numbers.clear();
    this.orders.clear();
    this.nextOrderId = FIRST_ORDER_ID;
    this.nextNumberId = FIRST_NEW_NUMBER_ID;
    this.balance =
      this.shizOptions.initialBalance === undefined
        ? DEFAULT_BALANCE
        : toman(this.shizOptions.initialBalance, 'initialBalance');
    for (const [id, serviceSlug, iso, operator, price, count] of DEFAULT_STOCK) {
      const service = SERVICES_BY_SLUG.get(serviceSlug);
      const country = COUNTRIES.get(iso);
      if (!service || !country) throw new Error(`bad default stock row ${id}`);
      this.numbers.set(id, { id, service, country, operator, price, count, active: true });
    }
  }

  // ---- protocol -------------------------------------------------------------------------------

  protected handle(req: SimRequest): SimReply {
    const wantsJson = /application\/json/i.test(String(req.headers.accept ?? ''));
    const reply = this.route(req);
    // Laravel answers errors with an HTML page unless the client asked for JSON — which is
    // why the doc insists on `Accept: application/json`.
    if (reply.status >= 400 && !wantsJson && 'json' in reply) {
      return { status: reply.status, text: htmlErrorPage(reply.status), contentType: 'text/html' };
    }
    return reply;
  }

  private route(req: SimRequest): SimReply {
    const key = req.headers['x-api-key'];
    const presented = Array.isArray(key) ? key[0] : key;
    if (presented === undefined || presented.trim() === '') {
      return this.error(404, SHIZ_SIM_MESSAGES.apiKeyMissing);
    }
    if (presented !== this.apiKey) return this.error(403, SHIZ_SIM_MESSAGES.apiKeyWrong);
    this.settleTimeouts();

    const segments = req.subPath.replace(/\/+$/, '').split('/');
    const [resource = '', id, action, extra] = segments;
    const method = req.method.toUpperCase();
    if (extra !== undefined) return this.notFound();

    switch (resource) {
      case 'user':
        if (id !== undefined) return this.notFound();
        return method === 'GET' ? this.getUser() : this.methodNotAllowed(method);
      case 'numbers':
        if (action !== undefined) return this.notFound();
        if (id === undefined)
          return method === 'GET' ? this.json(this.listNumbers()) : this.methodNotAllowed(method);
        if (method === 'GET') return this.getNumber(id);
        if (method === 'POST') return this.buyNumber(id);
        return this.methodNotAllowed(method);
      case 'orders':
        if (id === undefined)
          return method === 'GET' ? this.listOrders(req.query) : this.methodNotAllowed(method);
        if (action === undefined)
          return method === 'GET' ? this.getOrder(id) : this.methodNotAllowed(method);
        if (action === 'cancel')
          return method === 'PUT' ? this.cancelOrder(id) : this.methodNotAllowed(method);
        if (action === 'report')
          return method === 'PUT' ? this.reportOrder(id) : this.methodNotAllowed(method);
        return this.notFound();
      case 'services':
        if (method !== 'GET') return this.methodNotAllowed(method);
        return this.catalogResource(id, action, 'service');
      case 'countries':
        if (method !== 'GET') return this.methodNotAllowed(method);
        return this.catalogResource(id, action, 'country');
      default:
        return this.notFound();
    }
  }

  private getUser(): SimReply {
    return this.json({
      user: {
        id: 2,
        mobile: '09000000000',
        created_at: formatGregorianTehran(new Date(this.createdAt)),
        balance: Number(this.balance),
      },
    });
  }

  private listNumbers(filter?: (number: SimNumber) => boolean): unknown[] {
    return [...this.numbers.values()]
      .filter((number) => number.active && (filter?.(number) ?? true))
      .map((number) => numberView(number));
  }

  private getNumber(id: string): SimReply {
    const number = this.findNumber(id);
    return number
      ? this.json(numberView(number))
      : this.error(404, SHIZ_SIM_MESSAGES.numberNotFound);
  }

  private buyNumber(id: string): SimReply {
    const number = this.findNumber(id);
    if (!number) return this.error(404, SHIZ_SIM_MESSAGES.numberNotFound);
    // The doc: 422 "if the number is disabled"; an exhausted one cannot be ordered either.
    if (!number.active || number.count <= 0) {
      return this.error(422, SHIZ_SIM_MESSAGES.numberNotOrderable);
    }
    if (this.balance < number.price) return this.error(402, SHIZ_SIM_MESSAGES.walletShort);
    this.balance -= number.price;
    number.count -= 1;
    const now = this.now();
    const order: SimOrder = {
      id: this.nextOrderId++,
      number,
      national: nationalNumberOf(number.country),
      amount: number.price,
      reference: `SO-${randomReference()}`,
      state: 'waiting',
      texts: [],
      createdAt: now,
      updatedAt: now,
    };
    this.orders.set(order.id, order);
    this.scheduleAutoDelivery(String(order.id));
    return this.json({ message: SHIZ_SIM_MESSAGES.ordered, order: orderView(order) });
  }

  private listOrders(query: URLSearchParams): SimReply {
    const all = [...this.orders.values()]
      .sort((a, b) => b.id - a.id)
      .map((order) => ({ message: SHIZ_SIM_MESSAGES.ordered, order: orderView(order) }));
    const pageSize = this.shizOptions.ordersPageSize;
    if (pageSize === undefined) return this.json(all);
    const lastPage = Math.max(1, Math.ceil(all.length / pageSize));
    const page = Math.min(Math.max(1, Number(query.get('page') ?? '1') || 1), lastPage + 1);
    return this.json({
      current_page: page,
      data: all.slice((page - 1) * pageSize, page * pageSize),
      last_page: lastPage,
      per_page: pageSize,
      total: all.length,
      next_page_url: page < lastPage ? `${this.baseUrl}orders?page=${page + 1}` : null,
    });
  }

  private getOrder(id: string): SimReply {
    const order = this.findOrder(id);
    if (!order) return this.error(404, SHIZ_SIM_MESSAGES.orderNotFound);
    if (isEnded(order)) return this.error(422, SHIZ_SIM_MESSAGES.orderEnded);
    return this.json(orderView(order));
  }

  private cancelOrder(id: string): SimReply {
    const order = this.findOrder(id);
    if (!order) return this.error(404, SHIZ_SIM_MESSAGES.orderNotFound);
    // "Only an order that has received no code can be cancelled": the doc names no message for
    // that case; the order counts as done, hence "has ended".
    if (isEnded(order) || order.state === 'code')
      return this.error(422, SHIZ_SIM_MESSAGES.orderEnded);
    const wait = this.secondsUntilActionAllowed(order);
    if (wait > 0)
      return this.error(422, SHIZ_SIM_MESSAGES.cancelTooEarly(this.minActionAgeSeconds));
    this.endWithoutCode(order, 'cancelled');
    return this.json({ message: SHIZ_SIM_MESSAGES.cancelled });
  }

  private reportOrder(id: string): SimReply {
    const order = this.findOrder(id);
    if (!order) return this.error(404, SHIZ_SIM_MESSAGES.orderNotFound);
    if (isEnded(order)) return this.error(422, SHIZ_SIM_MESSAGES.orderEnded);
    // "Only an order that has received a code can be reported."
    if (order.state !== 'code') return this.error(422, SHIZ_SIM_MESSAGES.reportFailed);
    const wait = this.secondsUntilActionAllowed(order);
    if (wait > 0)
      return this.error(422, SHIZ_SIM_MESSAGES.reportTooEarly(this.minActionAgeSeconds));
    this.balance += order.amount;
    this.endOrder(order, 'reported');
    return this.json({ message: SHIZ_SIM_MESSAGES.reported });
  }

  private catalogResource(
    slug: string | undefined,
    action: string | undefined,
    kind: 'service' | 'country',
  ): SimReply {
    if (slug === undefined) {
      return this.json(
        kind === 'service'
          ? [...SERVICES_BY_SLUG.values()].map(serviceView)
          : [...COUNTRIES.values()].map(countryView),
      );
    }
    const service = kind === 'service' ? SERVICES_BY_SLUG.get(slug) : undefined;
    const country =
      kind === 'country' ? [...COUNTRIES.values()].find((entry) => entry.slug === slug) : undefined;
    if (!service && !country) return this.notFound();
    if (action === undefined)
      return this.json(service ? serviceView(service) : countryView(country!));
    if (action !== 'numbers') return this.notFound();
    return this.json(
      this.listNumbers((number) => number.service === service || number.country === country),
    );
  }

  // ---- state ----------------------------------------------------------------------------------

  private get minActionAgeSeconds(): number {
    return this.shizOptions.minActionAgeSeconds ?? 0;
  }

  private secondsUntilActionAllowed(order: SimOrder): number {
    return Math.max(0, order.createdAt + this.minActionAgeSeconds * 1000 - this.now());
  }

  /** Orders past their TTL end: without a code they expire and are refunded (the doc is
   *  silent; every panel of this kind refunds an order that got no SMS), with one they close. */
  private settleTimeouts(): void {
    const deadline = this.now() - this.activationTtlMs;
    for (const order of this.orders.values()) {
      if (order.createdAt > deadline) continue;
      if (order.state === 'waiting') this.endWithoutCode(order, 'expired');
      else if (order.state === 'code') this.endOrder(order, 'finished');
    }
  }

  private endWithoutCode(order: SimOrder, state: 'cancelled' | 'expired'): void {
    this.balance += order.amount;
    this.endOrder(order, state);
  }

  private endOrder(order: SimOrder, state: OrderState): void {
    order.state = state;
    order.updatedAt = this.now();
  }

  private findNumber(id: string): SimNumber | undefined {
    return /^\d+$/.test(id) ? this.numbers.get(Number(id)) : undefined;
  }

  private findOrder(id: string): SimOrder | undefined {
    return /^\d+$/.test(id) ? this.orders.get(Number(id)) : undefined;
  }

  private requireOrder(ref: string): SimOrder {
    const order = this.findOrder(ref.trim());
    if (!order) throw new SimulatorInputError(`no ShizNumber order "${ref}"`);
    return order;
  }

  private error(status: number, message: string): SimReply {
    return this.json({ message }, status);
  }

  private notFound(): SimReply {
    return this.error(404, 'Not Found');
  }

  private methodNotAllowed(method: string): SimReply {
    return this.error(405, `The ${method} method is not supported for this route.`);
  }
}

function isEnded(order: SimOrder): boolean {
  return order.state !== 'waiting' && order.state !== 'code';
}

/** Status names: the doc shows only `waiting` (در حال انجام) — also beside a received code, so a
 *  code does not change it. The ended states' names are the simulator's choice (NOTES.md). */
const STATUS_VIEWS: Record<OrderState, { name: string; fa_name: string }> = {
  waiting: { name: 'waiting', fa_name: 'در حال انجام' },
  code: { name: 'waiting', fa_name: 'در حال انجام' },
  finished: { name: 'completed', fa_name: 'تکمیل شده' },
  cancelled: { name: 'canceled', fa_name: 'لغو شده' },
  expired: { name: 'expired', fa_name: 'منقضی شده' },
  reported: { name: 'reported', fa_name: 'گزارش شده' },
};

function countryView(country: SimCountry) {
  return {
    name: country.name,
    fa_name: country.faName,
    slug: country.slug,
    iso_code: country.iso,
    dialing_code: country.dialingCode,
    flag: `https://shiznumber.com/flags/${country.iso.toLowerCase()}.svg`,
  };
}

function serviceView(service: SimService) {
  return {
    name: service.name,
    slug: service.slug,
    fa_name: service.faName,
    img: `https://shiznumber.com/services/${service.slug}.png`,
  };
}

function numberView(number: SimNumber) {
  return {
    id: number.id,
    count: number.count,
    price: Number(number.price),
    operator: number.operator,
    country: countryView(number.country),
    service: serviceView(number.service),
  };
}

function orderView(order: SimOrder) {
  const text = order.texts.at(-1) ?? null;
  const code = text === null ? null : extractCode(text);
  return {
    id: order.id,
    ordered_number: order.national,
    amount: Number(order.amount),
    // A JSON number as in the doc's example, unless that would drop a leading zero.
    sms_code: code === null ? null : code.startsWith('0') ? code : Number(code),
    sms_code_str: text,
    code: order.reference,
    number: numberView(order.number),
    status: STATUS_VIEWS[order.state],
    created_at: formatJalali(new Date(order.createdAt)),
    updated_at: formatJalali(new Date(order.updatedAt)),
  };
}

/** A decimal string as whole toman ("42000", "42000.00"); fractions of a toman are refused. */
function toman(amount: string, what: string): bigint {
  try {
    return Money.parse(String(amount), 'IRT').minor;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SimulatorInputError(`${what}: ${reason}`);
  }
}

/** Brazil's numbers carry their area code: the simulator's come from area 55 (Rio Grande do Sul,
 *  mobile "9" + 8 digits), an 11-digit national number that starts with the country code. */
const NATIONAL_PREFIX: Readonly<Record<string, string>> = { BR: '559' };

function nationalNumberOf(country: { iso: string; nationalLength: number }): string {
  const prefix = NATIONAL_PREFIX[country.iso] ?? '';
  const rest = randomNational(country.nationalLength - prefix.length);
  return prefix + rest;
}

function randomNational(length: number): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < length) digits += String(randomInt(0, 10));
  return digits;
}

function randomReference(): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let reference = '';
  for (let index = 0; index < 7; index += 1) reference += letters[randomInt(letters.length)];
  return reference;
}

function htmlErrorPage(status: number): string {
  return `<!DOCTYPE html><html lang="en"><head><title>${status} | ShizNumber</title></head><body><div>${status}</div></body></html>`;
}
