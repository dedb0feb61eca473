import DataLoader from 'dataloader';
import type { ApiStore } from '../services/api-store.js';
import type { SmsRecord } from '../services/records.js';

export interface Loaders {
  /** Every SMS of an order, oldest first (Order.messages and Order.smsCode). */
  messagesByOrderId: DataLoader<string, SmsRecord[]>;
}

/** `cache: false` for long-lived WebSocket contexts: a subscription resolves the same order many
 *  times and must see its new messages; within one tick the calls are still batched. */
export function createLoaders(store: ApiStore, options: { cache: boolean }): Loaders {
  return {
    messagesByOrderId: new DataLoader(
      async (orderIds) => {
        const byOrder = await store.messagesOfOrders(orderIds);
        return orderIds.map((id) => byOrder.get(id) ?? []);
      },
      { cache: options.cache },
    ),
  };
}
