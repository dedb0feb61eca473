import { DEFAULT_MIN_CODE_RATE_SAMPLES } from './rank-offers.js';

export interface RouteKey {
  providerId: string;
  service: string;
  country: string;
}

/** How many orders of a route ended in the window, and how many of them got a code. */
export interface RouteOutcomeCount extends RouteKey {
  samples: number;
  codes: number;
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

/**
 * Did orders get their code, per (provider, service, country): the figures success-rate
 * routing ranks by, built from counts the store adds up over a sliding window (the window
 * itself is the store's query; this is the lookup). Immutable: a refresh builds a new table.
 */
export class CodeRateTable {
  private readonly routes = new Map<string, { samples: number; codes: number }>();
  private readonly providers = new Map<string, { samples: number; codes: number }>();
  private readonly minSamples: number;

  constructor(counts: readonly RouteOutcomeCount[] = [], options: { minSamples?: number } = {}) {
    const minSamples = options.minSamples ?? DEFAULT_MIN_CODE_RATE_SAMPLES;
    if (!Number.isInteger(minSamples) || minSamples < 1)
      throw new RangeError('CodeRateTable minSamples must be a positive integer');
    this.minSamples = minSamples;
    for (const count of counts) {
      if (!(count.samples > 0) || !(count.codes >= 0) || count.codes > count.samples) continue;
      add(this.routes, routeKey(count), count);
      add(this.providers, count.providerId, count);
    }
  }

  /** One route's figures. */
  route(route: RouteKey): CodeRateStats {
    return this.stats(this.routes.get(routeKey(route)));
  }

  /** A provider's figures over all its routes (the admin view). */
  provider(providerId: string): CodeRateStats {
    return this.stats(this.providers.get(providerId));
  }

  private stats(sum: { samples: number; codes: number } | undefined): CodeRateStats {
    const samples = sum?.samples ?? 0;
    const codes = sum?.codes ?? 0;
    return {
      samples,
      codes,
      ...(samples === 0 ? {} : { codeRate: codes / samples }),
      trusted: samples >= this.minSamples,
    };
  }
}

function add(
  sums: Map<string, { samples: number; codes: number }>,
  key: string,
  count: { samples: number; codes: number },
): void {
  const sum = sums.get(key) ?? { samples: 0, codes: 0 };
  sum.samples += count.samples;
  sum.codes += count.codes;
  sums.set(key, sum);
}

function routeKey(route: RouteKey): string {
  return `${route.providerId}\u0000${route.service.toLowerCase()}\u0000${route.country.toUpperCase()}`;
}
