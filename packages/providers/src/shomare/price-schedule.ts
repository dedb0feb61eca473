/**
 * Which `pricebycountry` pairs (country × operator) one catalog sync asks about, and the offers
 * of the others from the last time they were asked.
 *
 * The doc has no "every price" call: one request per pair. With a global operator list that is
 * every country × every operator on every sync — hundreds of requests a minute for pairs that
 * mostly sell nothing. So each sync refreshes at most `maxRequestsPerSync` pairs: first the pairs
 * that had offers (stalest first, so prices and stock stay fresh where we sell), then pairs never
 * asked (discovery), then pairs that answered nothing and were last asked `emptyRefreshMs` ago.
 * The rest of the work is spread over the next syncs; a pair not asked this time keeps the offers
 * of its last answer.
 */
import type { Offer } from '../adapter.js';

export interface PriceScheduleOptions {
  /** Pairs asked about at most per sync (default 120). */
  maxRequestsPerSync?: number;
  /** A pair that sold nothing is asked again after this long (default 15 minutes). */
  emptyRefreshMs?: number;
}

interface Answered {
  offers: Offer[];
  at: number;
}

export const DEFAULT_PRICE_REQUESTS_PER_SYNC = 120;
export const DEFAULT_EMPTY_REFRESH_MS = 15 * 60_000;

export class PriceSchedule {
  private readonly answers = new Map<string, Answered>();
  private readonly maxRequests: number;
  private readonly emptyRefreshMs: number;

  constructor(options: PriceScheduleOptions = {}) {
    this.maxRequests = Math.max(1, options.maxRequestsPerSync ?? DEFAULT_PRICE_REQUESTS_PER_SYNC);
    this.emptyRefreshMs = Math.max(0, options.emptyRefreshMs ?? DEFAULT_EMPTY_REFRESH_MS);
  }

  /** The keys to ask about now, in order, out of every key the lists give today. */
  due(keys: readonly string[], now: number): string[] {
    const selling: Array<[string, number]> = [];
    const unknown: string[] = [];
    const staleEmpty: Array<[string, number]> = [];
    for (const key of keys) {
      const answered = this.answers.get(key);
      if (answered === undefined) unknown.push(key);
      else if (answered.offers.length > 0) selling.push([key, answered.at]);
      else if (now - answered.at >= this.emptyRefreshMs) staleEmpty.push([key, answered.at]);
    }
    const stalestFirst = (a: [string, number], b: [string, number]) => a[1] - b[1];
    return [
      ...selling.sort(stalestFirst).map(([key]) => key),
      ...unknown,
      ...staleEmpty.sort(stalestFirst).map(([key]) => key),
    ].slice(0, this.maxRequests);
  }

  record(key: string, offers: Offer[], now: number): void {
    this.answers.set(key, { offers, at: now });
  }

  /** The last known offers of `keys`; pairs gone from the lists are forgotten. */
  offers(keys: readonly string[]): Offer[] {
    const wanted = new Set(keys);
    for (const key of [...this.answers.keys()]) if (!wanted.has(key)) this.answers.delete(key);
    return keys.flatMap((key) => this.answers.get(key)?.offers ?? []);
  }
}
