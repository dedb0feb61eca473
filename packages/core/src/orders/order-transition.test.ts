import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import {
  applyOrderCommand,
  ORDER_COMMAND_TYPES,
  ORDER_STATUSES,
  OrderTransitionRefused,
  TERMINAL_STATUSES,
  transitionOrder,
  type OrderCommand,
  type OrderCommandType,
  type OrderStatus,
} from './index.js';

const COMMANDS: Record<OrderCommandType, OrderCommand> = {
  PURCHASED: { type: 'PURCHASED', phoneNumber: '+79001234567', upstreamRef: 'a-1' },
  PURCHASE_FAILED: { type: 'PURCHASE_FAILED', reason: 'no numbers' },
  CODE_RECEIVED: { type: 'CODE_RECEIVED' },
  CANCEL: { type: 'CANCEL' },
  EXPIRE: { type: 'EXPIRE' },
  UPSTREAM_ENDED: { type: 'UPSTREAM_ENDED' },
  FINISH: { type: 'FINISH' },
  REPORT: { type: 'REPORT', upstreamRefunded: false },
  REQUEST_ANOTHER_SMS: { type: 'REQUEST_ANOTHER_SMS' },
};

// Expected outcome, written independently of the implementation's table:
// "TARGET MOVEMENT EVENT [noop]" or a refusal code.
const EXPECTED: Record<OrderStatus, Record<OrderCommandType, string>> = {
  PENDING: {
    PURCHASED: 'ACTIVE NONE ORDER_ACTIVE',
    PURCHASE_FAILED: 'FAILED RELEASE ORDER_FAILED',
    CODE_RECEIVED: 'INVALID_TRANSITION',
    CANCEL: 'CANCEL_NOT_ALLOWED',
    EXPIRE: 'INVALID_TRANSITION',
    UPSTREAM_ENDED: 'INVALID_TRANSITION',
    FINISH: 'INVALID_TRANSITION',
    REPORT: 'INVALID_TRANSITION',
    REQUEST_ANOTHER_SMS: 'INVALID_TRANSITION',
  },
  ACTIVE: {
    PURCHASED: 'INVALID_TRANSITION',
    PURCHASE_FAILED: 'INVALID_TRANSITION',
    CODE_RECEIVED: 'CODE_RECEIVED CAPTURE SMS_RECEIVED',
    CANCEL: 'CANCELLED RELEASE ORDER_CANCELLED',
    EXPIRE: 'EXPIRED RELEASE ORDER_EXPIRED',
    UPSTREAM_ENDED: 'EXPIRED RELEASE ORDER_EXPIRED',
    FINISH: 'INVALID_TRANSITION',
    REPORT: 'INVALID_TRANSITION',
    REQUEST_ANOTHER_SMS: 'INVALID_TRANSITION',
  },
  CODE_RECEIVED: {
    PURCHASED: 'INVALID_TRANSITION',
    PURCHASE_FAILED: 'INVALID_TRANSITION',
    CODE_RECEIVED: 'CODE_RECEIVED NONE SMS_RECEIVED',
    CANCEL: 'CANCEL_NOT_ALLOWED',
    EXPIRE: 'INVALID_TRANSITION',
    UPSTREAM_ENDED: 'COMPLETED NONE ORDER_COMPLETED',
    FINISH: 'COMPLETED NONE ORDER_COMPLETED',
    REPORT: 'REPORTED NONE ORDER_REPORTED',
    REQUEST_ANOTHER_SMS: 'CODE_RECEIVED NONE ANOTHER_SMS_REQUESTED',
  },
  COMPLETED: {
    PURCHASED: 'ALREADY_FINAL',
    PURCHASE_FAILED: 'ALREADY_FINAL',
    CODE_RECEIVED: 'ALREADY_FINAL',
    CANCEL: 'CANCEL_NOT_ALLOWED',
    EXPIRE: 'ALREADY_FINAL',
    UPSTREAM_ENDED: 'ALREADY_FINAL',
    FINISH: 'COMPLETED NONE ORDER_COMPLETED noop',
    REPORT: 'ALREADY_FINAL',
    REQUEST_ANOTHER_SMS: 'ALREADY_FINAL',
  },
  CANCELLED: {
    PURCHASED: 'ALREADY_FINAL',
    PURCHASE_FAILED: 'ALREADY_FINAL',
    CODE_RECEIVED: 'ALREADY_FINAL',
    CANCEL: 'CANCELLED NONE ORDER_CANCELLED noop',
    EXPIRE: 'ALREADY_FINAL',
    UPSTREAM_ENDED: 'ALREADY_FINAL',
    FINISH: 'ALREADY_FINAL',
    REPORT: 'ALREADY_FINAL',
    REQUEST_ANOTHER_SMS: 'ALREADY_FINAL',
  },
  EXPIRED: {
    PURCHASED: 'ALREADY_FINAL',
    PURCHASE_FAILED: 'ALREADY_FINAL',
    CODE_RECEIVED: 'ALREADY_FINAL',
    CANCEL: 'ALREADY_FINAL',
    EXPIRE: 'EXPIRED NONE ORDER_EXPIRED noop',
    UPSTREAM_ENDED: 'EXPIRED NONE ORDER_EXPIRED noop',
    FINISH: 'ALREADY_FINAL',
    REPORT: 'ALREADY_FINAL',
    REQUEST_ANOTHER_SMS: 'ALREADY_FINAL',
  },
  FAILED: {
    PURCHASED: 'ALREADY_FINAL',
    PURCHASE_FAILED: 'FAILED NONE ORDER_FAILED noop',
    CODE_RECEIVED: 'ALREADY_FINAL',
    CANCEL: 'ALREADY_FINAL',
    EXPIRE: 'ALREADY_FINAL',
    UPSTREAM_ENDED: 'ALREADY_FINAL',
    FINISH: 'ALREADY_FINAL',
    REPORT: 'ALREADY_FINAL',
    REQUEST_ANOTHER_SMS: 'ALREADY_FINAL',
  },
  REPORTED: {
    PURCHASED: 'ALREADY_FINAL',
    PURCHASE_FAILED: 'ALREADY_FINAL',
    CODE_RECEIVED: 'ALREADY_FINAL',
    CANCEL: 'CANCEL_NOT_ALLOWED',
    EXPIRE: 'ALREADY_FINAL',
    UPSTREAM_ENDED: 'ALREADY_FINAL',
    FINISH: 'ALREADY_FINAL',
    REPORT: 'REPORTED NONE ORDER_REPORTED noop',
    REQUEST_ANOTHER_SMS: 'ALREADY_FINAL',
  },
};

const PAIRS = ORDER_STATUSES.flatMap((status) =>
  ORDER_COMMAND_TYPES.map((command) => [status, command, EXPECTED[status][command]] as const),
);

describe('transitionOrder: every (status, command) pair', () => {
  it('covers 8 × 9 pairs', () => {
    expect(PAIRS).toHaveLength(72);
  });

  it.each(PAIRS)('%s + %s → %s', (status, commandType, expected) => {
    const result = transitionOrder({ status }, COMMANDS[commandType]);
    const [first, movement, event, noop] = expected.split(' ');
    if (movement === undefined) {
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.refusal).toBeInstanceOf(OrderTransitionRefused);
      expect(result.refusal).toBeInstanceOf(DomainError);
      expect(result.refusal.code).toBe(first);
      expect(result.refusal.from).toBe(status);
      expect(result.refusal.command).toBe(commandType);
      expect(result.refusal.message).toContain(
        status === 'PENDING' && first === 'CANCEL_NOT_ALLOWED' ? 'being bought' : status,
      );
      return;
    }
    expect(result).toEqual({
      ok: true,
      from: status,
      to: first,
      movement,
      event,
      changed: noop !== 'noop',
    });
  });
});

describe('money rules of the state machine', () => {
  it('REPORT refunds only what the upstream refunded', () => {
    const refunded = applyOrderCommand(
      { status: 'CODE_RECEIVED' },
      { type: 'REPORT', upstreamRefunded: true },
    );
    expect(refunded).toMatchObject({ to: 'REPORTED', movement: 'REFUND' });
    const kept = applyOrderCommand(
      { status: 'CODE_RECEIVED' },
      { type: 'REPORT', upstreamRefunded: false },
    );
    expect(kept).toMatchObject({ to: 'REPORTED', movement: 'NONE' });
  });

  it('a repeated REPORT never refunds twice', () => {
    expect(
      applyOrderCommand({ status: 'REPORTED' }, { type: 'REPORT', upstreamRefunded: true }),
    ).toMatchObject({
      movement: 'NONE',
      changed: false,
    });
  });

  it('settles a hold at most once along any path of commands', () => {
    // Walk every command sequence up to length 4 from PENDING: a hold is opened at buy, so
    // exactly one of CAPTURE/RELEASE may happen, and a REFUND only after a CAPTURE, once.
    const walk = (status: OrderStatus, movements: string[], depth: number): void => {
      const settled = movements.filter((m) => m === 'CAPTURE' || m === 'RELEASE');
      expect(settled.length).toBeLessThanOrEqual(1);
      const refunds = movements.filter((m) => m === 'REFUND');
      expect(refunds.length).toBeLessThanOrEqual(1);
      if (refunds.length === 1) expect(settled).toEqual(['CAPTURE']);
      if (TERMINAL_STATUSES.includes(status) && status !== 'COMPLETED' && status !== 'REPORTED') {
        // FAILED/CANCELLED/EXPIRED: the customer paid nothing.
        expect(movements.filter((m) => m === 'CAPTURE')).toEqual([]);
      }
      if (depth === 0) return;
      for (const commandType of ORDER_COMMAND_TYPES) {
        for (const command of commandType === 'REPORT'
          ? [COMMANDS.REPORT, { type: 'REPORT', upstreamRefunded: true } as const]
          : [COMMANDS[commandType]]) {
          const result = transitionOrder({ status }, command);
          if (result.ok)
            walk(
              result.to,
              [...movements, result.movement].filter((m) => m !== 'NONE'),
              depth - 1,
            );
        }
      }
    };
    walk('PENDING', [], 5);
  });

  it('applyOrderCommand throws the refusal', () => {
    expect(() => applyOrderCommand({ status: 'CODE_RECEIVED' }, { type: 'CANCEL' })).toThrow(
      OrderTransitionRefused,
    );
  });

  it('maps refusals to API codes', () => {
    const cancelAfterCode = transitionOrder({ status: 'CODE_RECEIVED' }, { type: 'CANCEL' });
    const cancelExpired = transitionOrder({ status: 'EXPIRED' }, { type: 'CANCEL' });
    const finishActive = transitionOrder({ status: 'ACTIVE' }, { type: 'FINISH' });
    expect(!cancelAfterCode.ok && cancelAfterCode.refusal.apiCode).toBe('CANCEL_NOT_ALLOWED');
    expect(!cancelExpired.ok && cancelExpired.refusal.apiCode).toBe('CANCEL_NOT_ALLOWED');
    expect(!finishActive.ok && finishActive.refusal.apiCode).toBe('STATE_CONFLICT');
  });
});
