import { badUserInput } from '../errors/api-error.js';
import type { AppDeps } from '../services/app-deps.js';
import type { OrderRecord } from '../services/records.js';
import { adapterOf, assertTransition, callUpstream, ownOrder } from './shared.js';

/** After a code, where the upstream allows: asks for another SMS on the same number (free). */
export async function requestAnotherSms(
  deps: AppDeps,
  request: { userId: string; orderId: string },
): Promise<OrderRecord> {
  const order = await ownOrder(deps, request.userId, request.orderId);
  assertTransition(order, { type: 'REQUEST_ANOTHER_SMS' });
  const adapter = adapterOf(deps, order.providerId);
  if (
    !adapter?.requestAnotherSms ||
    !adapter.capabilities.requestAnotherSms ||
    !order.upstreamRef
  ) {
    throw badUserInput(`provider "${order.providerId}" cannot send another SMS to the same number`);
  }
  const upstreamRef = order.upstreamRef;
  await callUpstream(
    deps,
    { providerId: adapter.id, orderId: order.id, operation: 'requestAnotherSms' },
    () => adapter.requestAnotherSms!(upstreamRef),
  );
  const updated = await deps.store.applyOrderCommand(order.id, { type: 'REQUEST_ANOTHER_SMS' });
  deps.wakeOutboxTail();
  return updated;
}
