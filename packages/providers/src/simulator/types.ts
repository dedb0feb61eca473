import type { ProviderKind } from '../adapter.js';

/** Faults a simulator can be told to answer with instead of its normal reply. */
export const FAULT_KINDS = [
  'http500', // HTTP 500 with a plain body
  'html502', // HTTP 502 with an HTML error page (a proxy in front of the upstream)
  'timeout', // accepts the request and never answers (the upstream did nothing)
  'lost-reply', // does what was asked (a buy buys), then never answers: the ambiguous case
  'malformed', // HTTP 200 with a truncated / non-JSON body
  'rate-limit', // HTTP 429 with Retry-After
  'reset', // destroys the socket without an answer
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Only requests whose path+query contains this substring (e.g. "getNumber", "/numbers/"). */
  match?: string;
  retryAfterSeconds?: number;
}

export interface SimRequestLogEntry {
  method: string;
  /** Path with the query string. */
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
  fault?: FaultKind;
}

/** A product to stock, in OUR ids: the simulator translates them with its own table taken from
 *  its seed doc, never with the adapter's mapping, so the two cannot share one misreading. */
export interface SimOffer {
  service: string;
  country: string;
  /** Decimal string in the provider's currency. */
  cost: string;
  stock: number;
  operator?: string;
}

export interface SimActivationView {
  ref: string;
  phoneNumber: string;
  state: 'waiting' | 'code' | 'cancelled' | 'expired' | 'finished' | 'reported';
  messages: string[];
}

export interface SimulatorOptions {
  /** The credential the simulator accepts (default: a fixed test key per kind). */
  apiKey?: string;
  /** Demo mode: deliver a plausible SMS on its own this long after each buy. */
  autoDeliverAfterMs?: number;
  /** Seconds until an activation expires upstream on its own (default 1200). */
  activationTtlSeconds?: number;
}

/** The common face of every protocol's simulator (tests, the demo and benchmarks boot them on
 *  loopback). The same controls are served over HTTP under `/__sim/` for other processes. */
export interface ProviderSimulator {
  readonly kind: ProviderKind;
  readonly apiKey: string;
  /** What to put in the provider's `baseUrl` (valid after start). */
  readonly baseUrl: string;
  start(port?: number, host?: string): Promise<string>;
  stop(): Promise<void>;
  setOffer(offer: SimOffer): void;
  /** Decimal string in the provider's currency. */
  setBalance(amount: string): void;
  /** Delivers an SMS to an activation (by the ref the adapter got from buy). */
  deliverSms(upstreamRef: string, text: string): void;
  /** Ends an activation upstream on its own (the upstream cancelled/refunded it). */
  expireActivation(upstreamRef: string): void;
  activation(upstreamRef: string): SimActivationView | undefined;
  injectFault(fault: FaultSpec): void;
  /** Drops every queued fault (the upstream recovers). */
  clearFaults(): void;
  /** Faults still queued. */
  readonly pendingFaults: number;
  /** Every activation bought here, in any state. */
  allActivations(): SimActivationView[];
  /** The host goes down (connections refused: the request surely never left the client) until
   *  goOnline() listens on the same port again. */
  goOffline(): Promise<void>;
  goOnline(): Promise<void>;
  readonly requests: readonly SimRequestLogEntry[];
  reset(): void;
}
