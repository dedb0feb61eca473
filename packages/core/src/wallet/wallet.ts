import type { WalletMovement } from '../orders/order-transition.js';
import { InsufficientFunds, WalletRuleViolation } from './wallet-errors.js';
import type { LedgerEntry, LedgerEntryKind, WalletBalance } from './ledger-entry.js';

export type HoldStatus = 'OPEN' | 'CAPTURED' | 'RELEASED';

export interface HoldRecord {
  amountMinor: bigint;
  status: HoldStatus;
  /** Given back after a capture; at most `amountMinor`, at most once. */
  refundedMinor: bigint;
}

/** One user's wallet in memory. Immutable: every operation returns a new state. */
export interface WalletState extends WalletBalance {
  holds: ReadonlyMap<string, HoldRecord>;
}

export interface WalletOperationResult {
  state: WalletState;
  /** The entries to append, in order; applying them to the old balance gives the new one. */
  entries: LedgerEntry[];
}

export const EMPTY_WALLET: WalletState = Object.freeze({
  availableMinor: 0n,
  heldMinor: 0n,
  holds: new Map<string, HoldRecord>(),
});

export function emptyWallet(): WalletState {
  return EMPTY_WALLET;
}

/** Money paid in. */
export function credit(
  state: WalletState,
  input: { amountMinor: bigint; reference: string },
): WalletOperationResult {
  const amountMinor = positiveAmount(input.amountMinor, 'credit');
  const reference = nonEmptyReference(input.reference);
  return {
    state: { ...state, availableMinor: state.availableMinor + amountMinor },
    entries: [entry('CREDIT', amountMinor, reference)],
  };
}

/**
 * An admin correction: a signed amount (a wrong top-up taken back, a goodwill credit). A
 * negative one beyond the available balance is InsufficientFunds: available never goes
 * below zero, and held money is not the admin's to take.
 */
export function adjust(
  state: WalletState,
  input: { amountMinor: bigint; reference: string },
): WalletOperationResult {
  if (typeof input.amountMinor !== 'bigint' || input.amountMinor === 0n) {
    throw new WalletRuleViolation('INVALID_AMOUNT', 'an adjustment must not be zero');
  }
  const reference = nonEmptyReference(input.reference);
  if (input.amountMinor > 0n) {
    return {
      state: { ...state, availableMinor: state.availableMinor + input.amountMinor },
      entries: [entry('ADJUST_IN', input.amountMinor, reference)],
    };
  }
  const amountMinor = -input.amountMinor;
  if (amountMinor > state.availableMinor)
    throw new InsufficientFunds(amountMinor, state.availableMinor);
  return {
    state: { ...state, availableMinor: state.availableMinor - amountMinor },
    entries: [entry('ADJUST_OUT', amountMinor, reference)],
  };
}

/** Reserves `amountMinor` under `holdId` (the order id). Refused with InsufficientFunds
 *  beyond the available balance: available never goes below zero. */
export function hold(
  state: WalletState,
  input: { holdId: string; amountMinor: bigint; reference: string },
): WalletOperationResult {
  const amountMinor = positiveAmount(input.amountMinor, 'hold');
  const reference = nonEmptyReference(input.reference);
  const holdId = nonEmptyHoldId(input.holdId);
  if (state.holds.has(holdId)) {
    throw new WalletRuleViolation('HOLD_EXISTS', `hold ${holdId} already exists`, holdId);
  }
  if (amountMinor > state.availableMinor)
    throw new InsufficientFunds(amountMinor, state.availableMinor);
  return {
    state: {
      availableMinor: state.availableMinor - amountMinor,
      heldMinor: state.heldMinor + amountMinor,
      holds: withHold(state.holds, holdId, { amountMinor, status: 'OPEN', refundedMinor: 0n }),
    },
    entries: [entry('HOLD', amountMinor, reference, holdId)],
  };
}

/** Charges an open hold in full (the first code arrived). */
export function capture(
  state: WalletState,
  input: { holdId: string; reference: string },
): WalletOperationResult {
  return settle(state, input, 'CAPTURE');
}

/** Gives an open hold back to the available balance (cancel, expiry, failure). */
export function release(
  state: WalletState,
  input: { holdId: string; reference: string },
): WalletOperationResult {
  return settle(state, input, 'RELEASE');
}

/** Gives a captured price back, once; `amountMinor` defaults to the whole capture. */
export function refund(
  state: WalletState,
  input: { holdId: string; reference: string; amountMinor?: bigint },
): WalletOperationResult {
  const reference = nonEmptyReference(input.reference);
  const { holdId, record } = findHold(state, input.holdId);
  if (record.status !== 'CAPTURED') {
    throw new WalletRuleViolation(
      'HOLD_NOT_CAPTURED',
      `hold ${holdId} is ${record.status.toLowerCase()}, only a captured hold can be refunded`,
      holdId,
    );
  }
  if (record.refundedMinor > 0n) {
    throw new WalletRuleViolation(
      'ALREADY_REFUNDED',
      `hold ${holdId} was already refunded`,
      holdId,
    );
  }
  const amountMinor = positiveAmount(input.amountMinor ?? record.amountMinor, 'refund');
  if (amountMinor > record.amountMinor) {
    throw new WalletRuleViolation(
      'REFUND_EXCEEDS_CAPTURE',
      `refund of ${amountMinor} exceeds the ${record.amountMinor} captured on hold ${holdId}`,
      holdId,
    );
  }
  return {
    state: {
      ...state,
      availableMinor: state.availableMinor + amountMinor,
      holds: withHold(state.holds, holdId, { ...record, refundedMinor: amountMinor }),
    },
    entries: [entry('REFUND', amountMinor, reference, holdId)],
  };
}

/**
 * Rebuilds a wallet from its ledger, checking every rule on the way (a store can use it to
 * audit a user's entries). Throws the same errors the operations would.
 */
export function replayLedger(entries: Iterable<LedgerEntry>): WalletState {
  let state = EMPTY_WALLET;
  for (const e of entries) {
    const holdId = e.holdId ?? '';
    switch (e.kind) {
      case 'CREDIT':
        state = credit(state, e).state;
        break;
      case 'HOLD':
        state = hold(state, { holdId, amountMinor: e.amountMinor, reference: e.reference }).state;
        break;
      case 'CAPTURE':
      case 'RELEASE': {
        const expected = findHold(state, holdId).record.amountMinor;
        if (e.amountMinor !== expected) {
          throw new WalletRuleViolation(
            'INVALID_AMOUNT',
            `${e.kind} of ${e.amountMinor} on hold ${holdId} does not match its ${expected}`,
            holdId,
          );
        }
        state = settle(state, { holdId, reference: e.reference }, e.kind).state;
        break;
      }
      case 'REFUND':
        state = refund(state, { holdId, reference: e.reference, amountMinor: e.amountMinor }).state;
        break;
      case 'ADJUST_IN':
      case 'ADJUST_OUT':
        state = adjust(state, {
          amountMinor: e.kind === 'ADJUST_IN' ? e.amountMinor : -e.amountMinor,
          reference: e.reference,
        }).state;
        break;
    }
  }
  return state;
}

function settle(
  state: WalletState,
  input: { holdId: string; reference: string },
  kind: Extract<LedgerEntryKind, 'CAPTURE' | 'RELEASE'>,
): WalletOperationResult {
  const reference = nonEmptyReference(input.reference);
  const { holdId, record } = findHold(state, input.holdId);
  if (record.status !== 'OPEN') {
    throw new WalletRuleViolation(
      'HOLD_ALREADY_SETTLED',
      `hold ${holdId} is already ${record.status.toLowerCase()}; it cannot be ${kind === 'CAPTURE' ? 'captured' : 'released'}`,
      holdId,
    );
  }
  const amountMinor = record.amountMinor;
  return {
    state: {
      availableMinor:
        kind === 'RELEASE' ? state.availableMinor + amountMinor : state.availableMinor,
      heldMinor: state.heldMinor - amountMinor,
      holds: withHold(state.holds, holdId, {
        ...record,
        status: kind === 'CAPTURE' ? 'CAPTURED' : 'RELEASED',
      }),
    },
    entries: [entry(kind, amountMinor, reference, holdId)],
  };
}

function findHold(state: WalletState, holdId: string): { holdId: string; record: HoldRecord } {
  const record = state.holds.get(holdId);
  if (!record) throw new WalletRuleViolation('HOLD_NOT_FOUND', `no hold ${holdId}`, holdId);
  return { holdId, record };
}

function withHold(
  holds: ReadonlyMap<string, HoldRecord>,
  holdId: string,
  record: HoldRecord,
): Map<string, HoldRecord> {
  const next = new Map(holds);
  next.set(holdId, Object.freeze(record));
  return next;
}

function entry(
  kind: LedgerEntryKind,
  amountMinor: bigint,
  reference: string,
  holdId?: string,
): LedgerEntry {
  return holdId === undefined
    ? { kind, amountMinor, reference }
    : { kind, amountMinor, holdId, reference };
}

function positiveAmount(amountMinor: bigint, what: string): bigint {
  if (typeof amountMinor !== 'bigint' || amountMinor <= 0n) {
    throw new WalletRuleViolation(
      'INVALID_AMOUNT',
      `${what} amount must be a positive number of minor units, got ${String(amountMinor)}`,
    );
  }
  return amountMinor;
}

function nonEmptyReference(reference: string): string {
  if (typeof reference !== 'string' || reference.trim() === '') {
    throw new WalletRuleViolation(
      'INVALID_REFERENCE',
      'a ledger entry needs a non-empty reference',
    );
  }
  return reference;
}

function nonEmptyHoldId(holdId: string): string {
  if (typeof holdId !== 'string' || holdId.trim() === '') {
    throw new WalletRuleViolation('INVALID_REFERENCE', 'a hold needs a non-empty id');
  }
  return holdId;
}

/** Runs the wallet side of an order transition (`WalletMovement` from `transitionOrder`). */
export function applyWalletMovement(
  state: WalletState,
  movement: WalletMovement,
  input: { holdId: string; reference: string },
): WalletOperationResult {
  switch (movement) {
    case 'NONE':
      return { state, entries: [] };
    case 'CAPTURE':
      return capture(state, input);
    case 'RELEASE':
      return release(state, input);
    case 'REFUND':
      return refund(state, input);
  }
}
