import type { EntityManager } from 'typeorm';
import { intParam, millis, toBigInt } from '../columns.js';
import { sql, type Database } from '../database.js';
import type { StoredOrderEventType } from '../entities/order-event.entity.js';
import { StoreInvariantViolated } from '../errors.js';
import { toEventView, type OrderEventPayload, type OrderEventView } from './order-view.js';

/** Postgres NOTIFY channel raised after the commit of transactions that wrote order events
 *  (see EventNotifier); the payload is the last event id. */
export const ORDER_EVENTS_CHANNEL = 'numbroker_order_events';

/**
 * Postgres: a sequence hands ids out at insert, not at commit, so an event with a lower id can
 * commit after one with a higher id, and a tail that had read past it would skip it. Writers
 * take this advisory lock (shared: they never wait for each other) before their event gets an
 * id and hold it to their commit; nobody ever takes it exclusive. It only marks a writer in
 * flight in pg_locks, where a tail read finds the ones to wait for (settledEventId). The key
 * is this constant ("nbev") and the schema, so schemas sharing a database (tests) stay apart.
 */
const ORDER_EVENTS_LOCK = 'CAST(1851942262 AS INTEGER), hashtext(current_schema())';
/** What an event writer selects, in the statement that inserts its event, before the row. */
export const ORDER_EVENT_WRITER_LOCK = `pg_advisory_xact_lock_shared(${ORDER_EVENTS_LOCK})`;
/** The same lock as pg_locks shows it (two int4 keys: classid, objid, objsubid 2). */
const ORDER_EVENT_WRITERS = `locktype = 'advisory' AND classid = CAST(1851942262 AS OID)
  AND objid = CAST(CAST(hashtext(current_schema()) AS BIGINT) & 4294967295 AS OID)
  AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
/** How often a tail read looks again for the writers it waits for. */
const WRITERS_RECHECK_MS = 2;

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
        `WITH writer AS (SELECT ${ORDER_EVENT_WRITER_LOCK})
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

/**
 * Postgres: an id at or below which every event is final (committed or rolled back), without
 * blocking anyone. The sequence's last value is read first, then the writers in flight: any id
 * up to that value was handed out to a writer already holding the lock, so once those writers
 * are gone, no event at or below it can still appear. Later writers get higher ids.
 */
export async function settledEventId(db: Database): Promise<bigint> {
  const last = await db.read((m) =>
    sql(m, `SELECT COALESCE(pg_sequence_last_value('order_events_id_seq'), 0) AS id`),
  );
  const horizon = toBigInt(last.rows[0]?.id ?? 0);
  let writers = await db.read((m) =>
    sql(m, `SELECT virtualtransaction AS vxid FROM pg_locks WHERE ${ORDER_EVENT_WRITERS}`),
  );
  while (writers.rows.length > 0) {
    await new Promise((resolve) => setTimeout(resolve, WRITERS_RECHECK_MS));
    const waitingFor = writers.rows.map((row) => String(row.vxid));
    writers = await db.read((m) =>
      sql(
        m,
        `SELECT virtualtransaction AS vxid FROM pg_locks WHERE ${ORDER_EVENT_WRITERS}
         AND virtualtransaction IN (${waitingFor.map(() => '?').join(', ')})`,
        waitingFor,
      ),
    );
  }
  return horizon;
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
 *  On Postgres only final ids are read (settledEventId), except for one order's history
 *  (`orderId`), a plain read. */
export async function eventsAfter(
  db: Database,
  afterId: string | number | null,
  limit: number,
  filter: { userId?: string; orderId?: string } = {},
): Promise<OrderEventView[]> {
  const after = afterId === null || afterId === '' ? 0n : toBigInt(afterId);
  const upTo =
    db.kind === 'postgres' && filter.orderId === undefined ? await settledEventId(db) : null;
  if (upTo !== null && upTo <= after) return [];
  // Raw SQL: the tail reads after every commit, and TypeORM's query builder built this query
  // anew each time (a few per cent of a buy's CPU on the server).
  const where = ['id > CAST(? AS BIGINT)'];
  const params: string[] = [intParam(after)];
  if (upTo !== null) {
    where.push('id <= CAST(? AS BIGINT)');
    params.push(intParam(upTo));
  }
  if (filter.userId) {
    where.push('user_id = ?');
    params.push(filter.userId);
  }
  if (filter.orderId) {
    where.push('order_id = ?');
    params.push(filter.orderId);
  }
  const result = await db.read((m) =>
    sql(
      m,
      `SELECT id, order_id, user_id, "type", payload, created_at FROM order_events
       WHERE ${where.join(' AND ')} ORDER BY id ASC
       LIMIT ${Math.max(1, Math.min(1000, Math.trunc(limit)))}`,
      params,
    ),
  );
  return result.rows.map((row) =>
    toEventView({
      id: toBigInt(row.id).toString(),
      orderId: String(row.order_id),
      userId: String(row.user_id),
      type: String(row.type),
      payload: String(row.payload),
      createdAt: new Date(Number(toBigInt(row.created_at))),
    }),
  );
}

/** The newest event id ("0" when there is none): where a fresh tail starts (on Postgres the
 *  newest of the final ones, so that none below it can still appear). */
export async function latestEventId(db: Database): Promise<string> {
  const upTo = db.kind === 'postgres' ? await settledEventId(db) : null;
  const result = await db.read((m) =>
    upTo === null
      ? sql(m, 'SELECT MAX(id) AS id FROM order_events')
      : sql(m, 'SELECT MAX(id) AS id FROM order_events WHERE id <= CAST(? AS BIGINT)', [
          intParam(upTo),
        ]),
  );
  const id = result.rows[0]?.id;
  return id === null || id === undefined ? '0' : String(toBigInt(id));
}
