/**
 * VerifyPlus (seed 003): POST JSON `api/get_number` / `api/get_sms` with the token in the body,
 * GET `apiv2/get_available?country=` for stock. Charged per SMS (at get_sms), never at
 * get_number; no cancel, finish, report or balance call exists. See NOTES.md.
 */
import type { CurrencyCode, Money } from '@numbroker/core';
import { pino, type Logger } from 'pino';
import type {
  ActivationStatus,
  BuyRequest,
  Capabilities,
  Offer,
  ProviderAccount,
  ProviderAdapter,
  Purchase,
  SmsMessage,
} from '../adapter.js';
import {
  InvalidRequest,
  NotFound,
  ProviderError,
  Unavailable,
  type ProviderErrorContext,
  type ProviderOperation,
} from '../errors.js';
import { createHttpClient, type AdapterOptions } from '../http/account-client.js';
import {
  expectJson,
  unavailableFromResponse,
  type HttpClient,
  type HttpResponse,
} from '../http/http-client.js';
import { excerpt } from '../http/redact.js';
import { classifyVerifyPlusError, verifyPlusError, type VerifyPlusCall } from './errors.js';
import {
  VERIFYPLUS_COUNTRIES,
  VERIFYPLUS_PRODUCTS,
  VerifyPlusMappingError,
  upstreamRef,
  countryForIso,
  offerRef,
  parseUpstreamRef,
  parseOfferRef,
  parsePriceOverrides,
  productForService,
  smsFromWire,
  smsPrice,
  stockFromOnline,
  toE164,
  type ActivationKey,
  type VerifyPlusCountry,
  type VerifyPlusProduct,
} from './mapping.js';
import {
  VERIFYPLUS_PATHS,
  isErrorResponse,
  isGetAvailableResponse,
  isGetNumberResponse,
  isGetSmsResponse,
  wireText,
  type GetNumberRequest,
  type GetSmsRequest,
} from './wire.js';

export const VERIFYPLUS_CAPABILITIES: Capabilities = Object.freeze({
  batchStatus: false,
  listActivations: false,
  // No cancel call: an unanswered number simply costs nothing.
  cancel: false,
  cancelRefunds: false,
  finish: false,
  report: false,
  reportRefunds: false,
  requestAnotherSms: false,
  chargesPerSms: true,
});

/** Codes kept in memory at most (oldest dropped first): far more than the orders open at once. */
const MAX_REMEMBERED_CODES = 10_000;

/** A get_sms that can match no number: numberId "0" (the doc's ids count up from 1343243). */
const TOKEN_PROBE = { country: 'RU', productId: '2', numberId: '0' } as const;

/** A non-success answer, read as the doc's `{status, detail}` where it is one. */
type Answer =
  | { ok: true; body: unknown }
  | { ok: false; status: number | undefined; detail: string | undefined };

export class VerifyPlusAdapter implements ProviderAdapter {
  readonly kind = 'verifyplus' as const;
  readonly id: string;
  readonly currency: CurrencyCode;
  readonly capabilities = VERIFYPLUS_CAPABILITIES;

  private readonly http: HttpClient;
  private readonly token: string;
  private readonly prices: ReadonlyMap<string, Money>;
  private readonly logger: Logger;
  /** The SMS get_sms already showed, by activation ref: never read (and maybe paid) twice. */
  private readonly readSms = new Map<string, SmsMessage>();

  constructor(account: ProviderAccount, options: AdapterOptions = {}) {
    this.id = account.id;
    this.currency = account.currency;
    this.token = account.apiKey;
    try {
      this.prices = parsePriceOverrides(account.prices, account.currency);
    } catch (error) {
      // A config mistake: say which key, at start.
      throw new InvalidRequest(
        `provider ${account.id}: ${error instanceof Error ? error.message : String(error)}`,
        { providerId: account.id, operation: 'catalog' },
      );
    }
    this.http = createHttpClient(account, options);
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ provider: account.id });
  }

  /** Every (country, product) of the doc's tables that has a price in our currency, with the
   *  country's `online` count from get_available as the stock of each of its products. */
  async catalog(): Promise<Offer[]> {
    // get_available takes no token: check it first, so a bad token shows at every sync.
    await this.verifyToken('catalog');
    const countries = VERIFYPLUS_COUNTRIES.flatMap((country) => {
      const cost = smsPrice(country, this.currency, this.prices);
      return cost ? [{ country, cost }] : [];
    });
    const stocks = await Promise.all(countries.map(({ country }) => this.countryStock(country)));
    const offers: Offer[] = [];
    countries.forEach(({ country, cost }, index) => {
      const stock = stocks[index];
      if (stock === undefined || stock === null) return;
      for (const product of VERIFYPLUS_PRODUCTS) {
        offers.push({
          service: product.service,
          country: country.iso,
          cost,
          stock,
          ref: offerRef(country, product),
        });
      }
    });
    return offers;
  }

  /** get_number. Never retried: the number is ours (and the SMS billable) once it was sent. */
  async buy(request: BuyRequest): Promise<Purchase> {
    const { country, product } = this.resolveProduct(request);
    const body: GetNumberRequest = {
      token: this.token,
      country: country.wire,
      productId: product.productId,
    };
    const res = await this.http.request({
      operation: 'buy',
      method: 'POST',
      path: VERIFYPLUS_PATHS.getNumber,
      json: body,
      idempotent: false,
    });
    const answer = this.read(res, 'buy');
    if (!answer.ok) throw this.failure('get_number', 'buy', res, answer);
    if (!isGetNumberResponse(answer.body)) {
      throw unavailableFromResponse(res, { operation: 'buy' }, 'unexpected get_number answer');
    }
    const numberId = wireText(answer.body.numberId) ?? '';
    try {
      return {
        upstreamRef: upstreamRef({ country, product, numberId }),
        phoneNumber: toE164(answer.body.number, country),
      };
    } catch (error) {
      // A number was handed out but we cannot read it: not surely unsent, so no failover.
      throw this.mappingFailure(error, 'buy', res);
    }
  }

  /** get_sms: the SMS, or 409 "No sms code" (waiting). Once an SMS was shown it is answered from
   *  memory: the doc prices "each SMS" and answers 402 at get_sms, without saying that reading the
   *  same SMS again is free. The worker completes such an order at its first code (chargesPerSms,
   *  no another-SMS call: NOTES.md), so memory covers only the moment in between. */
  async status(ref: string): Promise<ActivationStatus> {
    const key = this.activationKey(ref, 'status');
    const known = this.readSms.get(upstreamRef(key));
    if (known) return { upstreamRef: ref, state: 'code', messages: [{ ...known }] };
    const body: GetSmsRequest = {
      token: this.token,
      country: key.country.wire,
      numberId: key.numberId,
      productId: key.product.productId,
    };
    const res = await this.http.request({
      operation: 'status',
      method: 'POST',
      path: VERIFYPLUS_PATHS.getSms,
      json: body,
      idempotent: true,
    });
    const answer = this.read(res, 'status');
    if (!answer.ok) {
      const outcome = classifyVerifyPlusError('get_sms', answer.status, answer.detail);
      if (outcome === 'waiting') return { upstreamRef: ref, state: 'waiting', messages: [] };
      if (outcome === 'expired') return { upstreamRef: ref, state: 'expired', messages: [] };
      throw verifyPlusError(outcome, this.context('status', res, answer.detail));
    }
    if (isNoSmsYet(answer.body)) return { upstreamRef: ref, state: 'waiting', messages: [] };
    if (!isGetSmsResponse(answer.body)) {
      throw unavailableFromResponse(res, { operation: 'status' }, 'unexpected get_sms answer');
    }
    let sms: SmsMessage;
    try {
      sms = smsFromWire(answer.body.sms);
    } catch (error) {
      throw this.mappingFailure(error, 'status', res);
    }
    this.rememberSms(upstreamRef(key), sms);
    return { upstreamRef: ref, state: 'code', messages: [{ ...sms }] };
  }

  /** VerifyPlus's API has no balance call (the doc documents none; it is on the site only).
   *  A bad token is still reported as such; a good one gets a typed "not supported". */
  async balance(): Promise<Money> {
    await this.verifyToken('balance');
    throw new InvalidRequest('VerifyPlus has no balance API: check the balance on its site', {
      providerId: this.id,
      operation: 'balance',
    });
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private rememberSms(ref: string, sms: SmsMessage): void {
    this.readSms.delete(ref);
    this.readSms.set(ref, sms);
    if (this.readSms.size > MAX_REMEMBERED_CODES) {
      const oldest = this.readSms.keys().next();
      if (!oldest.done) this.readSms.delete(oldest.value);
    }
  }

  /**
   * The API has no "who am I" call. get_sms checks the token (401 "Invalid token") and costs
   * nothing without an SMS, so asking it about a numberId that cannot exist tells a bad token
   * from a good one. Only an auth refusal stops the caller: any other answer — another refusal,
   * a 5xx, a timeout, garbage — says nothing about the token, and the call goes on (a catalog
   * sync then stands or falls on get_available itself).
   */
  private async verifyToken(operation: ProviderOperation): Promise<void> {
    const probe: GetSmsRequest = {
      token: this.token,
      country: TOKEN_PROBE.country,
      numberId: TOKEN_PROBE.numberId,
      productId: TOKEN_PROBE.productId,
    };
    let answer: Answer;
    let res: HttpResponse;
    try {
      res = await this.http.request({
        operation,
        method: 'POST',
        path: VERIFYPLUS_PATHS.getSms,
        json: probe,
        idempotent: true,
      });
      answer = this.read(res, operation);
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'AUTH') throw error;
      this.logger.warn(
        { err: error, operation },
        'token probe (get_sms) failed without refusing the token; going on',
      );
      return;
    }
    if (answer.ok) return;
    if (classifyVerifyPlusError('get_sms', answer.status, answer.detail) === 'auth') {
      throw verifyPlusError('auth', this.context(operation, res, answer.detail));
    }
  }

  /** A country's `online` count; null when the upstream refuses that country (skipped). */
  private async countryStock(country: VerifyPlusCountry): Promise<number | null> {
    const res = await this.http.request({
      operation: 'catalog',
      method: 'GET',
      path: VERIFYPLUS_PATHS.getAvailable,
      query: { country: country.wire },
      idempotent: true,
    });
    const answer = this.read(res, 'catalog');
    if (!answer.ok) {
      const error = this.failure('get_available', 'catalog', res, answer);
      if (error instanceof InvalidRequest) {
        // One country the upstream no longer serves must not hide all the others.
        this.logger.warn(
          { country: country.wire, upstream: error.upstreamMessage },
          'get_available refused a country from the doc; leaving it out of the catalog',
        );
        return null;
      }
      throw error;
    }
    if (!isGetAvailableResponse(answer.body)) {
      throw unavailableFromResponse(
        res,
        { operation: 'catalog' },
        'unexpected get_available answer',
      );
    }
    try {
      return stockFromOnline(answer.body.online);
    } catch (error) {
      throw this.mappingFailure(error, 'catalog', res);
    }
  }

  /**
   * Reads an answer: 5xx and HTML pages are Unavailable; a JSON `{status, detail}` is a refusal
   * whatever the HTTP status line says (the doc shows only bodies), the body's status first.
   */
  private read(res: HttpResponse, operation: ProviderOperation): Answer {
    if (res.status >= 500 || res.isHtml) throw unavailableFromResponse(res, { operation });
    let body: unknown;
    try {
      body = expectJson(res, { operation, providerId: this.id });
    } catch (error) {
      // A plain-text refusal ("Unauthorized") still says what its status says.
      if (res.status >= 400 && error instanceof Unavailable) {
        return {
          ok: false,
          status: res.status,
          detail: res.text.trim().slice(0, 200) || undefined,
        };
      }
      throw error;
    }
    if (isErrorResponse(body)) {
      const bodyStatus = Number(wireText(body.status));
      const status = Number.isInteger(bodyStatus) && bodyStatus >= 100 ? bodyStatus : res.status;
      // A `{status: 200, ...}` envelope is not a refusal.
      if (status >= 200 && status < 300 && res.status < 300) return { ok: true, body };
      return { ok: false, status, detail: body.detail };
    }
    if (res.status >= 200 && res.status < 300) return { ok: true, body };
    return { ok: false, status: res.status, detail: undefined };
  }

  private failure(
    call: VerifyPlusCall,
    operation: ProviderOperation,
    res: HttpResponse,
    answer: Extract<Answer, { ok: false }>,
  ): ProviderError {
    const outcome = classifyVerifyPlusError(call, answer.status, answer.detail);
    if (outcome === 'waiting' || outcome === 'expired') {
      // Only get_sms has these, and status() handles them before coming here.
      return unavailableFromResponse(res, { operation }, `unexpected ${call} answer`);
    }
    if (outcome === 'unavailable' && answer.detail === undefined) {
      return unavailableFromResponse(res, { operation }, `unexpected ${call} answer`);
    }
    return verifyPlusError(outcome, this.context(operation, res, answer.detail));
  }

  private context(
    operation: ProviderOperation,
    res: HttpResponse,
    detail: string | undefined,
  ): ProviderErrorContext {
    return {
      providerId: this.id,
      operation,
      httpStatus: res.status,
      upstreamMessage: excerpt(detail ?? res.text, res.secrets),
    };
  }

  private mappingFailure(
    error: unknown,
    operation: ProviderOperation,
    res: HttpResponse,
  ): Unavailable {
    const message = error instanceof Error ? error.message : String(error);
    return new Unavailable(`${this.id} ${operation}: ${this.http.redact(message)}`, {
      providerId: this.id,
      operation,
      httpStatus: res.status,
      upstreamMessage: excerpt(res.text, res.secrets),
      surelyNotSent: false,
    });
  }

  /** The product to buy: from the offer's ref, checked against the service and country asked. */
  private resolveProduct(request: BuyRequest): {
    country: VerifyPlusCountry;
    product: VerifyPlusProduct;
  } {
    const context = { providerId: this.id, operation: 'buy' as const };
    let fromRef: { country: VerifyPlusCountry; product: VerifyPlusProduct } | undefined;
    try {
      fromRef = parseOfferRef(request.ref);
    } catch {
      fromRef = undefined;
    }
    const country = countryForIso(request.country);
    const product = productForService(request.service);
    if (fromRef) {
      if ((country && country !== fromRef.country) || (product && product !== fromRef.product)) {
        throw new InvalidRequest(
          `offer ref "${request.ref}" is not ${request.service} in ${request.country}`,
          context,
        );
      }
      return fromRef;
    }
    if (!country)
      throw new InvalidRequest(`VerifyPlus has no country "${request.country}"`, context);
    if (!product) throw new InvalidRequest(`VerifyPlus sells no "${request.service}"`, context);
    return { country, product };
  }

  private activationKey(ref: string, operation: ProviderOperation): ActivationKey {
    try {
      return parseUpstreamRef(ref);
    } catch (error) {
      if (error instanceof VerifyPlusMappingError) {
        throw new NotFound(error.message, { providerId: this.id, operation });
      }
      throw error;
    }
  }
}

/** `{"sms": null}` or `{"sms": ""}` in a success: no SMS yet. The doc says that with a 409
 *  "No sms code"; an empty field is the other plausible way (NOTES.md). */
function isNoSmsYet(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('sms' in body)) return false;
  const sms = body.sms;
  return sms === null || (typeof sms === 'string' && sms.trim() === '');
}
