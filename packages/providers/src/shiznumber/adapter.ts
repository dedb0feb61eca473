/**
 * ShizNumber (seed 000): REST under `baseUrl` (production `https://api.shiznumber.com/api/`),
 * the key in `X-API-KEY`, `Accept: application/json`, errors as HTTP status + Persian message.
 *
 * This file holds the HTTP shape of each call; wire ↔ domain is mapping.ts, refusals → errors is
 * errors.ts. Quirks and assumptions: NOTES.md.
 */
import { Money, type CurrencyCode } from '@numbroker/core';
import { pino, type Logger } from 'pino';
import type { z } from 'zod';
import type {
  ActivationStatus,
  BuyRequest,
  Capabilities,
  ListedActivation,
  Offer,
  ProviderAccount,
  ProviderAdapter,
  ProviderKind,
  Purchase,
} from '../adapter.js';
import { InvalidRequest, Unavailable, type ProviderOperation } from '../errors.js';
import { createHttpClient, type AdapterOptions } from '../http/account-client.js';
import {
  expectJson,
  parseRetryAfter,
  unavailableFromResponse,
  type HttpClient,
  type HttpMethod,
  type HttpResponse,
} from '../http/http-client.js';
import { classifyShizError, shizError, shizErrorMessage, type ShizErrorKind } from './errors.js';
import { parseShizDate } from './jalali-date.js';
import {
  ShizMappingError,
  activationStatusFromShiz,
  countryOfOrder,
  dialingCodeOfOrder,
  moneyFromWire,
  offerFromShiz,
  purchaseFromShiz,
  serviceSlugFromShiz,
  statusKindFromShiz,
  toE164,
  wireId,
} from './mapping.js';
import {
  SHIZ_API_KEY_HEADER,
  SHIZ_PATHS,
  shizBuyResponseSchema,
  shizMessageResponseSchema,
  shizNumberSchema,
  shizOrderDetailResponseSchema,
  shizOrderListItemSchema,
  shizPageSchema,
  shizUserResponseSchema,
  type ShizOrder,
} from './wire.js';

/** What one GET orders/{id} costs, in entries of GET orders (a request's round trip, headers and
 *  rate-limit token against ~300 bytes of JSON per listed order). */
const LIST_ENTRIES_PER_REQUEST = 25;
/** GET orders/{id} in flight at once when statusMany asks order by order. */
const ONE_BY_ONE_CONCURRENCY = 4;

/** Pages of GET orders read at most per batch status call, should the list be paginated. */
const MAX_ORDER_PAGES = 10;

export class ShizNumberAdapter implements ProviderAdapter {
  readonly kind: ProviderKind = 'shiznumber';
  readonly id: string;
  readonly currency: CurrencyCode;
  readonly capabilities: Capabilities = {
    // GET orders lists every order with its status and code.
    batchStatus: true,
    listActivations: true,
    // PUT orders/{id}/cancel: "its cost will be returned to your wallet", only before a code.
    cancel: true,
    cancelRefunds: true,
    // No call closes an order after its code.
    finish: false,
    // PUT orders/{id}/report: after a wrong code, refunded.
    report: true,
    reportRefunds: true,
    requestAnotherSms: false,
    chargesPerSms: false,
  };

  private readonly http: HttpClient;
  private readonly logger: Logger;
  /** Orders GET orders listed last time (the history's size); undefined until read once. */
  private listedOrders: number | undefined;
  private readonly headers: Record<string, string>;

  constructor(account: ProviderAccount, options: AdapterOptions = {}) {
    if (account.kind !== 'shiznumber') {
      throw new TypeError(`ShizNumberAdapter cannot serve a "${account.kind}" account`);
    }
    this.id = account.id;
    this.currency = account.currency;
    this.http = createHttpClient(account, options);
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({
      provider: account.id,
      kind: this.kind,
    });
    // Lower-case names: the HTTP client's own defaults (accept: */*) are lower-case, and a
    // differently cased duplicate would be sent alongside instead of replacing them.
    this.headers = {
      [SHIZ_API_KEY_HEADER.toLowerCase()]: account.apiKey,
      accept: 'application/json',
      'content-type': 'application/json',
    };
  }

  async catalog(): Promise<Offer[]> {
    const body = await this.call('catalog', 'GET', SHIZ_PATHS.numbers, true);
    const entries = Array.isArray(body) ? body : shizPageSchema.safeParse(body).data?.data;
    if (!entries) throw this.malformed('catalog', 'GET numbers did not answer a list');
    const offers: Offer[] = [];
    const dropped: Record<string, number> = {};
    for (const entry of entries) {
      const parsed = shizNumberSchema.safeParse(entry);
      if (!parsed.success) {
        dropped['malformed entry'] = (dropped['malformed entry'] ?? 0) + 1;
        continue;
      }
      const mapped = offerFromShiz(parsed.data, this.currency);
      if (mapped.ok) {
        offers.push(mapped.offer);
        continue;
      }
      const label = mapped.shizService
        ? `service "${mapped.shizService}"`
        : mapped.shizCountry
          ? `country "${mapped.shizCountry}"`
          : mapped.reason;
      dropped[label] = (dropped[label] ?? 0) + 1;
    }
    if (Object.keys(dropped).length > 0) {
      this.logger.debug({ dropped }, 'catalog entries without a mapping were left out');
    }
    return offers;
  }

  async buy(request: BuyRequest): Promise<Purchase> {
    const numberId = wireId(request.ref);
    if (numberId === null) {
      throw new InvalidRequest(`${this.id} buy: "${request.ref}" is not a ShizNumber number id`, {
        providerId: this.id,
        operation: 'buy',
      });
    }
    // Never retried: POST numbers/{id} charges the wallet.
    const body = await this.call('buy', 'POST', SHIZ_PATHS.number(numberId), false);
    const parsed = shizBuyResponseSchema.safeParse(body);
    if (!parsed.success) {
      throw this.malformed('buy', 'the order in the answer is unreadable', parsed.error);
    }
    try {
      return purchaseFromShiz(parsed.data.order, this.currency, request.country);
    } catch (error) {
      if (error instanceof ShizMappingError) throw this.malformed('buy', error.message, error);
      throw error;
    }
  }

  async status(upstreamRef: string): Promise<ActivationStatus> {
    const orderId = this.orderId(upstreamRef, 'status');
    const res = await this.send('status', 'GET', SHIZ_PATHS.order(orderId), true);
    if (isSuccess(res)) {
      const parsed = shizOrderDetailResponseSchema.safeParse(this.json(res, 'status'));
      if (!parsed.success) throw this.malformed('status', 'the order is unreadable', parsed.error);
      return this.toStatus(parsed.data);
    }
    // 422 "your order has ended": the detail is gone, the list still shows how it ended.
    if (this.errorKind(res) === 'order-ended') {
      const order = (await this.findOrders([orderId], 'status')).get(orderId);
      return order
        ? this.toStatus(order)
        : { upstreamRef: orderId, state: 'expired', messages: [] };
    }
    throw this.errorOf(res, 'status');
  }

  /**
   * Many orders at once. GET orders is the doc's only list, and it is the account's whole order
   * history without paging (NOTES.md 14): read every poll, its cost would grow with every order
   * ever bought. So the list is read only while it is about as cheap as asking each order alone
   * (`LIST_ENTRIES_PER_REQUEST` entries per order asked); past that, each order is asked alone
   * (GET orders/{id}), which costs what the open orders cost, whatever the history.
   */
  async statusMany(upstreamRefs: readonly string[]): Promise<Map<string, ActivationStatus>> {
    const ids = upstreamRefs.map((ref) => this.orderId(ref, 'statusMany'));
    if (
      this.listedOrders !== undefined &&
      this.listedOrders > upstreamRefs.length * LIST_ENTRIES_PER_REQUEST
    ) {
      return this.statusOneByOne(upstreamRefs);
    }
    const orders = await this.findOrders(ids, 'statusMany');
    const statuses = new Map<string, ActivationStatus>();
    for (const [ref, id] of upstreamRefs.map((ref, index) => [ref, ids[index]] as const)) {
      const order = id === undefined ? undefined : orders.get(id);
      if (order) statuses.set(ref, { ...this.toStatus(order), upstreamRef: ref });
    }
    return statuses;
  }

  /** `status` of each ref, a few at a time; one that fails is left out (the worker then asks
   *  about it alone and sees its error), as an unlisted one is. */
  private async statusOneByOne(
    upstreamRefs: readonly string[],
  ): Promise<Map<string, ActivationStatus>> {
    const statuses = new Map<string, ActivationStatus>();
    let next = 0;
    const runners = Array.from(
      { length: Math.min(ONE_BY_ONE_CONCURRENCY, upstreamRefs.length) },
      async () => {
        while (next < upstreamRefs.length) {
          const ref = upstreamRefs[next++]!;
          try {
            statuses.set(ref, { ...(await this.status(ref)), upstreamRef: ref });
          } catch (error) {
            this.logger.debug({ err: error, ref }, 'statusMany: one order failed; left out');
          }
        }
      },
    );
    await Promise.all(runners);
    return statuses;
  }

  async listActivations(): Promise<ListedActivation[]> {
    const { orders } = await this.readOrderPage('statusMany', 1);
    const listed = orders.map((order) => {
      const status: ListedActivation = { ...this.toStatus(order), ...boughtOf(order) };
      try {
        status.phoneNumber = toE164(
          order.ordered_number,
          dialingCodeOfOrder(order),
          countryOfOrder(order),
        );
      } catch {
        // A number we cannot write as E.164 is still worth listing for reconciliation.
      }
      return { status, order };
    });
    // Newest first: by creation time (Jalali in the answer), then by id.
    const key = (entry: { status: ListedActivation }) => entry.status.createdAt?.getTime() ?? 0;
    listed.sort(
      (a, b) => key(b) - key(a) || Number(wireId(b.order.id)) - Number(wireId(a.order.id)),
    );
    return listed.map((entry) => entry.status);
  }

  async cancel(upstreamRef: string): Promise<void> {
    await this.orderAction('cancel', upstreamRef);
  }

  async report(upstreamRef: string): Promise<void> {
    await this.orderAction('report', upstreamRef);
  }

  async balance(): Promise<Money> {
    const body = await this.call('balance', 'GET', SHIZ_PATHS.user, true);
    const parsed = shizUserResponseSchema.safeParse(body);
    const balance = parsed.success ? moneyFromWire(parsed.data.balance, this.currency) : null;
    if (balance === null) throw this.malformed('balance', 'no balance in GET user');
    return balance;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /**
   * PUT orders/{id}/cancel or /report. A repeat after a lost answer (our retry, or the worker's)
   * gets 422 "the order has ended": when the list shows the order ended the way we asked (no code
   * and cancelled/expired; reported, or a code and cancelled/refunded), that is success;
   * otherwise the refusal stands.
   */
  private async orderAction(operation: 'cancel' | 'report', upstreamRef: string): Promise<void> {
    const orderId = this.orderId(upstreamRef, operation);
    const path =
      operation === 'cancel' ? SHIZ_PATHS.cancelOrder(orderId) : SHIZ_PATHS.reportOrder(orderId);
    const res = await this.send(operation, 'PUT', path, true);
    if (isSuccess(res)) {
      const parsed = shizMessageResponseSchema.safeParse(this.json(res, operation));
      if (!parsed.success) throw this.malformed(operation, 'unexpected answer', parsed.error);
      return;
    }
    if (this.errorKind(res) === 'order-ended') {
      const order = (await this.findOrders([orderId], operation)).get(orderId);
      const kind = order ? statusKindFromShiz(order.status) : undefined;
      const hasCode = order ? this.toStatus(order).messages.some((m) => m.code !== null) : false;
      // A report is only possible after a code, and a cancel only before one: an order with a
      // code listed as cancelled/refunded got its money back through our report.
      const alreadyDone =
        operation === 'cancel'
          ? !hasCode && (kind === 'cancelled' || kind === 'expired')
          : kind === 'reported' || (hasCode && kind === 'cancelled');
      if (alreadyDone) {
        this.logger.info({ operation, orderId }, 'order had already ended as asked');
        return;
      }
    }
    throw this.errorOf(res, operation);
  }

  /** Orders by id from GET orders, reading pages (when paginated) until all are found. */
  private async findOrders(
    orderIds: readonly string[],
    operation: ProviderOperation,
  ): Promise<Map<string, ShizOrder>> {
    const wanted = new Set(orderIds);
    const found = new Map<string, ShizOrder>();
    for (let page = 1; page <= MAX_ORDER_PAGES && found.size < wanted.size; page += 1) {
      const { orders, lastPage } = await this.readOrderPage(operation, page);
      for (const order of orders) {
        const id = wireId(order.id);
        if (id !== null && wanted.has(id)) found.set(id, order);
      }
      if (lastPage === undefined || page >= lastPage || orders.length === 0) break;
    }
    return found;
  }

  /** One page of GET orders. The doc shows a bare array (then there is one page and `page` is
   *  not sent); a Laravel paginator (`data`, `last_page` or `meta.last_page`) is followed. */
  private async readOrderPage(
    operation: ProviderOperation,
    page: number,
  ): Promise<{ orders: ShizOrder[]; lastPage: number | undefined }> {
    const query = page > 1 ? { page } : undefined;
    const body = await this.call(operation, 'GET', SHIZ_PATHS.orders, true, query);
    let entries: unknown[];
    let lastPage: number | undefined;
    if (Array.isArray(body)) {
      entries = body;
    } else {
      const paged = shizPageSchema.safeParse(body);
      if (!paged.success) throw this.malformed(operation, 'GET orders did not answer a list');
      entries = paged.data.data;
      const last = wireId(paged.data.last_page ?? paged.data.meta?.last_page);
      lastPage = last === null ? (paged.data.next_page_url ? page + 1 : page) : Number(last);
    }
    // The history's size (every page's entries when paged, as Laravel says in `total`).
    this.listedOrders = Math.max(
      this.listedOrders ?? 0,
      lastPage === undefined ? entries.length : lastPage * entries.length,
    );
    const orders: ShizOrder[] = [];
    let unreadable = 0;
    for (const entry of entries) {
      const parsed = shizOrderListItemSchema.safeParse(entry);
      if (parsed.success) orders.push(parsed.data);
      else unreadable += 1;
    }
    if (unreadable > 0) this.logger.warn({ unreadable }, 'GET orders: entries left out');
    return { orders, lastPage };
  }

  private toStatus(order: ShizOrder): ActivationStatus {
    const { status, unknownStatus } = activationStatusFromShiz(order);
    if (unknownStatus !== undefined) {
      this.logger.warn(
        { orderId: status.upstreamRef, status: unknownStatus },
        'unknown order status',
      );
    }
    return status;
  }

  private orderId(ref: string, operation: ProviderOperation): string {
    const id = wireId(ref);
    if (id === null) {
      throw new InvalidRequest(`${this.id} ${operation}: "${ref}" is not a ShizNumber order id`, {
        providerId: this.id,
        operation,
      });
    }
    return id;
  }

  private send(
    operation: ProviderOperation,
    method: HttpMethod,
    path: string,
    idempotent: boolean,
    query?: Record<string, string | number>,
  ): Promise<HttpResponse> {
    return this.http.request({ operation, method, path, query, headers: this.headers, idempotent });
  }

  /** A request whose only acceptable answer is a 2xx JSON body. */
  private async call(
    operation: ProviderOperation,
    method: HttpMethod,
    path: string,
    idempotent: boolean,
    query?: Record<string, string | number>,
  ): Promise<unknown> {
    const res = await this.send(operation, method, path, idempotent, query);
    if (!isSuccess(res)) throw this.errorOf(res, operation);
    return this.json(res, operation);
  }

  private json(res: HttpResponse, operation: ProviderOperation): unknown {
    return expectJson(res, { providerId: this.id, operation, lossless: true });
  }

  private errorKind(res: HttpResponse): ShizErrorKind | undefined {
    return res.isHtml ? undefined : classifyShizError(res.status, shizErrorMessage(res.text));
  }

  private errorOf(res: HttpResponse, operation: ProviderOperation) {
    if (res.isHtml) return unavailableFromResponse(res, { providerId: this.id, operation });
    return shizError({
      providerId: this.id,
      operation,
      httpStatus: res.status,
      bodyText: res.text,
      secrets: res.secrets,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    });
  }

  /** A 2xx answer we cannot read. On buy the order may exist and be paid: never retried, the
   *  purchase goes to reconciliation (`surelyNotSent: false`). */
  private malformed(operation: ProviderOperation, what: string, cause?: unknown): Unavailable {
    const detail =
      cause instanceof Error && !(cause instanceof ShizMappingError) ? summarize(cause) : '';
    return new Unavailable(`${this.id} ${operation}: ${what}${detail ? ` (${detail})` : ''}`, {
      providerId: this.id,
      operation,
      surelyNotSent: false,
    });
  }
}

function isSuccess(res: HttpResponse): boolean {
  return res.status >= 200 && res.status < 300;
}

/** The first issue of a zod error, as "path: message" (never a value: bodies are not echoed). */
function summarize(error: Error): string {
  const issues = (error as Partial<z.ZodError>).issues;
  const first = issues?.[0];
  return first ? `${first.path.join('.') || 'body'}: ${first.message}` : error.name;
}

/** What an order says was bought, in our ids, and when (its number's service, country and
 *  operator; `created_at`): the reconciler matches a stuck buy by them. */
function boughtOf(order: ShizOrder): Partial<ListedActivation> {
  const service = serviceSlugFromShiz(order.number.service.slug);
  const country = countryOfOrder(order);
  const operator = order.number.operator?.trim();
  const createdAt = parseShizDate(order.created_at);
  return {
    ...(service ? { service } : {}),
    ...(country ? { country } : {}),
    ...(operator ? { operator } : {}),
    ...(createdAt ? { createdAt } : {}),
  };
}
