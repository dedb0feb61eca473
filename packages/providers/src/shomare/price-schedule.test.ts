import { Money } from '@numbroker/core';
import { describe, expect, it } from 'vitest';
import type { Offer } from '../adapter.js';
import { PriceSchedule } from './price-schedule.js';

const offer = (ref: string): Offer => ({
  service: 'telegram',
  country: 'RU',
  cost: Money.parse('1000', 'IRT'),
  stock: 1,
  ref,
});

describe('shomare price schedule', () => {
  it('asks selling pairs first (stalest first), then new ones, then stale empty ones, within the budget', () => {
    const schedule = new PriceSchedule({ maxRequestsPerSync: 4, emptyRefreshMs: 1000 });
    schedule.record('sells-old', [offer('a')], 0);
    schedule.record('sells-new', [offer('b')], 500);
    schedule.record('empty-stale', [], 0);
    schedule.record('empty-fresh', [], 900);
    const keys = ['new-1', 'empty-fresh', 'sells-new', 'empty-stale', 'sells-old', 'new-2'];
    expect(schedule.due(keys, 1000)).toEqual(['sells-old', 'sells-new', 'new-1', 'new-2']);
    expect(new PriceSchedule({ maxRequestsPerSync: 10, emptyRefreshMs: 1000 }).due([], 0)).toEqual(
      [],
    );
    const roomy = new PriceSchedule({ maxRequestsPerSync: 10, emptyRefreshMs: 1000 });
    roomy.record('empty-stale', [], 0);
    roomy.record('empty-fresh', [], 900);
    expect(roomy.due(['empty-fresh', 'empty-stale'], 1000)).toEqual(['empty-stale']);
  });

  it('keeps the offers of pairs not asked this time, and forgets pairs gone from the lists', () => {
    const schedule = new PriceSchedule();
    schedule.record('x', [offer('x1'), offer('x2')], 0);
    schedule.record('y', [offer('y1')], 0);
    expect(schedule.offers(['x', 'y', 'z']).map((o) => o.ref)).toEqual(['x1', 'x2', 'y1']);
    expect(schedule.offers(['y']).map((o) => o.ref)).toEqual(['y1']);
    // "x" left the lists: asked again as a new pair if it comes back.
    expect(schedule.due(['x', 'y'], 1)).toEqual(['y', 'x']);
  });
});
