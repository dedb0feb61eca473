import type { CurrencyCode, Money } from '@numbroker/core';
import { pino, type Logger } from 'pino';
import type {
  ActivationStatus,
  BuyRequest,
  Capabilities,
  ListedActivation,
  Offer,
  ProviderAccount,
  ProviderAdapter,
  Purchase,
} from '../adapter.js';
import {
  CancelNotAllowed,
  InvalidRequest,
  Unavailable,
  type ProviderError,
  type ProviderOperation,
} from '../errors.js';
import { createHttpClient, type AdapterOptions } from '../http/account-client.js';
import {
  unavailableFromResponse,
  type HttpClient,
  type HttpResponse,
} from '../http/http-client.js';
import { parseJsonLossless } from '../http/lossless-json.js';
import { errorForHttpStatus, errorForToken, unknownRefusal, type ErrorContext } from './errors.js';
import { operatorsByCountry, withOperatorOffers } from './operators.js';
import {
  activeActivationRows,
  balanceFromValue,
  COUNTRY_ID_TO_ISO,
  countryIdsFromCountriesList,
  looksLikeNumberV2,
  numberFromV2,
  numberFromValue,
  offersFromPrices,
  parseOfferRef,
  parseTokenAnswer,
  serviceCodeOf,
  statusFromActiveActivation,
  statusFromAnswer,
  type NumberAnswer,
  type StatusAnswer,
} from './mapping.js';
import {
  SET_STATUS,
  type ActiveActivation,
  type CountriesResponse,
  type SetStatusValue,
  type SmsActivateAction,
} from './wire.js';

/** An answer with its errors already thrown: a JSON body, or a text token. */
type Answer =
  | { kind: 'json'; value: unknown; res: HttpResponse }
  | { kind: 'token'; token: string; value: string | null; res: HttpResponse };

/** What this host turned out to have: learnt from its first answer, then remembered. */
type Support = 'unknown' | 'yes' | 'no';

/** The answers of a host that does not have an action. */
const NO_SUCH_ACTION = ['BAD_ACTION', 'WRONG_ACTION'] as const;
/** setStatus 8 refused: maybe because the activation already ended (auto-cancelled at its
 *  lifetime, or this is a repeat of a cancel that went through). getStatus tells. */
const CANCEL_REFUSALS = ['BAD_STATUS', 'NO_ACTIVATION', 'WRONG_ACTIVATION_ID', 'ALREADY_CANCEL'];
const FINISH_REFUSALS = ['BAD_STATUS', 'ALREADY_FINISH'];
/** getStatus calls at once when a host without getActiveActivations is asked for a batch. */
const PER_ORDER_CONCURRENCY = 4;

/**
 * SMS-Activate's `handler_api.php`, the protocol many hosts speak (SMS-Activate, SMSHub,
 * GrizzlySMS, HeroSMS, SMS-Man's `stubs/`). `baseUrl` is the host's `.../stubs/handler_api.php`.
 */
export class SmsActivateAdapter implements ProviderAdapter {
  readonly kind = 'smsactivate' as const;
  readonly id: string;
  readonly currency: CurrencyCode;

  private readonly http: HttpClient;
  private readonly apiKey: string;
  private readonly logger: Logger;
  /** The host has no usable getOperators: operator offers are not asked for again. */
  private operatorsUnsupported = false;
  /** Country ids learnt from getCountries, for ids the built-in table lacks. */
  private learntCountryIds: Record<string, string> | undefined;
  /** getNumberV2 (cost, canGetAnotherSms, orderId) where the host has it, else getNumber. */
  private numberV2: Support = 'unknown';
  /** getActiveActivations (one request for many orders), else getStatus per order. */
  private activeList: Support = 'unknown';

  constructor(account: ProviderAccount, options: AdapterOptions = {}) {
    this.id = account.id;
    this.currency = account.currency;
    this.apiKey = account.apiKey;
    this.http = createHttpClient(account, options);
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ provider: account.id });
  }

  /** Until a host refuses getActiveActivations, batches and listing are assumed. */
  get capabilities(): Capabilities {
    const listing = this.activeList !== 'no';
    return {
      batchStatus: listing,
      listActivations: listing,
      cancel: true,
      cancelRefunds: true,
      finish: true,
      // setStatus 8 after a code is refused by most hosts, and none refunds it: no report call.
      report: false,
      reportRefunds: false,
      requestAnotherSms: true,
      chargesPerSms: false,
    };
  }

  async catalog(): Promise<Offer[]> {
    const answer = await this.call('catalog', 'getPrices', {}, true);
    const prices = answer.kind === 'json' ? answer.value : undefined;
    let mapped = offersFromPrices(prices, this.currency, this.countryTable());
    if (!mapped.shapeKnown) {
      // Loud: an empty catalog would look like "no stock" and hide a protocol change.
      throw unavailableFromResponse(answer.res, {}, 'getPrices answer in a shape we do not read');
    }
    if (mapped.unknownCountryIds.length > 0 && this.learntCountryIds === undefined) {
      this.learntCountryIds = await this.learnCountryIds();
      mapped = offersFromPrices(prices, this.currency, this.countryTable());
    }
    return withOperatorOffers(mapped.offers, await this.operators());
  }

  /**
   * getNumberV2 where the host has it (it says the cost and takes our order id), getNumber
   * after a BAD_ACTION to it (nothing was bought: the action does not exist there). Never
   * retried: the client sends each buy request once.
   */
  async buy(request: BuyRequest): Promise<Purchase> {
    const product = this.productOf(request);
    const params = {
      service: product.serviceCode,
      country: product.countryId,
      operator: request.operator,
      maxPrice: this.maxPriceOf(request),
    };
    if (this.numberV2 !== 'no') {
      const v2 = { ...params, orderId: request.idempotencyKey };
      const answer = await this.call('buy', 'getNumberV2', v2, false, NO_SUCH_ACTION);
      if (!isNoSuchAction(answer)) {
        this.numberV2 = 'yes';
        return this.purchaseOf(answer);
      }
      this.numberV2 = 'no';
      this.logger.info('host has no getNumberV2 (BAD_ACTION): buying with getNumber from now on');
    }
    return this.purchaseOf(await this.call('buy', 'getNumber', params, false));
  }

  /** A buy answer → purchase. A refusal we do not know is not ambiguous (nothing was sold);
   *  a success we cannot read is (a number may be ours: reconciliation decides). */
  private purchaseOf(answer: Answer): Purchase {
    let number: NumberAnswer | null;
    if (answer.kind === 'token') {
      if (answer.token === 'ACCESS_NUMBER') number = numberFromValue(answer.value);
      else if (answer.token.startsWith('ACCESS')) number = null;
      else throw unknownRefusal(answer.token, answer.value, this.errorContext('buy', answer.res));
    } else {
      number = numberFromV2(answer.value, this.currency);
      const refusal = number || looksLikeNumberV2(answer.value) ? null : saidError(answer.value);
      if (refusal !== null) {
        throw unknownRefusal('ERROR', refusal, this.errorContext('buy', answer.res));
      }
    }
    if (!number) throw this.unexpected(answer.res);
    return {
      upstreamRef: number.activationId,
      phoneNumber: number.phoneNumber,
      ...(number.cost ? { cost: number.cost } : {}),
      ...(number.canRequestAnotherSms === undefined
        ? {}
        : { canRequestAnotherSms: number.canRequestAnotherSms }),
      ...(number.startedAt ? { startedAt: number.startedAt } : {}),
    };
  }

  async status(upstreamRef: string): Promise<ActivationStatus> {
    const id = this.activationId(upstreamRef, 'status');
    return { upstreamRef: id, ...(await this.readStatus(id, 'status')) };
  }

  /** One getActiveActivations where the host has it; getStatus per order where it answered
   *  BAD_ACTION (remembered). Activations it cannot read are left out: the worker asks them
   *  alone and sees their error. */
  async statusMany(upstreamRefs: readonly string[]): Promise<Map<string, ActivationStatus>> {
    const wanted = new Set(upstreamRefs);
    const result = new Map<string, ActivationStatus>();
    const listed = this.activeList === 'no' ? null : await this.activeActivations('statusMany');
    if (listed === null) return this.statusEach(upstreamRefs);
    for (const activation of listed) {
      if (wanted.has(activation.upstreamRef)) {
        result.set(activation.upstreamRef, {
          upstreamRef: activation.upstreamRef,
          state: activation.state,
          messages: activation.messages,
        });
      }
    }
    return result;
  }

  async listActivations(): Promise<ListedActivation[]> {
    const activations =
      this.activeList === 'no' ? null : await this.activeActivations('statusMany');
    if (activations === null) {
      throw new InvalidRequest(
        `${this.id}: this host cannot list activations (no getActiveActivations)`,
        {
          providerId: this.id,
          operation: 'statusMany',
        },
      );
    }
    // Ids grow over time: newest first without trusting the host's date format.
    return activations.sort((a, b) => compareIds(b.upstreamRef, a.upstreamRef));
  }

  /**
   * setStatus 8. A refusal (BAD_STATUS, NO_ACTIVATION) may only mean the activation already
   * ended: the host auto-cancelled it at its lifetime, or this is a repeat of a cancel that
   * went through. getStatus decides: cancelled → done; a code → CancelNotAllowed; waiting →
   * refused for now (retryable); unknown there too → NotFound.
   */
  async cancel(upstreamRef: string): Promise<void> {
    const id = this.activationId(upstreamRef, 'cancel');
    const answer = await this.setStatus('cancel', id, SET_STATUS.cancel, CANCEL_REFUSALS);
    if (answer.token === 'ACCESS_CANCEL' || answer.token === 'ACCESS_CANCEL_ALREADY') return;
    if (!CANCEL_REFUSALS.includes(answer.token)) throw this.unexpected(answer.res);
    const now = await this.readStatus(id, 'cancel');
    if (now.state === 'cancelled' || now.state === 'expired') return;
    const said = `upstream answered ${answer.token} to setStatus 8; getStatus says ${now.state}`;
    const context = { providerId: this.id, operation: 'cancel' as const, upstreamMessage: said };
    if (now.state === 'waiting') {
      throw new CancelNotAllowed(`${this.id} cancel: ${said}`, { ...context, retryable: true });
    }
    throw new CancelNotAllowed(`${this.id} cancel: a code came (${said})`, context);
  }

  /** setStatus 6; a BAD_STATUS on a repeat (strict hosts) is done when getStatus shows the
   *  code, and a refusal before any code otherwise. */
  async finish(upstreamRef: string): Promise<void> {
    const id = this.activationId(upstreamRef, 'finish');
    const answer = await this.setStatus('finish', id, SET_STATUS.finish, FINISH_REFUSALS);
    if (answer.token === 'ACCESS_ACTIVATION') return;
    if (!FINISH_REFUSALS.includes(answer.token)) throw this.unexpected(answer.res);
    const now = await this.readStatus(id, 'finish');
    if (now.state === 'code' || now.state === 'finished') return;
    const said = `upstream answered ${answer.token} to setStatus 6; getStatus says ${now.state}`;
    throw new InvalidRequest(`${this.id} finish: ${said}`, {
      providerId: this.id,
      operation: 'finish',
      upstreamMessage: said,
    });
  }

  async requestAnotherSms(upstreamRef: string): Promise<void> {
    const id = this.activationId(upstreamRef, 'requestAnotherSms');
    const answer = await this.setStatus('requestAnotherSms', id, SET_STATUS.requestAnother);
    if (answer.token !== 'ACCESS_RETRY_GET') throw this.unexpected(answer.res);
  }

  async balance(): Promise<Money> {
    const answer = await this.call('balance', 'getBalance', {}, true);
    const amount =
      answer.kind === 'token' && answer.token === 'ACCESS_BALANCE'
        ? balanceFromValue(answer.value, this.currency)
        : null;
    if (!amount) throw this.unexpected(answer.res);
    return amount;
  }

  // ---- the calls ------------------------------------------------------------------------------

  private async setStatus(
    operation: ProviderOperation,
    id: string,
    status: SetStatusValue,
    pass: readonly string[] = [],
  ): Promise<Extract<Answer, { kind: 'token' }>> {
    // setStatus is safe to repeat: a second cancel/finish answers the same or a refusal that
    // the callers check against getStatus.
    const answer = await this.call(operation, 'setStatus', { id, status }, true, pass);
    if (answer.kind !== 'token') throw this.unexpected(answer.res);
    return answer;
  }

  private async readStatus(id: string, operation: ProviderOperation): Promise<StatusAnswer> {
    const answer = await this.call(operation, 'getStatus', { id }, true);
    const status = answer.kind === 'token' ? statusFromAnswer(answer) : null;
    if (!status) throw this.unexpected(answer.res);
    return status;
  }

  /** Open activations, or null when the host has no getActiveActivations (remembered). */
  private async activeActivations(
    operation: ProviderOperation,
  ): Promise<ListedActivation[] | null> {
    const answer = await this.call(operation, 'getActiveActivations', {}, true, [
      ...NO_SUCH_ACTION,
      'NO_ACTIVATIONS',
    ]);
    if (isNoSuchAction(answer)) {
      this.activeList = 'no';
      this.logger.info(
        'host has no getActiveActivations (BAD_ACTION): polling getStatus per order',
      );
      return null;
    }
    this.activeList = 'yes';
    if (answer.kind === 'token') {
      if (answer.token === 'NO_ACTIVATIONS') return [];
      throw this.unexpected(answer.res);
    }
    const rows = activeActivationRows(answer.value);
    if (rows === null) throw this.unexpected(answer.res);
    return rows.flatMap((row) => {
      const status = statusFromActiveActivation(row as ActiveActivation, this.countryTable());
      return status ? [status] : [];
    });
  }

  /** getStatus for each, a few at once; stops sending at the first fault or rate limit. */
  private async statusEach(refs: readonly string[]): Promise<Map<string, ActivationStatus>> {
    const result = new Map<string, ActivationStatus>();
    const queue = [...new Set(refs)];
    let stopped = false;
    const worker = async () => {
      for (let ref = queue.shift(); ref !== undefined && !stopped; ref = queue.shift()) {
        try {
          result.set(ref, await this.status(ref));
        } catch (error) {
          if ((error as ProviderError).retryable !== false) stopped = true;
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(PER_ORDER_CONCURRENCY, queue.length) }, worker),
    );
    return result;
  }

  /** Each country's operators (for `operator=` at buy), when the host lists them; optional:
   *  without them the catalog is the same, only no offer names an operator. */
  private async operators(): Promise<Map<string, string[]>> {
    if (this.operatorsUnsupported) return new Map();
    try {
      const answer = await this.call('catalog', 'getOperators', {}, true);
      const table = answer.kind === 'json' ? operatorsByCountry(answer.value) : null;
      if (table) return table;
      this.operatorsUnsupported = true;
    } catch (error) {
      // BAD_ACTION and friends: this host has no such action. Faults: try at the next sync.
      if (error instanceof InvalidRequest) this.operatorsUnsupported = true;
    }
    return new Map();
  }

  private async learnCountryIds(): Promise<Record<string, string>> {
    try {
      const list = this.expectJsonObject(await this.call('catalog', 'getCountries', {}, true));
      return countryIdsFromCountriesList(list as CountriesResponse);
    } catch {
      // Optional: without it, offers in countries the built-in table lacks are left out.
      return {};
    }
  }

  /**
   * One request, with every error answer turned into our taxonomy: text tokens (`BAD_KEY`),
   * JSON envelopes (`{status:"error",error:"NO_NUMBERS"}`, `{title,details}`), real HTTP
   * statuses, HTML pages and unparseable bodies.
   */
  private async call(
    operation: ProviderOperation,
    action: SmsActivateAction,
    params: Record<string, string | number | undefined>,
    idempotent: boolean,
    /** Tokens handed back as answers instead of thrown: the caller decides what they mean. */
    pass: readonly string[] = [],
  ): Promise<Answer> {
    const res = await this.http.request({
      operation,
      method: 'GET',
      query: { api_key: this.apiKey, action, ...params },
      idempotent,
    });
    if (res.isHtml) throw unavailableFromResponse(res);
    const context = this.errorContext(operation, res);
    const body = res.text.trim();
    const ok = res.status >= 200 && res.status < 300;

    if (body.startsWith('{') || body.startsWith('[')) {
      let json: unknown;
      try {
        // Lossless: prices and ids keep their exact digits (see http/lossless-json.ts).
        json = parseJsonLossless(body);
      } catch {
        throw unavailableFromResponse(res, {}, 'malformed JSON');
      }
      const envelopeToken = errorTokenOfEnvelope(json);
      if (envelopeToken !== undefined && pass.includes(envelopeToken.token)) {
        return { kind: 'token', token: envelopeToken.token, value: envelopeToken.value, res };
      }
      if (envelopeToken !== undefined) {
        const error = errorForToken(envelopeToken.token, envelopeToken.value, context);
        if (error) throw error;
        if (!ok) throw errorForHttpStatus(body, context);
        return { kind: 'token', token: envelopeToken.token, value: envelopeToken.value, res };
      }
      if (!ok) throw errorForHttpStatus(body, context);
      return { kind: 'json', value: json, res };
    }

    const answer = parseTokenAnswer(body);
    if (answer && pass.includes(answer.token)) {
      return { kind: 'token', token: answer.token, value: answer.value, res };
    }
    if (answer) {
      const error = errorForToken(answer.token, answer.value, context);
      if (error) throw error;
      if (ok) return { kind: 'token', token: answer.token, value: answer.value, res };
    }
    if (res.status >= 500) throw unavailableFromResponse(res);
    if (!ok) throw errorForHttpStatus(body, context);
    throw this.unexpected(res);
  }

  private errorContext(operation: ProviderOperation, res: HttpResponse): ErrorContext {
    return { providerId: this.id, operation, httpStatus: res.status, secrets: res.secrets };
  }

  /** The offer's cost as the host's maxPrice, in the account currency only. */
  private maxPriceOf(request: BuyRequest): string | undefined {
    const cap = request.maxPrice;
    if (cap === undefined) return undefined;
    if (cap.currency !== this.currency) {
      throw new InvalidRequest(
        `${this.id} buy: maxPrice in ${cap.currency}, but this account is priced in ${this.currency}`,
        { providerId: this.id, operation: 'buy' },
      );
    }
    return cap.format();
  }

  private expectJsonObject(answer: Answer): Record<string, unknown> {
    if (answer.kind !== 'json' || typeof answer.value !== 'object' || answer.value === null) {
      throw this.unexpected(answer.res);
    }
    return answer.value as Record<string, unknown>;
  }

  private unexpected(res: HttpResponse): Unavailable {
    return unavailableFromResponse(res, {}, 'unexpected answer');
  }

  private countryTable(): Readonly<Record<string, string>> {
    return this.learntCountryIds
      ? { ...this.learntCountryIds, ...COUNTRY_ID_TO_ISO }
      : COUNTRY_ID_TO_ISO;
  }

  /** The product to buy: from the offer's ref, else from our slug and ISO code. */
  private productOf(request: BuyRequest): { countryId: string; serviceCode: string } {
    const fromRef = parseOfferRef(request.ref);
    if (fromRef) return fromRef;
    const serviceCode = serviceCodeOf(request.service);
    const countryId = Object.entries(this.countryTable()).find(
      ([, iso]) => iso === request.country,
    )?.[0];
    if (serviceCode === undefined || countryId === undefined) {
      throw new InvalidRequest(
        `${this.id} buy: no SMS-Activate product for ${request.service}/${request.country} (ref "${request.ref}")`,
        { providerId: this.id, operation: 'buy' },
      );
    }
    return { countryId, serviceCode };
  }

  private activationId(upstreamRef: string, operation: ProviderOperation): string {
    const id = upstreamRef.trim();
    if (!/^\d{1,20}$/.test(id)) {
      throw new InvalidRequest(`${this.id} ${operation}: "${id}" is not an activation id`, {
        providerId: this.id,
        operation,
      });
    }
    return id;
  }
}

/** The error token of a JSON error envelope, if the body is one. */
function errorTokenOfEnvelope(json: unknown): { token: string; value: string | null } | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  if (record.status === 'error') {
    const said = [record.error, record.message, record.msg].find((v) => typeof v === 'string');
    return tokenOf(typeof said === 'string' ? said : 'ERROR');
  }
  if (typeof record.title === 'string' && record.activationId === undefined) {
    return tokenOf(record.title);
  }
  return undefined;
}

function isNoSuchAction(answer: Answer): boolean {
  return answer.kind === 'token' && (NO_SUCH_ACTION as readonly string[]).includes(answer.token);
}

/** What a JSON body that reads as a refusal says (`{error:…}`, `{message:…}`); null when it
 *  does not read as one. */
function saidError(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const record = json as Record<string, unknown>;
  const said = [record.error, record.message, record.msg].find(
    (value) => typeof value === 'string' || typeof value === 'number',
  );
  return said === undefined ? null : String(said);
}

function tokenOf(said: string): { token: string; value: string | null } {
  const [token = '', ...rest] = said.trim().split(':');
  return {
    token: token
      .trim()
      .toUpperCase()
      .replace(/[\s-]+/g, '_'),
    value: rest.length > 0 ? rest.join(':') : null,
  };
}

function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
