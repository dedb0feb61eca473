import { DomainError, type ApiErrorCode } from '../errors.js';
import type { OrderStatus } from './order-status.js';

export type OrderCommand =
  /** The upstream sold us the number. PENDING → ACTIVE. */
  | { type: 'PURCHASED'; phoneNumber: string; upstreamRef: string }
  /** No provider could serve (or the reconciler found nothing upstream). PENDING → FAILED. */
  | { type: 'PURCHASE_FAILED'; reason: string }
  /** A code arrived. The first one captures the hold; later ones are free. */
  | { type: 'CODE_RECEIVED' }
  /** The customer cancels: only before any code. */
  | { type: 'CANCEL' }
  /** The TTL ran out without a code. */
  | { type: 'EXPIRE' }
  /** The upstream ended the activation on its own (cancelled, refunded, timed out there). */
  | { type: 'UPSTREAM_ENDED' }
  /** The customer (or the worker, at the TTL after a code) closes an order that got its code. */
  | { type: 'FINISH' }
  /** The code was wrong. The money comes back only when the upstream refunded us. */
  | { type: 'REPORT'; upstreamRefunded: boolean }
  /** Ask the upstream for one more SMS on the same number. */
  | { type: 'REQUEST_ANOTHER_SMS' };

export type OrderCommandType = OrderCommand['type'];

export const ORDER_COMMAND_TYPES = [
  'PURCHASED',
  'PURCHASE_FAILED',
  'CODE_RECEIVED',
  'CANCEL',
  'EXPIRE',
  'UPSTREAM_ENDED',
  'FINISH',
  'REPORT',
  'REQUEST_ANOTHER_SMS',
] as const satisfies readonly OrderCommandType[];

/** What the wallet does with the order's hold as part of a transition:
 *  RELEASE gives the held price back to available, CAPTURE charges it, REFUND returns a
 *  captured price to available. NONE moves nothing. */
export type WalletMovement = 'NONE' | 'RELEASE' | 'CAPTURE' | 'REFUND';

export type OrderEventType =
  | 'ORDER_ACTIVE'
  | 'ORDER_FAILED'
  | 'SMS_RECEIVED'
  | 'ORDER_CANCELLED'
  | 'ORDER_EXPIRED'
  | 'ORDER_COMPLETED'
  | 'ORDER_REPORTED'
  | 'ANOTHER_SMS_REQUESTED';

export type TransitionRefusalCode = 'CANCEL_NOT_ALLOWED' | 'INVALID_TRANSITION' | 'ALREADY_FINAL';

export type TransitionResult =
  | {
      ok: true;
      from: OrderStatus;
      to: OrderStatus;
      movement: WalletMovement;
      event: OrderEventType;
      /** false for an idempotent repeat (cancelling a cancelled order, ...): the caller
       *  answers with the order as it is and writes nothing — no status change, no event,
       *  no money. Always true when `from !== to` or when `event` is SMS_RECEIVED or
       *  ANOTHER_SMS_REQUESTED. */
      changed: boolean;
    }
  | { ok: false; refusal: OrderTransitionRefused };

/** A command the order's current status does not allow. The order is left as it was. */
export class OrderTransitionRefused extends DomainError {
  override readonly name = 'OrderTransitionRefused';
  readonly apiCode: ApiErrorCode;
  constructor(
    readonly code: TransitionRefusalCode,
    readonly from: OrderStatus,
    readonly command: OrderCommandType,
  ) {
    super(refusalMessage(code, from, command));
    // A cancel refused for any reason is, to the customer, "you can't cancel this order"; any
    // other refusal is the order's state standing in the way (finish before a code, ...).
    this.apiCode =
      code === 'CANCEL_NOT_ALLOWED' || command === 'CANCEL'
        ? 'CANCEL_NOT_ALLOWED'
        : 'STATE_CONFLICT';
  }
}

function refusalMessage(
  code: TransitionRefusalCode,
  from: OrderStatus,
  command: OrderCommandType,
): string {
  switch (code) {
    case 'CANCEL_NOT_ALLOWED':
      return from === 'PENDING'
        ? 'the order cannot be cancelled while its number is being bought; try again in a moment'
        : `the order cannot be cancelled: a code was already received (status ${from})`;
    case 'ALREADY_FINAL':
      return `the order is already final (status ${from}); ${command} is not possible`;
    case 'INVALID_TRANSITION':
      return `${command} is not possible while the order is ${from}`;
  }
}

type Outcome = { to: OrderStatus; movement: WalletMovement; event: OrderEventType };
type Rule =
  | Outcome
  | { refuse: TransitionRefusalCode }
  // Only REPORT needs its payload: whether the upstream gave the money back.
  | ((command: OrderCommand) => Outcome);

const refuse = (code: TransitionRefusalCode) => ({ refuse: code }) as const;
const INVALID = refuse('INVALID_TRANSITION');
const FINAL = refuse('ALREADY_FINAL');
const go = (to: OrderStatus, movement: WalletMovement, event: OrderEventType): Outcome => ({
  to,
  movement,
  event,
});

/**
 * Every (status, command) pair, decided once. The reasoning, from the side of a customer
 * whose money is held:
 *
 * - The hold is settled exactly once: RELEASE on every way out without a code (FAILED,
 *   CANCELLED, EXPIRED), CAPTURE on the first code, nothing later — except a REPORT that the
 *   upstream refunded, which gives the captured price back (REFUND).
 * - A code that lands first wins: once CODE_RECEIVED, neither EXPIRE nor CANCEL can undo the
 *   charge (the customer has what they paid for). Conversely once EXPIRED or CANCELLED, a late
 *   code is refused: the hold is gone and we never charge without one.
 * - CODE_RECEIVED has no TTL exit of its own: at the TTL the worker sends FINISH, and an
 *   upstream that closes the activation after a code (UPSTREAM_ENDED) completes the order.
 * - A PENDING order's purchase is in flight (or crashed between the buy and tx 2): only the
 *   buy flow or the reconciler settles it, with PURCHASED or PURCHASE_FAILED. A customer's
 *   CANCEL there is CANCEL_NOT_ALLOWED ("try again in a moment"), EXPIRE/UPSTREAM_ENDED are
 *   invalid because nothing upstream is known yet.
 * - Terminal states refuse with ALREADY_FINAL, except repeating the command that led there
 *   (a client retrying cancelOrder/finishOrder/reportOrder after a lost answer, or two worker
 *   passes expiring the same order): that answers ok with `changed: false` and NONE, so a
 *   retry can never move money twice. Cancelling an order that got a code (COMPLETED,
 *   REPORTED) stays CANCEL_NOT_ALLOWED as SPEC.md says "after a code".
 */
const TRANSITIONS: Record<OrderStatus, Record<OrderCommandType, Rule>> = {
  PENDING: {
    PURCHASED: go('ACTIVE', 'NONE', 'ORDER_ACTIVE'),
    PURCHASE_FAILED: go('FAILED', 'RELEASE', 'ORDER_FAILED'),
    CODE_RECEIVED: INVALID,
    CANCEL: refuse('CANCEL_NOT_ALLOWED'),
    EXPIRE: INVALID,
    UPSTREAM_ENDED: INVALID,
    FINISH: INVALID,
    REPORT: INVALID,
    REQUEST_ANOTHER_SMS: INVALID,
  },
  ACTIVE: {
    PURCHASED: INVALID,
    PURCHASE_FAILED: INVALID,
    CODE_RECEIVED: go('CODE_RECEIVED', 'CAPTURE', 'SMS_RECEIVED'),
    CANCEL: go('CANCELLED', 'RELEASE', 'ORDER_CANCELLED'),
    EXPIRE: go('EXPIRED', 'RELEASE', 'ORDER_EXPIRED'),
    UPSTREAM_ENDED: go('EXPIRED', 'RELEASE', 'ORDER_EXPIRED'),
    FINISH: INVALID,
    REPORT: INVALID,
    REQUEST_ANOTHER_SMS: INVALID,
  },
  CODE_RECEIVED: {
    PURCHASED: INVALID,
    PURCHASE_FAILED: INVALID,
    CODE_RECEIVED: go('CODE_RECEIVED', 'NONE', 'SMS_RECEIVED'),
    CANCEL: refuse('CANCEL_NOT_ALLOWED'),
    EXPIRE: INVALID,
    UPSTREAM_ENDED: go('COMPLETED', 'NONE', 'ORDER_COMPLETED'),
    FINISH: go('COMPLETED', 'NONE', 'ORDER_COMPLETED'),
    REPORT: (command) =>
      go(
        'REPORTED',
        command.type === 'REPORT' && command.upstreamRefunded ? 'REFUND' : 'NONE',
        'ORDER_REPORTED',
      ),
    REQUEST_ANOTHER_SMS: go('CODE_RECEIVED', 'NONE', 'ANOTHER_SMS_REQUESTED'),
  },
  COMPLETED: {
    PURCHASED: FINAL,
    PURCHASE_FAILED: FINAL,
    CODE_RECEIVED: FINAL,
    CANCEL: refuse('CANCEL_NOT_ALLOWED'),
    EXPIRE: FINAL,
    UPSTREAM_ENDED: FINAL,
    FINISH: go('COMPLETED', 'NONE', 'ORDER_COMPLETED'),
    REPORT: FINAL,
    REQUEST_ANOTHER_SMS: FINAL,
  },
  CANCELLED: {
    PURCHASED: FINAL,
    PURCHASE_FAILED: FINAL,
    CODE_RECEIVED: FINAL,
    CANCEL: go('CANCELLED', 'NONE', 'ORDER_CANCELLED'),
    EXPIRE: FINAL,
    UPSTREAM_ENDED: FINAL,
    FINISH: FINAL,
    REPORT: FINAL,
    REQUEST_ANOTHER_SMS: FINAL,
  },
  EXPIRED: {
    PURCHASED: FINAL,
    PURCHASE_FAILED: FINAL,
    CODE_RECEIVED: FINAL,
    CANCEL: FINAL,
    EXPIRE: go('EXPIRED', 'NONE', 'ORDER_EXPIRED'),
    UPSTREAM_ENDED: go('EXPIRED', 'NONE', 'ORDER_EXPIRED'),
    FINISH: FINAL,
    REPORT: FINAL,
    REQUEST_ANOTHER_SMS: FINAL,
  },
  FAILED: {
    PURCHASED: FINAL,
    PURCHASE_FAILED: go('FAILED', 'NONE', 'ORDER_FAILED'),
    CODE_RECEIVED: FINAL,
    CANCEL: FINAL,
    EXPIRE: FINAL,
    UPSTREAM_ENDED: FINAL,
    FINISH: FINAL,
    REPORT: FINAL,
    REQUEST_ANOTHER_SMS: FINAL,
  },
  REPORTED: {
    PURCHASED: FINAL,
    PURCHASE_FAILED: FINAL,
    CODE_RECEIVED: FINAL,
    CANCEL: refuse('CANCEL_NOT_ALLOWED'),
    EXPIRE: FINAL,
    UPSTREAM_ENDED: FINAL,
    FINISH: FINAL,
    REPORT: go('REPORTED', 'NONE', 'ORDER_REPORTED'),
    REQUEST_ANOTHER_SMS: FINAL,
  },
};

/** Events that record something new even when the status stays the same. */
const REPEATABLE_EVENTS: readonly OrderEventType[] = ['SMS_RECEIVED', 'ANOTHER_SMS_REQUESTED'];

/**
 * The order state machine: what `command` does to an order in `order.status`. Pure; the
 * store applies the result (status, wallet movement, event) in one transaction, guarded by
 * `WHERE status = from` so a concurrent transition makes it retry instead of double-moving.
 */
export function transitionOrder(
  order: { status: OrderStatus },
  command: OrderCommand,
): TransitionResult {
  const from = order.status;
  const rule = TRANSITIONS[from][command.type];
  if ('refuse' in rule) {
    return { ok: false, refusal: new OrderTransitionRefused(rule.refuse, from, command.type) };
  }
  const outcome = typeof rule === 'function' ? rule(command) : rule;
  const changed = outcome.to !== from || REPEATABLE_EVENTS.includes(outcome.event);
  return { ok: true, from, ...outcome, changed };
}

/** `transitionOrder` for callers that want the refusal thrown. */
export function applyOrderCommand(
  order: { status: OrderStatus },
  command: OrderCommand,
): Extract<TransitionResult, { ok: true }> {
  const result = transitionOrder(order, command);
  if (!result.ok) throw result.refusal;
  return result;
}
