import { describe, expect, it } from 'vitest';
import {
  adjustmentEntry,
  balanceOfEntries,
  LEDGER_ENTRY_KINDS,
  walletChange,
  type LedgerEntryKind,
} from './ledger-entry.js';
import { WalletRuleViolation } from './wallet-errors.js';

describe('walletChange: what each ledger kind does to the two balances', () => {
  const expected: Record<LedgerEntryKind, [bigint, bigint]> = {
    CREDIT: [5n, 0n],
    HOLD: [-5n, 5n],
    CAPTURE: [0n, -5n],
    RELEASE: [5n, -5n],
    REFUND: [5n, 0n],
    ADJUST_IN: [5n, 0n],
    ADJUST_OUT: [-5n, 0n],
  };
  it.each(LEDGER_ENTRY_KINDS)('%s', (kind) => {
    const [availableMinor, heldMinor] = expected[kind];
    expect(walletChange(kind, 5n)).toEqual({ availableMinor, heldMinor });
  });

  it('refuses a zero, negative or non-bigint amount', () => {
    for (const amount of [0n, -1n, 5 as unknown as bigint]) {
      expect(() => walletChange('CREDIT', amount)).toThrow(WalletRuleViolation);
    }
  });

  it('a hold then its capture leaves the price spent, a hold then its release leaves nothing', () => {
    const credit = { kind: 'CREDIT' as const, amountMinor: 100n };
    const hold = { kind: 'HOLD' as const, amountMinor: 30n };
    expect(balanceOfEntries([credit, hold])).toEqual({ availableMinor: 70n, heldMinor: 30n });
    expect(balanceOfEntries([credit, hold, { kind: 'CAPTURE', amountMinor: 30n }])).toEqual({
      availableMinor: 70n,
      heldMinor: 0n,
    });
    expect(balanceOfEntries([credit, hold, { kind: 'RELEASE', amountMinor: 30n }])).toEqual({
      availableMinor: 100n,
      heldMinor: 0n,
    });
  });
});

describe('adjustmentEntry', () => {
  it('is ADJUST_IN for a positive amount and ADJUST_OUT of its size for a negative one', () => {
    expect(adjustmentEntry(7n)).toEqual({ kind: 'ADJUST_IN', amountMinor: 7n });
    expect(adjustmentEntry(-7n)).toEqual({ kind: 'ADJUST_OUT', amountMinor: 7n });
  });
  it('refuses zero as BAD_USER_INPUT', () => {
    expect(() => adjustmentEntry(0n)).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', apiCode: 'BAD_USER_INPUT' }),
    );
  });
});
