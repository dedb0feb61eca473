import { randomUUID } from 'node:crypto';
import { BadUserInput, DomainError, StateConflict } from '@numbroker/core';
import { In, IsNull, type EntityManager } from 'typeorm';
import { insertAuditEntryInTx, type AuditActor } from './audit-store.js';
import { intParam, millis, toBigInt } from './columns.js';
import { WEBHOOK_FANOUT_CURSOR } from './counters.js';
import { RETURNING_ROWS, sql, type Database } from './database.js';
import { OrderEventEntity } from './entities/order-event.entity.js';
import {
  WebhookDeliveryEntity,
  type WebhookDeliveryStatus,
} from './entities/webhook-delivery.entity.js';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity.js';
import { settledEventId } from './orders/outbox.js';
import { afterCursor, decodePageCursor, pageSize, toPage, type Page } from './page-cursor.js';

export class WebhookEndpointNotFound extends DomainError {
  override readonly name = 'WebhookEndpointNotFound';
  readonly code = 'WEBHOOK_ENDPOINT_NOT_FOUND' as const;
  readonly apiCode = 'NOT_FOUND' as const;
  constructor(readonly endpointId: string) {
    super(`webhook endpoint ${endpointId} not found`);
  }
}

export class WebhookDeliveryNotFound extends DomainError {
  override readonly name = 'WebhookDeliveryNotFound';
  readonly code = 'WEBHOOK_DELIVERY_NOT_FOUND' as const;
  readonly apiCode = 'NOT_FOUND' as const;
  constructor(readonly deliveryId: string) {
    super(`webhook delivery ${deliveryId} not found`);
  }
}

/** At most this many live endpoints per user: each one multiplies every event. */
export const MAX_ENDPOINTS_PER_USER = 20;

/** What the fan-out makes of one event for one endpoint: zero or more messages. */
export type MessagesOfEvent = (
  event: OrderEventEntity,
  endpoint: WebhookEndpointEntity,
) => Array<{ type: string; payload: string }>;

/** A leased delivery with what sending it needs. */
export interface DueDelivery {
  delivery: WebhookDeliveryEntity;
  endpoint: WebhookEndpointEntity;
}

export interface AttemptOutcome {
  /** A 2xx in time. */
  delivered: boolean;
  statusCode: number | null;
  /** Why it failed (timeout, refused address, HTTP 500): never a secret. */
  error: string | null;
  /** When to try again; null with `delivered: false` = the schedule is spent: FAILED. */
  nextAttemptAt: Date | null;
}

const DELIVERY_COLUMNS = [
  'id',
  'endpoint_id',
  'user_id',
  'event_id',
  '"type"',
  'payload',
  'status',
  'attempts',
  'schedule_step',
  'last_status_code',
  'last_error',
  'next_attempt_at',
  'lease_owner',
  'lease_until',
  'created_at',
  'updated_at',
  'delivered_at',
].join(', ');

function deliveryFromRow(tx: EntityManager, row: Record<string, unknown>): WebhookDeliveryEntity {
  const date = (value: unknown): Date | null =>
    value === null || value === undefined ? null : new Date(Number(toBigInt(value)));
  const int = (value: unknown): number | null =>
    value === null || value === undefined ? null : Number(value);
  return tx.create(WebhookDeliveryEntity, {
    id: String(row.id),
    endpointId: String(row.endpoint_id),
    userId: String(row.user_id),
    eventId: Number(row.event_id),
    type: String(row.type),
    payload: String(row.payload),
    status: String(row.status) as WebhookDeliveryStatus,
    attempts: Number(row.attempts),
    scheduleStep: Number(row.schedule_step),
    lastStatusCode: int(row.last_status_code),
    lastError: typeof row.last_error === 'string' ? row.last_error : null,
    nextAttemptAt: date(row.next_attempt_at),
    leaseOwner: typeof row.lease_owner === 'string' ? row.lease_owner : null,
    leaseUntil: date(row.lease_until),
    createdAt: date(row.created_at)!,
    updatedAt: date(row.updated_at)!,
    deliveredAt: date(row.delivered_at),
  });
}

/** Customers' webhook endpoints and the deliveries made for them from the order-event outbox. */
export class WebhookStore {
  constructor(private readonly db: Database) {}

  async createEndpoint(input: {
    userId: string;
    url: string;
    events: readonly string[];
    secretSealed: string;
    actor: AuditActor;
    now?: Date;
  }): Promise<WebhookEndpointEntity> {
    const now = input.now ?? new Date();
    return this.db.transaction(async (tx) => {
      const live = await tx.count(WebhookEndpointEntity, {
        where: { userId: input.userId, deletedAt: IsNull() },
      });
      if (live >= MAX_ENDPOINTS_PER_USER) {
        throw new BadUserInput(
          'TOO_MANY_WEBHOOK_ENDPOINTS',
          `at most ${MAX_ENDPOINTS_PER_USER} webhook endpoints per user; delete one first`,
        );
      }
      const endpoint = tx.create(WebhookEndpointEntity, {
        id: randomUUID(),
        userId: input.userId,
        url: input.url,
        events: JSON.stringify(input.events),
        secretSealed: input.secretSealed,
        enabled: true,
        createdAt: now,
        deletedAt: null,
      });
      await tx.insert(WebhookEndpointEntity, endpoint);
      await insertAuditEntryInTx(tx, {
        actor: input.actor,
        action: 'CREATE_WEBHOOK_ENDPOINT',
        targetType: 'WEBHOOK_ENDPOINT',
        targetId: endpoint.id,
        note: `user ${input.userId}: ${input.url.slice(0, 400)}`,
        now,
      });
      return endpoint;
    });
  }

  /** The live endpoints of a user (every user's when null), oldest first. */
  async listEndpoints(userId: string | null): Promise<WebhookEndpointEntity[]> {
    return this.db.read((m) => {
      const query = m
        .createQueryBuilder(WebhookEndpointEntity, 'w')
        .where('w.deleted_at IS NULL')
        .orderBy('w.created_at', 'ASC')
        .addOrderBy('w.id', 'ASC');
      if (userId !== null) query.andWhere('w.user_id = :userId', { userId });
      return query.getMany();
    });
  }

  /** An endpoint of `userId` (any user's when null), deleted ones included. */
  async findEndpoint(endpointId: string, userId: string | null): Promise<WebhookEndpointEntity> {
    const endpoint = await this.db.read((m) =>
      m.findOne(WebhookEndpointEntity, { where: { id: endpointId } }),
    );
    if (!endpoint || (userId !== null && endpoint.userId !== userId)) {
      throw new WebhookEndpointNotFound(endpointId);
    }
    return endpoint;
  }

  /** Deletes an endpoint: nothing more is sent to it, and its waiting deliveries end FAILED.
   *  False when it was already deleted. */
  async deleteEndpoint(input: {
    endpointId: string;
    userId: string | null;
    actor: AuditActor;
    now?: Date;
  }): Promise<boolean> {
    const now = input.now ?? new Date();
    return this.db.transaction(async (tx) => {
      const endpoint = await tx.findOne(WebhookEndpointEntity, { where: { id: input.endpointId } });
      if (!endpoint || (input.userId !== null && endpoint.userId !== input.userId)) {
        throw new WebhookEndpointNotFound(input.endpointId);
      }
      if (endpoint.deletedAt) return false;
      await sql(
        tx,
        'UPDATE webhook_endpoints SET deleted_at = CAST(? AS BIGINT), enabled = ? WHERE id = ?',
        [millis(now), false, endpoint.id],
      );
      await sql(
        tx,
        `UPDATE webhook_deliveries SET status = 'FAILED', next_attempt_at = NULL,
           lease_owner = NULL, lease_until = NULL, last_error = 'endpoint deleted',
           updated_at = CAST(? AS BIGINT)
         WHERE endpoint_id = ? AND status = 'PENDING'`,
        [millis(now), endpoint.id],
      );
      await insertAuditEntryInTx(tx, {
        actor: input.actor,
        action: 'DELETE_WEBHOOK_ENDPOINT',
        targetType: 'WEBHOOK_ENDPOINT',
        targetId: endpoint.id,
        now,
      });
      return true;
    });
  }

  /** Deliveries newest first: of one endpoint, or (endpointId null, admin) of everyone,
   *  optionally only one status. */
  async listDeliveries(filter: {
    endpointId: string | null;
    status?: WebhookDeliveryStatus | null;
    first?: number | null;
    after?: string | null;
  }): Promise<Page<WebhookDeliveryEntity>> {
    const first = pageSize(filter.first);
    const cursor = filter.after ? decodePageCursor(filter.after) : null;
    const rows = await this.db.read((m) => {
      const query = m
        .createQueryBuilder(WebhookDeliveryEntity, 'd')
        .orderBy('d.created_at', 'DESC')
        .addOrderBy('d.id', 'DESC')
        .take(first + 1);
      if (filter.endpointId)
        query.andWhere('d.endpoint_id = :endpointId', { endpointId: filter.endpointId });
      if (filter.status) query.andWhere('d.status = :status', { status: filter.status });
      if (cursor) query.andWhere(...afterCursor('d', cursor));
      return query.getMany();
    });
    return toPage(rows, first, filter.after);
  }

  async findDelivery(deliveryId: string): Promise<WebhookDeliveryEntity | null> {
    return this.db.read((m) => m.findOne(WebhookDeliveryEntity, { where: { id: deliveryId } }));
  }

  /**
   * Sends a delivery again, with the same webhook-id and body, on a fresh schedule (first
   * attempt now). A delivery of a deleted endpoint cannot be sent (STATE_CONFLICT).
   */
  async redeliver(input: {
    deliveryId: string;
    userId: string | null;
    actor: AuditActor;
    now?: Date;
  }): Promise<WebhookDeliveryEntity> {
    const now = input.now ?? new Date();
    return this.db.transaction(async (tx) => {
      const delivery = await tx.findOne(WebhookDeliveryEntity, { where: { id: input.deliveryId } });
      if (!delivery || (input.userId !== null && delivery.userId !== input.userId)) {
        throw new WebhookDeliveryNotFound(input.deliveryId);
      }
      const endpoint = await tx.findOneOrFail(WebhookEndpointEntity, {
        where: { id: delivery.endpointId },
      });
      if (endpoint.deletedAt) {
        throw new StateConflict(
          'WEBHOOK_ENDPOINT_DELETED',
          'the endpoint of this delivery was deleted',
        );
      }
      await sql(
        tx,
        `UPDATE webhook_deliveries SET status = 'PENDING', schedule_step = 0,
           next_attempt_at = CAST(? AS BIGINT), updated_at = CAST(? AS BIGINT)
         WHERE id = ?`,
        [millis(now), millis(now), delivery.id],
      );
      await insertAuditEntryInTx(tx, {
        actor: input.actor,
        action: 'REDELIVER_WEBHOOK',
        targetType: 'WEBHOOK_DELIVERY',
        targetId: delivery.id,
        now,
      });
      return tx.findOneOrFail(WebhookDeliveryEntity, { where: { id: delivery.id } });
    });
  }

  /**
   * Turns the order events after the fan-out cursor into deliveries (due now) for the live
   * endpoints of each event's owner that existed when the event happened, and moves the cursor,
   * in one transaction. A crash before the commit makes the next run redo the same events; the
   * unique (endpoint, event, type) keeps that from making a delivery twice. On Postgres the
   * cursor row is locked (SKIP LOCKED): one worker fans out at a time, the others skip.
   * Returns how many events were read (0 = caught up).
   */
  async fanOut(
    messagesOf: MessagesOfEvent,
    options: { batch?: number; now?: Date } = {},
  ): Promise<number> {
    const batch = Math.max(1, Math.min(1000, options.batch ?? 500));
    const now = options.now ?? new Date();
    // A tail read: only final ids, so no event committing later with a lower id is passed over.
    const upTo = this.db.kind === 'postgres' ? await settledEventId(this.db) : null;
    return this.db.transaction(async (tx) => {
      const postgres = this.db.kind === 'postgres';
      const cursorRow = await sql(
        tx,
        `SELECT value FROM counters WHERE name = ?${postgres ? ' FOR UPDATE SKIP LOCKED' : ''}`,
        [WEBHOOK_FANOUT_CURSOR],
      );
      if (cursorRow.rows.length === 0) return 0;
      const cursor = toBigInt(cursorRow.rows[0]!.value);
      const query = tx
        .createQueryBuilder(OrderEventEntity, 'e')
        .where('e.id > CAST(:after AS BIGINT)', { after: intParam(cursor) })
        .orderBy('e.id', 'ASC')
        .take(batch);
      if (upTo !== null) query.andWhere('e.id <= CAST(:upTo AS BIGINT)', { upTo: intParam(upTo) });
      const events = await query.getMany();
      if (events.length === 0) return 0;
      const userIds = [...new Set(events.map((event) => event.userId))];
      const endpoints = await tx.find(WebhookEndpointEntity, {
        where: { userId: In(userIds), enabled: true },
      });
      const byUser = new Map<string, WebhookEndpointEntity[]>();
      for (const endpoint of endpoints) {
        if (endpoint.deletedAt) continue;
        byUser.set(endpoint.userId, [...(byUser.get(endpoint.userId) ?? []), endpoint]);
      }
      for (const event of events) {
        for (const endpoint of byUser.get(event.userId) ?? []) {
          // An endpoint hears what happened after it was made, not the history before it.
          if (endpoint.createdAt.getTime() > event.createdAt.getTime()) continue;
          for (const message of messagesOf(event, endpoint)) {
            await sql(
              tx,
              `INSERT INTO webhook_deliveries (id, endpoint_id, user_id, event_id, "type", payload,
                 status, attempts, schedule_step, next_attempt_at, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 0, 0, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))
               ON CONFLICT DO NOTHING`,
              [
                randomUUID(),
                endpoint.id,
                endpoint.userId,
                event.id,
                message.type,
                message.payload,
                millis(now),
                millis(now),
                millis(now),
              ],
            );
          }
        }
      }
      await sql(tx, 'UPDATE counters SET value = CAST(? AS BIGINT) WHERE name = ?', [
        intParam(events.at(-1)!.id),
        WEBHOOK_FANOUT_CURSOR,
      ]);
      return events.length;
    });
  }

  /** Endpoints that have deliveries due now and not leased. */
  async endpointsWithDueDeliveries(now: Date, limit = 1000): Promise<string[]> {
    const result = await this.db.read((m) =>
      sql(
        m,
        `SELECT DISTINCT endpoint_id FROM webhook_deliveries
         WHERE status = 'PENDING' AND next_attempt_at <= CAST(? AS BIGINT)
           AND (lease_until IS NULL OR lease_until <= CAST(? AS BIGINT))
         LIMIT ${Math.max(1, Math.trunc(limit))}`,
        [millis(now), millis(now)],
      ),
    );
    return result.rows.map((row) => String(row.endpoint_id));
  }

  /**
   * Leases up to `limit` due deliveries of one endpoint, oldest due first, for `leaseMs` (longer
   * than an attempt can take). A worker that dies mid-attempt leaves the lease to lapse; the
   * delivery is then tried again (at least once, never lost).
   */
  async claimDue(input: {
    endpointId: string;
    workerId: string;
    limit: number;
    leaseMs: number;
    now: Date;
  }): Promise<DueDelivery[]> {
    const postgres = this.db.kind === 'postgres';
    return this.db.transaction(async (tx) => {
      const endpoint = await tx.findOne(WebhookEndpointEntity, { where: { id: input.endpointId } });
      if (!endpoint) return [];
      const leased = await sql(
        tx,
        `${RETURNING_ROWS}UPDATE webhook_deliveries SET lease_owner = ?, lease_until = CAST(? AS BIGINT)
         WHERE id IN (
           SELECT id FROM webhook_deliveries
           WHERE endpoint_id = ? AND status = 'PENDING' AND next_attempt_at <= CAST(? AS BIGINT)
             AND (lease_until IS NULL OR lease_until <= CAST(? AS BIGINT))
           ORDER BY next_attempt_at, id LIMIT ${Math.max(1, Math.trunc(input.limit))}
           ${postgres ? 'FOR UPDATE SKIP LOCKED' : ''})
         AND (lease_until IS NULL OR lease_until <= CAST(? AS BIGINT))
         RETURNING ${DELIVERY_COLUMNS}`,
        [
          input.workerId,
          millis(new Date(input.now.getTime() + input.leaseMs)),
          input.endpointId,
          millis(input.now),
          millis(input.now),
          millis(input.now),
        ],
      );
      return leased.rows.map((row) => ({ delivery: deliveryFromRow(tx, row), endpoint }));
    });
  }

  /** Records one attempt of a delivery leased by `workerId`. False when the lease was lost
   *  (it lapsed and another worker took the delivery). */
  async recordAttempt(input: {
    deliveryId: string;
    workerId: string;
    outcome: AttemptOutcome;
    now?: Date;
  }): Promise<boolean> {
    const now = input.now ?? new Date();
    const { outcome } = input;
    const status: WebhookDeliveryStatus = outcome.delivered
      ? 'DELIVERED'
      : outcome.nextAttemptAt
        ? 'PENDING'
        : 'FAILED';
    return this.db.transaction(async (tx) => {
      const result = await sql(
        tx,
        `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1,
           schedule_step = CASE WHEN ? = 'PENDING' THEN schedule_step + 1 ELSE schedule_step END,
           last_status_code = ?, last_error = ?, next_attempt_at = CAST(? AS BIGINT),
           lease_owner = NULL, lease_until = NULL, updated_at = CAST(? AS BIGINT),
           delivered_at = CASE WHEN ? = 'DELIVERED' THEN CAST(? AS BIGINT) ELSE delivered_at END
         WHERE id = ? AND lease_owner = ? AND status = 'PENDING'`,
        [
          status,
          status,
          outcome.statusCode,
          outcome.error ? outcome.error.slice(0, 500) : null,
          status === 'PENDING' && outcome.nextAttemptAt ? millis(outcome.nextAttemptAt) : null,
          millis(now),
          status,
          millis(now),
          input.deliveryId,
          input.workerId,
        ],
      );
      return result.affected > 0;
    });
  }

  /** Gives back this worker's leases without an attempt (shutdown). */
  async releaseLeases(workerId: string): Promise<void> {
    await this.db.transaction((tx) =>
      sql(
        tx,
        `UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL
         WHERE lease_owner = ? AND status = 'PENDING'`,
        [workerId],
      ),
    );
  }
}
