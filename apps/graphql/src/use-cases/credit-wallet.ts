import type { AuditActor } from '@numbroker/store';
import { badUserInput, notFound } from '../errors/api-error.js';
import type { AppDeps } from '../services/app-deps.js';
import type { UserRecord } from '../services/records.js';
import { parseAmount } from './shared.js';

/** Admin top-up. The reference (the payment's id) makes it idempotent per user. */
export async function creditWallet(
  deps: AppDeps,
  request: { userId: string; amount: string; reference: string },
  actor?: AuditActor,
): Promise<UserRecord> {
  const amount = parseAmount(deps, request.amount, 'amount');
  if (amount.isZero()) throw badUserInput('amount must be greater than 0', { field: 'amount' });
  const reference = request.reference.trim();
  if (reference.length < 1 || reference.length > 200) {
    throw badUserInput('reference must be 1 to 200 characters', { field: 'reference' });
  }
  if (!(await deps.store.getUser(request.userId))) throw notFound('user', request.userId);
  return deps.store.creditWallet(request.userId, amount, reference, actor);
}
