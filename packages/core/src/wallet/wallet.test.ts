import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import {
  adjust,
  applyWalletMovement,
  balanceOfEntries,
  capture,
  credit,
  EMPTY_WALLET,
  hold,
  InsufficientFunds,
  LEDGER_ENTRY_KINDS,
  refund,
  release,
  replayLedger,
  signedAvailableDelta,
  signedHeldDelta,
  WalletRuleViolation,
  type LedgerEntry,
  type WalletState,
} from './index.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('wallet operations', () => {
  const funded = credit(EMPTY_WALLET, { amountMinor: 1000n, reference: 'pay-1' }).state;

  it('credit adds to available and writes one CREDIT entry', () => {
    const result = credit(EMPTY_WALLET, { amountMinor: 1000n, reference: 'pay-1' });
    expect(result.state).toMatchObject({ availableMinor: 1000n, heldMinor: 0n });
    expect(result.entries).toEqual([{ kind: 'CREDIT', amountMinor: 1000n, reference: 'pay-1' }]);
  });

  it('adjust adds or takes back available money, never below zero, never held money', () => {
    const up = adjust(funded, { amountMinor: 250n, reference: 'fix-1' });
    expect(up.state).toMatchObject({ availableMinor: 1250n, heldMinor: 0n });
    expect(up.entries).toEqual([{ kind: 'ADJUST_IN', amountMinor: 250n, reference: 'fix-1' }]);
    const held = hold(funded, { holdId: 'o1', amountMinor: 300n, reference: 'o1' }).state;
    const down = adjust(held, { amountMinor: -700n, reference: 'fix-2' });
    expect(down.state).toMatchObject({ availableMinor: 0n, heldMinor: 300n });
    expect(down.entries).toEqual([{ kind: 'ADJUST_OUT', amountMinor: 700n, reference: 'fix-2' }]);
    expect(codeOf(() => adjust(held, { amountMinor: -701n, reference: 'fix-3' }))).toBe(
      'INSUFFICIENT_FUNDS',
    );
    expect(codeOf(() => adjust(held, { amountMinor: 0n, reference: 'fix-4' }))).toBe(
      'INVALID_AMOUNT',
    );
    expect(balanceOfEntries([...up.entries, ...down.entries])).toEqual({
      availableMinor: -450n,
      heldMinor: 0n,
    });
  });

  it('hold moves available to held; capture takes it out; release gives it back', () => {
    const held = hold(funded, { holdId: 'o1', amountMinor: 300n, reference: 'o1' });
    expect(held.state).toMatchObject({ availableMinor: 700n, heldMinor: 300n });
    expect(held.entries).toEqual([
      { kind: 'HOLD', amountMinor: 300n, holdId: 'o1', reference: 'o1' },
    ]);

    const captured = capture(held.state, { holdId: 'o1', reference: 'o1' });
    expect(captured.state).toMatchObject({ availableMinor: 700n, heldMinor: 0n });
    expect(captured.entries).toEqual([
      { kind: 'CAPTURE', amountMinor: 300n, holdId: 'o1', reference: 'o1' },
    ]);

    const released = release(held.state, { holdId: 'o1', reference: 'o1' });
    expect(released.state).toMatchObject({ availableMinor: 1000n, heldMinor: 0n });
  });

  it('a hold of exactly the available balance is allowed, one unit more is not', () => {
    expect(
      hold(funded, { holdId: 'o1', amountMinor: 1000n, reference: 'o1' }).state.availableMinor,
    ).toBe(0n);
    const error = (() => {
      try {
        hold(funded, { holdId: 'o1', amountMinor: 1001n, reference: 'o1' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InsufficientFunds);
    expect(error).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      apiCode: 'INSUFFICIENT_FUNDS',
      requiredMinor: 1001n,
    });
  });

  it('settles a hold exactly once', () => {
    const held = hold(funded, { holdId: 'o1', amountMinor: 300n, reference: 'o1' }).state;
    const captured = capture(held, { holdId: 'o1', reference: 'o1' }).state;
    const released = release(held, { holdId: 'o1', reference: 'o1' }).state;
    expect(codeOf(() => capture(captured, { holdId: 'o1', reference: 'o1' }))).toBe(
      'HOLD_ALREADY_SETTLED',
    );
    expect(codeOf(() => release(captured, { holdId: 'o1', reference: 'o1' }))).toBe(
      'HOLD_ALREADY_SETTLED',
    );
    expect(codeOf(() => capture(released, { holdId: 'o1', reference: 'o1' }))).toBe(
      'HOLD_ALREADY_SETTLED',
    );
    expect(codeOf(() => release(released, { holdId: 'o1', reference: 'o1' }))).toBe(
      'HOLD_ALREADY_SETTLED',
    );
    expect(codeOf(() => capture(held, { holdId: 'nope', reference: 'x' }))).toBe('HOLD_NOT_FOUND');
    expect(codeOf(() => hold(held, { holdId: 'o1', amountMinor: 1n, reference: 'o1' }))).toBe(
      'HOLD_EXISTS',
    );
  });

  it('refunds a captured hold once, never more than captured', () => {
    const held = hold(funded, { holdId: 'o1', amountMinor: 300n, reference: 'o1' }).state;
    const captured = capture(held, { holdId: 'o1', reference: 'o1' }).state;
    expect(codeOf(() => refund(held, { holdId: 'o1', reference: 'o1' }))).toBe('HOLD_NOT_CAPTURED');
    expect(
      codeOf(() => refund(captured, { holdId: 'o1', reference: 'o1', amountMinor: 301n })),
    ).toBe('REFUND_EXCEEDS_CAPTURE');
    const refunded = refund(captured, { holdId: 'o1', reference: 'o1' });
    expect(refunded.state).toMatchObject({ availableMinor: 1000n, heldMinor: 0n });
    expect(refunded.entries).toEqual([
      { kind: 'REFUND', amountMinor: 300n, holdId: 'o1', reference: 'o1' },
    ]);
    expect(codeOf(() => refund(refunded.state, { holdId: 'o1', reference: 'o1' }))).toBe(
      'ALREADY_REFUNDED',
    );
  });

  it.each([0n, -1n])('refuses a non-positive amount %s', (amount) => {
    expect(codeOf(() => credit(EMPTY_WALLET, { amountMinor: amount, reference: 'x' }))).toBe(
      'INVALID_AMOUNT',
    );
    expect(codeOf(() => hold(funded, { holdId: 'o', amountMinor: amount, reference: 'x' }))).toBe(
      'INVALID_AMOUNT',
    );
  });

  it('refuses an empty reference or hold id', () => {
    expect(codeOf(() => credit(EMPTY_WALLET, { amountMinor: 1n, reference: ' ' }))).toBe(
      'INVALID_REFERENCE',
    );
    expect(codeOf(() => hold(funded, { holdId: '', amountMinor: 1n, reference: 'x' }))).toBe(
      'INVALID_REFERENCE',
    );
  });

  it('never mutates the state it was given', () => {
    const before = hold(funded, { holdId: 'o1', amountMinor: 300n, reference: 'o1' }).state;
    capture(before, { holdId: 'o1', reference: 'o1' });
    expect(before.holds.get('o1')?.status).toBe('OPEN');
    expect(before.heldMinor).toBe(300n);
  });

  it('applies order movements', () => {
    const held = hold(funded, { holdId: 'o1', amountMinor: 300n, reference: 'o1' }).state;
    expect(applyWalletMovement(held, 'NONE', { holdId: 'o1', reference: 'o1' })).toEqual({
      state: held,
      entries: [],
    });
    const captured = applyWalletMovement(held, 'CAPTURE', { holdId: 'o1', reference: 'o1' }).state;
    expect(
      applyWalletMovement(captured, 'REFUND', { holdId: 'o1', reference: 'o1' }).state
        .availableMinor,
    ).toBe(1000n);
    expect(
      applyWalletMovement(held, 'RELEASE', { holdId: 'o1', reference: 'o1' }).state.availableMinor,
    ).toBe(1000n);
  });

  it('replayLedger refuses a ledger that breaks the rules', () => {
    const bad: LedgerEntry[] = [
      { kind: 'CREDIT', amountMinor: 10n, reference: 'p' },
      { kind: 'HOLD', amountMinor: 11n, holdId: 'o', reference: 'o' },
    ];
    expect(() => replayLedger(bad)).toThrow(InsufficientFunds);
    const wrongCapture: LedgerEntry[] = [
      { kind: 'CREDIT', amountMinor: 10n, reference: 'p' },
      { kind: 'HOLD', amountMinor: 5n, holdId: 'o', reference: 'o' },
      { kind: 'CAPTURE', amountMinor: 4n, holdId: 'o', reference: 'o' },
    ];
    expect(() => replayLedger(wrongCapture)).toThrow(WalletRuleViolation);
  });
});

describe('signed deltas', () => {
  it('define the balance: HOLD −avail +held, RELEASE +avail −held, CAPTURE only −held, CREDIT/REFUND/ADJUST_IN +avail, ADJUST_OUT −avail', () => {
    const table = Object.fromEntries(
      LEDGER_ENTRY_KINDS.map((kind) => [
        kind,
        [signedAvailableDelta(kind, 7n), signedHeldDelta(kind, 7n)],
      ]),
    );
    expect(table).toEqual({
      CREDIT: [7n, 0n],
      HOLD: [-7n, 7n],
      CAPTURE: [0n, -7n],
      RELEASE: [7n, -7n],
      REFUND: [7n, 0n],
      ADJUST_IN: [7n, 0n],
      ADJUST_OUT: [-7n, 0n],
    });
  });
});

// Random operation sequences against a tiny independent model.
type Op =
  | { op: 'credit'; amount: bigint }
  | { op: 'hold'; id: number; amount: bigint }
  | { op: 'capture'; id: number }
  | { op: 'release'; id: number }
  | { op: 'refund'; id: number; amount?: bigint };

const amount = fc.bigInt({ min: 1n, max: 5_000n });
const holdIndex = fc.integer({ min: 0, max: 7 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('credit' as const), amount }),
  fc.record({ op: fc.constant('hold' as const), id: holdIndex, amount }),
  fc.record({ op: fc.constant('capture' as const), id: holdIndex }),
  fc.record({ op: fc.constant('release' as const), id: holdIndex }),
  fc.record({
    op: fc.constant('refund' as const),
    id: holdIndex,
    amount: fc.option(amount, { nil: undefined }),
  }),
);

describe('wallet invariants over random operation sequences', () => {
  it('hold the whole way through', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        let state: WalletState = EMPTY_WALLET;
        const ledger: LedgerEntry[] = [];
        // The model: what each hold is and what must happen, computed without the wallet.
        const model = new Map<
          string,
          { amount: bigint; status: 'OPEN' | 'CAPTURED' | 'RELEASED'; refunded: boolean }
        >();
        let credited = 0n;
        let captured = 0n;
        let refunded = 0n;

        for (const op of ops) {
          const before = state;
          const id = 'id' in op ? `order-${op.id}` : '';
          const known = model.get(id);
          let expectedError: string | undefined;
          let run: () => ReturnType<typeof credit>;
          switch (op.op) {
            case 'credit':
              run = () => credit(state, { amountMinor: op.amount, reference: 'pay' });
              break;
            case 'hold':
              expectedError = known
                ? 'HOLD_EXISTS'
                : op.amount > state.availableMinor
                  ? 'INSUFFICIENT_FUNDS'
                  : undefined;
              run = () => hold(state, { holdId: id, amountMinor: op.amount, reference: id });
              break;
            case 'capture':
            case 'release':
              expectedError = !known
                ? 'HOLD_NOT_FOUND'
                : known.status !== 'OPEN'
                  ? 'HOLD_ALREADY_SETTLED'
                  : undefined;
              run = () =>
                (op.op === 'capture' ? capture : release)(state, { holdId: id, reference: id });
              break;
            case 'refund':
              expectedError = !known
                ? 'HOLD_NOT_FOUND'
                : known.status !== 'CAPTURED'
                  ? 'HOLD_NOT_CAPTURED'
                  : known.refunded
                    ? 'ALREADY_REFUNDED'
                    : op.amount !== undefined && op.amount > known.amount
                      ? 'REFUND_EXCEEDS_CAPTURE'
                      : undefined;
              run = () =>
                refund(
                  state,
                  op.amount === undefined
                    ? { holdId: id, reference: id }
                    : { holdId: id, reference: id, amountMinor: op.amount },
                );
              break;
          }

          if (expectedError !== undefined) {
            expect(codeOf(run)).toBe(expectedError);
            expect(state).toBe(before);
            continue;
          }
          const result = run();
          expect(result.entries).toHaveLength(1);
          const [entry] = result.entries;
          ledger.push(entry!);
          state = result.state;
          switch (op.op) {
            case 'credit':
              credited += op.amount;
              break;
            case 'hold':
              model.set(id, { amount: op.amount, status: 'OPEN', refunded: false });
              break;
            case 'capture':
              captured += known!.amount;
              known!.status = 'CAPTURED';
              break;
            case 'release':
              known!.status = 'RELEASED';
              break;
            case 'refund':
              refunded += op.amount ?? known!.amount;
              known!.refunded = true;
              break;
          }

          // Every entry is positive.
          expect(entry!.amountMinor > 0n).toBe(true);
          // Available never below zero.
          expect(state.availableMinor >= 0n).toBe(true);
          // Held is the sum of open holds.
          const openSum = [...model.values()]
            .filter((h) => h.status === 'OPEN')
            .reduce((sum, h) => sum + h.amount, 0n);
          expect(state.heldMinor).toBe(openSum);
          // Nothing appears or vanishes.
          expect(state.availableMinor + state.heldMinor + captured).toBe(credited + refunded);
          // The entries sum to the balance.
          expect(balanceOfEntries(ledger)).toEqual({
            availableMinor: state.availableMinor,
            heldMinor: state.heldMinor,
          });
        }
        // Replaying the ledger rebuilds the same wallet.
        const replayed = replayLedger(ledger);
        expect(replayed.availableMinor).toBe(state.availableMinor);
        expect(replayed.heldMinor).toBe(state.heldMinor);
        expect(replayed.holds).toEqual(state.holds);
      }),
      { numRuns: 300 },
    );
  });
});
