import { isProviderError, type ProviderAdapter } from '@numbroker/providers';
import type { AppDeps } from '../services/app-deps.js';
import type { OrderRecord } from '../services/records.js';
import { adapterOf, assertTransition, callUpstream, ownOrder } from './shared.js';

/** The code was wrong: reported upstream where the protocol can, REPORTED, and the captured
 *  price refunded only when the upstream refunds us (capabilities.reportRefunds). A transient
 *  upstream failure is an error the caller can retry; a refusal means no refund. */
export async function reportOrder(
  deps: AppDeps,
  request: { userId: string; orderId: string },
): Promise<OrderRecord> {
  const order = await ownOrder(deps, request.userId, request.orderId);
  if (!assertTransition(order, { type: 'REPORT', upstreamRefunded: false })) return order;
  const adapter = adapterOf(deps, order.providerId);
  let upstreamRefunded = false;
  if (adapter?.report && order.upstreamRef) {
    const upstreamRef = order.upstreamRef;
    try {
      await callUpstream(
        deps,
        { providerId: adapter.id, orderId: order.id, operation: 'report' },
        () => adapter.report!(upstreamRef),
      );
      upstreamRefunded = adapter.capabilities.reportRefunds;
    } catch (error) {
      if (isProviderError(error) && error.retryable) throw error;
      // A retry after our first report reached the upstream (and the write was lost): the
      // upstream refuses a second one, but it refunded us the first time — so does the customer.
      upstreamRefunded = await refundedUpstream(deps, adapter, upstreamRef);
      if (!upstreamRefunded) {
        deps.logger.warn(
          { err: error, orderId: order.id },
          'upstream refused the report; no refund',
        );
      }
    }
  }
  const reported = await deps.store.applyOrderCommand(order.id, {
    type: 'REPORT',
    upstreamRefunded,
  });
  deps.wakeOutboxTail();
  return reported;
}

/** Whether the upstream shows the activation ended with our money back (after a code that is
 *  only a report). Unknown counts as no. */
async function refundedUpstream(
  deps: AppDeps,
  adapter: ProviderAdapter,
  upstreamRef: string,
): Promise<boolean> {
  if (!adapter.capabilities.reportRefunds) return false;
  try {
    const status = await adapter.status(upstreamRef);
    return status.state === 'cancelled';
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not read the activation after a refused report');
    return false;
  }
}
