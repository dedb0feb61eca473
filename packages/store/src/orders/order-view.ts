import { Money, type OrderStatus } from '@numbroker/core';
import type { OrderEntity } from '../entities/order.entity.js';
import type { SmsMessageEntity } from '../entities/sms-message.entity.js';

/**
 * The one shape of an order outside the store: what the server, the worker and the
 * SMS-Activate endpoint read. Money is Money; the upstream's id of the activation is
 * `upstreamRef` everywhere. Scheduling columns (leases, next check) stay inside the store.
 */
export interface OrderView {
  id: string;
  userId: string;
  status: OrderStatus;
  service: string;
  country: string;
  operator: string | null;
  /** The provider that sold the number (after a failover, not the first one tried); null
   *  until one is chosen. */
  providerId: string | null;
  /** The upstream's activation id; null before the purchase, and in outbox snapshots (the
   *  outbox carries nothing of the upstream's). */
  upstreamRef: string | null;
  phoneNumber: string | null;
  price: Money;
  /** What the upstream charged; null before the purchase, and in outbox snapshots. */
  cost: Money | null;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
}

export interface SmsView {
  id: string;
  orderId: string;
  code: string | null;
  text: string | null;
  receivedAt: Date;
}

/** One row of the order-event outbox. Ids are decimal strings: they outgrow JS numbers. */
export interface OrderEventView {
  id: string;
  orderId: string;
  userId: string;
  type: string;
  createdAt: Date;
  /** The order as it was right after this event (the outbox row's snapshot); null when the
   *  payload cannot be read (the event still announces a change: read the order fresh). */
  order: OrderView | null;
  /** SMS_RECEIVED: the message that caused it. */
  sms?: SmsView;
}

/** The JSON an outbox row carries: the order view as its owner may see it (no upstream cost,
 *  no upstream ref), so the server can publish it without another read. */
export interface OrderSnapshot {
  id: string;
  userId: string;
  status: OrderStatus;
  service: string;
  country: string;
  operator: string | null;
  providerId: string | null;
  phoneNumber: string | null;
  price: { amount: string; currency: string };
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

export interface SmsSnapshot {
  id: string;
  code: string | null;
  text: string | null;
  receivedAt: string;
}

export interface OrderEventPayload {
  order: OrderSnapshot;
  sms?: SmsSnapshot;
}

/** The mapper: a stored order → its view. Snapshots are this view, serialised. */
export function toOrderView(order: OrderEntity): OrderView {
  return {
    id: order.id,
    userId: order.userId,
    status: order.status,
    service: order.service,
    country: order.country,
    operator: order.operator,
    providerId: order.providerId,
    upstreamRef: order.upstreamRef,
    phoneNumber: order.phoneNumber,
    price: Money.ofMinor(order.priceMinor, order.currency),
    cost:
      order.costMinor !== null && order.costCurrency
        ? Money.ofMinor(order.costMinor, order.costCurrency)
        : null,
    failureReason: order.failureReason,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    expiresAt: order.expiresAt,
  };
}

export function toSmsView(sms: SmsMessageEntity): SmsView {
  return {
    id: sms.id,
    orderId: sms.orderId,
    code: sms.code,
    text: sms.text,
    receivedAt: sms.receivedAt,
  };
}

export function orderSnapshot(view: OrderView): OrderSnapshot {
  return {
    id: view.id,
    userId: view.userId,
    status: view.status,
    service: view.service,
    country: view.country,
    operator: view.operator,
    providerId: view.providerId,
    phoneNumber: view.phoneNumber,
    price: view.price.toJSON(),
    failureReason: view.failureReason,
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
    expiresAt: view.expiresAt.toISOString(),
  };
}

export function smsSnapshot(sms: SmsView): SmsSnapshot {
  return { id: sms.id, code: sms.code, text: sms.text, receivedAt: sms.receivedAt.toISOString() };
}

/** The inverse of orderSnapshot. */
export function viewFromSnapshot(snapshot: OrderSnapshot): OrderView {
  return {
    id: snapshot.id,
    userId: snapshot.userId,
    status: snapshot.status,
    service: snapshot.service,
    country: snapshot.country,
    operator: snapshot.operator,
    providerId: snapshot.providerId,
    upstreamRef: null,
    phoneNumber: snapshot.phoneNumber,
    price: Money.parse(snapshot.price.amount, snapshot.price.currency),
    cost: null,
    failureReason: snapshot.failureReason,
    createdAt: new Date(snapshot.createdAt),
    updatedAt: new Date(snapshot.updatedAt),
    expiresAt: new Date(snapshot.expiresAt),
  };
}

/** An outbox row's view: its snapshot read back through viewFromSnapshot. */
export function toEventView(event: {
  id: number | string;
  orderId: string;
  userId: string;
  type: string;
  payload: string;
  createdAt: Date;
}): OrderEventView {
  let order: OrderView | null = null;
  let sms: SmsView | undefined;
  try {
    const payload = JSON.parse(event.payload) as OrderEventPayload;
    order = viewFromSnapshot(payload.order);
    if (payload.sms) {
      sms = {
        id: payload.sms.id,
        orderId: event.orderId,
        code: payload.sms.code,
        text: payload.sms.text,
        receivedAt: new Date(payload.sms.receivedAt),
      };
    }
  } catch {
    order = null;
  }
  return {
    id: String(event.id),
    orderId: event.orderId,
    userId: event.userId,
    type: event.type,
    createdAt: event.createdAt,
    order,
    ...(sms ? { sms } : {}),
  };
}
