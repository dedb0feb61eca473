import type { OrderStatus } from '@numbroker/core';
import { isProviderError } from '@numbroker/providers';
import type { AppDeps } from '../services/app-deps.js';
import type { OrderRecord } from '../services/records.js';
import { adapterOf, assertTransition, callUpstream, ownOrder } from './shared.js';

/** Ends without a code: the hold went back to the wallet. */
const RELEASED: ReadonlySet<OrderStatus> = new Set(['CANCELLED', 'EXPIRED', 'FAILED']);

/** Before any code: cancelled upstream, then CANCELLED with the hold released (once: the
 *  store's conditional update refuses a second cancel or a cancel after a code). An order
 *  that already ended without a code is answered as it is; after a code, CANCEL_NOT_ALLOWED. */
export async function cancelOrder(
  deps: AppDeps,
  request: { userId: string; orderId: string },
): Promise<OrderRecord> {
  const order = await ownOrder(deps, request.userId, request.orderId);
  // Already ended without a code (expired, failed, or cancelled by an earlier try whose answer
  // was lost): the hold is back, which is all a cancel asks for — answer the order as it is.
  if (RELEASED.has(order.status)) return order;
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
