import type { CurrencyCode, Money } from '@numbroker/core';

/** Every protocol with an adapter: the registry (registry.ts) has one entry per kind, which
 *  its Record type enforces, and config validates `kind` against this list. */
export const PROVIDER_KINDS = [
  'shiznumber',
  'shomare',
  'arzancell',
  'verifyplus',
  'smsman',
  'smsactivate',
  'fivesim',
] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** One configured account at an upstream (SPEC.md "providers" entries, already validated). */
export interface ProviderAccount {
  /** The name this account goes by everywhere (Order.provider). */
  id: string;
  kind: ProviderKind;
  /** Where the endpoints live; tests point it at a simulator. */
  baseUrl: string;
  /** Key or token, sent however that upstream wants it. Never logged, never returned. */
  apiKey: string;
  currency: CurrencyCode;
  /** VerifyPlus only: per-SMS prices by ISO country, overriding the doc's table. */
  prices?: Readonly<Record<string, string>>;
  /** Per-request timeout; the HTTP client refuses to run without one. */
  timeoutMs?: number;
  /** Upstream requests per second and in flight at once, per account. */
  ratePerSecond?: number;
  maxConcurrent?: number;
}

/** A product the upstream sells, mapped to our ids. */
export interface Offer {
  service: string; // our slug: telegram, whatsapp, ...
  country: string; // ISO 3166-1 alpha-2
  operator?: string;
  cost: Money; // in the provider's currency
  stock: number;
  /** The provider's own id for this product (number id, product id, "country:service", ...). */
  ref: string;
}

export interface BuyRequest {
  service: string;
  country: string;
  operator?: string;
  /** The `ref` of the offer being bought. */
  ref: string;
  /** The most we pay upstream, in the provider's currency (the synced offer's cost): where
   *  the protocol takes a price cap, a price rise between sync and buy is refused (NoNumbers)
   *  instead of charged. */
  maxPrice?: Money;
  /** Our own id for this purchase (the order id), sent where the upstream takes a client
   *  order id, so a reconciler can match the activation positively. */
  idempotencyKey?: string;
}

export interface Purchase {
  /** The provider's id for this activation/order: what status/cancel/finish take. */
  upstreamRef: string;
  /** E.164, with the leading "+". */
  phoneNumber: string;
  /** What the upstream says it charged, when it says. */
  cost?: Money;
  /** The upstream says whether another SMS can be requested on this number. */
  canRequestAnotherSms?: boolean;
  /** When the upstream says the activation started. */
  startedAt?: Date;
}

/** `finished`: closed upstream after a code (finish / set-status done). */
export type ActivationState = 'waiting' | 'code' | 'cancelled' | 'expired' | 'finished';

export interface SmsMessage {
  /** The verification code, when the upstream gives or the text holds one. */
  code: string | null;
  text: string | null;
  /** When the upstream says it arrived; the worker uses its own clock otherwise. */
  receivedAt?: Date;
}

export interface ActivationStatus {
  upstreamRef: string;
  state: ActivationState;
  /** Every SMS of this activation the upstream still shows, oldest first. */
  messages: SmsMessage[];
}

export interface ListedActivation extends ActivationStatus {
  phoneNumber?: string;
  idempotencyKey?: string;
  /** What the listing says was bought, in our ids, and when, where it says: the reconciler
   *  matches a stuck buy by them (never filled in by guess). */
  service?: string;
  country?: string;
  operator?: string;
  createdAt?: Date;
}

export interface Capabilities {
  /** `statusMany` exists: one request covers many activations (paged). */
  batchStatus: boolean;
  /** Orders can be listed upstream (reconciling a crash between buy and its write). */
  listActivations: boolean;
  cancel: boolean;
  /** A cancel before any code gives our upstream money back. */
  cancelRefunds: boolean;
  finish: boolean;
  report: boolean;
  reportRefunds: boolean;
  requestAnotherSms: boolean;
  /** The upstream charges when an SMS arrives, not at buy (VerifyPlus). */
  chargesPerSms: boolean;
}

export interface ProviderAdapter {
  readonly id: string;
  readonly kind: ProviderKind;
  readonly currency: CurrencyCode;
  readonly capabilities: Capabilities;
  catalog(): Promise<Offer[]>;
  /** Never retried once its request may have reached the upstream. */
  buy(request: BuyRequest): Promise<Purchase>;
  status(upstreamRef: string): Promise<ActivationStatus>;
  /** Activations the upstream no longer lists are absent from the map. */
  statusMany?(upstreamRefs: readonly string[]): Promise<Map<string, ActivationStatus>>;
  /** Recent activations upstream (for reconciliation), newest first. `idempotencyKey`: the
   *  `BuyRequest.idempotencyKey` the upstream echoes back for it, where it does. */
  listActivations?(): Promise<ListedActivation[]>;
  cancel?(upstreamRef: string): Promise<void>;
  finish?(upstreamRef: string): Promise<void>;
  report?(upstreamRef: string): Promise<void>;
  requestAnotherSms?(upstreamRef: string): Promise<void>;
  balance(): Promise<Money>;
}
