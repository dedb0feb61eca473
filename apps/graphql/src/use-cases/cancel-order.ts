import type { OrderStatus } from '@numbroker/core';
import { isProviderError } from '@numbroker/providers';
import type { AppDeps } from '../services/app-deps.js';
import type { OrderRecord } from '../services/records.js';
import { adapterOf, assertTransition, callUpstream, ownOrder } from './shared.js';

/** Ends without a code: the hold went back to the wallet. */
const RELEASED: ReadonlySet<OrderStatus> = new Set(['CANCELLED', 'EXPIRED', 'FAILED']);

/** Before any code: cancelled upstream, then CANCELLED with the hold released (once: the
 *  store's conditional update refuses a second cancel or a cancel after a code). */
export async function cancelOrder(
  deps: AppDeps,
  request: { userId: string; orderId: string },
): Promise<OrderRecord> {
  const order = await ownOrder(deps, request.userId, request.orderId);
  if (!assertTransition(order, { type: 'CANCEL' })) return order;
  const adapter = adapterOf(deps, order.providerId);
  if (adapter?.cancel && order.upstreamRef) {
    const upstreamRef = order.upstreamRef;
    try {
      await callUpstream(
        deps,
        { providerId: adapter.id, orderId: order.id, operation: 'cancel' },
        () => adapter.cancel!(upstreamRef),
      );
    } catch (error) {
      // Gone upstream already (expired there): nothing left to cancel, release here.
      if (!(isProviderError(error) && error.code === 'NOT_FOUND')) throw error;
    }
  }
  try {
    const cancelled = await deps.store.applyOrderCommand(order.id, { type: 'CANCEL' });
    deps.wakeOutboxTail();
    return cancelled;
  } catch (error) {
    // The worker ended the order while our cancel was upstream (expired, or ended there; a
    // refused transition or a lost write race): the hold is released all the same, so the
    // caller gets the order as it is, not a refusal.
    const now = await deps.store.findOrder(order.id);
    if (now && RELEASED.has(now.status)) return now;
    throw error;
  }
}
