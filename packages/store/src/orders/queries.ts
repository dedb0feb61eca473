import { BadUserInput, OPEN_STATUSES, type OrderStatus } from '@numbroker/core';
import { In } from 'typeorm';
import { sql, type Database } from '../database.js';
import { OrderEntity } from '../entities/order.entity.js';
import { SmsMessageEntity } from '../entities/sms-message.entity.js';
import { decodeCursor, encodeCursor, placeholders } from './order-rows.js';
import { toOrderView, toSmsView, type OrderView, type SmsView } from './order-view.js';

export interface OrderPage {
  orders: OrderView[];
  hasNextPage: boolean;
  /** Cursor of the last order of the page; pass as `after` for the next one. */
  endCursor: string | null;
}

/** Upstream refs looked up per statement (one parameter each). */
const REF_LOOKUP_CHUNK = 500;

/** The order a provider sold as `upstreamRef` (unique per provider), or null. */
export async function findOrderByUpstreamRef(
  db: Database,
  providerId: string,
  upstreamRef: string,
): Promise<OrderView | null> {
  const order = await db.read((m) =>
    m.findOne(OrderEntity, { where: { providerId, upstreamRef } }),
  );
  return order ? toOrderView(order) : null;
}

export async function findOrder(
  db: Database,
  orderId: string,
  userId?: string,
): Promise<OrderView | null> {
  const order = await db.read((m) =>
    m.findOne(OrderEntity, {
      where: userId === undefined ? { id: orderId } : { id: orderId, userId },
    }),
  );
  return order ? toOrderView(order) : null;
}

/** Messages of many orders at once (a page of orders), oldest first per order. */
export async function messagesByOrder(
  db: Database,
  orderIds: readonly string[],
): Promise<Map<string, SmsView[]>> {
  const byOrder = new Map<string, SmsView[]>(orderIds.map((id) => [id, []]));
  if (orderIds.length === 0) return byOrder;
  const rows = await db.read((m) =>
    m.find(SmsMessageEntity, {
      where: orderIds.length === 1 ? { orderId: orderIds[0]! } : { orderId: In([...orderIds]) },
      order: { receivedAt: 'ASC', id: 'ASC' },
    }),
  );
  for (const row of rows) byOrder.get(row.orderId)?.push(toSmsView(row));
  return byOrder;
}

/** The user's orders, newest first, `first` at a time (1-100, default 20). */
export async function listOrders(
  db: Database,
  userId: string,
  options: { first?: number; after?: string | null; status?: OrderStatus | null } = {},
): Promise<OrderPage> {
  const first = options.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > 100) {
    throw new BadUserInput('INVALID_PAGE_SIZE', `first must be between 1 and 100, got ${first}`);
  }
  const cursor = options.after ? decodeCursor(options.after) : null;
  const rows = await db.read((m) => {
    const query = m
      .createQueryBuilder(OrderEntity, 'o')
      .where('o.user_id = :userId', { userId })
      .orderBy('o.created_at', 'DESC')
      .addOrderBy('o.id', 'DESC')
      .take(first + 1);
    if (options.status) query.andWhere('o.status = :status', { status: options.status });
    if (cursor) {
      query.andWhere(
        '(o.created_at < CAST(:createdAt AS BIGINT) OR (o.created_at = CAST(:createdAt AS BIGINT) AND o.id < :id))',
        { createdAt: cursor.createdAtMs, id: cursor.id },
      );
    }
    return query.getMany();
  });
  const orders = rows.slice(0, first).map(toOrderView);
  const last = orders.at(-1);
  return {
    orders,
    hasNextPage: rows.length > first,
    endCursor: last ? encodeCursor(last) : null,
  };
}

/** Open (PENDING, ACTIVE, CODE_RECEIVED) orders per provider. */
export async function openOrderCounts(db: Database): Promise<Map<string, number>> {
  const result = await db.read((m) =>
    sql(
      m,
      `SELECT provider_id, COUNT(*) AS n FROM orders
       WHERE status IN (${placeholders(OPEN_STATUSES.length)}) AND provider_id IS NOT NULL
       GROUP BY provider_id`,
      [...OPEN_STATUSES],
    ),
  );
  return new Map(result.rows.map((row) => [String(row.provider_id), Number(row.n)]));
}

/** How many orders are PENDING at this provider (their buy in flight, or stuck): the
 *  reconciler adopts an orphan only when it can be nobody else's. */
export async function countPending(db: Database, providerId: string): Promise<number> {
  const result = await db.read((m) =>
    sql(m, `SELECT COUNT(*) AS n FROM orders WHERE status = 'PENDING' AND provider_id = ?`, [
      providerId,
    ]),
  );
  return Number(result.rows[0]?.n ?? 0);
}

/** Which of these upstream refs already belong to an order of this provider. */
export async function knownUpstreamRefs(
  db: Database,
  providerId: string,
  refs: readonly string[],
): Promise<Set<string>> {
  const known = new Set<string>();
  for (let start = 0; start < refs.length; start += REF_LOOKUP_CHUNK) {
    const chunk = refs.slice(start, start + REF_LOOKUP_CHUNK);
    const result = await db.read((m) =>
      sql(
        m,
        `SELECT upstream_ref FROM orders
         WHERE provider_id = ? AND upstream_ref IN (${placeholders(chunk.length)})`,
        [providerId, ...chunk],
      ),
    );
    for (const row of result.rows) known.add(String(row.upstream_ref));
  }
  return known;
}
