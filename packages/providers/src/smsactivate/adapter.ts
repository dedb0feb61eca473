import type { CurrencyCode, Money } from '@numbroker/core';
import type {
  ActivationStatus,
  BuyRequest,
  Capabilities,
  Offer,
  ProviderAccount,
  ProviderAdapter,
  Purchase,
} from '../adapter.js';
import { InvalidRequest, Unavailable, type ProviderOperation } from '../errors.js';
import { createHttpClient, type AdapterOptions } from '../http/account-client.js';
import {
  unavailableFromResponse,
  type HttpClient,
  type HttpResponse,
} from '../http/http-client.js';
import { parseJsonLossless } from '../http/lossless-json.js';
import { errorForHttpStatus, errorForToken, type ErrorContext } from './errors.js';
import { operatorsByCountry, withOperatorOffers } from './operators.js';
import {
  balanceFromValue,
  COUNTRY_ID_TO_ISO,
  countryIdsFromCountriesList,
  numberFromV2,
  numberFromValue,
  offersFromPrices,
  parseOfferRef,
  parseTokenAnswer,
  serviceCodeOf,
  statusFromActiveActivation,
  statusFromAnswer,
} from './mapping.js';
import {
  SET_STATUS,
  type ActiveActivation,
  type CountriesResponse,
  type PricesResponse,
  type SetStatusValue,
  type SmsActivateAction,
} from './wire.js';

/** An answer with its errors already thrown: a JSON body, or a text token. */
type Answer =
  | { kind: 'json'; value: unknown; res: HttpResponse }
  | { kind: 'token'; token: string; value: string | null; res: HttpResponse };

/**
 * SMS-Activate's `handler_api.php`, the protocol many hosts speak (SMS-Activate, SMSHub,
 * GrizzlySMS, HeroSMS, SMS-Man's `stubs/`). `baseUrl` is the host's `.../stubs/handler_api.php`.
 */
export class SmsActivateAdapter implements ProviderAdapter {
  readonly kind = 'smsactivate' as const;
  readonly id: string;
  readonly currency: CurrencyCode;
  readonly capabilities: Capabilities = {
    batchStatus: true,
    listActivations: true,
    cancel: true,
    cancelRefunds: true,
    finish: true,
    // setStatus 8 after a code is refused by most hosts, and none refunds it: no report call.
    report: false,
    reportRefunds: false,
    requestAnotherSms: true,
    chargesPerSms: false,
  };

  private readonly http: HttpClient;
  private readonly apiKey: string;
  /** The host has no usable getOperators: operator offers are not asked for again. */
  private operatorsUnsupported = false;
  /** Country ids learnt from getCountries, for ids the built-in table lacks. */
  private learntCountryIds: Record<string, string> | undefined;

  constructor(account: ProviderAccount, options: AdapterOptions = {}) {
    this.id = account.id;
    this.currency = account.currency;
    this.apiKey = account.apiKey;
    this.http = createHttpClient(account, options);
  }

  async catalog(): Promise<Offer[]> {
    const prices = this.expectJsonObject(await this.call('catalog', 'getPrices', {}, true));
    let mapped = offersFromPrices(prices as PricesResponse, this.currency, this.countryTable());
    if (mapped.unknownCountryIds.length > 0 && this.learntCountryIds === undefined) {
      this.learntCountryIds = await this.learnCountryIds();
      mapped = offersFromPrices(prices as PricesResponse, this.currency, this.countryTable());
    }
    return withOperatorOffers(mapped.offers, await this.operators());
  }

  async buy(request: BuyRequest): Promise<Purchase> {
    const product = this.productOf(request);
    const answer = await this.call(
      'buy',
      'getNumber',
      { service: product.serviceCode, country: product.countryId, operator: request.operator },
      false,
    );
    // Some hosts answer getNumber in getNumberV2's JSON shape; both are read.
    const number =
      answer.kind === 'token'
        ? answer.token === 'ACCESS_NUMBER'
          ? numberFromValue(answer.value)
          : null
        : numberFromV2(answer.value, this.currency);
    if (!number) throw this.unexpected(answer.res);
    return {
      activationRef: number.activationId,
      phoneNumber: number.phoneNumber,
      ...(number.cost ? { cost: number.cost } : {}),
    };
  }

  async status(activationRef: string): Promise<ActivationStatus> {
    const id = this.activationId(activationRef, 'status');
    const answer = await this.call('status', 'getStatus', { id }, true);
    const status = answer.kind === 'token' ? statusFromAnswer(answer) : null;
    if (!status) throw this.unexpected(answer.res);
    return { activationRef: id, ...status };
  }

  async statusMany(activationRefs: readonly string[]): Promise<Map<string, ActivationStatus>> {
    const wanted = new Set(activationRefs);
    const result = new Map<string, ActivationStatus>();
    for (const activation of await this.activeActivations('statusMany')) {
      if (wanted.has(activation.activationRef)) {
        result.set(activation.activationRef, {
          activationRef: activation.activationRef,
          state: activation.state,
          messages: activation.messages,
        });
      }
    }
    return result;
  }

  async listActivations(): Promise<Array<ActivationStatus & { phoneNumber?: string }>> {
    const activations = await this.activeActivations('statusMany');
    // Ids grow over time: newest first without trusting the host's date format.
    return activations.sort((a, b) => compareIds(b.activationRef, a.activationRef));
  }

  async cancel(activationRef: string): Promise<void> {
    await this.setStatus('cancel', activationRef, SET_STATUS.cancel, [
      'ACCESS_CANCEL',
      'ACCESS_CANCEL_ALREADY',
    ]);
  }

  async finish(activationRef: string): Promise<void> {
    await this.setStatus('finish', activationRef, SET_STATUS.finish, ['ACCESS_ACTIVATION']);
  }

  async requestAnotherSms(activationRef: string): Promise<void> {
    await this.setStatus('requestAnotherSms', activationRef, SET_STATUS.requestAnother, [
      'ACCESS_RETRY_GET',
    ]);
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
    activationRef: string,
    status: SetStatusValue,
    accepted: readonly string[],
  ): Promise<void> {
    const id = this.activationId(activationRef, operation);
    // setStatus is safe to repeat: a second cancel/finish answers the same or a harmless error.
    const answer = await this.call(operation, 'setStatus', { id, status }, true);
    if (answer.kind !== 'token' || !accepted.includes(answer.token)) {
      throw this.unexpected(answer.res);
    }
  }

  private async activeActivations(
    operation: ProviderOperation,
  ): Promise<Array<ActivationStatus & { phoneNumber?: string }>> {
    const answer = await this.call(operation, 'getActiveActivations', {}, true);
    if (answer.kind === 'token') {
      if (answer.token === 'NO_ACTIVATIONS') return [];
      throw this.unexpected(answer.res);
    }
    const body = answer.value as { status?: unknown; activeActivations?: unknown };
    if (body === null || typeof body !== 'object' || !Array.isArray(body.activeActivations)) {
      throw this.unexpected(answer.res);
    }
    const rows = body.activeActivations as ActiveActivation[];
    return rows.flatMap((row) => {
      const status = statusFromActiveActivation(row);
      return status ? [status] : [];
    });
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
  ): Promise<Answer> {
    const res = await this.http.request({
      operation,
      method: 'GET',
      query: { api_key: this.apiKey, action, ...params },
      idempotent,
    });
    if (res.isHtml) throw unavailableFromResponse(res);
    const context: ErrorContext = {
      providerId: this.id,
      operation,
      httpStatus: res.status,
      secrets: res.secrets,
    };
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
    if (answer) {
      const error = errorForToken(answer.token, answer.value, context);
      if (error) throw error;
      if (ok) return { kind: 'token', token: answer.token, value: answer.value, res };
    }
    if (res.status >= 500) throw unavailableFromResponse(res);
    if (!ok) throw errorForHttpStatus(body, context);
    throw this.unexpected(res);
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

  private activationId(activationRef: string, operation: ProviderOperation): string {
    const id = activationRef.trim();
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
