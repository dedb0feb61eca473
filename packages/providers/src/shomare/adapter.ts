/**
 * Shomare.online's adapter: the HTTP shape of each call. Translation lives in `mapping.ts`,
 * refusals in `errors.ts`; NOTES.md lists what the doc leaves open and what we assumed.
 */
import type { CurrencyCode, Money } from '@numbroker/core';
import type {
  ActivationStatus,
  BuyRequest,
  Capabilities,
  Offer,
  ProviderAccount,
  ProviderAdapter,
  ProviderKind,
  Purchase,
} from '../adapter.js';
import {
  InvalidRequest,
  ProviderError,
  Unavailable,
  type ProviderErrorContext,
  type ProviderOperation,
} from '../errors.js';
import { pino, type Logger } from 'pino';
import { createHttpClient, type AdapterOptions } from '../http/account-client.js';
import {
  unavailableFromResponse,
  type HttpClient,
  type HttpResponse,
} from '../http/http-client.js';
import { excerpt } from '../http/redact.js';
import { countryFromIsoCode } from './catalog-names.js';
import { classifyShomareRefusal, shomareError } from './errors.js';
import {
  decodeOfferRef,
  mapApplication,
  mapBalance,
  mapCheck,
  mapCountry,
  mapOperator,
  mapPriceRow,
  mapPurchase,
  offersFromPriceRows,
  operatorsOfCountry,
  readEnvelope,
  readList,
  toE164,
  type ShomareApplication,
  type ShomareCountry,
  type ShomareOperator,
  type ShomareProductIds,
} from './mapping.js';
import { PriceSchedule, type PriceScheduleOptions } from './price-schedule.js';
import {
  SHOMARE_ENDPOINTS,
  SHOMARE_METHODS,
  SHOMARE_PARAMS,
  SHOMARE_PATH_PARAMS,
  SHOMARE_TOKEN_HEADER,
  type ShomareEndpoint,
  type ShomareParamStyle,
} from './wire.js';

/** `pricebycountry` calls in flight at once during a catalog sync (one per country × operator). */
const CATALOG_CONCURRENCY = 4;

export interface ShomareAdapterOptions extends AdapterOptions, PriceScheduleOptions {
  /** The clock of the price schedule (tests). */
  now?: () => number;
}

export const SHOMARE_CAPABILITIES: Capabilities = {
  batchStatus: false,
  listActivations: false,
  cancel: true,
  // The doc's `cancel`: "cancel the number and return the money".
  cancelRefunds: true,
  finish: false,
  report: false,
  reportRefunds: false,
  requestAnotherSms: false,
  chargesPerSms: false,
};

export class ShomareAdapter implements ProviderAdapter {
  readonly kind: ProviderKind = 'shomare';
  readonly id: string;
  readonly currency: CurrencyCode;
  readonly capabilities = SHOMARE_CAPABILITIES;
  private readonly http: HttpClient;
  private readonly logger: Logger;
  private readonly prices: PriceSchedule;
  private readonly now: () => number;
  /** How this host takes ids, per endpoint, once one form answered there (NOTES.md). */
  private readonly paramStyles = new Map<ShomareEndpoint, ShomareParamStyle>();
  /** The form the host answered last, for endpoints not called yet; null: not known yet. */
  private hostParamStyle: ShomareParamStyle | null = null;

  constructor(
    private readonly account: ProviderAccount,
    options: ShomareAdapterOptions = {},
  ) {
    this.id = account.id;
    this.currency = account.currency;
    this.http = createHttpClient(account, options);
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ provider: account.id });
    this.prices = new PriceSchedule(options);
    this.now = options.now ?? Date.now;
  }

  async catalog(): Promise<Offer[]> {
    const [countries, operators, applications] = await Promise.all([
      this.list('catalog', SHOMARE_ENDPOINTS.allCountries, ['countries'], mapCountry),
      this.list('catalog', SHOMARE_ENDPOINTS.allOperators, ['operators'], mapOperator),
      this.list(
        'catalog',
        SHOMARE_ENDPOINTS.allApplications,
        ['applications', 'apps'],
        mapApplication,
      ),
    ]);
    const sellable = applications.filter((app) => app.slug !== null);
    if (sellable.length === 0) return [];
    const pairs = new Map<string, { country: ShomareCountry; operator: ShomareOperator }>(
      countries
        .filter((country) => country.iso !== null)
        .flatMap((country) =>
          operatorsOfCountry(country, operators).map((operator) => [
            `${country.id}\u0000${operator.id}`,
            { country, operator },
          ]),
        ),
    );
    // Bounded fan-out: some pairs now, the rest over the next syncs (price-schedule.ts).
    const keys = [...pairs.keys()];
    const due = this.prices.due(keys, this.now());
    await mapWithConcurrency(due, CATALOG_CONCURRENCY, async (key) => {
      const { country, operator } = pairs.get(key)!;
      this.prices.record(key, await this.pricesOf(country, operator, sellable), this.now());
    });
    if (due.length < keys.length) {
      this.logger.debug(
        { asked: due.length, pairs: keys.length },
        'pricebycountry: the other pairs keep their last answer until a later sync',
      );
    }
    return this.prices.offers(keys);
  }

  async buy(request: BuyRequest): Promise<Purchase> {
    const ids = decodeOfferRef(request.ref);
    if (ids === null) {
      throw new InvalidRequest(`${this.id} buy: "${request.ref}" is not a Shomare product ref`, {
        providerId: this.id,
        operation: 'buy',
      });
    }
    const data = await this.call('buy', SHOMARE_ENDPOINTS.buy, productParams(ids));
    const purchase = mapPurchase(data, this.currency);
    const countryIso = countryFromIsoCode(request.country)?.iso ?? null;
    const phoneNumber = purchase === null ? null : toE164(purchase.rawNumber, countryIso);
    if (purchase === null || phoneNumber === null) {
      // The upstream may have sold us a number we cannot read: never retry, reconcile.
      throw new Unavailable(
        `${this.id} buy: answer without a readable purchase id and number` +
          (purchase === null ? '' : ` (purchase ${purchase.upstreamRef})`),
        { providerId: this.id, operation: 'buy', surelyNotSent: false },
      );
    }
    return {
      upstreamRef: purchase.upstreamRef,
      phoneNumber,
      ...(purchase.cost === null ? {} : { cost: purchase.cost }),
    };
  }

  async status(upstreamRef: string): Promise<ActivationStatus> {
    const data = await this.call('status', SHOMARE_ENDPOINTS.check, {
      [SHOMARE_PARAMS.purchaseId]: upstreamRef,
    });
    const status = mapCheck(data, upstreamRef);
    if (status === null) throw this.unexpected('status', 'check answered without a purchase');
    return status;
  }

  async cancel(upstreamRef: string): Promise<void> {
    try {
      await this.call('cancel', SHOMARE_ENDPOINTS.cancel, {
        [SHOMARE_PARAMS.purchaseId]: upstreamRef,
      });
    } catch (error) {
      // Cancelling twice (a retry after a lost answer) is done, not an error.
      if (error instanceof AlreadyCancelled) return;
      throw error;
    }
  }

  async balance(): Promise<Money> {
    const data = await this.call('balance', SHOMARE_ENDPOINTS.profile, {});
    const balance = mapBalance(data, this.currency);
    if (balance === null) throw this.unexpected('balance', 'profile answered without a balance');
    return balance;
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async pricesOf(
    country: ShomareCountry,
    operator: ShomareOperator,
    applications: readonly ShomareApplication[],
  ): Promise<Offer[]> {
    // A JSON 404 is the doc's "these parameters do not exist": that pair has no offers. A 404
    // without JSON (a wrong endpoint, in both parameter forms) and every other failure fail the
    // whole sync, so a misread API shows as a provider error instead of an empty catalog.
    const data = await this.call(
      'catalog',
      SHOMARE_ENDPOINTS.priceByCountry,
      { [SHOMARE_PARAMS.country]: country.id, [SHOMARE_PARAMS.operator]: operator.id },
      { jsonNotFoundIsEmpty: true },
    );
    if (data === NO_SUCH_PARAMETERS) return [];
    const rows = readList(data, ['prices', 'services', 'applications', 'apps']).map((row) =>
      mapPriceRow(row, this.currency),
    );
    return offersFromPriceRows(rows, country, operator, applications);
  }

  private async list<T>(
    operation: ProviderOperation,
    endpoint: ShomareEndpoint,
    listKeys: readonly string[],
    map: (raw: Record<string, unknown>) => T | null,
  ): Promise<T[]> {
    const data = await this.call(operation, endpoint, {});
    return readList(data, listKeys)
      .map(map)
      .filter((item): item is T => item !== null);
  }

  /**
   * One call of an endpoint; returns the result (`data`, or the top level) of a success. Ids go
   * in the query string or, if this host answers that with the doc's "404 without JSON = wrong
   * endpoint", as path segments (seed lines 65–74 allow both readings); the form that answered is
   * kept for that endpoint and is the first guess for the others. A `buy` that hit no route (404
   * without JSON: nothing was bought) tries the other form only while neither is known.
   */
  private async call(
    operation: ProviderOperation,
    endpoint: ShomareEndpoint,
    params: Record<string, string>,
    options: { jsonNotFoundIsEmpty?: boolean } = {},
  ): Promise<unknown> {
    const takesIds = SHOMARE_PATH_PARAMS[endpoint].length > 0;
    const known = this.paramStyles.get(endpoint) ?? this.hostParamStyle;
    const first = known ?? 'query';
    let res = await this.send(operation, endpoint, params, first);
    if (takesIds && isWrongEndpoint(res)) {
      // A 404 without JSON hit no route, so not even a buy reached a handler: asking in the
      // other form is safe. A buy does it only while the form is unknown (a GET learns it).
      if (SHOMARE_METHODS[endpoint] === 'GET' || known === null) {
        const other: ShomareParamStyle = first === 'query' ? 'path' : 'query';
        const second = await this.send(operation, endpoint, params, other);
        if (isWrongEndpoint(second)) throw this.wrongEndpoint(operation, endpoint, second, known);
        this.logger.info(
          { endpoint, paramStyle: other },
          `${endpoint}: ids as ${other === 'path' ? 'path segments' : 'query parameters'}`,
        );
        this.learnParamStyle(endpoint, other);
        res = second;
      } else {
        throw this.wrongEndpoint(operation, endpoint, res, known);
      }
    } else if (takesIds && !this.paramStyles.has(endpoint)) {
      this.learnParamStyle(endpoint, first);
    }
    if (options.jsonNotFoundIsEmpty && res.status === 404 && isJsonBody(res)) {
      const envelope = readEnvelope(res.jsonLossless());
      const kind = classifyShomareRefusal({
        httpStatus: res.status,
        code: envelope.code,
        message: envelope.message,
        isJson: true,
        operation,
      });
      if (kind === 'bad-params' || kind === 'not-found') return NO_SUCH_PARAMETERS;
    }
    return this.interpret(res, operation);
  }

  private async send(
    operation: ProviderOperation,
    endpoint: ShomareEndpoint,
    params: Record<string, string>,
    style: ShomareParamStyle,
  ): Promise<HttpResponse> {
    const method = SHOMARE_METHODS[endpoint];
    const segments = SHOMARE_PATH_PARAMS[endpoint];
    const path =
      style === 'path' && segments.length > 0
        ? [endpoint, ...segments.map((name) => encodeURIComponent(params[name] ?? ''))].join('/')
        : endpoint;
    return this.http.request({
      operation,
      method,
      path,
      headers: { [SHOMARE_TOKEN_HEADER]: this.account.apiKey, accept: 'application/json' },
      // ASSUMED (NOTES.md): the query string for GET; for the POST `buy` both the form body and
      // the query string, so either reading of the doc's "parameters" reaches the upstream.
      ...(style === 'query' ? { query: params } : {}),
      ...(method === 'POST' ? { form: params } : {}),
      idempotent: operation !== 'buy',
    });
  }

  private learnParamStyle(endpoint: ShomareEndpoint, style: ShomareParamStyle): void {
    this.paramStyles.set(endpoint, style);
    this.hostParamStyle = style;
  }

  /** Both readings of the doc's URLs hit "404 without JSON": an admin must look at it. */
  private wrongEndpoint(
    operation: ProviderOperation,
    endpoint: ShomareEndpoint,
    res: HttpResponse,
    known: ShomareParamStyle | null,
  ): InvalidRequest {
    const tried =
      SHOMARE_METHODS[endpoint] === 'GET' || known === null
        ? 'with query parameters or path segments'
        : `with ${known === 'path' ? 'path segments' : 'query parameters'}`;
    return new InvalidRequest(
      `${this.id} ${operation}: "${endpoint}" is not an endpoint of this host ${tried} ` +
        `(HTTP 404 without JSON, the doc's "wrong endpoint"): check baseUrl`,
      {
        providerId: this.id,
        operation,
        httpStatus: res.status,
        upstreamMessage: excerpt(res.text, [this.account.apiKey]),
      },
    );
  }

  private interpret(res: HttpResponse, operation: ProviderOperation): unknown {
    let body: unknown;
    let isJson = !res.isHtml && res.text.trim() !== '';
    if (isJson) {
      try {
        body = res.jsonLossless();
      } catch {
        isJson = false;
      }
    }
    if (!isJson) {
      // The doc: every answer is JSON; a non-JSON 404 means the endpoint itself is wrong. The
      // auth statuses keep their meaning even from a bare server; anything else is an outage.
      if ([401, 402, 403, 404, 405].includes(res.status)) {
        throw this.refusal(res, operation, null, null, false);
      }
      throw unavailableFromResponse(res, { providerId: this.id, operation });
    }
    const envelope = readEnvelope(body);
    if (res.status >= 200 && res.status < 300 && envelope.ok) return envelope.data;
    throw this.refusal(res, operation, envelope.code, envelope.message, true);
  }

  private refusal(
    res: HttpResponse,
    operation: ProviderOperation,
    code: number | null,
    message: string | null,
    isJson: boolean,
  ): ProviderError {
    const kind = classifyShomareRefusal({
      httpStatus: res.status,
      code,
      message,
      isJson,
      operation,
    });
    const upstreamMessage = excerpt(message ?? (isJson ? '' : res.text), [this.account.apiKey]);
    const context: ProviderErrorContext = {
      providerId: this.id,
      operation,
      httpStatus: res.status,
      ...(upstreamMessage === '' ? {} : { upstreamMessage }),
    };
    if (kind === 'already-cancelled' && operation === 'cancel')
      return new AlreadyCancelled(context);
    const detail =
      ` (HTTP ${res.status}${code === null ? '' : `, code ${code}`})` +
      (upstreamMessage === '' ? '' : `: ${upstreamMessage}`);
    return shomareError(kind, context, detail);
  }

  private unexpected(operation: ProviderOperation, what: string): Unavailable {
    return new Unavailable(`${this.id} ${operation}: ${what}`, {
      providerId: this.id,
      operation,
      surelyNotSent: false,
    });
  }
}

/** `call` with `jsonNotFoundIsEmpty`: a JSON 404, the doc's "parameters do not exist". */
const NO_SUCH_PARAMETERS = Symbol('no such parameters');

function isJsonBody(res: HttpResponse): boolean {
  if (res.isHtml || res.text.trim() === '') return false;
  try {
    res.jsonLossless();
    return true;
  } catch {
    return false;
  }
}

/** The doc's 404 row: "if the answer is not JSON, the endpoint is wrong". */
function isWrongEndpoint(res: HttpResponse): boolean {
  return res.status === 404 && !isJsonBody(res);
}

/** Internal marker: the upstream says the purchase was already cancelled. */
class AlreadyCancelled extends ProviderError {
  readonly code = 'CANCEL_NOT_ALLOWED';
  readonly retryable = false;
  constructor(context: ProviderErrorContext) {
    super(`${context.providerId} cancel: already cancelled`, context);
  }
}

function productParams(ids: ShomareProductIds): Record<string, string> {
  return {
    [SHOMARE_PARAMS.country]: ids.country,
    [SHOMARE_PARAMS.operator]: ids.operator,
    [SHOMARE_PARAMS.application]: ids.application,
  };
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of results. */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(runners);
  return results;
}
