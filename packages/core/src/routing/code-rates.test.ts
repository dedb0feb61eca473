import { describe, expect, it } from 'vitest';
import { CodeRateTable } from './index.js';

const route = { providerId: 'man', service: 'telegram', country: 'RU' };

describe('CodeRateTable', () => {
  it('answers a route’s rate, trusted from minSamples on', () => {
    const table = new CodeRateTable(
      [
        { ...route, samples: 4, codes: 3 },
        { ...route, country: 'TR', samples: 3, codes: 2 },
      ],
      { minSamples: 4 },
    );
    expect(table.route(route)).toEqual({ samples: 4, codes: 3, codeRate: 0.75, trusted: true });
    expect(table.route({ ...route, country: 'TR' })).toEqual({
      samples: 3,
      codes: 2,
      codeRate: 2 / 3,
      trusted: false,
    });
    expect(table.route({ ...route, country: 'KZ' })).toEqual({
      samples: 0,
      codes: 0,
      trusted: false,
    });
  });

  it('treats service and country case-insensitively', () => {
    const table = new CodeRateTable([
      { ...route, service: 'Telegram', country: 'ru', samples: 1, codes: 1 },
    ]);
    expect(table.route(route).samples).toBe(1);
  });

  it('aggregates a provider over its routes', () => {
    const table = new CodeRateTable([
      { ...route, samples: 1, codes: 1 },
      { ...route, country: 'TR', samples: 1, codes: 0 },
      { ...route, providerId: 'mana', samples: 5, codes: 0 },
    ]);
    expect(table.provider('man')).toMatchObject({ samples: 2, codes: 1, codeRate: 0.5 });
    expect(table.provider('nobody')).toEqual({ samples: 0, codes: 0, trusted: false });
  });

  it('ignores counts that cannot be (no samples, more codes than samples)', () => {
    const table = new CodeRateTable([
      { ...route, samples: 0, codes: 0 },
      { ...route, samples: 2, codes: 3 },
      { ...route, samples: Number.NaN, codes: 1 },
    ]);
    expect(table.route(route).samples).toBe(0);
  });

  it('refuses nonsense options', () => {
    expect(() => new CodeRateTable([], { minSamples: 0 })).toThrow(/minSamples/);
    expect(() => new CodeRateTable([], { minSamples: 1.5 })).toThrow(RangeError);
  });
});
