import { createHash, randomUUID } from 'node:crypto';
import {
  BadUserInput,
  InsufficientFunds,
  isTerminalStatus,
  transitionOrder,
  type LedgerEntryKind,
  type OrderCommand,
  type OrderStatus,
  type WalletMovement,
} from '@numbroker/core';
import type { EntityManager } from 'typeorm';
import { intParam, millis, toBigInt } from '../columns.js';
import { RETURNING_ROWS, sql, TransactionConflict } from '../database.js';
import { IdempotencyKeyEntity } from '../entities/idempotency-key.entity.js';
import { OrderEntity } from '../entities/order.entity.js';
import { SmsMessageEntity } from '../entities/sms-message.entity.js';
import { WalletEntity } from '../entities/wallet.entity.js';
import { IdempotencyKeyReused, OrderNotFound, StoreInvariantViolated } from '../errors.js';
import { ORDER_COLUMNS, orderFromRow } from './order-rows.js';
import {
  orderSnapshot,
  smsSnapshot,
  toOrderView,
  toSmsView,
  type OrderEventPayload,
  type OrderEventView,
  type OrderView,
  type SmsView,
} from './order-view.js';
import { moveWalletInTx, walletUpdate } from '../wallet-movement.js';
import { insertBuyStartedInTx, UPSTREAM_ATTEMPT_COLUMNS } from './attempts.js';
import { insertOrderEvent, ORDER_EVENT_WRITER_LOCK } from './outbox.js';
import { smsIdentity } from './sms-identity.js';

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
  /** The upstream buy at `providerId` starts right after the commit: its 'buy-started' row
   *  (what recordBuyAttempt writes) is written in this transaction, one transaction fewer per
   *  buy. Later attempts (a failover) still call recordBuyAttempt. */
  buyStarted?: boolean;
  /** The order expires this long after creation (config orderTtlSeconds). */
  ttlSeconds: number;
  /** When the worker should reconcile the order if it is still PENDING (a crash between the
   *  upstream buy and its write); default two minutes after creation. */
  reconcileAt?: Date;
  now?: Date;
}

export interface CreatePendingOrderResult {
  order: OrderView;
  /** false: the idempotency key had been used, `order` is the one it created. */
  created: boolean;
  /** The ORDER_CREATED event's id (created orders only). */
  eventId?: string;
}

export interface ApplyOrderCommandOptions {
  now?: Date;
  /** Only this user's order: another's is OrderNotFound. */
  userId?: string;
  /** PURCHASED: the provider that sold the number (and the operator of its offer: after a
   *  failover both may differ from the PENDING order's), and what it charged. */
  providerId?: string;
  operator?: string | null;
  costMinor?: bigint;
  costCurrency?: string;
  /** CODE_RECEIVED: the message. The same code and text again is stored once. */
  sms?: { code: string | null; text: string | null; receivedAt?: Date };
  /** When the worker should look at the order next (kept open states only). */
  nextPollAt?: Date | null;
  /** The status the caller believes the order is in: the update is tried without reading the
   *  order first, and the usual read-and-decide runs only if the order is in another status.
   *  Never changes the outcome (the transition depends on the status alone). */
  expectedStatus?: OrderStatus;
}

export interface ApplyOrderCommandResult {
  order: OrderView;
  /** false: an idempotent repeat (same command again, a duplicate SMS): nothing was written. */
  changed: boolean;
  from: OrderStatus;
  movement: WalletMovement;
  event: OrderEventView | null;
  sms: SmsView | null;
}

/** A new PENDING order as the input describes it (validated), not yet written. */
function newPendingOrder(tx: EntityManager, input: CreatePendingOrderInput) {
  if (typeof input.priceMinor !== 'bigint' || input.priceMinor <= 0n) {
    throw new BadUserInput('INVALID_PRICE', 'an order price must be a positive amount');
  }
  if (!Number.isFinite(input.ttlSeconds) || input.ttlSeconds <= 0) {
    throw new BadUserInput('INVALID_TTL', 'an order needs a positive time to live');
  }
  const now = input.now ?? new Date();
  const key = input.idempotencyKey?.trim() || null;
  if (key !== null && key.length > 200) {
    throw new BadUserInput(
      'INVALID_IDEMPOTENCY_KEY',
      'an idempotency key is at most 200 characters',
    );
  }
  const order = tx.create(OrderEntity, {
    id: randomUUID(),
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
  return { order, key, now };
}

/** The orders INSERT of a new PENDING order: its columns, and the values' placeholders. */
const INSERT_ORDER_COLUMNS = `orders (id, user_id, status, service, country, "operator",
  provider_id, upstream_ref, phone_number, price_minor, currency, cost_minor, cost_currency,
  idempotency_key, created_at, updated_at, expires_at, next_poll_at, poll_count, lease_owner,
  lease_until, "version", failure_reason)`;
// Every value typed: Postgres infers no parameter type from an INSERT … SELECT list.
const TEXT = 'CAST(? AS VARCHAR)';
const INTEGER = 'CAST(? AS BIGINT)';
const INSERT_ORDER_VALUES = [
  ...[TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT],
  'CAST(NULL AS VARCHAR)',
  'CAST(NULL AS VARCHAR)',
  ...[INTEGER, TEXT, INTEGER, TEXT, TEXT, INTEGER, INTEGER, INTEGER, INTEGER],
  '0',
  'CAST(NULL AS VARCHAR)',
  'CAST(NULL AS BIGINT)',
  '0',
  'CAST(NULL AS VARCHAR)',
].join(', ');
function insertOrderParams(order: OrderEntity): Array<string | null> {
  return [
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
  ];
}

/** The order an idempotency key already made, if that user used it: the same purchase is
 *  answered with it, another one is IdempotencyKeyReused. */
async function orderOfKey(
  tx: EntityManager,
  input: CreatePendingOrderInput,
  key: string,
): Promise<CreatePendingOrderResult | null> {
  const winner = await tx.findOne(IdempotencyKeyEntity, {
    where: { userId: input.userId, idempotencyKey: key },
  });
  if (!winner) return null;
  const order = await tx.findOneOrFail(OrderEntity, { where: { id: winner.orderId } });
  if (order.service !== input.service || order.country !== input.country) {
    throw new IdempotencyKeyReused(key, order.id);
  }
  return { order: toOrderView(order), created: false };
}

/** orderOfKey after the key's claim lost: the winner must be there (it was a moment ago). */
async function winnerOfKey(
  tx: EntityManager,
  input: CreatePendingOrderInput,
  key: string,
): Promise<CreatePendingOrderResult> {
  const existing = await orderOfKey(tx, input, key);
  if (!existing) throw new TransactionConflict('the idempotency key vanished meanwhile');
  return existing;
}

/** The reference of an order's ledger entries. */
const ledgerReference = (orderId: string) => `order:${orderId}`;

/** Claims the idempotency key, holds the price and writes the PENDING order and its event. Never calls an upstream.
 *  SQLite's form (OrderStore.createPendingOrder); Postgres runs createPendingOrderPostgres. */
export async function createPendingOrderInTx(
  tx: EntityManager,
  input: CreatePendingOrderInput,
): Promise<CreatePendingOrderResult> {
  const { order, key, now } = newPendingOrder(tx, input);

  if (key !== null) {
    // The primary key (user_id, idempotency_key) lets one of any number of concurrent claims
    // through; the others find the winner's order.
    const claim = await sql(
      tx,
      `INSERT INTO idempotency_keys (user_id, idempotency_key, order_id, created_at)
       VALUES (?, ?, ?, CAST(? AS BIGINT)) ON CONFLICT DO NOTHING`,
      [input.userId, key, order.id, millis(now)],
    );
    if (claim.affected === 0) return winnerOfKey(tx, input, key);
  }

  // Raw SQL: TypeORM's insert would read the row back, and every column is known here.
  await sql(
    tx,
    `INSERT INTO ${INSERT_ORDER_COLUMNS} VALUES (${INSERT_ORDER_VALUES})`,
    insertOrderParams(order),
  );
  // The rest needs only the order row (foreign keys), not each other: sent together, they
  // come back in one trip to the thread pool instead of four. All settle before anything is
  // decided, so no statement is still in flight when a failure rolls the savepoint or the
  // group back. The hold is one conditional update found by (user_id, currency), the
  // wallets' unique key: no read of the balance first.
  const view = toOrderView(order);
  const [ledger, held, , event] = await settleAll([
    insertLedgerEntry(tx, order, 'HOLD', now),
    moveWalletInTx(
      tx,
      { userId: input.userId, currency: input.currency },
      'HOLD',
      input.priceMinor,
      now,
    ),
    input.buyStarted && order.providerId !== null
      ? insertBuyStartedInTx(tx, order.id, order.providerId, now)
      : Promise.resolve(),
    insertOrderEvent(tx, order, 'ORDER_CREATED', { order: orderSnapshot(view) }, now),
  ] as const);
  // No wallet (no ledger row), or too little money: the caller's transaction rolls it all back.
  if (!ledger || !held) throw await insufficientFunds(tx, input);
  return { order: view, created: true, eventId: event.id };
}

/** Promise.all that waits for every promise to settle before it rejects with the first
 *  failure: a transaction's statements are never left running behind its rollback. */
async function settleAll<T extends readonly unknown[]>(promises: {
  [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Read only to word the error; the decision was the conditional update's. */
async function insufficientFunds(
  m: EntityManager,
  input: CreatePendingOrderInput,
): Promise<InsufficientFunds> {
  const current = await m.findOne(WalletEntity, {
    where: { userId: input.userId, currency: input.currency },
  });
  return new InsufficientFunds(input.priceMinor, current?.availableMinor ?? 0n);
}

/**
 * Postgres: createPendingOrderInTx as one statement of data-modifying CTEs, run on its own
 * (a single statement is its own transaction): one round trip instead of eight (BEGIN, five
 * inserts and the hold, COMMIT). The hold decides: every other write reads its row, so with
 * too little money nothing is written. A key already used makes the claim's INSERT fail (no
 * ON CONFLICT: the statement must not write the rest), and the existing order is read.
 */
export async function createPendingOrderPostgres(
  m: EntityManager,
  input: CreatePendingOrderInput,
): Promise<CreatePendingOrderResult> {
  const { order, key, now } = newPendingOrder(m, input);
  const view = toOrderView(order);
  const hold = walletUpdate(
    { userId: input.userId, currency: input.currency },
    'HOLD',
    input.priceMinor,
    now,
  );
  const createdAt = millis(now);
  const attempt = input.buyStarted === true && order.providerId !== null;
  const params: Array<string | null> = [
    ...hold.params,
    ...(key !== null ? [input.userId, key, order.id, createdAt] : []),
    ...insertOrderParams(order),
    randomUUID(),
    intParam(order.priceMinor),
    order.id,
    ledgerReference(order.id),
    createdAt,
    ...(attempt ? [randomUUID(), order.id, order.providerId, createdAt] : []),
    order.id,
    order.userId,
    JSON.stringify({ order: orderSnapshot(view) }),
    createdAt,
  ];
  const statement = `WITH hold AS (${hold.text} RETURNING id),
    ${
      key !== null
        ? `claim AS (INSERT INTO idempotency_keys (user_id, idempotency_key, order_id, created_at)
             SELECT CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR),
               CAST(? AS BIGINT) FROM hold),`
        : ''
    }
    placed AS (INSERT INTO ${INSERT_ORDER_COLUMNS} SELECT ${INSERT_ORDER_VALUES} FROM hold),
    ledger AS (INSERT INTO ledger_entries (id, wallet_id, "kind", amount_minor, order_id,
        reference, created_at)
      SELECT CAST(? AS VARCHAR), hold.id, 'HOLD', CAST(? AS BIGINT), CAST(? AS VARCHAR),
        CAST(? AS VARCHAR), CAST(? AS BIGINT) FROM hold),
    ${
      attempt
        ? `attempt AS (INSERT INTO upstream_attempts ${UPSTREAM_ATTEMPT_COLUMNS}
            SELECT CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), 'buy-started',
              'OK', NULL, 0, CAST(? AS BIGINT) FROM hold),`
        : ''
    }
    writer AS (SELECT ${ORDER_EVENT_WRITER_LOCK} FROM hold),
    event AS (INSERT INTO order_events (order_id, user_id, "type", payload, created_at)
      SELECT CAST(? AS VARCHAR), CAST(? AS VARCHAR), 'ORDER_CREATED', CAST(? AS TEXT),
        CAST(? AS BIGINT) FROM writer
      RETURNING id)
    SELECT id FROM event`;
  let written;
  try {
    written = await sql(m, statement, params);
  } catch (error) {
    if (key === null || !isUniqueViolationOf(error, 'idempotency_keys')) throw error;
    return winnerOfKey(m, input, key);
  }
  const eventId = written.rows[0]?.id;
  if (eventId === undefined || eventId === null) {
    // Nothing was written: too little money, unless this key already made an order.
    const existing = key === null ? null : await orderOfKey(m, input, key);
    if (existing) return existing;
    throw await insufficientFunds(m, input);
  }
  return { order: view, created: true, eventId: toBigInt(eventId).toString() };
}

/** Postgres unique_violation (23505) on a constraint of `table`. */
function isUniqueViolationOf(error: unknown, table: string): boolean {
  const driverError = (error as { driverError?: { code?: string; table?: string } }).driverError;
  return driverError?.code === '23505' && driverError.table === table;
}

/** Runs `command` through core's state machine and applies the result (status, wallet
 *  movement, SMS, event); throws core's OrderTransitionRefused. Never calls an upstream. */
export async function applyOrderCommandInTx(
  tx: EntityManager,
  orderId: string,
  command: OrderCommand,
  options: ApplyOrderCommandOptions = {},
): Promise<ApplyOrderCommandResult> {
  const now = options.now ?? new Date();
  // The caller knows the status (buyNumber's PURCHASED: PENDING): the transition depends on
  // nothing else, and the update's status guard checks the guess, so the order is not read
  // first (one statement fewer). Any other status falls through to the read below.
  if (options.expectedStatus !== undefined && command.type !== 'CODE_RECEIVED') {
    const guess = transitionOrder({ status: options.expectedStatus }, command);
    if (guess.ok && guess.changed) {
      const written = await writeTransition(tx, orderId, guess, command, options, now);
      if (written) return finishTransition(tx, written, guess, null, now);
    }
  }
  // Raw SQL and the same mapper as the update's RETURNING: TypeORM's findOne builds its query
  // anew on every call, a measurable share of buyNumber's CPU.
  const found = await sql(tx, `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ?`, [orderId]);
  const order = found.rows[0] ? orderFromRow(found.rows[0]) : null;
  if (!order || (options.userId !== undefined && order.userId !== options.userId)) {
    throw new OrderNotFound(orderId);
  }
  const transition = transitionOrder(order, command);
  if (!transition.ok) throw transition.refusal;
  const unchanged: ApplyOrderCommandResult = {
    order: toOrderView(order),
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
  const written = await writeTransition(tx, orderId, transition, command, options, now);
  if (!written) throw new TransactionConflict(`order ${orderId} changed meanwhile`);
  return finishTransition(tx, written, transition, sms, now);
}

type Transition = Extract<ReturnType<typeof transitionOrder>, { ok: true }>;

/** The transition's conditional update: null when the order is not (or no longer) in the
 *  status it was decided from, or (options.userId) not that user's. */
async function writeTransition(
  tx: EntityManager,
  orderId: string,
  transition: Transition,
  command: OrderCommand,
  options: ApplyOrderCommandOptions,
  now: Date,
): Promise<OrderEntity | null> {
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
    assign('upstream_ref', command.upstreamRef);
    if (options.providerId !== undefined) assign('provider_id', options.providerId);
    if (options.operator !== undefined) assign('"operator"', options.operator);
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
  const where = ['id = ?', 'status = ?'];
  const whereParams = [orderId, transition.from];
  if (options.userId !== undefined) {
    where.push('user_id = ?');
    whereParams.push(options.userId);
  }
  // RETURNING hands back the row as written: no second read of the order.
  const updated = await sql(
    tx,
    `${RETURNING_ROWS}UPDATE orders SET ${set.join(', ')} WHERE ${where.join(' AND ')}
     RETURNING ${ORDER_COLUMNS}`,
    [...params, ...whereParams],
  );
  const row = updated.rows[0];
  return updated.affected === 0 || !row ? null : orderFromRow(row);
}

/** After the update: the wallet movement and the event. */
async function finishTransition(
  tx: EntityManager,
  written: OrderEntity,
  transition: Transition,
  sms: SmsMessageEntity | null,
  now: Date,
): Promise<ApplyOrderCommandResult> {
  const fresh = toOrderView(written);
  // The user, currency and price never change: the written row says what the wallet moves.
  await applyWalletMovementInTx(tx, written, transition.movement, now);
  const payload: OrderEventPayload = { order: orderSnapshot(fresh) };
  if (sms) payload.sms = smsSnapshot(toSmsView(sms));
  const event = await insertOrderEvent(tx, fresh, transition.event, payload, now);
  return {
    order: fresh,
    changed: true,
    from: transition.from,
    movement: transition.movement,
    event,
    sms: sms ? toSmsView(sms) : null,
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
  // The ledger entry first (a failed update rolls both back): from the update to the commit
  // the wallet row is locked (Postgres), and every other movement of this user waits for it.
  if (!(await insertLedgerEntry(tx, order, movement, now))) {
    throw new StoreInvariantViolated(`order ${order.id}: no wallet for its ledger entry`);
  }
  const applied = await moveWalletInTx(
    tx,
    { userId: order.userId, currency: order.currency },
    movement,
    order.priceMinor,
    now,
  );
  if (!applied) {
    throw new StoreInvariantViolated(
      `order ${order.id}: no wallet, or the wallet does not hold its price`,
    );
  }
}

/** The ledger row of an order's wallet movement; the wallet is found inside the INSERT.
 *  False: the user has no wallet in that currency. */
async function insertLedgerEntry(
  tx: EntityManager,
  order: OrderEntity,
  kind: LedgerEntryKind,
  now: Date,
): Promise<boolean> {
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
      ledgerReference(order.id),
      millis(now),
      order.userId,
      order.currency,
    ],
  );
  return inserted.affected === 1;
}

async function insertSmsIfNew(
  tx: EntityManager,
  orderId: string,
  message: { code: string | null; text: string | null; receivedAt?: Date },
  now: Date,
): Promise<SmsMessageEntity | null> {
  const code = message.code ?? null;
  const text = message.text ?? null;
  // One SMS is stored once, however it was read (smsIdentity).
  const dedupeKey = createHash('sha256')
    .update(`${orderId}\u0000${smsIdentity({ code, text })}`)
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
