import { describe, expect, it } from 'vitest';
import { CodeRateWindow } from './index.js';

const route = { providerId: 'man', service: 'telegram', country: 'RU' };
const MINUTE = 60_000;

describe('CodeRateWindow', () => {
  it('counts codes over samples per route', () => {
    const window = new CodeRateWindow({ windowMs: 10 * MINUTE, minSamples: 4 });
    window.record(route, true, 0);
    window.record(route, false, 1);
    window.record(route, true, 2);
    expect(window.stats(route, 3)).toEqual({
      samples: 3,
      codes: 2,
      codeRate: 2 / 3,
      trusted: false,
    });
    window.record(route, true, 4);
    expect(window.stats(route, 5)).toMatchObject({
      samples: 4,
      codes: 3,
      codeRate: 0.75,
      trusted: true,
    });
    expect(window.stats({ ...route, country: 'TR' }, 5)).toEqual({
      samples: 0,
      codes: 0,
      trusted: false,
    });
  });

  it('treats service and country case-insensitively', () => {
    const window = new CodeRateWindow();
    window.record({ providerId: 'man', service: 'Telegram', country: 'ru' }, true, 0);
    expect(window.stats(route, 1).samples).toBe(1);
  });

  it('forgets outcomes older than the window', () => {
    const window = new CodeRateWindow({ windowMs: 10 * MINUTE });
    window.record(route, false, 0);
    window.record(route, true, 5 * MINUTE);
    expect(window.stats(route, 9 * MINUTE)).toMatchObject({ samples: 2, codes: 1 });
    expect(window.stats(route, 10 * MINUTE)).toMatchObject({ samples: 1, codes: 1, codeRate: 1 });
    expect(window.stats(route, 15 * MINUTE)).toEqual({ samples: 0, codes: 0, trusted: false });
  });

  it('keeps at most maxSamplesPerRoute, the newest', () => {
    const window = new CodeRateWindow({ maxSamplesPerRoute: 3 });
    window.record(route, false, 0);
    window.record(route, true, 1);
    window.record(route, true, 2);
    window.record(route, true, 3);
    expect(window.stats(route, 4)).toMatchObject({ samples: 3, codes: 3 });
  });

  it('accepts out-of-order records and ignores ones stamped in the future', () => {
    const window = new CodeRateWindow({ windowMs: 10 * MINUTE });
    window.record(route, true, 5 * MINUTE);
    window.record(route, false, 1 * MINUTE);
    expect(window.stats(route, 2 * MINUTE)).toMatchObject({ samples: 1, codes: 0 });
    expect(window.stats(route, 6 * MINUTE)).toMatchObject({ samples: 2, codes: 1 });
    expect(window.stats(route, 12 * MINUTE)).toMatchObject({ samples: 1, codes: 1 });
  });

  it('aggregates a provider over its routes', () => {
    const window = new CodeRateWindow();
    window.record(route, true, 0);
    window.record({ ...route, country: 'TR' }, false, 0);
    window.record({ ...route, providerId: 'mana' }, false, 0);
    expect(window.providerStats('man', 1)).toMatchObject({ samples: 2, codes: 1, codeRate: 0.5 });
  });

  it('refuses nonsense options', () => {
    expect(() => new CodeRateWindow({ windowMs: 0 })).toThrow(RangeError);
    expect(() => new CodeRateWindow({ minSamples: -1 })).toThrow(/minSamples/);
  });
});
