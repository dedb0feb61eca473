import { Writable } from 'node:stream';
import { findCountry, findService, Money, type CurrencyCode } from '@numbroker/core';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ActivationStatus,
  BuyRequest,
  Capabilities,
  Offer,
  ProviderAccount,
  ProviderAdapter,
  ProviderKind,
} from '../adapter.js';
import {
  AuthError,
  CancelNotAllowed,
  NoNumbers,
  NotFound,
  ProviderError,
  RateLimited,
  Unavailable,
  type ProviderOperation,
} from '../errors.js';
import type { AdapterOptions } from '../http/account-client.js';
import {
  FAULT_KINDS,
  type FaultKind,
  type ProviderSimulator,
  type SimulatorOptions,
} from '../simulator/types.js';

export interface ContractTarget {
  kind: ProviderKind;
  /** Names this run in the suite's title when one kind runs against several hosts (dialects). */
  label?: string;
  /** What the adapter learns from this host that a fresh adapter cannot know yet (a host
   *  without a listing call): the parts that need it are skipped. */
  capabilityOverrides?: Partial<Capabilities>;
  createSimulator(options?: SimulatorOptions): ProviderSimulator;
  /** Must hand `options` (logger, retries) on to the adapter's HTTP client. */
  createAdapter(account: ProviderAccount, options?: AdapterOptions): ProviderAdapter;
  /** A product the simulator stocks by default (or after setOffer) that the adapter can buy. */
  sample: { service: string; country: string; cost: string };
  currency: CurrencyCode;
  /** Substring of the buy request's path+query (e.g. "action=getNumber"), to aim faults at the
   *  buy itself when `buy` makes other requests first. Default: the first request of `buy`. */
  buyRequestMatch?: string;
  /** The same for `status`. Default: the first request of `status`. */
  statusRequestMatch?: string;
  /** The upstream (or the adapter) refuses a cancel once a code came. Default true. */
  cancelAfterCodeRefused?: boolean;
  /** A well-formed activation ref the simulator never issued (default "999999999"). */
  unknownUpstreamRef?: string;
  /** False when the upstream has no balance call (VerifyPlus): balance checks are skipped and
   *  `balance()` is expected to reject. Default true. */
  hasBalance?: boolean;
  /** The SMS text that `deliverSms` uses in the suite; must hold the code 12345. */
  smsText?: string;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The behaviour every adapter must show against its own simulator over real HTTP. Call it from
 * `<kind>/adapter.test.ts`; capability flags turn the optional parts into skips.
 */
export function runContractSuite(target: ContractTarget): void {
  const apiKey = `contract-${target.kind}-K3y_9f8e7d6c5b4a`;
  const smsText = target.smsText ?? 'Your code is 12345';
  const logLines: string[] = [];
  const logger = capturingLogger(logLines);
  // Read once at collection time, to turn optional parts into skips.
  const capabilities = {
    ...target.createAdapter(placeholderAccount(target)).capabilities,
    ...target.capabilityOverrides,
  };
  const hasBalance = target.hasBalance !== false;

  describe(`${target.kind} adapter contract${target.label ? ` (${target.label})` : ''}`, () => {
    let sim: ProviderSimulator;
    let adapter: ProviderAdapter;

    const accountFor = (overrides: Partial<ProviderAccount> = {}): ProviderAccount => ({
      id: `contract-${target.kind}`,
      kind: target.kind,
      baseUrl: sim.baseUrl,
      apiKey,
      currency: target.currency,
      timeoutMs: 3000,
      ...overrides,
    });
    const adapterWith = (
      accountOverrides: Partial<ProviderAccount> = {},
      options: AdapterOptions = {},
    ): ProviderAdapter =>
      target.createAdapter(accountFor(accountOverrides), {
        logger,
        maxRetries: 0,
        retryBaseDelayMs: 5,
        ...options,
      });

    const sampleOffer = async (from: ProviderAdapter = adapter): Promise<Offer> => {
      const offers = await from.catalog();
      const offer = offers.find(
        (o) => o.service === target.sample.service && o.country === target.sample.country,
      );
      if (!offer) {
        throw new Error(`catalog has no ${target.sample.service}/${target.sample.country} offer`);
      }
      return offer;
    };
    const buyRequest = (offer: Offer): BuyRequest => ({
      service: offer.service,
      country: offer.country,
      operator: offer.operator,
      ref: offer.ref,
    });
    const buySample = async () => adapter.buy(buyRequest(await sampleOffer()));

    /** Requests the simulator received while `run` ran. */
    const requestsDuring = async (run: () => Promise<unknown>) => {
      const before = sim.requests.length;
      const outcome = await run().then(
        (value) => ({ value, error: undefined as unknown }),
        (error: unknown) => ({ value: undefined, error }),
      );
      return { ...outcome, requests: sim.requests.slice(before) };
    };

    beforeEach(async () => {
      sim = target.createSimulator({ apiKey });
      await sim.start();
      adapter = adapterWith();
    });
    afterEach(async () => {
      await sim.stop();
    });
    afterAll(() => {
      const leaking = logLines.filter((line) => containsSecret(line, apiKey));
      expect(leaking).toEqual([]);
    });

    describe('catalog and balance', () => {
      it('maps the catalog to our slugs, ISO countries and positive costs in its currency', async () => {
        const offers = await adapter.catalog();
        expect(offers.length).toBeGreaterThan(0);
        for (const offer of offers) {
          // Exactly as core's catalog spells them (no case folding): routing compares strings.
          expect(findService(offer.service)?.slug, `unknown service in ${offer.ref}`).toBe(
            offer.service,
          );
          expect(findCountry(offer.country)?.iso, `unknown country in ${offer.ref}`).toBe(
            offer.country,
          );
          expect(offer.cost.currency).toBe(target.currency);
          expect(offer.cost.minor > 0n, `cost of ${offer.ref}`).toBe(true);
          expect(Number.isInteger(offer.stock) && offer.stock >= 0).toBe(true);
          expect(typeof offer.ref === 'string' && offer.ref.length > 0).toBe(true);
        }
        const sample = await sampleOffer();
        expect(sample.cost.equals(Money.parse(target.sample.cost, target.currency))).toBe(true);
      });

      it.skipIf(!hasBalance)('reads the balance in its currency', async () => {
        const amount =
          target.currency === 'IRT' || target.currency === 'VND' ? '123450' : '1234.50';
        sim.setBalance(amount);
        const balance = await adapter.balance();
        expect(balance.equals(Money.parse(amount, target.currency))).toBe(true);
      });

      it('reports a product out of stock as NoNumbers', async () => {
        const offer = await sampleOffer();
        sim.setOffer({ ...target.sample, stock: 0 });
        const error = await rejectionOf(adapter.buy(buyRequest(offer)));
        expectProviderError(error, NoNumbers, 'buy');
      });

      it('reports a wrong key as AuthError on every kind of call', async () => {
        const offer = await sampleOffer();
        const wrong = adapterWith({ apiKey: 'wrong-key-000000' });
        expectProviderError(await rejectionOf(wrong.catalog()), AuthError, 'catalog');
        if (hasBalance) {
          expectProviderError(await rejectionOf(wrong.balance()), AuthError, 'balance');
        }
        expectProviderError(await rejectionOf(wrong.buy(buyRequest(offer))), AuthError, 'buy');
      });
    });

    describe('an activation', () => {
      it('goes buy → waiting → code → finished', async () => {
        const purchase = await buySample();
        expect(purchase.phoneNumber).toMatch(E164);
        expect(purchase.upstreamRef).not.toBe('');
        expect(sim.activation(purchase.upstreamRef)?.state).toBe('waiting');
        if (purchase.cost) expect(purchase.cost.currency).toBe(target.currency);

        const waiting = await adapter.status(purchase.upstreamRef);
        expect(waiting).toMatchObject({ upstreamRef: purchase.upstreamRef, state: 'waiting' });
        expect(waiting.messages).toEqual([]);

        sim.deliverSms(purchase.upstreamRef, smsText);
        const withCode = await adapter.status(purchase.upstreamRef);
        expect(withCode.state).toBe('code');
        expect(withCode.messages.map((m) => m.code)).toContain('12345');

        if (adapter.capabilities.finish) {
          if (!adapter.finish) throw new Error('capabilities.finish without finish()');
          await adapter.finish(purchase.upstreamRef);
          expect(sim.activation(purchase.upstreamRef)?.state).toBe('finished');
        }
      });

      it('shows an activation the upstream ended on its own as expired or cancelled', async () => {
        const purchase = await buySample();
        sim.expireActivation(purchase.upstreamRef);
        const status = await adapter.status(purchase.upstreamRef);
        expect(['expired', 'cancelled']).toContain(status.state);
      });

      it('answers NotFound for an activation the upstream does not know', async () => {
        await buySample();
        const unknownRef = target.unknownUpstreamRef ?? '999999999';
        expectProviderError(await rejectionOf(adapter.status(unknownRef)), NotFound, 'status');
      });

      it.skipIf(!capabilities.cancel)(
        'cancels before a code (and the upstream refunds where it says so)',
        async () => {
          const balanceBefore = hasBalance ? await adapter.balance() : undefined;
          const purchase = await buySample();
          await adapter.cancel!(purchase.upstreamRef);
          expect(sim.activation(purchase.upstreamRef)?.state).toBe('cancelled');
          expect((await adapter.status(purchase.upstreamRef)).state).toBe('cancelled');
          if (adapter.capabilities.cancelRefunds && balanceBefore) {
            expect((await adapter.balance()).equals(balanceBefore)).toBe(true);
          }
        },
      );

      it.skipIf(!capabilities.cancel || target.cancelAfterCodeRefused === false)(
        'refuses to cancel after a code with CancelNotAllowed (not retryable)',
        async () => {
          const purchase = await buySample();
          sim.deliverSms(purchase.upstreamRef, smsText);
          const error = await rejectionOf(adapter.cancel!(purchase.upstreamRef));
          expectProviderError(error, CancelNotAllowed, 'cancel');
          expect((error as CancelNotAllowed).retryable).toBe(false);
          expect(sim.activation(purchase.upstreamRef)?.state).not.toBe('cancelled');
        },
      );

      it.skipIf(!capabilities.report)(
        'reports a wrong code (and the upstream refunds where it says so)',
        async () => {
          const balanceBefore = hasBalance ? await adapter.balance() : undefined;
          const purchase = await buySample();
          sim.deliverSms(purchase.upstreamRef, smsText);
          await adapter.report!(purchase.upstreamRef);
          expect(['reported', 'cancelled']).toContain(sim.activation(purchase.upstreamRef)?.state);
          if (adapter.capabilities.reportRefunds && balanceBefore) {
            expect((await adapter.balance()).equals(balanceBefore)).toBe(true);
          }
        },
      );

      it.skipIf(!capabilities.requestAnotherSms)(
        'asks for another SMS after a code and sees the next one',
        async () => {
          const purchase = await buySample();
          sim.deliverSms(purchase.upstreamRef, smsText);
          await adapter.requestAnotherSms!(purchase.upstreamRef);
          sim.deliverSms(purchase.upstreamRef, 'Your new code is 67890');
          const status = await adapter.status(purchase.upstreamRef);
          expect(status.state).toBe('code');
          expect(status.messages.at(-1)?.code).toBe('67890');
        },
      );

      it.skipIf(!capabilities.batchStatus)('reads many activations in one batch', async () => {
        const first = await buySample();
        const second = await buySample();
        sim.deliverSms(second.upstreamRef, smsText);
        const statuses: Map<string, ActivationStatus> = await adapter.statusMany!([
          first.upstreamRef,
          second.upstreamRef,
        ]);
        expect(statuses.get(first.upstreamRef)?.state).toBe('waiting');
        expect(statuses.get(second.upstreamRef)?.state).toBe('code');
        expect(statuses.get(second.upstreamRef)?.messages.map((m) => m.code)).toContain('12345');
      });

      it.skipIf(!capabilities.listActivations)('lists recent activations upstream', async () => {
        const offer = await sampleOffer();
        const before = Date.now();
        const purchase = await adapter.buy(buyRequest(offer));
        const listed = await adapter.listActivations!();
        expect(listed.map((a) => a.upstreamRef)).toContain(purchase.upstreamRef);
        // What the listing says was bought is what was bought (the reconciler matches a stuck
        // buy by it); a field the upstream does not list stays absent, never guessed.
        const row = listed.find((a) => a.upstreamRef === purchase.upstreamRef)!;
        if (row.service !== undefined) expect(row.service).toBe(offer.service);
        if (row.country !== undefined) expect(row.country).toBe(offer.country);
        if (row.operator !== undefined && offer.operator) expect(row.operator).toBe(offer.operator);
        if (row.createdAt !== undefined) {
          // The upstream's clock, to the second.
          expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 2000);
          expect(row.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
        }
      });
    });

    describe('faults', () => {
      it('recovers from one transient fault on an idempotent call by retrying', async () => {
        const retrying = adapterWith({}, { maxRetries: 2 });
        sim.injectFault({ kind: 'html502' });
        const offers = await retrying.catalog();
        expect(offers.length).toBeGreaterThan(0);
      });

      for (const fault of FAULT_KINDS) {
        it(`maps ${fault} on catalog to ${expectedClassName(fault)}`, async () => {
          const quick = adapterWith({ timeoutMs: 300 });
          sim.injectFault({ kind: fault, times: 5, retryAfterSeconds: 30 });
          const error = await rejectionOf(quick.catalog());
          expectFaultError(error, fault, 'catalog');
        });

        it(`maps ${fault} on status to ${expectedClassName(fault)}`, async () => {
          const quick = adapterWith({ timeoutMs: 300 });
          const purchase = await buySample();
          sim.injectFault({
            kind: fault,
            times: 5,
            retryAfterSeconds: 30,
            match: target.statusRequestMatch,
          });
          const error = await rejectionOf(quick.status(purchase.upstreamRef));
          expectFaultError(error, fault, 'status');
        });

        it(`never repeats a buy after ${fault}`, async () => {
          // Full retries on: a buy must still go out exactly once.
          const quick = adapterWith({ timeoutMs: 300 }, { maxRetries: 2 });
          const offer = await sampleOffer();
          sim.injectFault({
            kind: fault,
            times: 5,
            retryAfterSeconds: 0,
            match: target.buyRequestMatch,
          });
          const { error, requests } = await requestsDuring(() => quick.buy(buyRequest(offer)));
          expect(error).toBeInstanceOf(ProviderError);
          expectNoSecret(error, apiKey);
          if (error instanceof Unavailable) expect(error.surelyNotSent).toBe(false);
          const buys = target.buyRequestMatch
            ? requests.filter((r) => r.url.includes(target.buyRequestMatch!))
            : requests;
          const signatures = buys.map((r) => `${r.method} ${r.url} ${r.body}`);
          expect(new Set(signatures).size).toBe(signatures.length);
          if (target.buyRequestMatch) expect(buys).toHaveLength(1);
        });
      }
    });

    describe('secrets', () => {
      it('keeps the key out of errors and logs, and logs through the given logger', async () => {
        // A call that needs the key: balance where there is one, else catalog.
        const probe = (on: ProviderAdapter) => (hasBalance ? on.balance() : on.catalog());
        const wrong = adapterWith({ apiKey: `${apiKey}-wrong` });
        const error = await rejectionOf(probe(wrong));
        expectNoSecret(error, `${apiKey}-wrong`);
        // Every request of the call times out (an adapter may shrug off one probe's failure).
        sim.injectFault({ kind: 'timeout', times: 20 });
        const timedOut = await rejectionOf(probe(adapterWith({ timeoutMs: 200 })));
        expectNoSecret(timedOut, apiKey);
        expect(logLines.length).toBeGreaterThan(0);
        expect(logLines.filter((line) => containsSecret(line, apiKey))).toEqual([]);
      });
    });
  });

  function expectFaultError(error: unknown, fault: FaultKind, operation: ProviderOperation): void {
    if (fault === 'rate-limit') {
      expectProviderError(error, RateLimited, operation);
      expect((error as RateLimited).retryAfterMs).toBe(30_000);
    } else {
      expectProviderError(error, Unavailable, operation);
    }
    expect((error as ProviderError).retryable).toBe(true);
    expectNoSecret(error, apiKey);
  }

  function expectProviderError(
    error: unknown,
    expected: abstract new (...args: never[]) => ProviderError,
    operation: ProviderOperation,
  ): void {
    expect(error, describeError(error)).toBeInstanceOf(expected);
    const providerError = error as ProviderError;
    expect(providerError.operation).toBe(operation);
    expect(providerError.providerId).toBe(`contract-${target.kind}`);
    expectNoSecret(error, apiKey);
  }
}

function expectedClassName(fault: FaultKind): string {
  return fault === 'rate-limit' ? 'RateLimited' : 'Unavailable';
}

/** An account good enough to read an adapter's capabilities at collection time. */
function placeholderAccount(target: ContractTarget): ProviderAccount {
  return {
    id: `contract-${target.kind}`,
    kind: target.kind,
    baseUrl: 'http://127.0.0.1:9/',
    apiKey: 'placeholder',
    currency: target.currency,
    timeoutMs: 1000,
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

function containsSecret(text: string, secret: string): boolean {
  return text.includes(secret) || text.includes(encodeURIComponent(secret));
}

/** The message, every field and the whole `cause` chain of an error are free of the key. */
export function expectNoSecret(error: unknown, secret: string): void {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth += 1) {
    const text =
      current instanceof Error
        ? `${current.message}\n${current.stack ?? ''}\n${safeJson(current)}`
        : safeJson(current);
    expect(containsSecret(text, secret), `secret found in: ${text.slice(0, 300)}`).toBe(false);
    current = current instanceof Error ? current.cause : undefined;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, inner: unknown) =>
      typeof inner === 'bigint' ? inner.toString() : inner,
    );
  } catch {
    return String(value);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function capturingLogger(lines: string[]): Logger {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return pino({ level: 'trace' }, stream);
}
