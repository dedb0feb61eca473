/**
 * The SMS-Man adapter: the HTTP shape of each call of its `control/` API (GET, `token` in the
 * query, JSON answers). Translation lives in mapping.ts, refusals in errors.ts.
 */
import JSON5 from 'json5';
import type { CurrencyCode, Money } from '@numbroker/core';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type {
  ActivationStatus,
  BuyRequest,
  Capabilities,
  Offer,
  ProviderAccount,
  ProviderAdapter,
  Purchase,
} from '../adapter.js';
import {
  CancelNotAllowed,
  InvalidRequest,
  NotFound,
  ProviderError,
  type ProviderOperation,
} from '../errors.js';
import { createHttpClient, type AdapterOptions } from '../http/account-client.js';
import {
  parseRetryAfter,
  unavailableFromResponse,
  type HttpClient,
  type HttpResponse,
} from '../http/http-client.js';
import { smsManError, flattenErrorMessage } from './errors.js';
import {
  balanceMoney,
  entriesOfIdKeyed,
  listFromIdKeyed,
  offersFromCatalog,
  parseUpstreamRef,
  parseOfferRef,
  purchaseFromGetNumber,
  readGetSms,
} from './mapping.js';
import {
  SMSMAN_ENDPOINTS,
  SMSMAN_STATUS_FOR,
  applicationsResponseSchema,
  balanceResponseSchema,
  countriesResponseSchema,
  errorBodySchema,
  getNumberResponseSchema,
  getSmsResponseSchema,
  pricesResponseSchema,
  setStatusResponseSchema,
  type SmsManEndpoint,
  type SmsManSetStatus,
} from './wire.js';

export const SMSMAN_CAPABILITIES: Capabilities = {
  batchStatus: false, // no batch endpoint in the doc
  listActivations: false, // no list of requests in the doc
  cancel: true, // set-status reject
  cancelRefunds: true, // a request given back before any SMS costs nothing (NOTES.md)
  finish: true, // set-status close
  // No word for "the code was wrong": `used` means "number already used at the service", a
  // rejection before a code (NOTES.md). A report is then ours alone: REPORTED, no refund.
  report: false,
  reportRefunds: false,
  requestAnotherSms: false, // "ready" is not documented as "send another SMS"
  chargesPerSms: false, // charged at get-number
};

interface CallOptions {
  operation: ProviderOperation;
  endpoint: SmsManEndpoint;
  query?: Record<string, string | undefined>;
  idempotent: boolean;
  /** The doc prints countries/applications with single quotes: accept that as JSON5. */
  relaxed?: boolean;
  /** An error_code is part of the answer (get-sms's wait_sms), `success: false` or not. */
  acceptErrorCodes?: boolean;
}

interface Answer {
  res: HttpResponse;
  body: unknown;
}

export class SmsManAdapter implements ProviderAdapter {
  readonly id: string;
  readonly kind = 'smsman' as const;
  readonly currency: CurrencyCode;
  readonly capabilities: Capabilities = SMSMAN_CAPABILITIES;

  private readonly http: HttpClient;
  private readonly logger: Logger | undefined;

  constructor(
    private readonly account: ProviderAccount,
    options: AdapterOptions = {},
  ) {
    this.id = account.id;
    this.currency = account.currency;
    this.http = createHttpClient(account, options);
    this.logger = options.logger?.child({ provider: account.id, kind: 'smsman' });
  }

  async catalog(): Promise<Offer[]> {
    const operation = 'catalog';
    // Settle all three before failing: no request of this call may still be in flight (and
    // hit the upstream) after catalog() has rejected.
    const [countries, applications, prices] = (await settleAll([
      this.call({
        operation,
        endpoint: SMSMAN_ENDPOINTS.countries,
        idempotent: true,
        relaxed: true,
      }),
      this.call({
        operation,
        endpoint: SMSMAN_ENDPOINTS.applications,
        idempotent: true,
        relaxed: true,
      }),
      this.call({ operation, endpoint: SMSMAN_ENDPOINTS.prices, idempotent: true }),
    ])) as [Answer, Answer, Answer];
    const countryList = listFromIdKeyed(
      this.expectShape(countries, countriesResponseSchema, operation),
    );
    const applicationList = listFromIdKeyed(
      this.expectShape(applications, applicationsResponseSchema, operation),
    );
    const priceTable = entriesOfIdKeyed(this.expectShape(prices, pricesResponseSchema, operation));
    const { offers, skipped } = offersFromCatalog({
      countries: countryList,
      applications: applicationList,
      prices: priceTable.map(([countryId, products]) => [countryId, entriesOfIdKeyed(products)]),
      currency: this.currency,
    });
    this.logger?.debug(
      { offers: offers.length, skipped: skipped.length, sample: skipped.slice(0, 5) },
      'smsman catalog mapped',
    );
    return offers;
  }

  async buy(request: BuyRequest): Promise<Purchase> {
    const operation = 'buy';
    const ids = parseOfferRef(request.ref);
    if (!ids) {
      throw new InvalidRequest(
        `${this.id} buy: offer ref "${request.ref}" is not "<country_id>:<application_id>"`,
        { providerId: this.id, operation },
      );
    }
    // Never retried: a second get-number buys a second number.
    const answer = await this.call({
      operation,
      endpoint: SMSMAN_ENDPOINTS.getNumber,
      query: { country_id: ids.countryId, application_id: ids.applicationId },
      idempotent: false,
    });
    const purchase = purchaseFromGetNumber(
      this.expectShape(answer, getNumberResponseSchema, operation),
      request.country,
    );
    if (!purchase) throw unavailableFromResponse(answer.res, {}, 'no request_id or number');
    return purchase;
  }

  async status(upstreamRef: string): Promise<ActivationStatus> {
    return this.readStatus(upstreamRef, 'status');
  }

  async cancel(upstreamRef: string): Promise<void> {
    const operation = 'cancel';
    // Ask first: after a code SMS-Man must not take the number back, and an already ended
    // request needs nothing more.
    const before = await this.readStatus(upstreamRef, operation);
    if (before.state === 'cancelled' || before.state === 'expired') return;
    if (before.state === 'code' || before.state === 'finished') {
      throw new CancelNotAllowed(`${this.id} cancel: a code already came for ${upstreamRef}`, {
        providerId: this.id,
        operation,
        retryable: false,
      });
    }
    try {
      await this.setStatus(upstreamRef, SMSMAN_STATUS_FOR.cancel, operation);
    } catch (error) {
      // A retried reject may find its own first attempt done, or a code may just have landed.
      if (!(error instanceof CancelNotAllowed)) throw error;
      const after = await this.readStatus(upstreamRef, operation);
      if (after.state === 'cancelled' || after.state === 'expired') return;
      throw error;
    }
  }

  async finish(upstreamRef: string): Promise<void> {
    await this.setStatus(upstreamRef, SMSMAN_STATUS_FOR.finish, 'finish');
  }

  async balance(): Promise<Money> {
    const operation = 'balance';
    const answer = await this.call({
      operation,
      endpoint: SMSMAN_ENDPOINTS.balance,
      idempotent: true,
    });
    const body = this.expectShape(answer, balanceResponseSchema, operation);
    const money = balanceMoney(body.balance, this.currency);
    if (!money) throw unavailableFromResponse(answer.res, {}, 'unreadable balance');
    return money;
  }

  // ---- the HTTP shape ----------------------------------------------------------------------------

  private async setStatus(
    upstreamRef: string,
    status: SmsManSetStatus,
    operation: ProviderOperation,
  ): Promise<void> {
    const requestId = this.requestIdOf(upstreamRef, operation);
    // Safe to repeat (no money moves on a second identical set-status).
    const answer = await this.call({
      operation,
      endpoint: SMSMAN_ENDPOINTS.setStatus,
      query: { request_id: requestId, status },
      idempotent: true,
    });
    const body = this.expectShape(answer, setStatusResponseSchema, operation);
    if (!isTrue(body.success)) {
      throw this.refusalError(answer, operation, '', undefined);
    }
  }

  /** get-sms, with errors told as `operation` (cancel reads the state before it leaps). */
  private async readStatus(
    upstreamRef: string,
    operation: ProviderOperation,
  ): Promise<ActivationStatus> {
    const requestId = this.requestIdOf(upstreamRef, operation);
    const answer = await this.call({
      operation,
      endpoint: SMSMAN_ENDPOINTS.getSms,
      query: { request_id: requestId },
      idempotent: true,
      // get-sms says "still waiting" with an error_code: read it as a state, not a refusal.
      acceptErrorCodes: true,
    });
    const body = this.expectShape(answer, getSmsResponseSchema, operation);
    const reading = readGetSms(requestId, body);
    if (reading.kind === 'status') return { ...reading.status, upstreamRef };
    throw this.refusalError(answer, operation, reading.errorCode, body.error_msg);
  }

  /**
   * One request: `token` in the query, then the answer as JSON or the right error. 5xx and HTML
   * are Unavailable; `{"success":false,"error_code":...}` goes through the error table.
   */
  private async call(options: CallOptions): Promise<Answer> {
    const res = await this.http.request({
      operation: options.operation,
      method: 'GET',
      path: options.endpoint,
      query: { token: this.account.apiKey, ...options.query },
      idempotent: options.idempotent,
    });
    if (res.isHtml || res.status >= 500) throw unavailableFromResponse(res);
    const body = this.parseBody(res, options);
    const refusal = errorBodySchema.safeParse(body);
    // get-sms's error codes may be states (wait_sms, an ended request), with or without the
    // `"success":false` every other refusal of the doc carries: its caller reads them first.
    const callerReadsCodes = refusal.success && options.acceptErrorCodes === true;
    if (refusal.success && !callerReadsCodes) {
      throw this.refusalError(
        { res, body },
        options.operation,
        String(refusal.data.error_code),
        refusal.data.error_msg,
      );
    }
    if (res.status >= 400 && !callerReadsCodes) {
      throw this.refusalError({ res, body }, options.operation, '', undefined);
    }
    return { res, body };
  }

  private parseBody(res: HttpResponse, options: CallOptions): unknown {
    try {
      return res.jsonLossless();
    } catch (error) {
      if (options.relaxed) {
        const relaxed = parseRelaxed(res.text);
        if (relaxed !== undefined) return relaxed;
      }
      // A 4xx with a plain-text body still means what its status says.
      if (res.status >= 400) {
        throw this.refusalError({ res, body: undefined }, options.operation, '', res.text);
      }
      if (error instanceof ProviderError) {
        throw unavailableFromResponse(res, {}, 'malformed JSON');
      }
      throw error;
    }
  }

  private refusalError(
    answer: Answer,
    operation: ProviderOperation,
    errorCode: string,
    errorMessage: unknown,
  ): ProviderError {
    const flattened = this.http.redact(flattenErrorMessage(errorMessage)).slice(0, 200);
    const error = smsManError({
      providerId: this.id,
      operation,
      httpStatus: answer.res.status,
      errorCode: this.http.redact(errorCode).slice(0, 80),
      errorMessage: flattened,
      retryAfterMs: parseRetryAfter(answer.res.headers.get('retry-after')),
    });
    this.logger?.debug(
      {
        operation,
        httpStatus: answer.res.status,
        code: error.code,
        upstream: error.upstreamMessage,
      },
      'smsman refused',
    );
    return error;
  }

  private expectShape<T extends z.ZodType>(
    answer: Answer,
    schema: T,
    operation: ProviderOperation,
  ): z.infer<T> {
    const parsed = schema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    throw unavailableFromResponse(answer.res, { operation }, 'unexpected answer');
  }

  private requestIdOf(upstreamRef: string, operation: ProviderOperation): string {
    const requestId = parseUpstreamRef(upstreamRef);
    if (requestId === null) {
      throw new NotFound(`${this.id} ${operation}: "${upstreamRef}" is not an SMS-Man request id`, {
        providerId: this.id,
        operation,
      });
    }
    return requestId;
  }
}

/** JSON with single-quoted strings, as the doc prints some examples; undefined if not that. */
export function parseRelaxed(text: string): unknown {
  try {
    return JSON5.parse(text);
  } catch {
    return undefined;
  }
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

/** Promise.all that waits for every promise before rejecting with the first failure. */
async function settleAll<T>(promises: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const values: T[] = [];
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
    values.push(result.value);
  }
  return values;
}
