/**
 * ArzanCell's adapter: one `handler.php`, GET with `api` + `action` in the query string.
 * Translation lives in `mapping.ts`, the token table in `errors.ts`; NOTES.md lists what the
 * doc leaves open.
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
  CancelNotAllowed,
  InvalidRequest,
  Unavailable,
  type ProviderErrorContext,
  type ProviderOperation,
} from '../errors.js';
import { createHttpClient, type AdapterOptions } from '../http/account-client.js';
import { unavailableFromResponse, type HttpClient } from '../http/http-client.js';
import { arzanCellError, outcomeOfToken, type ArzanCellOutcome } from './errors.js';
import {
  decodeOfferRef,
  isoOfCountryCode,
  mapBalance,
  mapCheckRows,
  mapNumber,
  mapStockRow,
  offerOf,
  readAnswer,
  toE164,
} from './mapping.js';
import {
  ARZANCELL_ACTIONS,
  ARZANCELL_ANY,
  ARZANCELL_PARAMS,
  type ArzanCellAction,
} from './wire.js';

export const ARZANCELL_CAPABILITIES: Capabilities = {
  batchStatus: false,
  listActivations: false,
  cancel: true,
  // ASSUMED (NOTES.md): the doc only says an expired order is refunded; a cancel before any
  // code is the same outcome at every "compatible" site, and the simulator refunds it.
  cancelRefunds: true,
  finish: false,
  report: false,
  reportRefunds: false,
  requestAnotherSms: false,
  chargesPerSms: false,
};

type Rows = Array<Record<string, unknown>>;
type Answer =
  { kind: 'rows'; rows: Rows } | { kind: 'outcome'; outcome: ArzanCellOutcome; token: string };

export class ArzanCellAdapter implements ProviderAdapter {
  readonly kind: ProviderKind = 'arzancell';
  readonly id: string;
  readonly currency: CurrencyCode;
  readonly capabilities = ARZANCELL_CAPABILITIES;
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
    const answer = await this.call('catalog', ARZANCELL_ACTIONS.getStatus, {
      [ARZANCELL_PARAMS.server]: ARZANCELL_ANY,
      [ARZANCELL_PARAMS.country]: ARZANCELL_ANY,
    });
    const rows = this.rowsOr('catalog', answer);
    return rows
      .map((raw) => mapStockRow(raw, this.currency))
      .map((row) => (row === null ? null : offerOf(row)))
      .filter((offer): offer is Offer => offer !== null);
  }

  async buy(request: BuyRequest): Promise<Purchase> {
    const product = decodeOfferRef(request.ref);
    if (product === null) {
      throw new InvalidRequest(`${this.id} buy: "${request.ref}" is not an ArzanCell product ref`, {
        providerId: this.id,
        operation: 'buy',
      });
    }
    const answer = await this.call('buy', ARZANCELL_ACTIONS.getNumber, {
      [ARZANCELL_PARAMS.server]: product.server,
      [ARZANCELL_PARAMS.country]: product.country,
      [ARZANCELL_PARAMS.service]: product.service,
    });
    const number = mapNumber(this.rowsOr('buy', answer));
    const country = isoOfCountryCode(product.country) ?? isoOfCountryCode(request.country);
    const phoneNumber = number === null ? null : toE164(number.rawPhone, country);
    if (number === null || phoneNumber === null) {
      // We may own a number we cannot read: never buy again, let reconciliation decide.
      throw new Unavailable(
        `${this.id} buy: answer without a readable order id and phone` +
          (number === null ? '' : ` (order ${number.orderId})`),
        { providerId: this.id, operation: 'buy', surelyNotSent: false },
      );
    }
    return { upstreamRef: number.orderId, phoneNumber };
  }

  async status(upstreamRef: string): Promise<ActivationStatus> {
    const answer = await this.call('status', ARZANCELL_ACTIONS.checkOrder, {
      [ARZANCELL_PARAMS.orderId]: upstreamRef,
    });
    if (answer.kind === 'outcome') {
      // The doc: EXPIRED SMS TIME = time is up and the money went back.
      if (answer.outcome === 'expired') return { upstreamRef, state: 'expired', messages: [] };
      if (answer.outcome === 'cancelled') return { upstreamRef, state: 'cancelled', messages: [] };
      throw this.errorOf('status', answer);
    }
    const status = mapCheckRows(answer.rows, upstreamRef);
    if (status === null) throw this.unexpected('status', 'check_order answered no order');
    return status;
  }

  async cancel(upstreamRef: string): Promise<void> {
    const answer = await this.call('cancel', ARZANCELL_ACTIONS.cancelOrder, {
      [ARZANCELL_PARAMS.orderId]: upstreamRef,
    });
    if (answer.kind === 'rows') {
      // Not the doc's form; accept a JSON echo of the word.
      const said = JSON.stringify(answer.rows).toUpperCase();
      if (said.includes('CANCEL')) return;
      throw this.unexpected('cancel', 'cancel_order answered rows, not CANCELED');
    }
    // CANCELED: done. EXPIRED SMS TIME: it ended on its own and was refunded — nothing to undo.
    if (answer.outcome === 'cancelled' || answer.outcome === 'expired') return;
    if (answer.outcome === 'uncancellable') {
      // The same word covers "a code came" and "already cancelled": look before refusing, so
      // a repeated cancel stays idempotent.
      const current = await this.status(upstreamRef).then(
        (status) => status.state,
        () => 'unknown' as const, // the refusal stands even when the lookup fails
      );
      if (current === 'cancelled' || current === 'expired') return;
      throw new CancelNotAllowed(
        `${this.id} cancel: ${answer.token} (the order is ${current === 'code' ? 'answered' : current})`,
        {
          providerId: this.id,
          operation: 'cancel',
          upstreamMessage: answer.token,
          retryable: false,
        },
      );
    }
    throw this.errorOf('cancel', answer);
  }

  async balance(): Promise<Money> {
    const answer = await this.call('balance', ARZANCELL_ACTIONS.getBalance, {});
    const balance = mapBalance(this.rowsOr('balance', answer), this.currency);
    if (balance === null) throw this.unexpected('balance', 'get_balance answered no balance');
    return balance;
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async call(
    operation: ProviderOperation,
    action: ArzanCellAction,
    params: Record<string, string>,
  ): Promise<Answer> {
    const res = await this.http.request({
      operation,
      method: 'GET',
      path: '',
      query: {
        [ARZANCELL_PARAMS.action]: action,
        ...params,
        [ARZANCELL_PARAMS.apiKey]: this.account.apiKey,
      },
      idempotent: operation !== 'buy',
    });
    const answer = readAnswer(res.text);
    if (answer.kind === 'token') {
      const outcome = outcomeOfToken(answer.token);
      if (outcome !== undefined) return { kind: 'outcome', outcome, token: answer.token };
    }
    // Unknown words ("Internal Server Error", "Not Found"), HTML pages, broken JSON, and rows
    // with an error status are not an answer of this protocol. (The Content-Type is not
    // trusted: PHP labels JSON and tokens text/html unless told otherwise.)
    if (answer.kind !== 'rows' || res.status >= 400) {
      throw unavailableFromResponse(res, { providerId: this.id, operation });
    }
    return answer;
  }

  private rowsOr(operation: ProviderOperation, answer: Answer): Rows {
    if (answer.kind === 'rows') return answer.rows;
    throw this.errorOf(operation, answer);
  }

  private errorOf(
    operation: ProviderOperation,
    answer: { outcome: ArzanCellOutcome; token: string },
  ): Error {
    const context: ProviderErrorContext = {
      providerId: this.id,
      operation,
      upstreamMessage: answer.token,
    };
    return arzanCellError(answer.outcome, context, answer.token);
  }

  private unexpected(operation: ProviderOperation, what: string): Unavailable {
    return new Unavailable(`${this.id} ${operation}: ${what}`, {
      providerId: this.id,
      operation,
      surelyNotSent: false,
    });
  }
}
