import type { Money } from '@numbroker/core';
import type { OrderEventView, OrderView, SmsView } from '@numbroker/store';

/** The store's views, under the names the API layer has always used. */
export type OrderRecord = OrderView;
export type SmsRecord = SmsView;
export type OrderEventRecord = OrderEventView;

export interface UserRecord {
  id: string;
  name: string;
  isAdmin: boolean;
  available: Money;
  held: Money;
}
