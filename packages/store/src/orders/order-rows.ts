import { BadUserInput, type OrderStatus } from '@numbroker/core';
import { toBigInt } from '../columns.js';
import { OrderEntity } from '../entities/order.entity.js';

/** `?, ?, …` for the open statuses (the status guard of the lease and schedule statements). */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** The order columns, as a RETURNING list. */
export const ORDER_COLUMNS = [
  'id',
  'user_id',
  'status',
  'service',
  'country',
  '"operator"',
  'provider_id',
  'upstream_ref',
  'phone_number',
  'price_minor',
  'currency',
  'cost_minor',
  'cost_currency',
  'idempotency_key',
  'created_at',
  'updated_at',
  'expires_at',
  'next_poll_at',
  'poll_count',
  'lease_owner',
  'lease_until',
  '"version"',
  'failure_reason',
].join(', ');

/** An order entity from a raw row of ORDER_COLUMNS (the column transformers, by hand). */
export function orderFromRow(row: Record<string, unknown>): OrderEntity {
  const text = (value: unknown): string | null => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') throw new RangeError('expected a text column value');
    return value;
  };
  const date = (value: unknown): Date | null =>
    value === null || value === undefined ? null : new Date(Number(toBigInt(value)));
  // A plain instance, not tx.create: TypeORM's create walks the entity's metadata for every
  // field (a tenth of the worker's CPU at 10,000 orders), and every field is set here.
  return Object.assign(new OrderEntity(), {
    id: text(row.id)!,
    userId: text(row.user_id)!,
    status: text(row.status) as OrderStatus,
    service: text(row.service)!,
    country: text(row.country)!,
    operator: text(row.operator),
    providerId: text(row.provider_id),
    upstreamRef: text(row.upstream_ref),
    phoneNumber: text(row.phone_number),
    priceMinor: toBigInt(row.price_minor),
    currency: text(row.currency)!,
    costMinor:
      row.cost_minor === null || row.cost_minor === undefined ? null : toBigInt(row.cost_minor),
    costCurrency: text(row.cost_currency),
    idempotencyKey: text(row.idempotency_key),
    createdAt: date(row.created_at)!,
    updatedAt: date(row.updated_at)!,
    expiresAt: date(row.expires_at)!,
    nextPollAt: date(row.next_poll_at),
    pollCount: Number(row.poll_count),
    leaseOwner: text(row.lease_owner),
    leaseUntil: date(row.lease_until),
    version: Number(row.version),
    failureReason: text(row.failure_reason),
  });
}

/** A page cursor: the order's creation time and id (the listing's sort key). */
export function encodeCursor(order: { createdAt: Date; id: string }): string {
  return Buffer.from(`${order.createdAt.getTime()}:${order.id}`, 'utf8').toString('base64url');
}
export function decodeCursor(cursor: string): { createdAtMs: string; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,16}):([0-9a-f-]{36})$/.exec(text);
  if (!match) throw new BadUserInput('INVALID_CURSOR', `"${cursor}" is not a valid cursor`);
  return { createdAtMs: match[1]!, id: match[2]! };
}
