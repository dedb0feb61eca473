import type { AppDeps } from '../services/app-deps.js';
import type { OrderRecord } from '../services/records.js';
import { adapterOf, assertTransition, callUpstream, ownOrder } from './shared.js';

/** After a code: COMPLETED, and closed upstream where the protocol has a call for it. The
 *  money was captured with the first code, so an upstream that fails to close changes
 *  nothing for the customer: it is logged and the order completes. */
export async function finishOrder(
  deps: AppDeps,
  request: { userId: string; orderId: string },
): Promise<OrderRecord> {
  const order = await ownOrder(deps, request.userId, request.orderId);
  if (!assertTransition(order, { type: 'FINISH' })) return order;
  const adapter = adapterOf(deps, order.providerId);
  if (adapter?.finish && order.upstreamRef) {
    const upstreamRef = order.upstreamRef;
    try {
      await callUpstream(
        deps,
        { providerId: adapter.id, orderId: order.id, operation: 'finish' },
        () => adapter.finish!(upstreamRef),
      );
    } catch (error) {
      deps.logger.warn(
        { err: error, orderId: order.id },
        'upstream finish failed; completing locally',
      );
    }
  }
  const finished = await deps.store.applyOrderCommand(order.id, { type: 'FINISH' });
  deps.wakeOutboxTail();
  return finished;
}
