/**
 * The 5sim adapter (kind `fivesim`): the HTTP shape of each call of 5sim's API v1 — GET with
 * `Authorization: Bearer <token>` under `user/`, no token under `guest/`, JSON answers and
 * plain-text refusals. Translation lives in mapping.ts, refusals in errors.ts.
 */
import { SERVICES, type CurrencyCode, type Money } from '@numbroker/core';
import type { Logger } from 'pino';
import type {
  ActivationStatus,
  ListedActivation,
  BuyRequest,
  Capabilities,
  Offer,
  ProviderAccount,
  ProviderAdapter,
  Purchase,
} from '../adapter.js';
import {
  AuthError,
  CancelNotAllowed,
  InvalidRequest,
  NotFound,
  ProviderError,
  RateLimited,
  type ProviderOperation,
} from '../errors.js';
import { createHttpClient, type AdapterOptions } from '../http/account-client.js';
import {
  parseRetryAfter,
  unavailableFromResponse,
  type HttpClient,
  type HttpResponse,
} from '../http/http-client.js';
import { classifyFiveSimAnswer, classifyFiveSimText, fiveSimError } from './errors.js';
import {
  balanceMoney,
  catalogProducts,
  countryIsoTable,
  slugOfProduct,
  offersFromPriceRows,
  parseOfferRef,
  phoneOf,
  priceRows,
  purchaseFromOrder,
  statusFromOrder,
  type PriceRow,
} from './mapping.js';
import {
  ANY_OPERATOR,
  FIVESIM_PATHS,
  countriesResponseSchema,
  orderSchema,
  ordersResponseSchema,
  profileSchema,
  type FiveSimCountries,
  type FiveSimOrder,
} from './wire.js';

export const FIVESIM_CAPABILITIES: Capabilities = {
  batchStatus: true, // user/orders lists the newest orders with their SMS
  listActivations: true, // the same list, for reconciling a crash between buy and its write
  cancel: true, // user/cancel, refused once an SMS came
  cancelRefunds: true, // a CANCELED order is refunded
  finish: true, // user/finish
  // user/ban ("number already used") is refused once an SMS came, so it cannot report a wrong
  // code; before a code a cancel refunds the same (NOTES.md).
  report: false,
  reportRefunds: false,
  // No call is needed: an order keeps receiving SMS until it is finished or times out.
  requestAnotherSms: true,
  chargesPerSms: false, // paid at buy
};

/** `guest/prices` requests in flight at once during a catalog sync (one per product). */
const CATALOG_CONCURRENCY = 4;
/** Orders per page of `user/orders`; only the newest page is read (NOTES.md: `offset`). */
const ORDERS_PAGE = 100;

interface Answer {
  res: HttpResponse;
  /** The body as JSON (numbers as exact text), or null for a JSON `null` body. */
  body: unknown;
}

interface CallOptions {
  operation: ProviderOperation;
  path: string;
  query?: Record<string, string | number | undefined>;
  idempotent: boolean;
  /** guest/ calls go without the token. */
  guest?: boolean;
}

export class FiveSimAdapter implements ProviderAdapter {
  readonly id: string;
  readonly kind = 'fivesim' as const;
  readonly currency: CurrencyCode;
  readonly capabilities: Capabilities = FIVESIM_CAPABILITIES;

  private readonly http: HttpClient;
  private readonly logger: Logger | undefined;
  /** ISO by 5sim country name: the built-in table, then what the last catalog sync learnt. */
  private countryIsos = countryIsoTable(undefined);

  constructor(
    private readonly account: ProviderAccount,
    options: AdapterOptions = {},
  ) {
    this.id = account.id;
    this.currency = account.currency;
    this.http = createHttpClient(account, options);
    this.logger = options.logger?.child({ provider: account.id, kind: 'fivesim' });
  }

  async catalog(): Promise<Offer[]> {
    const operation = 'catalog';
    // Prices are public, but a catalog of an account that cannot buy is worth nothing: a
    // refused token (or a throttled account) fails the sync; any other fault of this probe
    // does not block the catalog.
    await this.profile(operation).catch((error: unknown) => {
      if (error instanceof AuthError || error instanceof RateLimited) throw error;
      this.logger?.warn({ err: error }, 'fivesim profile probe failed; syncing prices anyway');
    });
    const countries = await this.countries().catch((error: unknown) => {
      if (error instanceof RateLimited) throw error;
      this.logger?.warn({ err: error }, 'fivesim countries unreadable; using the built-in names');
      return undefined;
    });
    const products = catalogProducts(SERVICES.map((service) => service.slug));
    const perProduct = await mapSettled(products, CATALOG_CONCURRENCY, (product) =>
      this.pricesOf(product),
    );
    this.countryIsos = countryIsoTable(countries);
    const { offers, skipped } = offersFromPriceRows(
      perProduct.flat(),
      this.countryIsos,
      this.currency,
    );
    this.logger?.debug(
      { offers: offers.length, skipped: skipped.length, sample: skipped.slice(0, 5) },
      'fivesim catalog mapped',
    );
    return offers;
  }

  async buy(request: BuyRequest): Promise<Purchase> {
    const operation = 'buy';
    const ref = parseOfferRef(request.ref);
    if (!ref) {
      throw new InvalidRequest(
        `${this.id} buy: offer ref "${request.ref}" is not "<country>/<operator>/<product>"`,
        { providerId: this.id, operation },
      );
    }
    // A chosen operator narrows an any-offer; maxPrice then cannot go along (5sim honours it
    // only with "any").
    const chosen = request.operator?.trim().toLowerCase();
    const operator = chosen && ref.operator === ANY_OPERATOR ? chosen : ref.operator;
    // The ref's cap is the synced price with 5sim's own digits (0.0641); the request's is the
    // same rounded up to our currency unit, used only when the ref carries none.
    const maxPrice =
      operator === ANY_OPERATOR ? (ref.maxPrice ?? request.maxPrice?.format()) : undefined;
    // Never retried: a second buy buys a second number.
    const answer = await this.call({
      operation,
      path: FIVESIM_PATHS.buy(ref.country, operator, ref.product),
      query: { maxPrice },
      idempotent: false,
    });
    const order = orderSchema.safeParse(answer.body);
    const purchase = order.success
      ? purchaseFromOrder(order.data, this.currency, request.country)
      : null;
    if (!purchase) throw unavailableFromResponse(answer.res, {}, 'no order id or phone');
    return purchase;
  }

  async status(upstreamRef: string): Promise<ActivationStatus> {
    return this.check(upstreamRef, 'status');
  }

  async statusMany(upstreamRefs: readonly string[]): Promise<Map<string, ActivationStatus>> {
    const wanted = new Set(upstreamRefs);
    const result = new Map<string, ActivationStatus>();
    for (const { status, listsSms } of await this.recentOrders('statusMany')) {
      // A row without an `sms` field says nothing about codes: leave it to a single check.
      if (listsSms && wanted.has(status.upstreamRef)) result.set(status.upstreamRef, status);
    }
    return result;
  }

  async listActivations(): Promise<ListedActivation[]> {
    const rows = await this.recentOrders('statusMany');
    return rows.map(({ status, phoneNumber, bought }) => ({
      ...status,
      ...(phoneNumber ? { phoneNumber } : {}),
      ...bought,
    }));
  }

  async cancel(upstreamRef: string): Promise<void> {
    const operation = 'cancel';
    const id = this.orderId(upstreamRef, operation);
    let after: ActivationStatus;
    try {
      // Safe to repeat: a second cancel finds the order over and is read as such below.
      const answer = await this.call({
        operation,
        path: FIVESIM_PATHS.cancel(id),
        idempotent: true,
      });
      after = this.orderStatus(answer, operation);
    } catch (error) {
      // `order expired` (or a retried cancel's own first attempt): see what the order became.
      if (!(error instanceof CancelNotAllowed) || error.retryable || isHasSms(error)) throw error;
      after = await this.check(upstreamRef, operation);
    }
    if (after.state === 'cancelled' || after.state === 'expired') return;
    throw new CancelNotAllowed(`${this.id} cancel: order ${id} is ${after.state}, not cancelled`, {
      providerId: this.id,
      operation,
      retryable: false,
    });
  }

  async finish(upstreamRef: string): Promise<void> {
    const operation = 'finish';
    const id = this.orderId(upstreamRef, operation);
    try {
      await this.call({ operation, path: FIVESIM_PATHS.finish(id), idempotent: true });
    } catch (error) {
      // Already over (finished on its own after its time, or by a retried finish): done.
      if (!(error instanceof CancelNotAllowed)) throw error;
      const now = await this.check(upstreamRef, operation);
      if (now.state === 'finished' || now.state === 'expired' || now.state === 'cancelled') return;
      throw new InvalidRequest(`${this.id} finish: order ${id} cannot be finished (${now.state})`, {
        providerId: this.id,
        operation,
        upstreamMessage: error.upstreamMessage,
      });
    }
  }

  async requestAnotherSms(upstreamRef: string): Promise<void> {
    const operation = 'requestAnotherSms';
    // Nothing to send: 5sim delivers every SMS until the order is finished or times out. Only
    // an order still open can get one.
    const now = await this.check(upstreamRef, operation);
    if (now.state === 'waiting' || now.state === 'code') return;
    throw new InvalidRequest(`${this.id} requestAnotherSms: the order is ${now.state}`, {
      providerId: this.id,
      operation,
    });
  }

  async balance(): Promise<Money> {
    const operation = 'balance';
    const { res, profile } = await this.profile(operation);
    const money = balanceMoney(profile.balance, this.currency);
    if (!money) throw unavailableFromResponse(res, {}, 'unreadable balance');
    return money;
  }

  // ---- the calls ------------------------------------------------------------------------------

  private async profile(operation: ProviderOperation) {
    const answer = await this.call({ operation, path: FIVESIM_PATHS.profile, idempotent: true });
    const parsed = profileSchema.safeParse(answer.body);
    if (!parsed.success) throw unavailableFromResponse(answer.res, {}, 'unexpected profile');
    return { res: answer.res, profile: parsed.data };
  }

  private async countries(): Promise<FiveSimCountries> {
    const answer = await this.call({
      operation: 'catalog',
      path: FIVESIM_PATHS.countries,
      idempotent: true,
      guest: true,
    });
    const parsed = countriesResponseSchema.safeParse(answer.body);
    if (!parsed.success) throw unavailableFromResponse(answer.res, {}, 'unexpected countries');
    return parsed.data;
  }

  /** One product's prices; a product 5sim does not know is no offers, not a failure. */
  private async pricesOf(product: string): Promise<PriceRow[]> {
    try {
      const answer = await this.call({
        operation: 'catalog',
        path: FIVESIM_PATHS.prices,
        query: { product },
        idempotent: true,
        guest: true,
      });
      return priceRows(answer.body, product);
    } catch (error) {
      if (error instanceof InvalidRequest) return [];
      throw error;
    }
  }

  private async check(
    upstreamRef: string,
    operation: ProviderOperation,
  ): Promise<ActivationStatus> {
    const id = this.orderId(upstreamRef, operation);
    const answer = await this.call({ operation, path: FIVESIM_PATHS.check(id), idempotent: true });
    return this.orderStatus(answer, operation);
  }

  private orderStatus(answer: Answer, operation: ProviderOperation): ActivationStatus {
    const order = orderSchema.safeParse(answer.body);
    const status = order.success ? statusFromOrder(order.data) : null;
    if (!status) throw unavailableFromResponse(answer.res, { operation }, 'unexpected order');
    return status;
  }

  private async recentOrders(operation: ProviderOperation) {
    const answer = await this.call({
      operation,
      path: FIVESIM_PATHS.orders,
      query: { category: 'activation', limit: ORDERS_PAGE, order: 'id', reverse: 'true' },
      idempotent: true,
    });
    const list = ordersResponseSchema.safeParse(answer.body);
    if (!list.success) throw unavailableFromResponse(answer.res, {}, 'unexpected order list');
    const rawRows = (answer.body as { Data?: unknown }).Data;
    return (list.data.Data ?? []).flatMap((order: FiveSimOrder, index) => {
      const status = statusFromOrder(order);
      if (!status) return [];
      const raw = Array.isArray(rawRows) ? (rawRows[index] as Record<string, unknown>) : {};
      return [
        {
          status,
          listsSms: 'sms' in raw,
          phoneNumber: phoneOf(order.phone) ?? undefined,
          bought: boughtOf(order, this.countryIsos),
        },
      ];
    });
  }

  /**
   * One GET. A 2xx JSON body is the answer (a JSON string is a refusal 5sim sent as JSON); any
   * other body is matched against the refusal table by its text, then by its status.
   */
  private async call(options: CallOptions): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (!options.guest) headers.authorization = `Bearer ${this.account.apiKey}`;
    const res = await this.http.request({
      operation: options.operation,
      method: 'GET',
      path: options.path,
      query: options.query,
      headers,
      idempotent: options.idempotent,
    });
    if (res.isHtml) throw unavailableFromResponse(res);
    if (res.status >= 200 && res.status < 300) {
      let body: unknown;
      try {
        body = res.jsonLossless();
      } catch {
        // `no free phones` comes as 200 text/plain.
        if (classifyFiveSimText(res.text)) throw this.refusal(res, options.operation);
        throw unavailableFromResponse(res, {}, 'malformed JSON');
      }
      if (typeof body === 'string') throw this.refusal(res, options.operation, body);
      return { res, body };
    }
    throw this.refusal(res, options.operation);
  }

  private refusal(res: HttpResponse, operation: ProviderOperation, text = res.text): ProviderError {
    const body = this.http.redact(text).slice(0, 200);
    const input = {
      providerId: this.id,
      operation,
      httpStatus: res.status,
      body,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    };
    const error = fiveSimError(input, classifyFiveSimAnswer(input));
    this.logger?.debug(
      { operation, httpStatus: res.status, code: error.code, upstream: error.upstreamMessage },
      'fivesim refused',
    );
    return error;
  }

  private orderId(upstreamRef: string, operation: ProviderOperation): string {
    if (!/^\d{1,20}$/.test(upstreamRef)) {
      throw new NotFound(`${this.id} ${operation}: "${upstreamRef}" is not a 5sim order id`, {
        providerId: this.id,
        operation,
      });
    }
    return upstreamRef;
  }
}

function isHasSms(error: CancelNotAllowed): boolean {
  return classifyFiveSimText(error.upstreamMessage ?? '') === 'has-sms';
}

/** Runs `task` over `items`, at most `limit` at once; on a failure starts no more, waits for
 *  those in flight (none may hit the upstream after the call rejected), then rejects. */
async function mapSettled<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/** What an order row says was bought, in our ids, and when (`product`, `country`, `operator`,
 *  `created_at`; `country` and `operator` are missing on some endpoints): the reconciler
 *  matches a stuck buy by them. */
function boughtOf(order: FiveSimOrder, countryIsos: ReadonlyMap<string, string>) {
  const service = order.product ? slugOfProduct(order.product) : undefined;
  const country = order.country ? countryIsos.get(order.country.trim().toLowerCase()) : undefined;
  const operator = order.operator?.trim().toLowerCase();
  const created = order.created_at ? Date.parse(order.created_at) : NaN;
  return {
    ...(service ? { service } : {}),
    ...(country ? { country } : {}),
    ...(operator ? { operator } : {}),
    ...(Number.isFinite(created) ? { createdAt: new Date(created) } : {}),
  };
}
