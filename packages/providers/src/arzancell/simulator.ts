/**
 * A stateful fake of ArzanCell, strict to its doc (seed 002): one `handler.php`, GET only, the
 * key as `api`, an `action`; JSON arrays exactly as the doc's examples (spaced keys
 * "service name"/"service code", `stock` as a string, `price` a number in toman) and the doc's
 * plain-text words for everything else. It translates our ids with its own tables.
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
  ARZANCELL_ACTIONS,
  ARZANCELL_ANY,
  ARZANCELL_CANCELED,
  ARZANCELL_PARAMS,
  type ArzanCellAction,
  type ArzanCellErrorToken,
} from './wire.js';

const SERVERS = ['1', '2', '3'] as const;

/** The upstream's lower-case country codes, with the ISO code of ours each one is. */
const COUNTRIES: ReadonlyArray<{
  code: string;
  iso: string;
  dial: string;
  nationalLength: number;
}> = [
  { code: 'ru', iso: 'RU', dial: '7', nationalLength: 10 },
  { code: 'ee', iso: 'EE', dial: '372', nationalLength: 8 },
  { code: 'ir', iso: 'IR', dial: '98', nationalLength: 10 },
  { code: 'us', iso: 'US', dial: '1', nationalLength: 10 },
  { code: 'gb', iso: 'GB', dial: '44', nationalLength: 10 },
  { code: 'id', iso: 'ID', dial: '62', nationalLength: 10 },
  { code: 'kz', iso: 'KZ', dial: '7', nationalLength: 10 },
  { code: 'tr', iso: 'TR', dial: '90', nationalLength: 10 },
];

/** Service codes ("the service name, sometimes an abbreviation") with our slug for each. */
const SERVICES: ReadonlyArray<{ code: string; name: string; slug: string }> = [
  { code: 'telegram', name: 'telegram', slug: 'telegram' },
  { code: 'whatsapp', name: 'whatsapp', slug: 'whatsapp' },
  { code: 'viber', name: 'viber', slug: 'viber' },
  { code: 'ig', name: 'instagram', slug: 'instagram' },
  { code: 'fb', name: 'facebook', slug: 'facebook' },
  { code: 'google', name: 'google', slug: 'google' },
  { code: 'tw', name: 'twitter', slug: 'twitter' },
];

/** [server, country, service code, stock, toman]. The first three rows are the doc's example. */
const DEFAULT_STOCK: ReadonlyArray<readonly [string, string, string, number, number]> = [
  ['3', 'ee', 'viber', 0, 2800],
  ['3', 'ee', 'whatsapp', 1400, 5600],
  ['3', 'ee', 'telegram', 3, 8400],
  ['1', 'ru', 'telegram', 50, 12000],
  ['2', 'ru', 'whatsapp', 20, 15000],
  ['1', 'ir', 'telegram', 15, 6000],
  ['2', 'us', 'whatsapp', 8, 22000],
  ['1', 'gb', 'ig', 5, 18000],
  ['2', 'id', 'google', 40, 4000],
  ['1', 'kz', 'fb', 6, 9000],
];

/** The doc's example balance. */
const DEFAULT_BALANCE = 981_000n;

/** PHP's default Content-Type for an `echo`: the adapter must not rely on it. */
const TEXT_CONTENT_TYPE = 'text/html; charset=UTF-8';

interface StockRow {
  server: string;
  country: string;
  service: string;
  stock: number;
  price: bigint;
}

type OrderState = 'waiting' | 'code' | 'cancelled' | 'expired';

interface Order {
  id: string;
  phone: string;
  price: bigint;
  row: StockRow;
  state: OrderState;
  codes: string[];
  texts: string[];
  createdAt: number;
}

export class ArzanCellSimulator extends SimulatorBase {
  protected readonly mountPath = '/api/handler.php';
  private stock: StockRow[] = [];
  private orders = new Map<string, Order>();
  private balanceToman = DEFAULT_BALANCE;
  private nextOrderId = 3762;
  private readonly scriptedRefusals = new Map<ArzanCellAction, ArzanCellErrorToken[]>();

  constructor(options: SimulatorOptions = {}) {
    super('arzancell', options);
    this.resetState();
  }

  // ---- controls ------------------------------------------------------------------------------

  /** Stocks a product on every server that sells it (server 1 when none does yet). */
  setOffer(offer: SimOffer): void {
    const country = COUNTRIES.find((item) => item.iso === offer.country.toUpperCase());
    if (!country)
      throw new SimulatorInputError(`arzancell simulator sells no country "${offer.country}"`);
    const service = SERVICES.find((item) => item.slug === offer.service);
    if (!service)
      throw new SimulatorInputError(`arzancell simulator sells no service "${offer.service}"`);
    let price: Money;
    try {
      price = Money.parse(offer.cost, 'IRT');
    } catch (error) {
      throw new SimulatorInputError(`bad cost "${offer.cost}": ${(error as Error).message}`);
    }
    if (!Number.isSafeInteger(offer.stock) || offer.stock < 0) {
      throw new SimulatorInputError(`bad stock ${offer.stock}`);
    }
    const rows = this.stock.filter(
      (row) => row.country === country.code && row.service === service.code,
    );
    if (rows.length === 0) {
      this.stock.push({
        server: '1',
        country: country.code,
        service: service.code,
        stock: offer.stock,
        price: price.minor,
      });
      return;
    }
    for (const row of rows) {
      row.stock = offer.stock;
      row.price = price.minor;
    }
  }

  setBalance(amount: string): void {
    try {
      this.balanceToman = Money.parse(amount, 'IRT').minor;
    } catch (error) {
      throw new SimulatorInputError(`bad balance "${amount}": ${(error as Error).message}`);
    }
  }

  /** The account balance in toman (tests check charges and refunds). */
  get balance(): bigint {
    return this.balanceToman;
  }

  /** Answers the next request of `action` with one of the doc's error words (TRY AGAIN, CAN NOT
   *  GET SMS, ... — the ones no state of the fake produces on its own). */
  refuseNext(action: ArzanCellAction, token: ArzanCellErrorToken): void {
    this.scriptedRefusals.set(action, [...(this.scriptedRefusals.get(action) ?? []), token]);
  }

  deliverSms(upstreamRef: string, text: string): void {
    const order = this.requireOrder(upstreamRef);
    this.expireIfDue(order);
    if (order.state !== 'waiting' && order.state !== 'code') {
      throw new SimulatorInputError(`order ${upstreamRef} is ${order.state}: no SMS arrives`);
    }
    order.texts.push(text);
    order.codes.push(extractCode(text) ?? text);
    order.state = 'code';
  }

  expireActivation(upstreamRef: string): void {
    const order = this.requireOrder(upstreamRef);
    if (order.state === 'waiting') this.endWithRefund(order, 'expired');
  }

  protected upstreamRefs(): string[] {
    return [...this.orders.keys()].map(String);
  }

  activation(upstreamRef: string): SimActivationView | undefined {
    const order = this.orders.get(upstreamRef);
    if (!order) return undefined;
    this.expireIfDue(order);
    return {
      ref: order.id,
      phoneNumber: order.phone,
      state: order.state,
      messages: [...order.texts],
    };
  }

  protected resetState(): void {
    this.stock = DEFAULT_STOCK.map(([server, country, service, stock, price]) => ({
      server,
      country,
      service,
      stock,
      price: BigInt(price),
    }));
    this.orders = new Map();
    this.balanceToman = DEFAULT_BALANCE;
    this.nextOrderId = 3762;
    this.scriptedRefusals.clear();
  }

  // ---- the protocol ---------------------------------------------------------------------------

  protected handle(req: SimRequest): SimReply {
    // "Only GET requests are accepted."
    if (req.method !== 'GET') return word('INVALID REQUEST');
    const param = (name: string): string | null => {
      // The query string; the doc's curl examples put the fields in a body (-F), read too.
      const value = req.query.get(name) ?? req.form.get(name);
      return value === null || value.trim() === '' ? null : value.trim();
    };
    if (param(ARZANCELL_PARAMS.apiKey) !== this.apiKey) return word('INVALID API');
    const action = param(ARZANCELL_PARAMS.action);
    if (!isAction(action)) return word('INVALID ACTION');
    const scripted = this.scriptedRefusals.get(action)?.shift();
    if (scripted !== undefined) return word(scripted);

    switch (action) {
      case 'get_balance':
        return { status: 200, json: [{ balance: Number(this.balanceToman), unit: 'Toman' }] };
      case 'get_status':
        return this.getStatus(param(ARZANCELL_PARAMS.server), param(ARZANCELL_PARAMS.country));
      case 'get_number':
        return this.getNumber(
          param(ARZANCELL_PARAMS.server),
          param(ARZANCELL_PARAMS.country),
          param(ARZANCELL_PARAMS.service),
        );
      case 'check_order':
        return this.checkOrder(param(ARZANCELL_PARAMS.orderId));
      case 'cancel_order':
        return this.cancelOrder(param(ARZANCELL_PARAMS.orderId));
    }
  }

  private getStatus(server: string | null, country: string | null): SimReply {
    if (server === null || country === null) return word('INVALID REQUEST');
    const refused = refuseSelection(server, country);
    if (refused) return refused;
    const rows = this.stock.filter((row) => matches(row, server, country));
    return {
      status: 200,
      json: rows.map((row) => ({
        server: row.server,
        'service name': SERVICES.find((item) => item.code === row.service)?.name ?? row.service,
        'service code': row.service,
        country: row.country,
        stock: String(row.stock),
        price: Number(row.price),
      })),
    };
  }

  private getNumber(
    server: string | null,
    country: string | null,
    service: string | null,
  ): SimReply {
    if (server === null || country === null || service === null) return word('INVALID REQUEST');
    const refused = refuseSelection(server, country);
    if (refused) return refused;
    if (!SERVICES.some((item) => item.code === service)) return word('INVALID SERVICE');
    const row = this.stock
      .filter(
        (item) => item.service === service && item.stock > 0 && matches(item, server, country),
      )
      .sort((a, b) => (a.price < b.price ? -1 : a.price > b.price ? 1 : 0))[0];
    if (!row) return word('NO NUMBER');
    if (this.balanceToman < row.price) return word('NOT ENOUGH BALANCE');
    this.balanceToman -= row.price;
    row.stock -= 1;
    const place = COUNTRIES.find((item) => item.code === row.country)!;
    const order: Order = {
      id: String(this.nextOrderId++),
      phone: `+${this.randomPhoneDigits(place.dial, place.nationalLength)}`,
      price: row.price,
      row,
      state: 'waiting',
      codes: [],
      texts: [],
      createdAt: this.now(),
    };
    this.orders.set(order.id, order);
    this.scheduleAutoDelivery(order.id);
    return { status: 200, json: [{ phone: order.phone, order_id: order.id }] };
  }

  private checkOrder(orderId: string | null): SimReply {
    if (orderId === null) return word('INVALID REQUEST');
    const order = this.orders.get(orderId);
    if (!order) return word('INVALID ORDER ID');
    this.expireIfDue(order);
    switch (order.state) {
      case 'expired':
        return word('EXPIRED SMS TIME');
      case 'cancelled':
        return word(ARZANCELL_CANCELED);
      case 'waiting':
      case 'code':
        // The doc: `code` is empty until the SMS comes; one code, the latest.
        return { status: 200, json: [{ phone: order.phone, code: order.codes.at(-1) ?? '' }] };
    }
  }

  private cancelOrder(orderId: string | null): SimReply {
    if (orderId === null) return word('INVALID REQUEST');
    const order = this.orders.get(orderId);
    if (!order) return word('INVALID ORDER ID');
    this.expireIfDue(order);
    if (order.state === 'expired') return word('EXPIRED SMS TIME');
    if (order.state !== 'waiting') return word('UNCANCELLABLE ORDER');
    this.endWithRefund(order, 'cancelled');
    return word(ARZANCELL_CANCELED);
  }

  private requireOrder(upstreamRef: string): Order {
    const order = this.orders.get(upstreamRef);
    if (!order) throw new SimulatorInputError(`unknown order ${upstreamRef}`);
    return order;
  }

  /** The doc's EXPIRED SMS TIME: the time is up and the money goes back to the account. */
  private expireIfDue(order: Order): void {
    if (order.state === 'waiting' && this.now() - order.createdAt >= this.activationTtlMs) {
      this.endWithRefund(order, 'expired');
    }
  }

  private endWithRefund(order: Order, state: 'cancelled' | 'expired'): void {
    order.state = state;
    this.balanceToman += order.price;
    order.row.stock += 1;
  }
}

const ACTIONS = new Set<string>(Object.values(ARZANCELL_ACTIONS));

function isAction(action: string | null): action is ArzanCellAction {
  return action !== null && ACTIONS.has(action);
}

function word(text: string): SimReply {
  return { status: 200, text, contentType: TEXT_CONTENT_TYPE };
}

function matches(row: StockRow, server: string, country: string): boolean {
  return (
    (server === ARZANCELL_ANY || row.server === server) &&
    (country === ARZANCELL_ANY || row.country === country)
  );
}

/** INVALID SERVER / INVALID COUNTRY for a selection the upstream does not have. */
function refuseSelection(server: string, country: string): SimReply | undefined {
  if (server !== ARZANCELL_ANY && !(SERVERS as readonly string[]).includes(server)) {
    return word('INVALID SERVER');
  }
  if (country !== ARZANCELL_ANY && !COUNTRIES.some((item) => item.code === country)) {
    return word('INVALID COUNTRY');
  }
  return undefined;
}
