import type { AppDeps } from '../services/app-deps.js';
import type { OrderRecord, SmsRecord } from '../services/records.js';
import { getOrder } from '../use-cases/get-orders.js';
import type { ActivationIds } from './activation-ids.js';
import { ProtocolRefusal } from './answers.js';
import type { SmsActivateCodes } from './code-tables.js';
import { JsonNumber, type JsonValue } from './json-text.js';

/** What every action of the endpoint works with, and the helpers the action modules share
 *  (kept here so that actions.ts and its reference/history modules import no cycle). */
export interface EndpointContext {
  deps: AppDeps;
  codes: SmsActivateCodes;
  activationIds: ActivationIds;
}

/** The request's parameters (query and form body merged), by name. */
export type Params = ReadonlyMap<string, string>;

export interface OwnedOrder {
  order: OrderRecord;
  activationId: string;
}

/** The caller's order behind `id`. Another user's is NO_ACTIVATION, exactly like a missing
 *  one: an activation id never tells whether it exists for someone else. */
export async function ownedOrder(
  context: EndpointContext,
  userId: string,
  params: Params,
): Promise<OwnedOrder> {
  const id = params.get('id')?.trim() ?? '';
  if (!/^\d{1,20}$/.test(id)) throw new ProtocolRefusal('WRONG_ACTIVATION_ID');
  const owner = await context.activationIds.resolve(id);
  if (!owner || owner.userId !== userId) throw new ProtocolRefusal('NO_ACTIVATION');
  const order = await getOrder(context.deps, userId, owner.orderId);
  if (!order) throw new ProtocolRefusal('NO_ACTIVATION');
  return { order, activationId: id };
}

export function normalizeCountryId(text: string): string | undefined {
  const trimmed = text.trim();
  return /^\d{1,4}$/.test(trimmed) ? String(Number(trimmed)) : undefined;
}

export function countryIdValue(codes: SmsActivateCodes, iso: string): JsonValue {
  const id = codes.countryIdsOfIso(iso)[0];
  return id === undefined ? null : JsonNumber.of(id);
}

/** "+79991234567" → "79991234567": the protocol's numbers carry no "+". */
export function digitsOf(phoneNumber: string | null): string {
  return (phoneNumber ?? '').replace(/\D/g, '');
}

/** "2025-01-31 12:34:56" (UTC), the protocol's date format. */
export function activationTimeOf(order: OrderRecord): string {
  return order.createdAt.toISOString().slice(0, 19).replace('T', ' ');
}

export function latestMessage(messages: readonly SmsRecord[]): SmsRecord | undefined {
  return [...messages].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime()).at(-1);
}
