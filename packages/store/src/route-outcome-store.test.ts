import type { OrderCommand } from '@numbroker/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from './store.js';
import { DATABASE_KINDS } from './testing/databases.js';
import { purchasedCommand, useFreshStore } from './test-support/fresh-store.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const MINUTE = 60_000;
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);

describe.each(DATABASE_KINDS)('route outcomes on %s', (kind) => {
  let store: Store;
  useFreshStore(kind, (opened) => {
    store = opened;
  });
  let userId: string;

  beforeAll(async () => {
    const { user } = await store.users.createUser({ name: 'routing' });
    userId = user.id;
    await store.users.creditWallet({ userId, amountMinor: 1_000_000n, reference: 'seed' });

    // "fast", telegram RU: codes, a completion, a report, an expiry, an upstream end.
    await order({ ended: 10, then: [{ type: 'CODE_RECEIVED' }] });
    await order({ ended: 11, then: [{ type: 'CODE_RECEIVED' }, { type: 'FINISH' }] });
    await order({
      ended: 12,
      then: [{ type: 'CODE_RECEIVED' }, { type: 'REPORT', upstreamRefunded: false }],
    });
    await order({ ended: 13, then: [{ type: 'EXPIRE' }] });
    await order({ ended: 14, then: [{ type: 'UPSTREAM_ENDED' }] });
    // A cancel 30 s after buying: the customer's choice, not counted. One 5 minutes in: no code.
    await order({ created: 20, ended: 20.5, then: [{ type: 'CANCEL' }] });
    await order({ created: 20, ended: 25, then: [{ type: 'CANCEL' }] });
    // Still waiting, or never sold: no outcome yet / none to learn from.
    await order({ ended: 15, then: [] });
    await order({ ended: 15, then: [], failed: true });
    // Another route of the same provider, and another provider.
    await order({ ended: 16, country: 'TR', then: [{ type: 'EXPIRE' }] });
    await order({ ended: 17, provider: 'slow', then: [{ type: 'EXPIRE' }] });
    // Ended before the window.
    await order({ created: -120, ended: -61, then: [{ type: 'CODE_RECEIVED' }] });
  });

  async function order(input: {
    created?: number;
    ended: number;
    provider?: string;
    country?: string;
    then: OrderCommand[];
    failed?: boolean;
  }) {
    const created = at(input.created ?? input.ended - 1);
    const { order } = await store.orders.createPendingOrder({
      userId,
      service: 'telegram',
      country: input.country ?? 'RU',
      providerId: input.provider ?? 'fast',
      priceMinor: 100n,
      currency: 'IRT',
      ttlSeconds: 1200,
      now: created,
    });
    const now = at(input.ended);
    if (input.failed) {
      await store.orders.applyOrderCommand(
        order.id,
        { type: 'PURCHASE_FAILED', reason: 'none' },
        { now },
      );
      return;
    }
    await store.orders.applyOrderCommand(order.id, purchasedCommand(), { now: created });
    for (const command of input.then) {
      await store.orders.applyOrderCommand(order.id, command, {
        now,
        ...(command.type === 'CODE_RECEIVED' ? { sms: { code: '1234', text: 'code 1234' } } : {}),
      });
    }
  }

  it('counts, per route, orders that got a code over those that ended, since a moment', async () => {
    const rows = await store.routeOutcomes.outcomes({ since: at(0), cancelGraceMs: 2 * MINUTE });
    expect(rows).toEqual([
      // 3 with a code (CODE_RECEIVED, COMPLETED, REPORTED); EXPIRED twice; the late cancel.
      { providerId: 'fast', service: 'telegram', country: 'RU', samples: 6, codes: 3 },
      { providerId: 'fast', service: 'telegram', country: 'TR', samples: 1, codes: 0 },
      { providerId: 'slow', service: 'telegram', country: 'RU', samples: 1, codes: 0 },
    ]);
  });

  it('slides: only outcomes at or after `since`, and the grace decides which cancels count', async () => {
    expect(
      await store.routeOutcomes.outcomes({ since: at(14), cancelGraceMs: 2 * MINUTE }),
    ).toEqual([
      { providerId: 'fast', service: 'telegram', country: 'RU', samples: 2, codes: 0 },
      { providerId: 'fast', service: 'telegram', country: 'TR', samples: 1, codes: 0 },
      { providerId: 'slow', service: 'telegram', country: 'RU', samples: 1, codes: 0 },
    ]);
    const noGrace = await store.routeOutcomes.outcomes({ since: at(20), cancelGraceMs: 0 });
    expect(noGrace).toEqual([
      { providerId: 'fast', service: 'telegram', country: 'RU', samples: 2, codes: 0 },
    ]);
    const longGrace = await store.routeOutcomes.outcomes({
      since: at(20),
      cancelGraceMs: 10 * MINUTE,
    });
    expect(longGrace).toEqual([]);
    expect(
      (await store.routeOutcomes.outcomes({ since: at(-90), cancelGraceMs: 0 }))[0],
    ).toMatchObject({ providerId: 'fast', country: 'RU', codes: 4 });
  });

  it('reads the partial index, not the table', async () => {
    const runner = store.db.dataSource.createQueryRunner();
    try {
      const condition = `"status" IN ('CODE_RECEIVED', 'COMPLETED', 'REPORTED', 'EXPIRED', 'CANCELLED')`;
      const from =
        kind === 'sqlite' ? '"orders" INDEXED BY "IDX_orders_outcome_updated"' : '"orders"';
      const query = `SELECT "provider_id", "service", "country", COUNT(*), MIN("created_at") FROM ${from}
        WHERE ${condition} AND "updated_at" >= 0 AND "provider_id" IS NOT NULL
        GROUP BY "provider_id", "service", "country"`;
      let plan: string;
      if (kind === 'sqlite') {
        const rows = (await runner.query(`EXPLAIN QUERY PLAN ${query}`)) as { detail: string }[];
        plan = rows.map((row) => row.detail).join('\n');
      } else {
        // A handful of rows: make the planner show the path it takes on a big table.
        await runner.query('SET enable_seqscan = off');
        const rows = (await runner.query(`EXPLAIN ${query}`)) as { 'QUERY PLAN': string }[];
        plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        await runner.query('RESET enable_seqscan');
      }
      expect(plan).toContain('IDX_orders_outcome_updated');
      // SQLite: covering, the rows themselves are never read. (Postgres reads them index-only
      // once VACUUM has marked the pages all-visible; a fresh table is a bitmap scan.)
      if (kind === 'sqlite') expect(plan).toContain('COVERING INDEX');
    } finally {
      await runner.release();
    }
  });
});
