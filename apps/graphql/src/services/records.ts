import type { Money, OrderStatus } from '@numbroker/core';

/** What the API layer reads about an order: a view of the store's row, no upstream secrets. */
export interface OrderRecord {
  id: string;
  userId: string;
  status: OrderStatus;
  service: string;
  country: string;
  operator: string | null;
  providerId: string;
  phoneNumber: string | null;
  activationRef: string | null;
  price: Money;
  createdAt: Date;
  expiresAt: Date;
  failureReason: string | null;
}

export interface SmsRecord {
  orderId: string;
  code: string | null;
  text: string | null;
  receivedAt: Date;
}

/** One row of the order-event outbox. Ids are decimal strings: they outgrow JS numbers. */
export interface OrderEventRecord {
  id: string;
  orderId: string;
  userId: string;
  type: string;
  createdAt: Date;
  /** The order as it was right after this event (the outbox row's snapshot). */
  order: OrderRecord | null;
  /** The SMS of an SMS_RECEIVED event. */
  sms?: { code: string | null; text: string | null; receivedAt: Date };
}

export interface UserRecord {
  id: string;
  name: string;
  isAdmin: boolean;
  available: Money;
  held: Money;
}
