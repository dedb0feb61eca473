import type { Money, OrderCommand, OrderStatus } from '@numbroker/core';
import type { AuditActor } from '@numbroker/store';
import type { OfferView } from '@numbroker/store';
import type { KnownUser } from '../auth/authenticate.js';
import type { AdminStatsReader } from './admin-stats-reader.js';
import type { OrderEventRecord, OrderRecord, SmsRecord, UserRecord } from './records.js';

export interface OrderPage {
  orders: OrderRecord[];
  hasNextPage: boolean;
  cursorOf(order: OrderRecord): string;
}

export type StoredOfferRecord = OfferView;

export interface ProviderStateRecord {
  providerId: string;
  healthy: boolean;
  balance: Money | null;
  lastError: string | null;
}

export interface NewPendingOrder {
  userId: string;
  service: string;
  country: string;
  operator: string | null;
  providerId: string;
  price: Money;
  idempotencyKey: string | null;
  /** Creation time; the order expires `ttlSeconds` later. */
  now: Date;
  ttlSeconds: number;
  /** If still PENDING then (the server died mid-buy), the worker reconciles it. */
  reconcileAt: Date;
  /** The buy at `providerId` starts right after: its attempt is recorded in this transaction
   *  (as recordBuyAttempt would, one transaction fewer). */
  buyStarted?: boolean;
}

export interface UpstreamAttempt {
  orderId: string | null;
  providerId: string;
  operation: string;
  ok: boolean;
  errorCode: string | null;
  durationMs: number;
}

/** The database as the API layer sees it: reads shaped for GraphQL, writes through the
 *  store's transactional operations. One implementation: store-api-store.ts. */
export type PushedSmsOutcome = 'stored' | 'duplicate' | 'unknown' | 'ended';

export interface ApiStore {
  findUserByApiKey(apiKey: string): Promise<KnownUser | null>;
  /** Forgets every cached key (a key was revoked or a user disabled somewhere). */
  clearApiKeyCache(): void;
  getUser(userId: string): Promise<UserRecord | null>;
  /** `actor`: who asks, for the audit log (written in the same transaction). */
  createUser(name: string, actor?: AuditActor): Promise<{ user: UserRecord; apiKey: string }>;
  creditWallet(
    userId: string,
    amount: Money,
    reference: string,
    actor?: AuditActor,
  ): Promise<UserRecord>;

  findOrder(orderId: string): Promise<OrderRecord | null>;
  listOrders(
    userId: string,
    page: { first: number; after: string | undefined; status: OrderStatus | undefined },
  ): Promise<OrderPage>;
  messagesOfOrders(orderIds: readonly string[]): Promise<Map<string, SmsRecord[]>>;
  countOpenOrdersByProvider(): Promise<Map<string, number>>;

  /** Ascending; every user's events, or one user's. */
  eventsAfter(afterId: string, limit: number, userId?: string): Promise<OrderEventRecord[]>;
  latestEventId(): Promise<string>;

  /** In-stock offers; `includeEmpty` adds those without stock (to tell an operator that is out
   *  of stock from one nobody has). */
  listOffers(
    service: string,
    country: string | undefined,
    options?: { includeEmpty?: boolean },
  ): Promise<StoredOfferRecord[]>;
  providerStates(): Promise<Map<string, ProviderStateRecord>>;

  /** Transaction 1 of a buy: idempotency claim, hold, PENDING order. `created` is false when
   *  the same user already used this idempotency key (the existing order is returned). */
  createPendingOrder(order: NewPendingOrder): Promise<{ order: OrderRecord; created: boolean }>;
  /** One state change with its wallet movement and event, in one transaction. */
  applyOrderCommand(
    orderId: string,
    command: OrderCommand,
    extra?: {
      providerId?: string;
      operator?: string | null;
      cost?: Money;
      /** What the caller believes the status is: no read first when it is right. */
      expectedStatus?: OrderStatus;
    },
  ): Promise<OrderRecord>;
  /** Stores an SMS an upstream pushed to its webhook on the order it bought as `upstreamRef`
   *  — the same transaction a polled SMS takes (stored once, the first code captures the
   *  hold, one event). `unknown`: no order has that activation (yet); `ended`: the order was
   *  closed before the SMS came, so it is not the customer's any more. */
  recordPushedSms(
    providerId: string,
    upstreamRef: string,
    sms: { code: string | null; text: string | null; receivedAt: Date },
  ): Promise<PushedSmsOutcome>;
  /** Durable, before the upstream buy: which provider (and operator) the order is being bought
   *  from, when — what the reconciler matches an upstream activation against. */
  recordBuyAttempt(
    orderId: string,
    providerId: string,
    now: Date,
    operator?: string | null,
  ): Promise<void>;
  /** Reconcile this PENDING order at `at` (its buy ended ambiguous). */
  reconcileAt(orderId: string, at: Date): Promise<void>;
  /** Recorded in the background, in batches: never slows or fails the call it describes. */
  recordAttempt(attempt: UpstreamAttempt): Promise<void>;
  /** Writes whatever is still buffered (shutdown, tests). */
  flush(): Promise<void>;

  /** Aggregates for the admin dashboard; never cached, read on request. */
  readonly stats: AdminStatsReader;
}
