import { DEFAULT_MIN_CODE_RATE_SAMPLES } from './rank-offers.js';

export interface RouteKey {
  providerId: string;
  service: string;
  country: string;
}

export interface CodeRateStats {
  /** Outcomes inside the window. */
  samples: number;
  codes: number;
  /** codes / samples; undefined with no samples. */
  codeRate?: number;
  /** samples ≥ minSamples: the rate is worth ranking by. */
  trusted: boolean;
}

export interface CodeRateWindowOptions {
  /** How far back outcomes count. Default one hour. */
  windowMs?: number;
  minSamples?: number;
  /** Newest outcomes kept per route, bounding memory on busy routes. Default 1000. */
  maxSamplesPerRoute?: number;
}

interface Outcome {
  at: number;
  gotCode: boolean;
}

/**
 * Did orders get their code, per (provider, service, country), over a sliding time window.
 * Pure bookkeeping: the caller passes `now` (ms) to every call, so tests need no clock.
 * An outcome is recorded when an order ends: a code arrived (true) or it expired / the
 * upstream ended it without one (false). Customer cancels say nothing about the provider and
 * should not be recorded.
 */
export class CodeRateWindow {
  private readonly windowMs: number;
  private readonly minSamples: number;
  private readonly maxSamples: number;
  private readonly routes = new Map<string, Outcome[]>();

  constructor(options: CodeRateWindowOptions = {}) {
    this.windowMs = positive(options.windowMs ?? 3_600_000, 'windowMs');
    this.minSamples = positive(options.minSamples ?? DEFAULT_MIN_CODE_RATE_SAMPLES, 'minSamples');
    this.maxSamples = positive(options.maxSamplesPerRoute ?? 1000, 'maxSamplesPerRoute');
  }

  record(route: RouteKey, gotCode: boolean, now: number): void {
    const key = routeKey(route);
    const outcomes = this.routes.get(key) ?? [];
    // Keep the list sorted by time even if outcomes are recorded out of order.
    let index = outcomes.length;
    while (index > 0 && (outcomes[index - 1] as Outcome).at > now) index--;
    outcomes.splice(index, 0, { at: now, gotCode });
    if (outcomes.length > this.maxSamples) outcomes.splice(0, outcomes.length - this.maxSamples);
    this.routes.set(key, outcomes);
    this.prune(key, now);
  }

  /** One route's stats at `now`. */
  stats(route: RouteKey, now: number): CodeRateStats {
    const key = routeKey(route);
    this.prune(key, now);
    return this.summarise(this.routes.get(key) ?? [], now);
  }

  /** A provider's stats over all its routes (for the admin view, or a route with no data). */
  providerStats(providerId: string, now: number): CodeRateStats {
    const prefix = `${providerId}\u0000`;
    const all: Outcome[] = [];
    for (const key of [...this.routes.keys()]) {
      if (!key.startsWith(prefix)) continue;
      this.prune(key, now);
      all.push(...(this.routes.get(key) ?? []));
    }
    return this.summarise(all, now);
  }

  private summarise(outcomes: readonly Outcome[], now: number): CodeRateStats {
    let samples = 0;
    let codes = 0;
    for (const outcome of outcomes) {
      // Outcomes stamped after `now` (a caller's clock going back) don't count yet.
      if (outcome.at > now) continue;
      samples++;
      if (outcome.gotCode) codes++;
    }
    return {
      samples,
      codes,
      ...(samples === 0 ? {} : { codeRate: codes / samples }),
      trusted: samples >= this.minSamples,
    };
  }

  private prune(key: string, now: number): void {
    const outcomes = this.routes.get(key);
    if (!outcomes) return;
    const oldest = now - this.windowMs;
    let drop = 0;
    while (drop < outcomes.length && (outcomes[drop] as Outcome).at <= oldest) drop++;
    if (drop === outcomes.length) this.routes.delete(key);
    else if (drop > 0) outcomes.splice(0, drop);
  }
}

function routeKey(route: RouteKey): string {
  return `${route.providerId}\u0000${route.service.toLowerCase()}\u0000${route.country.toUpperCase()}`;
}

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`CodeRateWindow ${what} must be positive`);
  return value;
}
