import type { EntityManager } from 'typeorm';
import { intParam, millis, toBigInt } from '../columns.js';
import { sql, type Database } from '../database.js';
import { OrderEventEntity, type StoredOrderEventType } from '../entities/order-event.entity.js';
import { StoreInvariantViolated } from '../errors.js';
import { toEventView, type OrderEventPayload, type OrderEventView } from './order-view.js';

/** Postgres NOTIFY channel raised (at commit) by every transaction that writes order events;
 *  the payload is the last event id. */
export const ORDER_EVENTS_CHANNEL = 'numbroker_order_events';

/** Serializes the writers of order_events on Postgres so that ids become visible in id order
 *  (a sequence hands ids out at insert, not at commit). Any constant works; this is "nbev". */
const ORDER_EVENTS_LOCK_KEY = '1851942262';

/** Appends one event to the outbox, inside the transaction that made the change. */
export async function insertOrderEvent(
  tx: EntityManager,
  order: { id: string; userId: string },
  type: StoredOrderEventType,
  payload: OrderEventPayload,
  now: Date,
): Promise<OrderEventView> {
  const postgres = tx.connection.options.type === 'postgres';
  if (postgres)
    await sql(tx, `SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))`, [ORDER_EVENTS_LOCK_KEY]);
  const text = JSON.stringify(payload);
  // Raw SQL: one round trip. SQLite reports the new rowid; Postgres returns it.
  const result = await sql(
    tx,
    `INSERT INTO order_events (order_id, user_id, "type", payload, created_at)
     VALUES (?, ?, ?, ?, CAST(? AS BIGINT))${postgres ? ' RETURNING id' : ''}`,
    [order.id, order.userId, type, text, millis(now)],
  );
  const rawId = postgres ? result.rows[0]?.id : result.insertId;
  if (rawId === undefined || rawId === null) {
    throw new StoreInvariantViolated(`order ${order.id}: the event insert returned no id`);
  }
  const id = toBigInt(rawId).toString();
  if (postgres) await sql(tx, 'SELECT pg_notify(?, ?)', [ORDER_EVENTS_CHANNEL, id]);
  return toEventView({
    id,
    orderId: order.id,
    userId: order.userId,
    type,
    payload: text,
    createdAt: now,
  });
}

/** Events after `afterId` (exclusive; null/"0" = from the start), oldest first: the outbox tail. */
export async function eventsAfter(
  db: Database,
  afterId: string | number | null,
  limit: number,
  filter: { userId?: string; orderId?: string } = {},
): Promise<OrderEventView[]> {
  const after = afterId === null || afterId === '' ? 0n : toBigInt(afterId);
  const rows = await db.read((m) => {
    const query = m
      .createQueryBuilder(OrderEventEntity, 'e')
      .where('e.id > CAST(:after AS BIGINT)', { after: intParam(after) })
      .orderBy('e.id', 'ASC')
      .take(Math.max(1, Math.min(1000, Math.trunc(limit))));
    if (filter.userId) query.andWhere('e.user_id = :userId', { userId: filter.userId });
    if (filter.orderId) query.andWhere('e.order_id = :orderId', { orderId: filter.orderId });
    return query.getMany();
  });
  return rows.map(toEventView);
}

/** The newest event id ("0" when there is none): where a fresh tail starts. */
export async function latestEventId(db: Database): Promise<string> {
  const result = await db.read((m) => sql(m, 'SELECT MAX(id) AS id FROM order_events'));
  const id = result.rows[0]?.id;
  return id === null || id === undefined ? '0' : String(toBigInt(id));
}
