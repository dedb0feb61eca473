import { MoneyMovements, type MoneyMovement } from './money-movements.js';
import { createHash, randomUUID } from 'node:crypto';
import {
  BadUserInput,
  InsufficientFunds,
  OPEN_STATUSES,
  isTerminalStatus,
  transitionOrder,
  type LedgerEntryKind,
  type OrderCommand,
  type OrderStatus,
  type WalletMovement,
} from '@numbroker/core';
import { In, type EntityManager } from 'typeorm';
import { intParam, millis, toBigInt } from './columns.js';
import { RETURNING_ROWS, sql, TransactionConflict, type Database } from './database.js';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity.js';
import { OrderEventEntity, type StoredOrderEventType } from './entities/order-event.entity.js';
import { OrderEntity } from './entities/order.entity.js';
import { SmsMessageEntity } from './entities/sms-message.entity.js';
import {
  UpstreamAttemptEntity,
  type UpstreamAttemptOutcome,
} from './entities/upstream-attempt.entity.js';
import { WalletEntity } from './entities/wallet.entity.js';
import { IdempotencyKeyReused, OrderNotFound, StoreInvariantViolated } from './errors.js';
import { orderSnapshot, smsSnapshot, type OrderEventPayload } from './order-snapshot.js';

/** Postgres NOTIFY channel raised (at commit) by every transaction that writes order events;
 *  the payload is the last event id. */
export const ORDER_EVENTS_CHANNEL = 'numbroker_order_events';

/** Serializes the writers of order_events on Postgres so that ids become visible in id order
 *  (a sequence hands ids out at insert, not at commit). Any constant works; this is "nbev". */
const ORDER_EVENTS_LOCK_KEY = '1851942262';

const DEFAULT_RECONCILE_DELAY_MS = 120_000;

export interface CreatePendingOrderInput {
  userId: string;
  service: string;
  country: string;
  operator?: string | null;
  /** The provider chosen first; PURCHASED may name another one after a failover. */
  providerId?: string | null;
  /** The sell price, held now and charged at the first code. */
  priceMinor: bigint;
  currency: string;
  costMinor?: bigint | null;
  costCurrency?: string | null;
  idempotencyKey?: string | null;
  /** The order expires this long after creation (config orderTtlSeconds). */
  ttlSeconds: number;
  /** When the worker should reconcile the order if it is still PENDING (a crash between the
   *  upstream buy and its write); default two minutes after creation. */
  reconcileAt?: Date;
  now?: Date;
}

export interface CreatePendingOrderResult {
  order: OrderEntity;
  /** false: the idempotency key had been used, `order` is the one it created. */
  created: boolean;
}

export interface ApplyOrderCommandOptions {
  now?: Date;
  /** Only this user's order: another's is OrderNotFound. */
  userId?: string;
  /** PURCHASED: the provider that sold the number and what it charged. */
  providerId?: string;
  costMinor?: bigint;
  costCurrency?: string;
  /** CODE_RECEIVED: the message. The same code and text again is stored once. */
  sms?: { code: string | null; text: string | null; receivedAt?: Date };
  /** When the worker should look at the order next (kept open states only). */
  nextPollAt?: Date | null;
}

export interface ApplyOrderCommandResult {
  order: OrderEntity;
  /** false: an idempotent repeat (same command again, a duplicate SMS): nothing was written. */
  changed: boolean;
  from: OrderStatus;
  movement: WalletMovement;
  event: OrderEventEntity | null;
  sms: SmsMessageEntity | null;
}

export interface OrderPage {
  orders: OrderEntity[];
  hasNextPage: boolean;
  /** Cursor of the last order of the page; pass as `after` for the next one. */
  endCursor: string | null;
}

export interface AttemptInput {
  orderId?: string | null;
  providerId: string;
  operation: string;
  outcome: UpstreamAttemptOutcome;
  errorCode?: string | null;
  durationMs: number;
  now?: Date;
}

export class OrderStore {
  constructor(
    private readonly db: Database,
    private readonly moneyMovements: MoneyMovements = new MoneyMovements(),
  ) {}

  /** Claims the idempotency key, holds the price and writes the PENDING order and its event, in
   *  one transaction. InsufficientFunds when the wallet cannot cover the price. */
  async createPendingOrder(input: CreatePendingOrderInput): Promise<CreatePendingOrderResult> {
    const result = await this.db.transaction((tx) => createPendingOrderInTx(tx, input));
    if (result.created) this.announce('HOLD', result.order);
    return result;
  }

  /** Runs `command` through core's state machine and applies the result — status, wallet
   *  movement, SMS, event — in one transaction. Throws core's OrderTransitionRefused. */
  async applyOrderCommand(
    orderId: string,
    command: OrderCommand,
    options: ApplyOrderCommandOptions = {},
  ): Promise<ApplyOrderCommandResult> {
    const result = await this.db.transaction((tx) =>
      applyOrderCommandInTx(tx, orderId, command, options),
    );
    if (result.changed && result.movement !== 'NONE') this.announce(result.movement, result.order);
    return result;
  }

  private announce(kind: MoneyMovement['kind'], order: OrderEntity): void {
    this.moneyMovements.emit({
      kind,
      userId: order.userId,
      amountMinor: order.priceMinor,
      currency: order.currency,
      orderId: order.id,
      providerId: order.providerId,
    });
  }

  findOrder(orderId: string): Promise<OrderEntity | null> {
    return this.db.read((m) => m.findOne(OrderEntity, { where: { id: orderId } }));
  }

  /** The order if it is `userId`'s, else null. */
  findOrderForUser(orderId: string, userId: string): Promise<OrderEntity | null> {
    return this.db.read((m) => m.findOne(OrderEntity, { where: { id: orderId, userId } }));
  }

  findOrderByUpstreamRef(providerId: string, upstreamRef: string): Promise<OrderEntity | null> {
    return this.db.read((m) => m.findOne(OrderEntity, { where: { providerId, upstreamRef } }));
  }

  /** Every SMS of the order, oldest first. */
  messages(orderId: string): Promise<SmsMessageEntity[]> {
    return this.db.read((m) =>
      m.find(SmsMessageEntity, { where: { orderId }, order: { receivedAt: 'ASC', id: 'ASC' } }),
    );
  }

  /** Messages of many orders at once (a page of orders), oldest first per order. */
  async messagesByOrder(orderIds: readonly string[]): Promise<Map<string, SmsMessageEntity[]>> {
    const byOrder = new Map<string, SmsMessageEntity[]>(orderIds.map((id) => [id, []]));
    if (orderIds.length === 0) return byOrder;
    const rows = await this.db.read((m) =>
      m.find(SmsMessageEntity, {
        where: { orderId: In([...orderIds]) },
        order: { receivedAt: 'ASC', id: 'ASC' },
      }),
    );
    for (const row of rows) byOrder.get(row.orderId)?.push(row);
    return byOrder;
  }

  /** The user's orders, newest first, `first` at a time (1-100, default 20). */
  async listOrders(
    userId: string,
    options: { first?: number; after?: string | null; status?: OrderStatus | null } = {},
  ): Promise<OrderPage> {
    const first = options.first ?? 20;
    if (!Number.isInteger(first) || first < 1 || first > 100) {
      throw new BadUserInput('INVALID_PAGE_SIZE', `first must be between 1 and 100, got ${first}`);
    }
    const cursor = options.after ? decodeCursor(options.after) : null;
    const rows = await this.db.read((m) => {
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
    const orders = rows.slice(0, first);
    const last = orders.at(-1);
    return {
      orders,
      hasNextPage: rows.length > first,
      endCursor: last ? encodeCursor(last) : null,
    };
  }

  /**
   * Leases up to `limit` open orders whose next poll is due, for `leaseMs`. On Postgres the rows
   * are picked with FOR UPDATE SKIP LOCKED, so any number of workers share the work without
   * polling one order twice at once; on SQLite (one worker) the lease condition alone does it.
   */
  claimDueOrders(
    workerId: string,
    now: Date,
    limit: number,
    leaseMs: number,
    /** Also take orders due up to this time (a worker polling a little early, so one batch
     *  status request covers more orders); default `now`. */
    dueBy: Date = now,
  ): Promise<OrderEntity[]> {
    return this.db.transaction(async (tx) => {
      const postgres = this.db.kind === 'postgres';
      const open = OPEN_STATUSES.map(() => '?').join(', ');
      // One statement picks and leases the rows and returns them: the write lock (which the
      // API server's buys wait for on SQLite) is held for as short a time as possible.
      const leased = await sql(
        tx,
        `${RETURNING_ROWS}UPDATE orders SET lease_owner = ?, lease_until = CAST(? AS BIGINT)
         WHERE id IN (
           SELECT id FROM orders
           WHERE status IN (${open}) AND next_poll_at <= CAST(? AS BIGINT)
             AND (lease_until IS NULL OR lease_until <= CAST(? AS BIGINT))
           ORDER BY next_poll_at, id LIMIT ${Math.max(1, Math.trunc(limit))}
           ${postgres ? 'FOR UPDATE SKIP LOCKED' : ''})
         AND (lease_until IS NULL OR lease_until <= CAST(? AS BIGINT))
         RETURNING ${ORDER_COLUMNS}`,
        [
          workerId,
          millis(new Date(now.getTime() + leaseMs)),
          ...OPEN_STATUSES,
          millis(dueBy),
          millis(now),
          millis(now),
        ],
      );
      const orders = leased.rows.map((row) => orderFromRow(tx, row));
      // RETURNING keeps no order: sort as the rows were picked.
      return orders.sort(
        (a, b) =>
          (a.nextPollAt?.getTime() ?? 0) - (b.nextPollAt?.getTime() ?? 0) ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
    });
  }

  /** Ends `workerId`'s lease and schedules the next poll (ignored once the order is final).
   *  False when the lease was not this worker's any more. */
  async releaseLease(
    orderId: string,
    workerId: string,
    options: { nextPollAt?: Date | null } = {},
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const open = OPEN_STATUSES.map(() => '?').join(', ');
      const next = options.nextPollAt === undefined ? null : options.nextPollAt;
      const result = await sql(
        tx,
        `UPDATE orders SET lease_owner = NULL, lease_until = NULL, poll_count = poll_count + 1,
           next_poll_at = CASE WHEN status IN (${open}) THEN COALESCE(CAST(? AS BIGINT), next_poll_at) ELSE NULL END
         WHERE id = ? AND lease_owner = ?`,
        [...OPEN_STATUSES, next ? millis(next) : null, orderId, workerId],
      );
      return result.affected > 0;
    });
  }

  /** Events after `afterId` (exclusive; null/"0" = from the start), oldest first: the outbox tail. */
  eventsAfter(
    afterId: string | number | null,
    limit: number,
    filter: { userId?: string; orderId?: string } = {},
  ): Promise<OrderEventEntity[]> {
    const after = afterId === null || afterId === '' ? 0n : toBigInt(afterId);
    return this.db.read((m) => {
      const query = m
        .createQueryBuilder(OrderEventEntity, 'e')
        .where('e.id > CAST(:after AS BIGINT)', { after: intParam(after) })
        .orderBy('e.id', 'ASC')
        .take(Math.max(1, Math.min(1000, Math.trunc(limit))));
      if (filter.userId) query.andWhere('e.user_id = :userId', { userId: filter.userId });
      if (filter.orderId) query.andWhere('e.order_id = :orderId', { orderId: filter.orderId });
      return query.getMany();
    });
  }

  /** The newest event id (0 when there is none): where a fresh tail starts. */
  async latestEventId(): Promise<number> {
    const result = await this.db.read((m) => sql(m, 'SELECT MAX(id) AS id FROM order_events'));
    const id = result.rows[0]?.id;
    return id === null || id === undefined ? 0 : Number(id);
  }

  /** One row per upstream call (routing statistics, audit). */
  async recordAttempt(input: AttemptInput): Promise<void> {
    await this.recordAttempts([input]);
  }

  /** Many attempt rows in one transaction (one INSERT per 100 rows). */
  async recordAttempts(inputs: readonly AttemptInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const rows = inputs.map((input) => ({
      id: randomUUID(),
      orderId: input.orderId ?? null,
      providerId: input.providerId,
      operation: input.operation,
      outcome: input.outcome,
      errorCode: input.errorCode ?? null,
      durationMs: Math.max(0, Math.round(input.durationMs)),
      createdAt: input.now ?? new Date(),
    }));
    await this.db.transaction(async (tx) => {
      for (let start = 0; start < rows.length; start += 100) {
        await tx.insert(UpstreamAttemptEntity, rows.slice(start, start + 100));
      }
    });
  }

  /** OK / ERROR counts of a provider's calls since `since` (success-rate routing). */
  async attemptStats(providerId: string, since: Date): Promise<{ ok: number; error: number }> {
    const result = await this.db.read((m) =>
      sql(
        m,
        `SELECT outcome, COUNT(*) AS n FROM upstream_attempts
         WHERE provider_id = ? AND created_at >= CAST(? AS BIGINT) GROUP BY outcome`,
        [providerId, millis(since)],
      ),
    );
    const stats = { ok: 0, error: 0 };
    for (const row of result.rows) {
      if (row.outcome === 'OK') stats.ok = Number(row.n);
      if (row.outcome === 'ERROR') stats.error = Number(row.n);
    }
    return stats;
  }

  /** Open (PENDING, ACTIVE, CODE_RECEIVED) orders per provider. */
  async openOrderCounts(): Promise<Map<string, number>> {
    const open = OPEN_STATUSES.map(() => '?').join(', ');
    const result = await this.db.read((m) =>
      sql(
        m,
        `SELECT provider_id, COUNT(*) AS n FROM orders
         WHERE status IN (${open}) AND provider_id IS NOT NULL GROUP BY provider_id`,
        [...OPEN_STATUSES],
      ),
    );
    return new Map(result.rows.map((row) => [String(row.provider_id), Number(row.n)]));
  }
}

/** See OrderStore.createPendingOrder. Never calls an upstream. */
export async function createPendingOrderInTx(
  tx: EntityManager,
  input: CreatePendingOrderInput,
): Promise<CreatePendingOrderResult> {
  if (typeof input.priceMinor !== 'bigint' || input.priceMinor <= 0n) {
    throw new BadUserInput('INVALID_PRICE', 'an order price must be a positive amount');
  }
  if (!Number.isFinite(input.ttlSeconds) || input.ttlSeconds <= 0) {
    throw new BadUserInput('INVALID_TTL', 'an order needs a positive time to live');
  }
  const now = input.now ?? new Date();
  const orderId = randomUUID();
  const key = input.idempotencyKey?.trim() || null;
  if (key !== null && key.length > 200) {
    throw new BadUserInput(
      'INVALID_IDEMPOTENCY_KEY',
      'an idempotency key is at most 200 characters',
    );
  }

  if (key !== null) {
    // The primary key (user_id, idempotency_key) lets one of any number of concurrent claims
    // through; on Postgres the others wait for its commit and then do nothing.
    const claim = await sql(
      tx,
      `INSERT INTO idempotency_keys (user_id, idempotency_key, order_id, created_at)
       VALUES (?, ?, ?, CAST(? AS BIGINT)) ON CONFLICT DO NOTHING`,
      [input.userId, key, orderId, millis(now)],
    );
    if (claim.affected === 0) {
      const winner = await tx.findOneOrFail(IdempotencyKeyEntity, {
        where: { userId: input.userId, idempotencyKey: key },
      });
      const order = await tx.findOneOrFail(OrderEntity, { where: { id: winner.orderId } });
      if (order.service !== input.service || order.country !== input.country) {
        throw new IdempotencyKeyReused(key, order.id);
      }
      return { order, created: false };
    }
  }

  // The hold is one conditional update found by (user_id, currency), the wallets' unique key:
  // no read of the balance first, and one round trip fewer.
  const held = await sql(
    tx,
    `UPDATE wallets SET available_minor = available_minor - CAST(? AS BIGINT),
       held_minor = held_minor + CAST(? AS BIGINT), version = version + 1, updated_at = CAST(? AS BIGINT)
     WHERE user_id = ? AND currency = ? AND available_minor >= CAST(? AS BIGINT)`,
    [
      intParam(input.priceMinor),
      intParam(input.priceMinor),
      millis(now),
      input.userId,
      input.currency,
      intParam(input.priceMinor),
    ],
  );
  if (held.affected === 0) {
    // Read only to word the error; the decision was the conditional update's.
    const current = await tx.findOne(WalletEntity, {
      where: { userId: input.userId, currency: input.currency },
    });
    throw new InsufficientFunds(input.priceMinor, current?.availableMinor ?? 0n);
  }

  const order = tx.create(OrderEntity, {
    id: orderId,
    userId: input.userId,
    status: 'PENDING',
    service: input.service,
    country: input.country,
    operator: input.operator ?? null,
    providerId: input.providerId ?? null,
    upstreamRef: null,
    phoneNumber: null,
    priceMinor: input.priceMinor,
    currency: input.currency,
    costMinor: input.costMinor ?? null,
    costCurrency: input.costCurrency ?? null,
    idempotencyKey: key,
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(now.getTime() + input.ttlSeconds * 1000),
    nextPollAt: input.reconcileAt ?? new Date(now.getTime() + DEFAULT_RECONCILE_DELAY_MS),
    pollCount: 0,
    leaseOwner: null,
    leaseUntil: null,
    version: 0,
    failureReason: null,
  });
  // Raw SQL: TypeORM's insert would read the row back, and every column is known here.
  await sql(
    tx,
    `INSERT INTO orders (id, user_id, status, service, country, "operator", provider_id,
       upstream_ref, phone_number, price_minor, currency, cost_minor, cost_currency,
       idempotency_key, created_at, updated_at, expires_at, next_poll_at, poll_count,
       lease_owner, lease_until, "version", failure_reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, CAST(? AS BIGINT), ?, CAST(? AS BIGINT), ?, ?,
       CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), 0, NULL, NULL, 0, NULL)`,
    [
      order.id,
      order.userId,
      order.status,
      order.service,
      order.country,
      order.operator,
      order.providerId,
      intParam(order.priceMinor),
      order.currency,
      order.costMinor === null ? null : intParam(order.costMinor),
      order.costCurrency,
      order.idempotencyKey,
      millis(order.createdAt),
      millis(order.updatedAt),
      millis(order.expiresAt),
      order.nextPollAt ? millis(order.nextPollAt) : null,
    ],
  );
  await insertLedgerEntry(tx, order, 'HOLD', now);
  await insertOrderEvent(tx, order, 'ORDER_CREATED', { order: orderSnapshot(order) }, now);
  return { order, created: true };
}

/** See OrderStore.applyOrderCommand. Never calls an upstream. */
export async function applyOrderCommandInTx(
  tx: EntityManager,
  orderId: string,
  command: OrderCommand,
  options: ApplyOrderCommandOptions = {},
): Promise<ApplyOrderCommandResult> {
  const now = options.now ?? new Date();
  const order = await tx.findOne(OrderEntity, { where: { id: orderId } });
  if (!order || (options.userId !== undefined && order.userId !== options.userId)) {
    throw new OrderNotFound(orderId);
  }
  const transition = transitionOrder(order, command);
  if (!transition.ok) throw transition.refusal;
  const unchanged: ApplyOrderCommandResult = {
    order,
    changed: false,
    from: transition.from,
    movement: 'NONE',
    event: null,
    sms: null,
  };
  if (!transition.changed) return unchanged;

  let sms: SmsMessageEntity | null = null;
  if (command.type === 'CODE_RECEIVED') {
    if (!options.sms) throw new TypeError('CODE_RECEIVED needs the SMS (options.sms)');
    sms = await insertSmsIfNew(tx, orderId, options.sms, now);
    // The same message polled again: already stored, already announced.
    if (!sms) return unchanged;
  }

  // The status guard makes the transition conditional: of two concurrent commands only one
  // finds the status it decided from; the other re-runs its whole transaction and decides again.
  const set: string[] = ['status = ?', 'version = version + 1', 'updated_at = CAST(? AS BIGINT)'];
  const params: Array<string | null> = [transition.to, millis(now)];
  const assign = (column: string, value: string | null, cast = false) => {
    set.push(`${column} = ${cast ? 'CAST(? AS BIGINT)' : '?'}`);
    params.push(value);
  };
  if (command.type === 'PURCHASED') {
    assign('phone_number', command.phoneNumber);
    assign('upstream_ref', command.activationRef);
    if (options.providerId !== undefined) assign('provider_id', options.providerId);
    if (options.costMinor !== undefined) assign('cost_minor', intParam(options.costMinor), true);
    if (options.costCurrency !== undefined) assign('cost_currency', options.costCurrency);
  }
  if (command.type === 'PURCHASE_FAILED') assign('failure_reason', command.reason.slice(0, 500));
  if (isTerminalStatus(transition.to)) {
    assign('next_poll_at', null);
    assign('lease_owner', null);
    assign('lease_until', null);
  } else if (options.nextPollAt !== undefined) {
    assign('next_poll_at', options.nextPollAt ? millis(options.nextPollAt) : null, true);
  } else if (command.type === 'PURCHASED') {
    assign('next_poll_at', millis(now), true);
  }
  // RETURNING hands back the row as written: no second read of the order.
  const updated = await sql(
    tx,
    `${RETURNING_ROWS}UPDATE orders SET ${set.join(', ')} WHERE id = ? AND status = ?
     RETURNING ${ORDER_COLUMNS}`,
    [...params, orderId, transition.from],
  );
  const row = updated.rows[0];
  if (updated.affected === 0 || !row) {
    throw new TransactionConflict(`order ${orderId} changed meanwhile`);
  }
  const fresh = orderFromRow(tx, row);

  await applyWalletMovementInTx(tx, order, transition.movement, now);
  const payload: OrderEventPayload = { order: orderSnapshot(fresh) };
  if (sms) payload.sms = smsSnapshot(sms);
  const event = await insertOrderEvent(tx, fresh, transition.event, payload, now);
  return {
    order: fresh,
    changed: true,
    from: transition.from,
    movement: transition.movement,
    event,
    sms,
  };
}

/** The wallet side of a transition: a conditional update of the balances plus its ledger
 *  entry. The unique (order_id, kind) lets each settlement happen at most once per order. */
async function applyWalletMovementInTx(
  tx: EntityManager,
  order: OrderEntity,
  movement: WalletMovement,
  now: Date,
): Promise<void> {
  if (movement === 'NONE') return;
  const amount = intParam(order.priceMinor);
  const updates: Record<Exclude<WalletMovement, 'NONE'>, { set: string; guard: string }> = {
    CAPTURE: { set: 'held_minor = held_minor - CAST(? AS BIGINT)', guard: 'held_minor' },
    RELEASE: {
      set: 'available_minor = available_minor + CAST(? AS BIGINT), held_minor = held_minor - CAST(? AS BIGINT)',
      guard: 'held_minor',
    },
    REFUND: {
      set: 'available_minor = available_minor + CAST(? AS BIGINT)',
      guard: 'available_minor',
    },
  };
  const { set, guard } = updates[movement];
  const amounts = movement === 'RELEASE' ? [amount, amount] : [amount];
  const guardAmount = movement === 'REFUND' ? '0' : amount;
  // Found by (user_id, currency), the wallets' unique key: no read first.
  const result = await sql(
    tx,
    `UPDATE wallets SET ${set}, version = version + 1, updated_at = CAST(? AS BIGINT)
     WHERE user_id = ? AND currency = ? AND ${guard} >= CAST(? AS BIGINT)`,
    [...amounts, millis(now), order.userId, order.currency, guardAmount],
  );
  if (result.affected === 0) {
    throw new StoreInvariantViolated(
      `order ${order.id}: no wallet, or the wallet does not hold its price`,
    );
  }
  await insertLedgerEntry(tx, order, movement, now);
}

/** The ledger row of an order's wallet movement; the wallet is found inside the INSERT. */
async function insertLedgerEntry(
  tx: EntityManager,
  order: OrderEntity,
  kind: LedgerEntryKind,
  now: Date,
): Promise<void> {
  const inserted = await sql(
    tx,
    `INSERT INTO ledger_entries (id, wallet_id, "kind", amount_minor, order_id, reference, created_at)
     SELECT ?, id, ?, CAST(? AS BIGINT), ?, ?, CAST(? AS BIGINT) FROM wallets
     WHERE user_id = ? AND currency = ?`,
    [
      randomUUID(),
      kind,
      intParam(order.priceMinor),
      order.id,
      `order:${order.id}`,
      millis(now),
      order.userId,
      order.currency,
    ],
  );
  if (inserted.affected !== 1) {
    throw new StoreInvariantViolated(`order ${order.id}: no wallet for its ledger entry`);
  }
}

async function insertSmsIfNew(
  tx: EntityManager,
  orderId: string,
  message: { code: string | null; text: string | null; receivedAt?: Date },
  now: Date,
): Promise<SmsMessageEntity | null> {
  const code = message.code ?? null;
  const text = message.text ?? null;
  const dedupeKey = createHash('sha256')
    .update(`${orderId}\u0000${code ?? ''}\u0000${text ?? ''}`)
    .digest('hex');
  const sms = tx.create(SmsMessageEntity, {
    id: randomUUID(),
    orderId,
    code,
    text,
    receivedAt: message.receivedAt ?? now,
    dedupeKey,
  });
  const inserted = await sql(
    tx,
    `INSERT INTO sms_messages (id, order_id, code, "text", received_at, dedupe_key)
     VALUES (?, ?, ?, ?, CAST(? AS BIGINT), ?) ON CONFLICT DO NOTHING`,
    [sms.id, orderId, code, text, millis(sms.receivedAt), dedupeKey],
  );
  return inserted.affected > 0 ? sms : null;
}

async function insertOrderEvent(
  tx: EntityManager,
  order: OrderEntity,
  type: StoredOrderEventType,
  payload: OrderEventPayload,
  now: Date,
): Promise<OrderEventEntity> {
  const postgres = tx.connection.options.type === 'postgres';
  if (postgres)
    await sql(tx, `SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))`, [ORDER_EVENTS_LOCK_KEY]);
  const event = tx.create(OrderEventEntity, {
    orderId: order.id,
    userId: order.userId,
    type,
    payload: JSON.stringify(payload),
    createdAt: now,
  });
  // Raw SQL: one round trip. SQLite reports the new rowid; Postgres returns it.
  const result = await sql(
    tx,
    `INSERT INTO order_events (order_id, user_id, "type", payload, created_at)
     VALUES (?, ?, ?, ?, CAST(? AS BIGINT))${postgres ? ' RETURNING id' : ''}`,
    [event.orderId, event.userId, event.type, event.payload, millis(now)],
  );
  const id = postgres ? result.rows[0]?.id : result.insertId;
  if (id === undefined || id === null) {
    throw new StoreInvariantViolated(`order ${order.id}: the event insert returned no id`);
  }
  event.id = Number(id);
  if (postgres) await sql(tx, 'SELECT pg_notify(?, ?)', [ORDER_EVENTS_CHANNEL, String(event.id)]);
  return event;
}

/** The order columns, as a RETURNING list. */
const ORDER_COLUMNS = [
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
function orderFromRow(tx: EntityManager, row: Record<string, unknown>): OrderEntity {
  const text = (value: unknown): string | null => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') throw new RangeError('expected a text column value');
    return value;
  };
  const date = (value: unknown): Date | null =>
    value === null || value === undefined ? null : new Date(Number(toBigInt(value)));
  return tx.create(OrderEntity, {
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

function encodeCursor(order: OrderEntity): string {
  return Buffer.from(`${order.createdAt.getTime()}:${order.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAtMs: string; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,16}):([0-9a-f-]{36})$/.exec(text);
  if (!match) throw new BadUserInput('INVALID_CURSOR', `"${cursor}" is not a valid cursor`);
  return { createdAtMs: match[1]!, id: match[2]! };
}
