/**
 * A stateful fake of 5sim's API v1, strict to protocols/5sim.md: `Authorization: Bearer` on
 * every `user/` call (401 with an empty body otherwise), no token under `guest/`, GET only,
 * plain-text refusals with the sources' words and statuses (`no free phones` as 200 text/plain
 * by default, as the docs and a live test show; 400 with `noFreePhonesStatus: 400`, as one
 * client expects), prices with up to 4 decimals, orders that are paid at buy, hold every SMS,
 * and time out after 15 minutes. What the sources leave open is decided here once and written
 * down in NOTES.md.
 *
 * Its tables of countries, operators and products are its own, never the adapter's mapping, so
 * the two cannot share one misreading.
 */
import { parseDecimal, pow10 } from '@numbroker/core';
import {
  SimulatorBase,
  SimulatorInputError,
  extractCode,
  type SimReply,
  type SimRequest,
} from '../simulator/harness.js';
import type { SimActivationView, SimOffer, SimulatorOptions } from '../simulator/types.js';
import { FIVESIM_ERROR_TEXTS as T, type FiveSimStatus } from './wire.js';

export interface FiveSimSimulatorOptions extends SimulatorOptions {
  /** HTTP status of `no free phones`: 200 (docs, live test; default) or 400 (znmn's client). */
  noFreePhonesStatus?: 200 | 400;
}

interface SimCountry {
  name: string;
  iso: string;
  prefix: string;
  nationalLength: number;
  operators: readonly string[];
  textEn: string;
  textRu: string;
}

/** [5sim name, ISO (lower case, as 5sim writes it), prefix digits, national length, operators,
 *  English, Russian]. */
// prettier-ignore
const COUNTRY_ROWS: ReadonlyArray<readonly [string, string, string, number, readonly string[], string, string]> = [
  ['russia', 'ru', '7', 10, ['beeline', 'megafon', 'mts', 'tele2', 'virtual21', 'virtual4'], 'Russia', 'Россия'],
  ['england', 'gb', '44', 10, ['three', 'virtual21', 'virtual58', 'vodafone'], 'England', 'Англия'],
  ['usa', 'us', '1', 10, ['virtual21', 'virtual58'], 'USA', 'США'],
  ['turkey', 'tr', '90', 10, ['turkcell', 'virtual21'], 'Turkey', 'Турция'],
  ['indonesia', 'id', '62', 10, ['telkomsel', 'virtual21'], 'Indonesia', 'Индонезия'],
  ['india', 'in', '91', 10, ['airtel', 'virtual21'], 'India', 'Индия'],
  ['kazakhstan', 'kz', '7', 10, ['beeline', 'virtual21'], 'Kazakhstan', 'Казахстан'],
  ['ukraine', 'ua', '380', 9, ['kyivstar', 'virtual21'], 'Ukraine', 'Украина'],
  ['brazil', 'br', '55', 11, ['claro', 'virtual21'], 'Brazil', 'Бразилия'],
  ['germany', 'de', '49', 10, ['virtual21', 'vodafone'], 'Germany', 'Германия'],
  ['netherlands', 'nl', '31', 9, ['virtual21'], 'Netherlands', 'Нидерланды'],
];

/** Our slug → 5sim product (activation products), and the SMS sender the demo writes. */
// prettier-ignore
const PRODUCT_ROWS: ReadonlyArray<readonly [slug: string, product: string, sender: string]> = [
  ['telegram', 'telegram', 'Telegram'],
  ['whatsapp', 'whatsapp', 'WhatsApp'],
  ['instagram', 'instagram', 'Instagram'],
  ['google', 'google', 'Google'],
  ['facebook', 'facebook', 'Facebook'],
  ['vk', 'vkontakte', 'VK'],
  ['ok', 'odnoklassniki', 'OK'],
  ['openai', 'openai', 'OpenAI'],
  ['twitter', 'twitter', 'X'],
  ['discord', 'discord', 'Discord'],
  ['tiktok', 'tiktok', 'TikTok'],
  ['other', 'other', 'Info'],
];
/** Hosting products exist (guest/products lists them) but are never sold as activations. */
const HOSTING_PRODUCTS: ReadonlyArray<readonly [string, string]> = [
  ['3hours', '0.5'],
  ['1day', '0.8'],
];

/** [country, product, operator, cost, count, rate]. Russia/Telegram shows the pattern the live
 *  fixtures do: the cheapest operator is empty. Vkontakte carries a 4-decimal price. */
// prettier-ignore
const DEFAULT_STOCK: ReadonlyArray<readonly [string, string, string, string, number, number | undefined]> = [
  ['russia', 'telegram', 'mts', '0.28', 0, undefined],
  ['russia', 'telegram', 'virtual21', '0.32', 120, 87.5],
  ['russia', 'telegram', 'megafon', '0.40', 30, 64.1],
  ['russia', 'telegram', 'beeline', '0.45', 15, undefined],
  ['russia', 'whatsapp', 'virtual21', '0.60', 40, 71.3],
  ['russia', 'whatsapp', 'mts', '0.75', 10, undefined],
  ['russia', 'vkontakte', 'virtual4', '0.0641', 500, 92],
  ['england', 'telegram', 'three', '0.55', 0, undefined],
  ['england', 'telegram', 'vodafone', '0.62', 12, 55],
  ['england', 'telegram', 'virtual58', '0.9', 25, 80.2],
  ['usa', 'google', 'virtual21', '0.2', 300, 77],
  ['turkey', 'whatsapp', 'turkcell', '1.1', 5, undefined],
  ['indonesia', 'telegram', 'virtual21', '0.15', 800, 66.6],
  ['india', 'openai', 'virtual21', '0.25', 90, undefined],
];

/** A live profile's balance [R]: dollars with 4 decimals. */
const DEFAULT_BALANCE = '21.6408';
/** Amounts are kept in 1/10000 of the account's unit: 5sim prices have up to 4 decimals. */
const SCALE = 4;
const MAX_RATING = 96;
/** "maximum waiting time 15 minutes" (docs' request limits, quoted in [X]). */
const ORDER_MINUTES = 15;
const FIRST_ORDER_ID = 11631253;

interface Leaf {
  cost: bigint;
  count: number;
  rate: number | undefined;
}

interface SimSms {
  created_at: string;
  date: string;
  sender: string;
  text: string;
  code: string;
}

interface SimOrder {
  id: number;
  phone: string;
  country: string;
  operator: string;
  product: string;
  price: bigint;
  status: FiveSimStatus;
  createdAt: number;
  expiresAt: number;
  sms: SimSms[];
}

export class FiveSimSimulator extends SimulatorBase {
  protected readonly mountPath = '/v1/';

  private readonly countries: readonly SimCountry[] = COUNTRY_ROWS.map(
    ([name, iso, prefix, nationalLength, operators, textEn, textRu]) => ({
      name,
      iso,
      prefix,
      nationalLength,
      operators,
      textEn,
      textRu,
    }),
  );
  /** "<country>/<product>" → operator → leaf. */
  private readonly stock = new Map<string, Map<string, Leaf>>();
  private readonly orders = new Map<number, SimOrder>();
  private balanceUnits = 0n;
  private rating = MAX_RATING;
  private nextOrderId = FIRST_ORDER_ID;
  private readonly noFreePhonesStatus: 200 | 400;

  constructor(options: FiveSimSimulatorOptions = {}) {
    super('fivesim', options);
    this.noFreePhonesStatus = options.noFreePhonesStatus ?? 200;
    this.resetState();
  }

  protected override get activationTtlMs(): number {
    return (this.options.activationTtlSeconds ?? ORDER_MINUTES * 60) * 1000;
  }

  // ---- the protocol ----------------------------------------------------------------------------

  protected handle(req: SimRequest): SimReply {
    const segments = req.subPath
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    if (req.method !== 'GET') return this.text('method not allowed', 405);
    const [area, action, ...rest] = segments;
    if (area === 'guest') return this.guest(action, rest, req.query);
    if (area === 'user') {
      if (req.headers.authorization !== `Bearer ${this.apiKey}`) return this.text('', 401);
      return this.user(action, rest, req.query);
    }
    return this.text('page not found', 404);
  }

  private guest(action: string | undefined, rest: string[], query: URLSearchParams): SimReply {
    switch (action) {
      case 'countries':
        return this.json(this.countriesBody());
      case 'prices':
        return this.prices(query);
      case 'products':
        return this.products(rest);
      case 'flash':
        return this.json({ text: '' });
      case undefined:
      default:
        return this.text('page not found', 404);
    }
  }

  private user(action: string | undefined, rest: string[], query: URLSearchParams): SimReply {
    switch (action) {
      case 'profile':
        return this.json(this.profile());
      case 'orders':
        return this.listOrders(query);
      case 'buy':
        if (rest[0] !== 'activation' || rest.length !== 4) return this.text('page not found', 404);
        return this.buy(rest[1] ?? '', rest[2] ?? '', rest[3] ?? '', query);
      case 'check':
        return this.check(rest[0]);
      case 'finish':
        return this.finishOrder(rest[0]);
      case 'cancel':
        return this.endByCustomer(rest[0], 'CANCELED');
      case 'ban':
        return this.endByCustomer(rest[0], 'BANNED');
      case undefined:
      default:
        return this.text('page not found', 404);
    }
  }

  private countriesBody(): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    for (const country of this.countries) {
      const entry: Record<string, unknown> = {
        iso: { [country.iso]: 1 },
        prefix: { [`+${country.prefix}`]: 1 },
        text_en: country.textEn,
        text_ru: country.textRu,
      };
      for (const operator of country.operators) entry[operator] = { activation: 1 };
      body[country.name] = entry;
    }
    return body;
  }

  /** `?country=` and `?country=&product=`: country → product → operator; `?product=` alone:
   *  product → country → operator; no filter: everything, country first. */
  private prices(query: URLSearchParams): SimReply {
    const countryName = query.get('country');
    const productName = query.get('product');
    if (countryName !== null && !this.countryNamed(countryName)) {
      return this.text(T.countryIncorrect, 400);
    }
    if (productName !== null && !productRow(productName)) return this.text(T.productIncorrect, 400);
    const tree: Record<string, Record<string, Record<string, unknown>>> = {};
    const productFirst = productName !== null && countryName === null;
    for (const [key, operators] of this.stock) {
      const [country = '', product = ''] = key.split('/');
      if (countryName !== null && country !== countryName) continue;
      if (productName !== null && product !== productName) continue;
      const [outer, inner] = productFirst ? [product, country] : [country, product];
      const leaves: Record<string, unknown> = {};
      for (const [operator, leaf] of operators) {
        leaves[operator] = {
          cost: unitsToNumber(leaf.cost),
          count: leaf.count,
          ...(leaf.rate === undefined ? {} : { rate: leaf.rate }),
        };
      }
      (tree[outer] ??= {})[inner] = leaves;
    }
    // A product nobody sells answers `null` (seen live); an unsold country/product pair `{}`.
    if (productFirst && Object.keys(tree).length === 0) return this.json(null);
    return this.json(tree);
  }

  private products(rest: string[]): SimReply {
    const [countryName = '', operator = ''] = rest;
    const country = countryName === 'any' ? undefined : this.countryNamed(countryName);
    if (countryName !== 'any' && !country) return this.text(T.badCountry, 400);
    if (operator !== 'any' && country && !country.operators.includes(operator)) {
      return this.text(T.badOperator, 400);
    }
    const body: Record<string, { Category: string; Qty: number; Price: number }> = {};
    for (const [key, operators] of this.stock) {
      const [name = '', product = ''] = key.split('/');
      if (country && name !== country.name) continue;
      for (const [operatorName, leaf] of operators) {
        if (operator !== 'any' && operatorName !== operator) continue;
        const entry = (body[product] ??= { Category: 'activation', Qty: 0, Price: Infinity });
        entry.Qty += leaf.count;
        entry.Price = Math.min(entry.Price, unitsToNumber(leaf.cost));
      }
    }
    for (const [product, price] of HOSTING_PRODUCTS) {
      body[product] = { Category: 'hosting', Qty: 10, Price: Number(price) };
    }
    return this.json(body);
  }

  private profile(): Record<string, unknown> {
    return {
      id: 1543210,
      email: 'reseller@example.com',
      vendor: 'demo',
      default_forwarding_number: '',
      balance: unitsToNumber(this.balanceUnits),
      rating: this.rating,
      default_country: { name: 'russia', iso: 'ru', prefix: '+7' },
      default_operator: { name: 'any' },
      frozen_balance: 0,
      total_active_orders: [...this.orders.values()].filter((o) => isOpen(o.status)).length,
    };
  }

  private listOrders(query: URLSearchParams): SimReply {
    const category = query.get('category');
    if (category !== 'activation' && category !== 'hosting') return this.text('bad category', 400);
    const limit = clampInt(query.get('limit'), 15, 1, 100);
    // `offset` counts records here; whether 5sim counts records or pages is open (NOTES.md).
    const offset = clampInt(query.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER);
    const all = category === 'hosting' ? [] : [...this.orders.values()].map((o) => this.current(o));
    all.sort((a, b) => a.id - b.id);
    if (query.get('reverse') === 'true') all.reverse();
    const page = all.slice(offset, offset + limit);
    return this.json({
      Data: page.map((order) => this.orderBody(order)),
      ProductNames: [...new Set(all.map((o) => o.product))],
      Statuses: [...new Set(all.map((o) => o.status))],
      Total: all.length,
    });
  }

  private buy(
    countryName: string,
    operator: string,
    product: string,
    query: URLSearchParams,
  ): SimReply {
    const country = this.countryNamed(countryName);
    if (!country) return this.text(T.badCountry, 400);
    if (!productRow(product)) return this.text(T.noProduct, 400);
    if (operator !== 'any' && !country.operators.includes(operator)) {
      return this.text(T.badOperator, 400);
    }
    if (this.rating <= 0) return this.text(T.notEnoughRating, 400);
    // maxPrice counts only with "any".
    const maxPriceText = operator === 'any' ? query.get('maxPrice') : null;
    let maxPrice: bigint | undefined;
    if (maxPriceText !== null && maxPriceText !== '') {
      const units = decimalToUnits(maxPriceText);
      if (units === null) return this.text('bad max price', 400);
      maxPrice = units;
    }
    const operators = this.stock.get(`${country.name}/${product}`) ?? new Map<string, Leaf>();
    const candidates = [...operators.entries()]
      .filter(([name, leaf]) => (operator === 'any' || name === operator) && leaf.count > 0)
      .filter(([, leaf]) => maxPrice === undefined || leaf.cost <= maxPrice)
      .sort((a, b) => (a[1].cost < b[1].cost ? -1 : a[1].cost > b[1].cost ? 1 : 0));
    const chosen = candidates[0];
    if (!chosen) return this.text(T.noFreePhones, this.noFreePhonesStatus);
    const [operatorName, leaf] = chosen;
    if (this.balanceUnits < leaf.cost) return this.text(T.notEnoughBalance, 400);

    this.balanceUnits -= leaf.cost;
    leaf.count -= 1;
    const now = this.now();
    const order: SimOrder = {
      id: this.nextOrderId++,
      phone: `+${this.uniqueDigits(country)}`,
      country: country.name,
      operator: operatorName,
      product,
      price: leaf.cost,
      status: 'PENDING',
      createdAt: now,
      expiresAt: now + this.activationTtlMs,
      sms: [],
    };
    this.orders.set(order.id, order);
    const answer = this.orderBody(order);
    // The buy answer says PENDING; the number is live (RECEIVED) by the first check.
    order.status = 'RECEIVED';
    this.scheduleAutoDelivery(String(order.id));
    return this.json(answer);
  }

  private check(idText: string | undefined): SimReply {
    const order = this.orderOf(idText);
    if (!order) return this.text(T.orderNotFound, 404);
    return this.json(this.orderBody(order));
  }

  private finishOrder(idText: string | undefined): SimReply {
    const order = this.orderOf(idText);
    if (!order) return this.text(T.orderNotFound, 400);
    if (!isOpen(order.status)) return this.text(T.orderExpired, 400);
    if (order.sms.length === 0) return this.text(T.orderNoSms, 400);
    order.status = 'FINISHED';
    this.rating = Math.min(MAX_RATING, this.rating + 0.5);
    return this.json(this.orderBody(order));
  }

  private endByCustomer(idText: string | undefined, status: 'CANCELED' | 'BANNED'): SimReply {
    const order = this.orderOf(idText);
    if (!order) return this.text(T.orderNotFound, 400);
    if (!isOpen(order.status)) return this.text(T.orderExpired, 400);
    if (order.sms.length > 0) return this.text(T.orderHasSms, 400);
    this.end(order, status);
    this.rating = Math.max(0, this.rating - 0.1);
    return this.json(this.orderBody(order));
  }

  private orderBody(order: SimOrder): Record<string, unknown> {
    return {
      id: order.id,
      phone: order.phone,
      operator: order.operator,
      product: order.product,
      price: unitsToNumber(order.price),
      status: order.status,
      expires: rfc3339(order.expiresAt),
      sms:
        order.sms.length === 0 && order.status === 'PENDING'
          ? null
          : order.sms.map((s) => ({ ...s })),
      created_at: rfc3339(order.createdAt),
      forwarding: false,
      forwarding_number: '',
      country: order.country,
    };
  }

  // ---- control ---------------------------------------------------------------------------------

  /** Without `operator`, every operator already stocking the product gets the cost and stock
   *  (the country's first operator when none does); with one, only that operator. */
  setOffer(offer: SimOffer): void {
    const row = PRODUCT_ROWS.find(([slug]) => slug === offer.service);
    if (!row) throw new SimulatorInputError(`5sim simulator has no product for "${offer.service}"`);
    const iso = typeof offer.country === 'string' ? offer.country.toLowerCase() : '';
    const country = this.countries.find((c) => c.iso === iso);
    if (!country) throw new SimulatorInputError(`5sim simulator has no country "${offer.country}"`);
    if (!Number.isSafeInteger(offer.stock) || offer.stock < 0) {
      throw new SimulatorInputError(`stock must be a non-negative integer, got ${offer.stock}`);
    }
    const cost = typeof offer.cost === 'string' ? decimalToUnits(offer.cost) : null;
    if (cost === null || cost <= 0n) {
      throw new SimulatorInputError(`cost must be a positive decimal with at most ${SCALE} places`);
    }
    if (offer.operator !== undefined && !country.operators.includes(offer.operator)) {
      throw new SimulatorInputError(
        `5sim simulator: ${country.name} has no operator "${offer.operator}"`,
      );
    }
    const key = `${country.name}/${row[1]}`;
    const operators = this.stock.get(key) ?? new Map<string, Leaf>();
    this.stock.set(key, operators);
    const names =
      offer.operator !== undefined
        ? [offer.operator]
        : operators.size > 0
          ? [...operators.keys()]
          : [country.operators[0] ?? 'virtual21'];
    for (const name of names) {
      operators.set(name, { cost, count: offer.stock, rate: operators.get(name)?.rate });
    }
  }

  setBalance(amount: string): void {
    const units = decimalToUnits(amount);
    if (units === null) throw new SimulatorInputError(`"${amount}" is not a decimal amount`);
    this.balanceUnits = units;
  }

  deliverSms(upstreamRef: string, text: string): void {
    const order = this.orderOf(upstreamRef);
    if (!order) throw new SimulatorInputError(`unknown 5sim order ${upstreamRef}`);
    if (!isOpen(order.status))
      throw new SimulatorInputError(`order ${upstreamRef} is ${order.status}`);
    const at = rfc3339(this.now());
    const sender = PRODUCT_ROWS.find(([, product]) => product === order.product)?.[2] ?? 'Info';
    order.sms.push({ created_at: at, date: at, sender, text, code: extractCode(text) ?? '' });
    order.status = 'RECEIVED';
  }

  expireActivation(upstreamRef: string): void {
    const order = this.orderOf(upstreamRef);
    if (!order) throw new SimulatorInputError(`unknown 5sim order ${upstreamRef}`);
    if (isOpen(order.status)) this.timeOut(order);
  }

  protected upstreamRefs(): string[] {
    return [...this.orders.keys()].map(String);
  }

  activation(upstreamRef: string): SimActivationView | undefined {
    const order = this.orderOf(upstreamRef);
    if (!order) return undefined;
    return {
      ref: String(order.id),
      phoneNumber: order.phone,
      state: viewState(order),
      messages: order.sms.map((s) => s.text),
    };
  }

  /** The balance as 5sim holds it (tests check charges and refunds), with 4 decimals. */
  get balance(): string {
    return unitsToText(this.balanceUnits);
  }

  /** The account's rating (cancels and timeouts lower it; at 0 buying is refused). */
  setRating(rating: number): void {
    this.rating = rating;
  }

  protected resetState(): void {
    this.stock.clear();
    for (const [country, product, operator, cost, count, rate] of DEFAULT_STOCK) {
      const key = `${country}/${product}`;
      const operators = this.stock.get(key) ?? new Map<string, Leaf>();
      operators.set(operator, { cost: decimalToUnits(cost) ?? 0n, count, rate });
      this.stock.set(key, operators);
    }
    this.orders.clear();
    this.balanceUnits = decimalToUnits(DEFAULT_BALANCE) ?? 0n;
    this.rating = MAX_RATING;
    this.nextOrderId = FIRST_ORDER_ID;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private countryNamed(name: string): SimCountry | undefined {
    return this.countries.find((country) => country.name === name);
  }

  private orderOf(idText: string | undefined): SimOrder | undefined {
    if (idText === undefined || !/^\d{1,15}$/.test(idText)) return undefined;
    const order = this.orders.get(Number(idText));
    return order ? this.current(order) : undefined;
  }

  /** Applies the order's time on read: with an SMS it finishes on its own, without one it
   *  times out and is refunded. */
  private current(order: SimOrder): SimOrder {
    if (isOpen(order.status) && this.now() >= order.expiresAt) this.timeOut(order);
    return order;
  }

  private timeOut(order: SimOrder): void {
    if (order.sms.length > 0) {
      order.status = 'FINISHED';
      this.rating = Math.min(MAX_RATING, this.rating + 0.4);
    } else {
      this.end(order, 'TIMEOUT');
      this.rating = Math.max(0, this.rating - 0.15);
    }
  }

  /** Ends an order without an SMS: the price goes back to the balance and the number to stock. */
  private end(order: SimOrder, status: 'CANCELED' | 'BANNED' | 'TIMEOUT'): void {
    order.status = status;
    this.balanceUnits += order.price;
    const leaf = this.stock.get(`${order.country}/${order.product}`)?.get(order.operator);
    if (leaf && status !== 'BANNED') leaf.count += 1;
  }

  private uniqueDigits(country: SimCountry): string {
    const taken = new Set([...this.orders.values()].map((o) => o.phone));
    for (;;) {
      const digits = this.randomPhoneDigits(country.prefix, country.nationalLength);
      if (!taken.has(`+${digits}`)) return digits;
    }
  }
}

function productRow(product: string): boolean {
  return PRODUCT_ROWS.some(([, name]) => name === product);
}

function isOpen(status: FiveSimStatus): boolean {
  return status === 'PENDING' || status === 'RECEIVED';
}

function viewState(order: SimOrder): SimActivationView['state'] {
  switch (order.status) {
    case 'PENDING':
    case 'RECEIVED':
      return order.sms.length > 0 ? 'code' : 'waiting';
    case 'FINISHED':
      return 'finished';
    case 'CANCELED':
      return 'cancelled';
    case 'BANNED':
      return 'reported';
    case 'TIMEOUT':
      return 'expired';
  }
}

/** "0.0641" → 641n (1/10000 units); null for anything else or more than 4 decimals. */
function decimalToUnits(text: string): bigint | null {
  try {
    const { units, scale } = parseDecimal(text);
    if (units < 0n || scale > SCALE) return null;
    return units * pow10(SCALE - scale);
  } catch {
    return null;
  }
}

function unitsToText(units: bigint): string {
  const digits = units.toString().padStart(SCALE + 1, '0');
  const text = `${digits.slice(0, -SCALE)}.${digits.slice(-SCALE)}`;
  return text.replace(/\.?0+$/, '');
}

/** As a JSON number on the wire, as 5sim sends amounts (0.0641, 21.6408). */
function unitsToNumber(units: bigint): number {
  return Number(unitsToText(units));
}

/** RFC 3339 UTC with nanoseconds, as 5sim writes dates. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000000Z');
}

function clampInt(text: string | null, fallback: number, min: number, max: number): number {
  if (text === null || !/^\d{1,15}$/.test(text)) return fallback;
  return Math.min(max, Math.max(min, Number(text)));
}
