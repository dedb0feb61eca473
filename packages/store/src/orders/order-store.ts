import { MoneyMovements, type MoneyMovement } from '../money-movements.js';
import { OrderTransitionRefused, type OrderCommand, type OrderStatus } from '@numbroker/core';
import type { Database } from '../database.js';
import {
  attemptsSince,
  openBuyAttempts,
  orphanSightings,
  recordAttempts,
  recordBuyAttempt,
  recordUpstreamDebt,
  type AttemptInput,
  type AttemptRecord,
  type OpenBuyAttempt,
  type UpstreamDebtInput,
} from './attempts.js';
import {
  claimDueOrders,
  reconcileAt,
  releaseLeases,
  renewLeases,
  reschedule,
  type ClaimOptions,
  type ClaimedOrder,
  type Reschedule,
} from './leases.js';
import {
  applyOrderCommandInTx,
  createPendingOrderInTx,
  createPendingOrderPostgres,
  type ApplyOrderCommandOptions,
  type ApplyOrderCommandResult,
  type CreatePendingOrderInput,
  type CreatePendingOrderResult,
} from './lifecycle.js';
import { encodeCursor } from './order-rows.js';
import type { OrderEventView, OrderView, SmsView } from './order-view.js';
import { EventNotifier, eventsAfter, latestEventId } from './outbox.js';
import {
  countPending,
  findOrder,
  findOrderByUpstreamRef,
  knownUpstreamRefs,
  listOrders,
  messagesByOrder,
  openOrderCounts,
  type OrderPage,
} from './queries.js';

/** The orders' named operations: lifecycle (lifecycle.ts), leases (leases.ts), the outbox
 *  (outbox.ts), upstream attempts (attempts.ts) and reads (queries.ts). */
export class OrderStore {
  private readonly notifier: EventNotifier;

  constructor(
    private readonly db: Database,
    private readonly moneyMovements: MoneyMovements = new MoneyMovements(),
  ) {
    this.notifier = new EventNotifier(db);
  }

  // ---- lifecycle ----

  /** Claims the idempotency key, holds the price and writes the PENDING order and its event,
   *  in one transaction. InsufficientFunds when the wallet cannot cover the price. */
  async createPendingOrder(input: CreatePendingOrderInput): Promise<CreatePendingOrderResult> {
    // Interleaved in a group commit: its writes are a new order's rows plus one conditional
    // update of the wallet, safe beside any other buy's (Database.runGroup).
    const result =
      this.db.kind === 'postgres'
        ? await this.db.statement((m) => createPendingOrderPostgres(m, input))
        : await this.db.transaction((tx) => createPendingOrderInTx(tx, input), {
            interleave: true,
          });
    if (result.created) {
      if (result.eventId) this.notifier.committed(result.eventId);
      this.announce('HOLD', result.order);
    }
    return result;
  }

  /** Runs `command` through core's state machine and applies the result — status, wallet
   *  movement, SMS, event — in one transaction. Throws core's OrderTransitionRefused. */
  async applyOrderCommand(
    orderId: string,
    command: OrderCommand,
    options: ApplyOrderCommandOptions = {},
  ): Promise<ApplyOrderCommandResult> {
    // A purchase writes only its own PENDING order (status-guarded) and an event: safe to
    // interleave with other buys in a group commit. Other commands run one at a time.
    const result = await this.db.transaction(
      (tx) => applyOrderCommandInTx(tx, orderId, command, options),
      { interleave: command.type === 'PURCHASED' },
    );
    if (result.event) this.notifier.committed(result.event.id);
    if (result.changed && result.movement !== 'NONE') this.announce(result.movement, result.order);
    return result;
  }

  /** Tells the money-movement listeners (logs, metrics) after the commit. */
  private announce(kind: MoneyMovement['kind'], order: OrderView): void {
    this.moneyMovements.emit({
      kind,
      userId: order.userId,
      amountMinor: order.price.minor,
      currency: order.price.currency,
      orderId: order.id,
      providerId: order.providerId,
    });
  }

  /** An SMS the upstream pushed (webhook) for the activation it sold as `upstreamRef`, taking
   *  the polled path: stored once, the first code captures the hold, one event. `unknown`: no
   *  order has that activation (yet); `ended`: the order closed before the SMS came. */
  async recordPushedSms(
    providerId: string,
    upstreamRef: string,
    sms: { code: string | null; text: string | null; receivedAt: Date },
  ): Promise<'stored' | 'duplicate' | 'unknown' | 'ended'> {
    const order = await findOrderByUpstreamRef(this.db, providerId, upstreamRef);
    if (!order) return 'unknown';
    try {
      const result = await this.applyOrderCommand(
        order.id,
        { type: 'CODE_RECEIVED' },
        { sms, now: sms.receivedAt },
      );
      return result.changed ? 'stored' : 'duplicate';
    } catch (error) {
      if (error instanceof OrderTransitionRefused) return 'ended';
      throw error;
    }
  }

  // ---- reads ----

  findOrder(orderId: string): Promise<OrderView | null> {
    return findOrder(this.db, orderId);
  }

  /** The order if it is `userId`'s, else null. */
  findOrderForUser(orderId: string, userId: string): Promise<OrderView | null> {
    return findOrder(this.db, orderId, userId);
  }

  /** Every SMS of the order, oldest first. */
  async messages(orderId: string): Promise<SmsView[]> {
    return (await messagesByOrder(this.db, [orderId])).get(orderId) ?? [];
  }

  /** Messages of many orders at once (a page of orders), oldest first per order. */
  messagesByOrder(orderIds: readonly string[]): Promise<Map<string, SmsView[]>> {
    return messagesByOrder(this.db, orderIds);
  }

  /** The user's orders, newest first, `first` at a time (1-100, default 20). */
  listOrders(
    userId: string,
    options: { first?: number; after?: string | null; status?: OrderStatus | null } = {},
  ): Promise<OrderPage> {
    return listOrders(this.db, userId, options);
  }

  /** The cursor that resumes a listing after `order`. */
  cursorOf(order: Pick<OrderView, 'createdAt' | 'id'>): string {
    return encodeCursor(order);
  }

  /** Open (PENDING, ACTIVE, CODE_RECEIVED) orders per provider. */
  openOrderCounts(): Promise<Map<string, number>> {
    return openOrderCounts(this.db);
  }

  /** PENDING orders at this provider (see queries.ts). */
  countPending(providerId: string): Promise<number> {
    return countPending(this.db, providerId);
  }

  /** Which of these upstream refs already belong to an order of this provider. */
  knownUpstreamRefs(providerId: string, refs: readonly string[]): Promise<Set<string>> {
    return knownUpstreamRefs(this.db, providerId, refs);
  }

  // ---- leases (the worker's claim) ----

  /** See leases.ts. */
  claimDueOrders(workerId: string, options: ClaimOptions): Promise<ClaimedOrder[]> {
    return claimDueOrders(this.db, workerId, options);
  }

  reschedule(workerId: string, items: readonly Reschedule[]): Promise<number> {
    return reschedule(this.db, workerId, items);
  }

  releaseLeases(workerId: string): Promise<number> {
    return releaseLeases(this.db, workerId);
  }

  /** An ambiguous buy's order, reconciled at `at` instead of its default (see leases.ts). */
  reconcileAt(orderId: string, at: Date): Promise<void> {
    return reconcileAt(this.db, orderId, at);
  }

  /** Keeps a long pass's leases from lapsing (see leases.ts). */
  renewLeases(workerId: string, ids: readonly string[], until: Date): Promise<number> {
    return renewLeases(this.db, workerId, ids, until);
  }

  // ---- outbox ----

  /** Events after `afterId` (exclusive; null/"0" = from the start), oldest first. */
  eventsAfter(
    afterId: string | number | null,
    limit: number,
    filter: { userId?: string; orderId?: string } = {},
  ): Promise<OrderEventView[]> {
    return eventsAfter(this.db, afterId, limit, filter);
  }

  /** The newest event id ("0" when there is none): where a fresh tail starts. */
  latestEventId(): Promise<string> {
    return latestEventId(this.db);
  }

  // ---- upstream attempts ----

  /** One row per upstream call (routing statistics, audit). */
  recordAttempt(input: AttemptInput): Promise<void> {
    return recordAttempts(this.db, [input]);
  }

  /** Many attempt rows in one transaction. */
  recordAttempts(inputs: readonly AttemptInput[]): Promise<void> {
    return recordAttempts(this.db, inputs);
  }

  /** Before each upstream buy attempt: the provider it is bought from now (see attempts.ts). */
  recordBuyAttempt(
    orderId: string,
    providerId: string,
    now?: Date,
    operator?: string | null,
  ): Promise<void> {
    return recordBuyAttempt(this.db, orderId, providerId, now, operator);
  }

  /** When each unowned upstream activation was first seen, remembered across restarts. */
  orphanSightings(
    providerId: string,
    refs: readonly string[],
    now: Date,
  ): Promise<Map<string, Date>> {
    return orphanSightings(this.db, providerId, refs, now);
  }

  /** Buy attempts at a provider whose order owns no activation (see attempts.ts). */
  openBuyAttempts(providerId: string, since: Date, limit: number): Promise<OpenBuyAttempt[]> {
    return openBuyAttempts(this.db, providerId, since, limit);
  }

  /** An order expired while its upstream cancel kept failing, or that debt settled. */
  recordUpstreamDebt(input: UpstreamDebtInput): Promise<void> {
    return recordUpstreamDebt(this.db, input);
  }

  attemptsSince(since: Date): Promise<AttemptRecord[]> {
    return attemptsSince(this.db, since);
  }
}
