import { Money } from '@numbroker/core';
import type { OrderEntity } from './entities/order.entity.js';
import type { SmsMessageEntity } from './entities/sms-message.entity.js';

/** What an order event carries: the order as its owner may see it (no upstream cost, no
 *  upstream secrets), so the server can publish it without another read. */
export interface OrderSnapshot {
  id: string;
  userId: string;
  status: OrderEntity['status'];
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
  /** SMS_RECEIVED only: the message that caused it. */
  sms?: SmsSnapshot;
}

export function orderSnapshot(order: OrderEntity): OrderSnapshot {
  return {
    id: order.id,
    userId: order.userId,
    status: order.status,
    service: order.service,
    country: order.country,
    operator: order.operator,
    providerId: order.providerId,
    phoneNumber: order.phoneNumber,
    price: Money.ofMinor(order.priceMinor, order.currency).toJSON(),
    failureReason: order.failureReason,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    expiresAt: order.expiresAt.toISOString(),
  };
}

export function smsSnapshot(sms: SmsMessageEntity): SmsSnapshot {
  return { id: sms.id, code: sms.code, text: sms.text, receivedAt: sms.receivedAt.toISOString() };
}

/** Parses an event row's payload. */
export function parseEventPayload(payload: string): OrderEventPayload {
  return JSON.parse(payload) as OrderEventPayload;
}
