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
import {
  SHOMARE_ENDPOINTS,
  SHOMARE_METHODS,
  SHOMARE_PARAMS,
  SHOMARE_TOKEN_HEADER,
  type ShomareEndpoint,
} from './wire.js';

/** `pricebycountry` calls in flight at once during a catalog sync (one per country × operator). */
const CATALOG_CONCURRENCY = 4;

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

  constructor(
    private readonly account: ProviderAccount,
    options: AdapterOptions = {},
  ) {
    this.id = account.id;
    this.currency = account.currency;
    this.http = createHttpClient(account, options);
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
    const pairs = countries
      .filter((country) => country.iso !== null)
      .flatMap((country) =>
        operatorsOfCountry(country, operators).map((operator) => ({ country, operator })),
      );
    const perPair = await mapWithConcurrency(pairs, CATALOG_CONCURRENCY, ({ country, operator }) =>
      this.pricesOf(country, operator, sellable),
    );
    return perPair.flat();
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
          (purchase === null ? '' : ` (purchase ${purchase.activationRef})`),
        { providerId: this.id, operation: 'buy', surelyNotSent: false },
      );
    }
    return {
      activationRef: purchase.activationRef,
      phoneNumber,
      ...(purchase.cost === null ? {} : { cost: purchase.cost }),
    };
  }

  async status(activationRef: string): Promise<ActivationStatus> {
    const data = await this.call('status', SHOMARE_ENDPOINTS.check, {
      [SHOMARE_PARAMS.purchaseId]: activationRef,
    });
    const status = mapCheck(data, activationRef);
    if (status === null) throw this.unexpected('status', 'check answered without a purchase');
    return status;
  }

  async cancel(activationRef: string): Promise<void> {
    try {
      await this.call('cancel', SHOMARE_ENDPOINTS.cancel, {
        [SHOMARE_PARAMS.purchaseId]: activationRef,
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
    let data: unknown;
    try {
      data = await this.call('catalog', SHOMARE_ENDPOINTS.priceByCountry, {
        [SHOMARE_PARAMS.country]: country.id,
        [SHOMARE_PARAMS.operator]: operator.id,
      });
    } catch (error) {
      // A country/operator pair the upstream does not price (JSON 404) has no offers; any other
      // failure fails the whole sync rather than silently dropping offers.
      if (
        error instanceof ProviderError &&
        error.code === 'INVALID_REQUEST' &&
        error.httpStatus === 404
      ) {
        return [];
      }
      throw error;
    }
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

  /** One request to an endpoint; returns the result (`data`, or the top level) of a success. */
  private async call(
    operation: ProviderOperation,
    endpoint: ShomareEndpoint,
    params: Record<string, string>,
  ): Promise<unknown> {
    const method = SHOMARE_METHODS[endpoint];
    const res = await this.http.request({
      operation,
      method,
      path: endpoint,
      headers: { [SHOMARE_TOKEN_HEADER]: this.account.apiKey, accept: 'application/json' },
      // ASSUMED (NOTES.md): the query string for GET; for the POST `buy` both the form body and
      // the query string, so either reading of the doc's "parameters" reaches the upstream.
      query: params,
      ...(method === 'POST' ? { form: params } : {}),
      idempotent: operation !== 'buy',
    });
    return this.interpret(res, operation);
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
