/**
 * The wallet's ledger: every movement of a user's money is one entry, and the balances are
 * nothing but sums over the entries.
 *
 *   kind      available   held     meaning
 *   CREDIT      +a          0      money paid in (admin credit)
 *   HOLD        -a         +a      price reserved at buy
 *   RELEASE     +a         -a      reservation given back (cancel, expiry, failure)
 *   CAPTURE      0         -a      reservation charged (first code): the money leaves
 *   REFUND      +a          0      a captured price given back (upstream-refunded report)
 *   ADJUST_IN   +a          0      an admin correction in the user's favour (adjustWallet)
 *   ADJUST_OUT  -a          0      an admin correction against the user (never below zero)
 *
 *   available (SPEC "balance") = Σ signedAvailableDelta(entry)   — holds excluded
 *   held                       = Σ signedHeldDelta(entry)        — the open holds
 *   available + held + Σ CAPTURE + Σ ADJUST_OUT = Σ CREDIT + Σ REFUND + Σ ADJUST_IN
 *
 * `amountMinor` is always positive; the kind gives the sign. Amounts are minor units of the
 * platform currency (one currency per wallet).
 */
import { WalletRuleViolation } from './wallet-errors.js';

export const LEDGER_ENTRY_KINDS = [
  'CREDIT',
  'HOLD',
  'CAPTURE',
  'RELEASE',
  'REFUND',
  'ADJUST_IN',
  'ADJUST_OUT',
] as const;
export type LedgerEntryKind = (typeof LEDGER_ENTRY_KINDS)[number];

export interface LedgerEntry {
  kind: LedgerEntryKind;
  /** Positive; the sign comes from `kind`. */
  amountMinor: bigint;
  /** The hold this entry opens or settles (the order id); absent on CREDIT. */
  holdId?: string;
  /** Why: a payment reference for a credit, the order id for the rest. */
  reference: string;
}

export interface WalletBalance {
  /** What the user can spend: SPEC's `User.balance`. Never below zero. */
  availableMinor: bigint;
  /** Σ of open holds: SPEC's `User.held`. */
  heldMinor: bigint;
}

export function isLedgerEntryKind(value: unknown): value is LedgerEntryKind {
  return typeof value === 'string' && (LEDGER_ENTRY_KINDS as readonly string[]).includes(value);
}

/** How an entry of `kind` changes the available balance (the store adds this in SQL). */
export function signedAvailableDelta(kind: LedgerEntryKind, amountMinor: bigint): bigint {
  switch (kind) {
    case 'CREDIT':
    case 'RELEASE':
    case 'REFUND':
    case 'ADJUST_IN':
      return amountMinor;
    case 'HOLD':
    case 'ADJUST_OUT':
      return -amountMinor;
    case 'CAPTURE':
      return 0n;
  }
}

/** How an entry of `kind` changes the held balance. */
export function signedHeldDelta(kind: LedgerEntryKind, amountMinor: bigint): bigint {
  switch (kind) {
    case 'HOLD':
      return amountMinor;
    case 'RELEASE':
    case 'CAPTURE':
      return -amountMinor;
    case 'CREDIT':
    case 'REFUND':
    case 'ADJUST_IN':
    case 'ADJUST_OUT':
      return 0n;
  }
}

/** What one entry does to a wallet's two balances: the store's single UPDATE of a wallet adds
 *  exactly these (guarded so neither balance goes below zero), so the rules live here once. */
export function walletChange(kind: LedgerEntryKind, amountMinor: bigint): WalletBalance {
  if (typeof amountMinor !== 'bigint' || amountMinor <= 0n) {
    throw new WalletRuleViolation('INVALID_AMOUNT', `a ${kind} entry must be a positive amount`);
  }
  return {
    availableMinor: signedAvailableDelta(kind, amountMinor),
    heldMinor: signedHeldDelta(kind, amountMinor),
  };
}

/** The entry of an admin correction: ADJUST_IN for a positive amount, ADJUST_OUT (of its
 *  size) for a negative one. Zero changes nothing and is refused. */
export function adjustmentEntry(amountMinor: bigint): Pick<LedgerEntry, 'kind' | 'amountMinor'> {
  if (typeof amountMinor !== 'bigint' || amountMinor === 0n) {
    throw new WalletRuleViolation('INVALID_AMOUNT', 'an adjustment must not be zero');
  }
  return amountMinor > 0n
    ? { kind: 'ADJUST_IN', amountMinor }
    : { kind: 'ADJUST_OUT', amountMinor: -amountMinor };
}

/** The balances a list of entries sums to (the definition of "balance"). */
export function balanceOfEntries(
  entries: Iterable<Pick<LedgerEntry, 'kind' | 'amountMinor'>>,
): WalletBalance {
  let availableMinor = 0n;
  let heldMinor = 0n;
  for (const entry of entries) {
    availableMinor += signedAvailableDelta(entry.kind, entry.amountMinor);
    heldMinor += signedHeldDelta(entry.kind, entry.amountMinor);
  }
  return { availableMinor, heldMinor };
}
