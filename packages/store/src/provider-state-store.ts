import { Money } from '@numbroker/core';
import { intParam, millis } from './columns.js';
import { sql, type Database } from './database.js';
import { ProviderStateEntity } from './entities/provider-state.entity.js';
import type { ProviderStateView } from './views.js';

function toProviderStateView(state: ProviderStateEntity): ProviderStateView {
  return {
    providerId: state.providerId,
    healthy: state.healthy,
    consecutiveFailures: state.consecutiveFailures,
    breakerOpenUntil: state.breakerOpenUntil,
    balance:
      state.balanceMinor !== null && state.balanceCurrency
        ? Money.ofMinor(state.balanceMinor, state.balanceCurrency)
        : null,
    lastError: state.lastError,
    updatedAt: state.updatedAt,
  };
}

export interface BreakerPolicy {
  /** Consecutive failures that open the breaker (default 5). */
  threshold?: number;
  /** How long an open breaker keeps the provider out of routing (default 30 s). */
  openMs?: number;
}

/** Whether routing may use the provider now: healthy, or its breaker's time is up (half-open:
 *  the next call decides). A provider never seen is usable. */
export function providerUsable(
  state: Pick<ProviderStateView, 'healthy' | 'breakerOpenUntil'> | null | undefined,
  now: Date,
): boolean {
  if (!state) return true;
  if (state.healthy) return true;
  return state.breakerOpenUntil === null || state.breakerOpenUntil.getTime() <= now.getTime();
}

export class ProviderStateStore {
  constructor(private readonly db: Database) {}

  async get(providerId: string): Promise<ProviderStateView | null> {
    const state = await this.db.read((m) =>
      m.findOne(ProviderStateEntity, { where: { providerId } }),
    );
    return state ? toProviderStateView(state) : null;
  }

  async list(): Promise<ProviderStateView[]> {
    const states = await this.db.read((m) =>
      m.find(ProviderStateEntity, { order: { providerId: 'ASC' } }),
    );
    return states.map(toProviderStateView);
  }

  /** A call succeeded: healthy, breaker closed, failure count reset. */
  async recordSuccess(providerId: string, now: Date = new Date()): Promise<void> {
    await this.db.transaction((tx) =>
      sql(
        tx,
        `INSERT INTO provider_state (provider_id, healthy, consecutive_failures, breaker_open_until, last_error, updated_at)
         VALUES (?, ?, 0, NULL, NULL, CAST(? AS BIGINT))
         ON CONFLICT (provider_id) DO UPDATE SET healthy = excluded.healthy, consecutive_failures = 0,
           breaker_open_until = NULL, last_error = NULL, updated_at = excluded.updated_at`,
        [providerId, true, millis(now)],
      ),
    );
  }

  /**
   * A call failed (upstream fault, not a business answer like "no numbers"). Counted atomically
   * in SQL, so concurrent workers never lose a failure; at `threshold` the breaker opens for
   * `openMs`, and every further failure while unhealthy re-opens it.
   * `error` must already be free of secrets (an error code and short message).
   */
  async recordFailure(
    providerId: string,
    error: string,
    now: Date = new Date(),
    policy: BreakerPolicy = {},
  ): Promise<ProviderStateView> {
    const threshold = Math.max(1, policy.threshold ?? 5);
    const openUntil = millis(new Date(now.getTime() + (policy.openMs ?? 30_000)));
    const lastError = error.slice(0, 500);
    return this.db.transaction(async (tx) => {
      await sql(
        tx,
        `INSERT INTO provider_state (provider_id, healthy, consecutive_failures, breaker_open_until, last_error, updated_at)
         VALUES (?, ?, 1, CAST(? AS BIGINT), ?, CAST(? AS BIGINT))
         ON CONFLICT (provider_id) DO UPDATE SET
           consecutive_failures = provider_state.consecutive_failures + 1,
           healthy = CASE WHEN provider_state.consecutive_failures + 1 >= CAST(? AS INTEGER) THEN ? ELSE provider_state.healthy END,
           breaker_open_until = CASE WHEN provider_state.consecutive_failures + 1 >= CAST(? AS INTEGER)
             THEN CAST(? AS BIGINT) ELSE provider_state.breaker_open_until END,
           last_error = excluded.last_error, updated_at = excluded.updated_at`,
        [
          providerId,
          threshold > 1,
          threshold > 1 ? null : openUntil,
          lastError,
          millis(now),
          String(threshold),
          false,
          String(threshold),
          openUntil,
        ],
      );
      return toProviderStateView(
        await tx.findOneOrFail(ProviderStateEntity, { where: { providerId } }),
      );
    });
  }

  /** The upstream balance as last read. */
  async setBalance(providerId: string, balance: Money, now: Date = new Date()): Promise<void> {
    await this.db.transaction((tx) =>
      sql(
        tx,
        `INSERT INTO provider_state (provider_id, healthy, consecutive_failures, balance_minor, balance_currency, updated_at)
         VALUES (?, ?, 0, CAST(? AS BIGINT), ?, CAST(? AS BIGINT))
         ON CONFLICT (provider_id) DO UPDATE SET balance_minor = excluded.balance_minor,
           balance_currency = excluded.balance_currency, updated_at = excluded.updated_at`,
        [providerId, true, intParam(balance.minor), balance.currency, millis(now)],
      ),
    );
  }
}
