import type { EntityManager } from 'typeorm';
import { intParam, millis, toBigInt } from '../columns.js';
import { sql, type Database } from '../database.js';
import { OrderEventEntity, type StoredOrderEventType } from '../entities/order-event.entity.js';
import { StoreInvariantViolated } from '../errors.js';
import { toEventView, type OrderEventPayload, type OrderEventView } from './order-view.js';

/** Postgres NOTIFY channel raised after the commit of transactions that wrote order events
 *  (see EventNotifier); the payload is the last event id. */
export const ORDER_EVENTS_CHANNEL = 'numbroker_order_events';

/**
 * Postgres: a sequence hands ids out at insert, not at commit, so an event with a lower id can
 * commit after one with a higher id, and a tail that had read past it would skip it. Writers
 * take this advisory lock SHARED from their event insert to their commit: they never wait for
 * each other and their commits flush together. A tail read takes it EXCLUSIVE (awaitEventWriters)
 * for the length of the read: by then every id handed out has committed or rolled back, and
 * no new one is handed out until the read is done. The key is this constant ("nbev") and the
 * schema, so that schemas sharing a database (tests) do not wait for each other.
 */
const ORDER_EVENTS_LOCK = 'CAST(1851942262 AS INTEGER), hashtext(current_schema())';

/** Appends one event to the outbox, inside the transaction that made the change. */
export async function insertOrderEvent(
  tx: EntityManager,
  order: { id: string; userId: string },
  type: StoredOrderEventType,
  payload: OrderEventPayload,
  now: Date,
): Promise<OrderEventView> {
  const postgres = tx.connection.options.type === 'postgres';
  const text = JSON.stringify(payload);
  const values = [order.id, order.userId, type, text, millis(now)];
  // One round trip. SQLite (one writer at a time) reports the new rowid. Postgres takes the
  // shared lock in the same statement, before the row (and its id) exists, and returns the id.
  const result = postgres
    ? await sql(
        tx,
        `WITH writer AS (SELECT pg_advisory_xact_lock_shared(${ORDER_EVENTS_LOCK}))
         INSERT INTO order_events (order_id, user_id, "type", payload, created_at)
         SELECT CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS TEXT),
           CAST(? AS BIGINT) FROM writer
         RETURNING id`,
        values,
      )
    : await sql(
        tx,
        `INSERT INTO order_events (order_id, user_id, "type", payload, created_at)
         VALUES (?, ?, ?, ?, CAST(? AS BIGINT))`,
        values,
      );
  const rawId = postgres ? result.rows[0]?.id : result.insertId;
  if (rawId === undefined || rawId === null) {
    throw new StoreInvariantViolated(`order ${order.id}: the event insert returned no id`);
  }
  return toEventView({
    id: toBigInt(rawId).toString(),
    orderId: order.id,
    userId: order.userId,
    type,
    payload: text,
    createdAt: now,
  });
}

/** Postgres, inside a tail read's transaction: waits until no writer is between its event
 *  insert and its commit and keeps new ones out until this transaction ends (see the lock). */
export async function awaitEventWriters(tx: EntityManager): Promise<void> {
  if (tx.connection.options.type !== 'postgres') return;
  await sql(tx, `SELECT pg_advisory_xact_lock(${ORDER_EVENTS_LOCK})`);
}

/**
 * Postgres: wakes the LISTENing tails after a commit, outside the transaction (a NOTIFY inside
 * it takes a global lock at commit). Coalesced: one NOTIFY in flight, then one more for
 * whatever committed meanwhile. A lost one costs a tail one poll interval, never an event.
 */
export class EventNotifier {
  private sending = false;
  private pending: string | null = null;

  constructor(private readonly db: Database) {}

  committed(lastEventId: string): void {
    if (this.db.kind !== 'postgres') return;
    this.pending = lastEventId;
    if (!this.sending) void this.send();
  }

  private async send(): Promise<void> {
    this.sending = true;
    try {
      while (this.pending !== null) {
        const id = this.pending;
        this.pending = null;
        await this.db
          .read((m) => sql(m, 'SELECT pg_notify(?, ?)', [ORDER_EVENTS_CHANNEL, id]))
          .catch(() => undefined);
      }
    } finally {
      this.sending = false;
    }
  }
}

/** Events after `afterId` (exclusive; null/"0" = from the start), oldest first: the outbox tail.
 *  One order's history (`orderId`) is a plain read; every other read is a tail read. */
export async function eventsAfter(
  db: Database,
  afterId: string | number | null,
  limit: number,
  filter: { userId?: string; orderId?: string } = {},
): Promise<OrderEventView[]> {
  const after = afterId === null || afterId === '' ? 0n : toBigInt(afterId);
  const read = async (m: EntityManager) => {
    const query = m
      .createQueryBuilder(OrderEventEntity, 'e')
      .where('e.id > CAST(:after AS BIGINT)', { after: intParam(after) })
      .orderBy('e.id', 'ASC')
      .take(Math.max(1, Math.min(1000, Math.trunc(limit))));
    if (filter.userId) query.andWhere('e.user_id = :userId', { userId: filter.userId });
    if (filter.orderId) query.andWhere('e.order_id = :orderId', { orderId: filter.orderId });
    return query.getMany();
  };
  const rows =
    db.kind === 'postgres' && filter.orderId === undefined
      ? await db.transaction(async (tx) => {
          await awaitEventWriters(tx);
          return read(tx);
        })
      : await db.read(read);
  return rows.map(toEventView);
}

/** The newest event id ("0" when there is none): where a fresh tail starts. */
export async function latestEventId(db: Database): Promise<string> {
  const result = await db.transaction(async (tx) => {
    await awaitEventWriters(tx);
    return sql(tx, 'SELECT MAX(id) AS id FROM order_events');
  });
  const id = result.rows[0]?.id;
  return id === null || id === undefined ? '0' : String(toBigInt(id));
}
