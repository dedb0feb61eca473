import { describe, expect, it } from 'vitest';
import { afterProbe, HEALTHY, probeDue, type ProviderHealth } from './provider-health.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('provider breaker', () => {
  it('stays healthy below the failure threshold', () => {
    let health: ProviderHealth = HEALTHY;
    health = afterProbe(health, false, t0);
    health = afterProbe(health, false, t0);
    expect(health).toEqual({ healthy: true, consecutiveFailures: 2, breakerOpenUntil: null });
  });

  it('opens at the threshold, backs off, and a success closes it', () => {
    let health: ProviderHealth = HEALTHY;
    for (let i = 0; i < 3; i++) health = afterProbe(health, false, t0);
    expect(health.healthy).toBe(false);
    expect(health.breakerOpenUntil).toEqual(at(15_000));
    expect(probeDue(health, at(14_999))).toBe(false);
    expect(probeDue(health, at(15_000))).toBe(true);
    health = afterProbe(health, false, at(15_000));
    expect(health.breakerOpenUntil).toEqual(at(45_000));
    health = afterProbe(health, true, at(45_000));
    expect(health).toEqual(HEALTHY);
  });

  it('caps the open period', () => {
    let health: ProviderHealth = HEALTHY;
    for (let i = 0; i < 40; i++) health = afterProbe(health, false, t0);
    expect(health.breakerOpenUntil).toEqual(at(5 * 60_000));
  });
});
