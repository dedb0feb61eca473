import { isOrderStatus, type OrderStatus } from '@numbroker/core';
import { badUserInput } from '../errors/api-error.js';
import type { OrderPage } from '../services/api-store.js';
import type { AppDeps } from '../services/app-deps.js';
import type { OrderRecord } from '../services/records.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export async function getOrder(
  deps: AppDeps,
  userId: string,
  orderId: string,
): Promise<OrderRecord | null> {
  const order = await deps.store.findOrder(orderId);
  return order && order.userId === userId ? order : null;
}

export async function listOrders(
  deps: AppDeps,
  userId: string,
  request: { first?: number | undefined; after?: string | undefined; status?: string | undefined },
): Promise<OrderPage> {
  const first = request.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}; got ${first}`, {
      field: 'first',
    });
  }
  let status: OrderStatus | undefined;
  if (request.status !== undefined) {
    if (!isOrderStatus(request.status)) throw badUserInput(`unknown status "${request.status}"`);
    status = request.status;
  }
  return deps.store.listOrders(userId, { first, after: request.after, status });
}
