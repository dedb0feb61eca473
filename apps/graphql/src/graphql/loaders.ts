import DataLoader from 'dataloader';
import { Money } from '@numbroker/core';
import type { UserEntity } from '@numbroker/store';
import type { ApiStore } from '../services/api-store.js';
import type { AppDeps } from '../services/app-deps.js';
import type { SmsRecord } from '../services/records.js';

export interface Loaders {
  /** Every SMS of an order, oldest first (Order.messages and Order.smsCode). */
  messagesByOrderId: DataLoader<string, SmsRecord[]>;
  /** User rows (User.disabled, User.createdAt). */
  userById: DataLoader<string, UserEntity | null>;
  /** What the upstream charged (Order.upstreamCost, admin only). */
  upstreamCostByOrderId: DataLoader<string, Money | null>;
}

/** `cache: false` for long-lived WebSocket contexts: a subscription resolves the same order many
 *  times and must see its new messages; within one tick the calls are still batched. */
export function createLoaders(
  store: ApiStore,
  options: { cache: boolean; console?: AppDeps['console'] },
): Loaders {
  const console = options.console;
  return {
    messagesByOrderId: new DataLoader(
      async (orderIds) => {
        const byOrder = await store.messagesOfOrders(orderIds);
        return orderIds.map((id) => byOrder.get(id) ?? []);
      },
      { cache: options.cache },
    ),
    userById: new DataLoader(
      async (userIds) => {
        const byId = console
          ? await console.admin.usersById(userIds)
          : new Map<string, UserEntity>();
        return userIds.map((id) => byId.get(id) ?? null);
      },
      { cache: options.cache },
    ),
    upstreamCostByOrderId: new DataLoader(
      async (orderIds) => {
        const costs = console
          ? await console.admin.costsOf(orderIds)
          : new Map<string, { costMinor: bigint; costCurrency: string }>();
        return orderIds.map((id) => {
          const cost = costs.get(id);
          return cost ? Money.ofMinor(cost.costMinor, cost.costCurrency) : null;
        });
      },
      { cache: options.cache },
    ),
  };
}
