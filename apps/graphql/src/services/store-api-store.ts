import { Money } from '@numbroker/core';
import { LRUCache } from 'lru-cache';
import { hashApiKey, type AttemptInput, type Store } from '@numbroker/store';
import type { ApiStore } from './api-store.js';
import type { UserRecord } from './records.js';

/** ApiStore over @numbroker/store: its transactional operations, shaped for the API. */
/** The catalog and provider health change at the worker's sync (every catalogSyncSeconds) or
 *  breaker flip; re-reading them for every buy would put two more queries on SQLite's single
 *  connection per order. A second of staleness is harmless: the upstream has the last word. */
const CATALOG_CACHE_MS = 1000;
/** Keys are looked up on every request; a known key's user is kept this long. */
const API_KEY_CACHE_MS = 5000;
/** Attempt rows (statistics and audit) are written in batches, off the buy's path. */
const ATTEMPT_FLUSH_MS = 50;
const ATTEMPT_BATCH = 200;

export function createApiStore(store: Store): ApiStore {
  // The read itself is kept, not its result: when an entry lapses, the 32 buys that miss it
  // at once share one read instead of queueing 32 on SQLite's lane (measured: ~20 catalog
  // reads a second under load, each through TypeORM's query builder).
  const catalogCache = new LRUCache<string, { value: Promise<unknown> }>({
    max: 1000,
    ttl: CATALOG_CACHE_MS,
  });
  const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const hit = catalogCache.get(key);
    if (hit) return hit.value as Promise<T>;
    const entry = { value: load() };
    catalogCache.set(key, entry);
    // A failed read is not kept: the next call tries again.
    entry.value.catch(() => {
      if (catalogCache.get(key) === entry) catalogCache.delete(key);
    });
    return entry.value;
  };
  const usersByKey = new LRUCache<
    string,
    { id: string; name: string; isAdmin: boolean; keyId: string }
  >({
    max: 10_000,
    ttl: API_KEY_CACHE_MS,
  });
  const attempts = new AttemptWriter(store, ATTEMPT_FLUSH_MS, ATTEMPT_BATCH);
  const userRecord = async (userId: string): Promise<UserRecord | null> => {
    const user = await store.users.findById(userId);
    if (!user) return null;
    const wallet = await store.users.getWallet(userId);
    return {
      id: user.id,
      name: user.name,
      isAdmin: user.isAdmin,
      available: Money.ofMinor(wallet.availableMinor, wallet.currency),
      held: Money.ofMinor(wallet.heldMinor, wallet.currency),
    };
  };
  const requireUserRecord = async (userId: string): Promise<UserRecord> => {
    const user = await userRecord(userId);
    if (!user) throw new Error(`user ${userId} vanished`);
    return user;
  };

  return {
    async findUserByApiKey(apiKey) {
      // Keyed by the hash: the cache never holds a key in clear.
      const hash = hashApiKey(apiKey);
      const known = usersByKey.get(hash);
      if (known) return known;
      // A revoked key or a disabled user is null (UNAUTHENTICATED), and never cached.
      const found = await store.apiKeys.authenticate(apiKey);
      if (!found) return null;
      const { user } = found;
      const record = { id: user.id, name: user.name, isAdmin: user.isAdmin, keyId: found.keyId };
      usersByKey.set(hash, record);
      return record;
    },
    clearApiKeyCache: () => usersByKey.clear(),
    getUser: userRecord,
    async createUser(name, actor) {
      const created = await store.users.createUser({ name, ...(actor ? { actor } : {}) });
      return { user: await requireUserRecord(created.user.id), apiKey: created.apiKey };
    },
    async creditWallet(userId, amount, reference, actor) {
      await store.users.creditWallet({
        userId,
        amountMinor: amount.minor,
        reference,
        ...(actor ? { actor } : {}),
      });
      return requireUserRecord(userId);
    },

    findOrder: (orderId) => store.orders.findOrder(orderId),
    async listOrders(userId, page) {
      const result = await store.orders.listOrders(userId, {
        first: page.first,
        after: page.after ?? null,
        status: page.status ?? null,
      });
      return {
        orders: result.orders,
        hasNextPage: result.hasNextPage,
        cursorOf: (order) => store.orders.cursorOf(order),
      };
    },
    messagesOfOrders: (orderIds) => store.orders.messagesByOrder(orderIds),
    countOpenOrdersByProvider: () => store.orders.openOrderCounts(),

    recordPushedSms: (providerId, upstreamRef, sms) =>
      store.orders.recordPushedSms(providerId, upstreamRef, sms),

    eventsAfter: (afterId, limit, userId) =>
      store.orders.eventsAfter(afterId, limit, userId ? { userId } : {}),
    latestEventId: () => store.orders.latestEventId(),

    async listOffers(service, country, options = {}) {
      const inStockOnly = options.includeEmpty !== true;
      return cached(`offers:${service}:${country ?? '*'}${inStockOnly ? '' : ':all'}`, () =>
        store.offers.findOffers({ service, country: country ?? null, inStockOnly }),
      );
    },
    async providerStates() {
      const states = await cached('provider-states', () => store.providers.list());
      return new Map(
        states.map((state) => [
          state.providerId,
          {
            providerId: state.providerId,
            healthy:
              state.healthy && !(state.breakerOpenUntil && state.breakerOpenUntil > new Date()),
            balance: state.balance,
            lastError: state.lastError,
          },
        ]),
      );
    },

    async createPendingOrder(order) {
      const result = await store.orders.createPendingOrder({
        userId: order.userId,
        service: order.service,
        country: order.country,
        operator: order.operator,
        providerId: order.providerId,
        priceMinor: order.price.minor,
        currency: order.price.currency,
        idempotencyKey: order.idempotencyKey,
        ttlSeconds: order.ttlSeconds,
        reconcileAt: order.reconcileAt,
        now: order.now,
        ...(order.buyStarted ? { buyStarted: true } : {}),
      });
      return { order: result.order, created: result.created };
    },
    async applyOrderCommand(orderId, command, extra = {}) {
      const result = await store.orders.applyOrderCommand(orderId, command, {
        ...(extra.providerId ? { providerId: extra.providerId } : {}),
        ...(extra.operator !== undefined ? { operator: extra.operator } : {}),
        ...(extra.cost ? { costMinor: extra.cost.minor, costCurrency: extra.cost.currency } : {}),
        ...(extra.expectedStatus ? { expectedStatus: extra.expectedStatus } : {}),
      });
      return result.order;
    },
    recordBuyAttempt: (orderId, providerId, now, operator) =>
      store.orders.recordBuyAttempt(orderId, providerId, now, operator),
    reconcileAt: (orderId, at) => store.orders.reconcileAt(orderId, at),
    async recordAttempt(attempt) {
      attempts.add({
        orderId: attempt.orderId,
        providerId: attempt.providerId,
        operation: attempt.operation,
        outcome: attempt.ok ? 'OK' : 'ERROR',
        errorCode: attempt.errorCode,
        durationMs: attempt.durationMs,
        now: new Date(),
      });
    },
    flush: () => attempts.flush(),
    stats: {
      orderSales: (since) => store.stats.orderSales(since),
      ordersByStatus: (since) => store.stats.ordersByStatus(since),
      walletTotals: (currency) => store.stats.walletTotals(currency),
      upstreamCalls: (since) => store.stats.upstreamCalls(since),
      minOfferCosts: () => store.stats.minOfferCosts(),
      breakers: async () =>
        (await store.providers.list()).map(({ balance, ...state }) => ({
          ...state,
          balanceMinor: balance?.minor ?? null,
          balanceCurrency: balance?.currency ?? null,
        })),
    },
  };
}

/** Collects attempt rows and writes them together: one transaction per batch instead of one
 *  per upstream call. `flush()` at shutdown writes what is left. */
class AttemptWriter {
  private pending: AttemptInput[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly flushMs: number,
    private readonly batch: number,
  ) {}

  add(attempt: AttemptInput): void {
    this.pending.push(attempt);
    if (this.pending.length >= this.batch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pending;
    this.pending = [];
    if (rows.length > 0) {
      this.writing = this.writing
        .then(() => this.store.orders.recordAttempts(rows))
        .catch(() => {
          // Statistics only: a failed write must never fail a buy. Keep nothing for a retry,
          // so a broken database cannot grow this buffer without bound.
        });
    }
    return this.writing;
  }
}
