import type { RouteOutcomeQuery, RouteOutcomeRow } from '@numbroker/store';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { CodeRates } from './code-rates.js';

const route = { providerId: 'a', service: 'telegram', country: 'RU' };

function harness(rows: () => Promise<RouteOutcomeRow[]>) {
  let clock = 1_000_000;
  const queries: RouteOutcomeQuery[] = [];
  const rates = new CodeRates({
    load: (query) => {
      queries.push(query);
      return rows();
    },
    windowMs: 3_600_000,
    cancelGraceMs: 120_000,
    refreshMs: 30_000,
    minSamples: 2,
    logger: createLogger({ level: 'silent' }),
    now: () => clock,
  });
  return { rates, queries, advance: (ms: number) => (clock += ms) };
}

describe('CodeRates', () => {
  it('reads the window once, then answers from its copy until the refresh is due', async () => {
    let samples = 4;
    const { rates, queries, advance } = harness(async () => [{ ...route, samples, codes: 3 }]);
    expect((await rates.get()).route(route)).toMatchObject({ samples: 4, codeRate: 0.75 });
    expect(queries).toEqual([{ since: new Date(1_000_000 - 3_600_000), cancelGraceMs: 120_000 }]);
    advance(29_999);
    await rates.get();
    expect(queries).toHaveLength(1);

    // Due: the stale copy is answered at once, the new one read behind it.
    samples = 6;
    advance(1);
    expect((await rates.get()).route(route).samples).toBe(4);
    await rates.refresh();
    expect(queries).toHaveLength(2);
    expect((await rates.get()).route(route).samples).toBe(6);
  });

  it('concurrent callers share one read', async () => {
    let release!: (rows: RouteOutcomeRow[]) => void;
    const { rates, queries } = harness(
      () => new Promise<RouteOutcomeRow[]>((resolve) => (release = resolve)),
    );
    const calls = [rates.get(), rates.get(), rates.get()];
    release([{ ...route, samples: 2, codes: 2 }]);
    const tables = await Promise.all(calls);
    expect(queries).toHaveLength(1);
    expect(tables.every((table) => table.route(route).trusted)).toBe(true);
  });

  it('a failed read keeps the last copy and is not retried before the next refresh', async () => {
    let fail = false;
    const { rates, queries, advance } = harness(async () => {
      if (fail) throw new Error('database gone');
      return [{ ...route, samples: 2, codes: 1 }];
    });
    await rates.get();
    fail = true;
    advance(30_000);
    await rates.refresh();
    expect((await rates.get()).route(route).codeRate).toBe(0.5);
    await rates.get();
    expect(queries).toHaveLength(2);
  });

  it('with no copy yet and a failing read, every provider is neutral', async () => {
    const { rates } = harness(async () => {
      throw new Error('database gone');
    });
    expect((await rates.get()).route(route)).toEqual({ samples: 0, codes: 0, trusted: false });
  });
});
