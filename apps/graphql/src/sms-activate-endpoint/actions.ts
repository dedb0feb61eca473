import { isDomainError, type OrderStatus } from '@numbroker/core';
import { ApiError } from '../errors/api-error.js';
import { mapError } from '../errors/to-graphql-error.js';
import type { OrderRecord, SmsRecord } from '../services/records.js';
import { awaitSettled, buyNumber } from '../use-cases/buy-number.js';
import { cancelOrder } from '../use-cases/cancel-order.js';
import { finishOrder } from '../use-cases/finish-order.js';
import { listOrders, MAX_PAGE_SIZE } from '../use-cases/get-orders.js';
import { listOffers } from '../use-cases/list-offers.js';
import { requestAnotherSms } from '../use-cases/request-another-sms.js';
import { jsonAnswer, ProtocolRefusal, textAnswer, type Answer } from './answers.js';
import {
  activationTimeOf,
  countryIdValue,
  digitsOf,
  latestMessage,
  normalizeCountryId,
  ownedOrder,
  type EndpointContext,
  type OwnedOrder,
  type Params,
} from './endpoint-context.js';
import { getHistory, getStatusV2 } from './history-actions.js';
import type { SmsActivateAction } from './action-names.js';
import { JsonNumber, type JsonValue } from './json-text.js';
import {
  getCountries,
  getNumbersStatus,
  getOperators,
  getServicesList,
} from './reference-actions.js';

/** SMS-Activate's default country when `country` is left out. */
const DEFAULT_COUNTRY_ID = '0';
/** Open orders a bot sees in getActiveActivations; far above what a TTL lets pile up. */
const MAX_ACTIVE_ACTIVATIONS = 1000;
/** A client's `orderId` (getNumber/getNumberV2): printable, no spaces, bounded. */
const CLIENT_ORDER_ID = /^[\x21-\x7e]{1,64}$/;

export async function runAction(
  context: EndpointContext,
  userId: string,
  action: SmsActivateAction,
  params: Params,
): Promise<Answer> {
  switch (action) {
    case 'getBalance':
      return getBalance(context, userId);
    case 'getNumber': {
      const bought = await buy(context, userId, params);
      return textAnswer(
        `ACCESS_NUMBER:${bought.activationId}:${digitsOf(bought.order.phoneNumber)}`,
      );
    }
    case 'getNumberV2': {
      const bought = await buy(context, userId, params);
      return jsonAnswer(numberV2(context, bought));
    }
    case 'getStatus':
      return getStatus(context, await ownedOrder(context, userId, params));
    case 'setStatus':
      return setStatus(context, userId, await ownedOrder(context, userId, params), params);
    case 'getPrices':
      return getPrices(context, params);
    case 'getActiveActivations':
      return getActiveActivations(context, userId);
    // No cashback account here: the balance is all there is.
    case 'getBalanceAndCashBack':
      return getBalance(context, userId);
    case 'getNumbersStatus':
      return getNumbersStatus(context, params);
    case 'getCountries':
      return getCountries(context);
    case 'getServicesList':
      return getServicesList(context, params);
    case 'getOperators':
      return getOperators(context, params);
    case 'getStatusV2':
      return getStatusV2(context, await ownedOrder(context, userId, params));
    case 'getHistory':
      return getHistory(context, userId, params);
  }
}

// ---- getBalance ------------------------------------------------------------------------------

async function getBalance({ deps }: EndpointContext, userId: string): Promise<Answer> {
  const user = await deps.store.getUser(userId);
  if (!user) throw new ProtocolRefusal('BAD_KEY');
  return textAnswer(`ACCESS_BALANCE:${user.available.format()}`);
}

// ---- getNumber / getNumberV2 -----------------------------------------------------------------

interface Bought {
  order: OrderRecord & { phoneNumber: string };
  activationId: string;
  countryId: string;
}

async function buy(context: EndpointContext, userId: string, params: Params): Promise<Bought> {
  const { deps, codes } = context;
  const slug = codes.slugOfServiceCode(params.get('service') ?? '');
  if (!slug) throw new ProtocolRefusal('BAD_SERVICE');
  const countryId = normalizeCountryId(params.get('country') || DEFAULT_COUNTRY_ID);
  const iso = countryId === undefined ? undefined : codes.isoOfCountryId(countryId);
  if (countryId === undefined || !iso) throw new ProtocolRefusal('BAD_COUNTRY');
  const maxPrice = params.get('maxPrice')?.trim() || undefined;
  // `operator=mts` or `operator=mts,beeline` (any of them), as SMS-Activate takes it; `any` or
  // nothing: no choice. The same filter as buyNumber's `operator`.
  const operators = (params.get('operator') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');

  // SMS-Activate's own client-side idempotency id: a bot that retries with it gets the same
  // activation, never a second purchase.
  const clientOrderId = params.get('orderId')?.trim() || undefined;
  if (clientOrderId !== undefined && !CLIENT_ORDER_ID.test(clientOrderId)) {
    throw new ProtocolRefusal('BAD_DATA');
  }
  let order: OrderRecord;
  try {
    order = await buyNumber(deps, {
      userId,
      service: slug,
      country: iso,
      maxPrice,
      ...(operators.length > 0 ? { operator: operators } : {}),
      ...(clientOrderId === undefined ? {} : { idempotencyKey: `sa-order:${clientOrderId}` }),
    });
  } catch (error) {
    // Nothing was bought and the hold is released: to a bot that is "no numbers now".
    if (mapError(error)?.code === 'UPSTREAM_UNAVAILABLE') throw new ProtocolRefusal('NO_NUMBERS');
    throw error;
  }
  // The upstream may or may not have sold the number: the reconciler finds out, usually within
  // seconds. The protocol has no "bought, number to follow", so wait (bounded) for it here.
  if (order.status === 'PENDING') order = await awaitSettled(deps, order);
  if (order.status === 'FAILED') throw new ProtocolRefusal('NO_NUMBERS');
  // Any order with a number is answered (a repeated orderId gets its activation as it is).
  if (order.phoneNumber === null) {
    // Still unknown: a transient error, never NO_NUMBERS. If the number
    // was sold it shows in getActiveActivations (and a retry with the same orderId gets it);
    // if not, the hold comes back.
    deps.logger.warn(
      { orderId: order.id, status: order.status },
      'SMS-Activate getNumber: the order is not active yet',
    );
    throw new ProtocolRefusal('ERROR_SQL');
  }
  const activationId = await context.activationIds.ofOrder(order.id);
  if (activationId === null) throw new Error(`order ${order.id} has no creation event`);
  return { order: { ...order, phoneNumber: order.phoneNumber }, activationId, countryId };
}

function numberV2(context: EndpointContext, bought: Bought): JsonValue {
  const { order } = bought;
  return {
    activationId: JsonNumber.of(bought.activationId),
    phoneNumber: digitsOf(order.phoneNumber),
    activationCost: JsonNumber.of(order.price.format()),
    countryCode: JsonNumber.of(bought.countryId),
    canGetAnotherSms: canGetAnotherSms(context, order),
    activationTime: activationTimeOf(order),
    activationOperator: order.operator ?? 'any',
  };
}

// ---- getStatus -------------------------------------------------------------------------------

async function getStatus(context: EndpointContext, owned: OwnedOrder): Promise<Answer> {
  const { order } = owned;
  switch (order.status) {
    case 'PENDING':
    case 'ACTIVE':
      return textAnswer('STATUS_WAIT_CODE');
    case 'CODE_RECEIVED': {
      const last = await lastMessageValue(context, order.id);
      if (last === null) return textAnswer('STATUS_WAIT_CODE');
      const waitingForAnother = await anotherSmsPending(context, order.id);
      return textAnswer(`${waitingForAnother ? 'STATUS_WAIT_RETRY' : 'STATUS_OK'}:${last}`);
    }
    case 'COMPLETED': {
      const last = await lastMessageValue(context, order.id);
      return textAnswer(last === null ? 'STATUS_OK' : `STATUS_OK:${last}`);
    }
    case 'CANCELLED':
    case 'EXPIRED':
    case 'FAILED':
    case 'REPORTED':
      return textAnswer('STATUS_CANCEL');
  }
}

/** After setStatus 3 the order stays CODE_RECEIVED; a retry is pending while the latest of
 *  its ANOTHER_SMS_REQUESTED and SMS_RECEIVED events is the request. */
async function anotherSmsPending(context: EndpointContext, orderId: string): Promise<boolean> {
  const types = await context.activationIds.eventTypesOf(orderId);
  const latest = types.findLast(
    (type) => type === 'ANOTHER_SMS_REQUESTED' || type === 'SMS_RECEIVED',
  );
  return latest === 'ANOTHER_SMS_REQUESTED';
}

export async function lastMessageValue(
  { deps }: EndpointContext,
  orderId: string,
): Promise<string | null> {
  const messages = (await deps.store.messagesOfOrders([orderId])).get(orderId) ?? [];
  const last = latestMessage(messages);
  return last ? messageValue(last) : null;
}

/** The code, or (no code could be read) the text on one line: the answer is one line. */
function messageValue(message: SmsRecord): string | null {
  const value = message.code ?? message.text;
  return value === null ? null : value.replace(/\s+/g, ' ').trim();
}

// ---- setStatus -------------------------------------------------------------------------------

const CLOSED_WITHOUT_CODE: readonly OrderStatus[] = ['CANCELLED', 'EXPIRED', 'FAILED'];
const AFTER_A_CODE: readonly OrderStatus[] = ['CODE_RECEIVED', 'COMPLETED', 'REPORTED'];
const OPEN: readonly OrderStatus[] = ['PENDING', 'ACTIVE', 'CODE_RECEIVED'];

async function setStatus(
  { deps }: EndpointContext,
  userId: string,
  { order }: OwnedOrder,
  params: Params,
): Promise<Answer> {
  const request = { userId, orderId: order.id };
  try {
    switch (params.get('status')?.trim() ?? '') {
      case '1':
        // Our orders wait for the SMS from the purchase on: "ready" changes nothing.
        return textAnswer(OPEN.includes(order.status) ? 'ACCESS_READY' : 'BAD_STATUS');
      case '3':
        await requestAnotherSms(deps, request);
        return textAnswer('ACCESS_RETRY_GET');
      case '6':
        await finishOrder(deps, request);
        return textAnswer('ACCESS_ACTIVATION');
      // -1: the protocol's old "cancel activation", still sent by older bots.
      case '-1':
      case '8':
        // Closed without a code: the hold is back already, which is what the cancel asks.
        if (CLOSED_WITHOUT_CODE.includes(order.status)) return textAnswer('ACCESS_CANCEL');
        // Being bought right now: cancellable in a moment, as hosts' early-cancel window.
        if (order.status === 'PENDING') return textAnswer('EARLY_CANCEL_DENIED');
        // After a code there is nothing to cancel, and never a refund: not "try later".
        if (AFTER_A_CODE.includes(order.status)) return textAnswer('BAD_STATUS');
        await cancelOrder(deps, request);
        return textAnswer('ACCESS_CANCEL');
      default:
        return textAnswer('BAD_STATUS');
    }
  } catch (error) {
    // A transition the order's state refuses (a code came meanwhile, finish before a code,
    // a provider that cannot resend) is BAD_STATUS; upstream failures keep their tokens.
    if (isRefusedTransition(error)) return textAnswer('BAD_STATUS');
    throw error;
  }
}

function isRefusedTransition(error: unknown): boolean {
  if (isDomainError(error)) {
    return (
      error.apiCode === 'BAD_USER_INPUT' ||
      error.apiCode === 'CANCEL_NOT_ALLOWED' ||
      error.apiCode === 'STATE_CONFLICT'
    );
  }
  return (
    error instanceof ApiError &&
    (error.code === 'BAD_USER_INPUT' || error.code === 'STATE_CONFLICT')
  );
}

// ---- getPrices -------------------------------------------------------------------------------

async function getPrices(context: EndpointContext, params: Params): Promise<Answer> {
  const { deps, codes } = context;
  const serviceCode = params.get('service')?.trim() || undefined;
  const countryParam = params.get('country')?.trim() || undefined;
  let slugs = codes.slugs();
  if (serviceCode !== undefined) {
    const slug = codes.slugOfServiceCode(serviceCode);
    if (!slug) throw new ProtocolRefusal('BAD_SERVICE');
    slugs = [slug];
  }
  let countryIds: string[] | undefined;
  let iso: string | undefined;
  if (countryParam !== undefined) {
    const countryId = normalizeCountryId(countryParam);
    iso = countryId === undefined ? undefined : codes.isoOfCountryId(countryId);
    if (countryId === undefined || !iso) throw new ProtocolRefusal('BAD_COUNTRY');
    countryIds = [countryId];
  }

  // countryId → service code → cheapest sell price and total stock, as `offers` prices them.
  const table = new Map<string, Map<string, { cost: JsonNumber; count: JsonNumber }>>();
  for (const slug of slugs) {
    const offers = await listOffers(deps, { service: slug, country: iso });
    const byCountry = new Map<string, { cheapest: (typeof offers)[number]; stock: number }>();
    for (const offer of offers) {
      const seen = byCountry.get(offer.country);
      if (!seen) byCountry.set(offer.country, { cheapest: offer, stock: offer.stock });
      else {
        seen.stock += offer.stock;
        if (offer.price.compare(seen.cheapest.price) < 0) seen.cheapest = offer;
      }
    }
    const code = codes.serviceCodeOfSlug(slug);
    if (code === undefined) continue;
    for (const [country, { cheapest, stock }] of byCountry) {
      if (stock <= 0) continue;
      for (const countryId of countryIds ?? codes.countryIdsOfIso(country)) {
        const services =
          table.get(countryId) ?? new Map<string, { cost: JsonNumber; count: JsonNumber }>();
        services.set(code, {
          cost: JsonNumber.of(cheapest.price.format()),
          count: JsonNumber.ofInteger(stock),
        });
        table.set(countryId, services);
      }
    }
  }
  const sorted = new Map([...table].sort(([a], [b]) => Number(a) - Number(b)));
  return jsonAnswer(sorted);
}

// ---- getActiveActivations --------------------------------------------------------------------

async function getActiveActivations(context: EndpointContext, userId: string): Promise<Answer> {
  const { deps, codes } = context;
  const orders: OrderRecord[] = [];
  for (const status of ['ACTIVE', 'CODE_RECEIVED'] as const) {
    let after: string | undefined;
    while (orders.length < MAX_ACTIVE_ACTIVATIONS) {
      const page = await listOrders(deps, userId, { first: MAX_PAGE_SIZE, after, status });
      orders.push(...page.orders);
      const last = page.orders.at(-1);
      if (!page.hasNextPage || !last) break;
      after = page.cursorOf(last);
    }
  }
  const open = orders.filter((order) => order.phoneNumber !== null);
  if (open.length === 0) return jsonAnswer({ status: 'error', error: 'NO_ACTIVATIONS' });
  open.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

  const messages = await deps.store.messagesOfOrders(open.map((order) => order.id));
  const rows: JsonValue[] = [];
  for (const order of open) {
    const activationId = await context.activationIds.ofOrder(order.id);
    if (activationId === null) continue;
    const received = [...(messages.get(order.id) ?? [])].sort(
      (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime(),
    );
    const smsCodes = received.flatMap((sms) => (sms.code === null ? [] : [sms.code]));
    const smsTexts = received.flatMap((sms) => (sms.text === null ? [] : [sms.text]));
    const retrying =
      order.status === 'CODE_RECEIVED' && (await anotherSmsPending(context, order.id));
    rows.push({
      activationId: JsonNumber.of(activationId),
      serviceCode: codes.serviceCodeOfSlug(order.service) ?? order.service,
      phoneNumber: digitsOf(order.phoneNumber),
      activationCost: JsonNumber.of(order.price.format()),
      // "4" waiting for the code, "3" another SMS asked for, "1" a code is there.
      activationStatus: order.status === 'ACTIVE' ? '4' : retrying ? '3' : '1',
      smsCode: smsCodes.length > 0 ? smsCodes : null,
      smsText: smsTexts.length > 0 ? smsTexts : null,
      activationTime: activationTimeOf(order),
      countryCode: countryIdValue(codes, order.country),
      canGetAnotherSms: canGetAnotherSms(context, order),
    });
  }
  return jsonAnswer({ status: 'success', activeActivations: rows });
}

// ---- shared ----------------------------------------------------------------------------------

function canGetAnotherSms({ deps }: EndpointContext, order: OrderRecord): boolean {
  const adapter = order.providerId ? deps.adapters.get(order.providerId) : undefined;
  return Boolean(adapter?.requestAnotherSms && adapter.capabilities.requestAnotherSms);
}
