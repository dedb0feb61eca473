import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nextPollDelayMs } from './poll-schedule.js';

describe('nextPollDelayMs', () => {
  it('polls young orders at the configured interval', () => {
    expect(nextPollDelayMs(0, 2000)).toBe(2000);
    expect(nextPollDelayMs(119_999, 2000)).toBe(2000);
  });

  it('slows down for older orders but never beyond three intervals', () => {
    expect(nextPollDelayMs(3 * 60_000, 2000)).toBe(4000);
    expect(nextPollDelayMs(60 * 60_000, 2000)).toBe(6000);
    for (let age = 0; age < 3_600_000; age += 7_919) {
      expect(nextPollDelayMs(age, 1500)).toBeLessThanOrEqual(4500);
    }
  });
});

describe('backoffDelayMs', () => {
  it('doubles per attempt up to the cap', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffDelayMs(n, 1000, 30_000))).toEqual([
      1000, 2000, 4000, 8000, 30_000,
    ]);
  });
});
