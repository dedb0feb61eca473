import { CodeRateTable } from '@numbroker/core';
import type { RouteOutcomeQuery, RouteOutcomeRow } from '@numbroker/store';
import type { Logger } from 'pino';

export interface CodeRatesOptions {
  /** The store's grouped read (RouteOutcomeStore.outcomes). */
  load: (query: RouteOutcomeQuery) => Promise<RouteOutcomeRow[]>;
  /** Config `routing`, in milliseconds. */
  windowMs: number;
  cancelGraceMs: number;
  refreshMs: number;
  minSamples: number;
  logger: Logger;
  now?: () => number;
}

/**
 * This server's copy of the code rates success-rate routing ranks by: one grouped read of the
 * orders that ended in the window, at most every `refreshMs`. A buy never waits for it once
 * the first copy is in: a stale copy is answered at once and refreshed behind it (one read at
 * a time). A failed read keeps the last copy (or none: every provider neutral) until the next
 * refresh is due, so a sick database costs one query per interval, not one per buy.
 */
export class CodeRates {
  private table: CodeRateTable | undefined;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<CodeRateTable> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: CodeRatesOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The current table; only the very first call waits for a read. */
  async get(): Promise<CodeRateTable> {
    const stale = this.now() - this.loadedAt >= this.options.refreshMs;
    if (this.table && !stale) return this.table;
    const loading = this.refresh();
    return this.table ?? loading;
  }

  /** Reads again now (or joins the read under way). */
  refresh(): Promise<CodeRateTable> {
    this.loading ??= this.read().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async read(): Promise<CodeRateTable> {
    const started = this.now();
    try {
      const rows = await this.options.load({
        since: new Date(started - this.options.windowMs),
        cancelGraceMs: this.options.cancelGraceMs,
      });
      this.table = new CodeRateTable(rows, { minSamples: this.options.minSamples });
    } catch (error) {
      this.options.logger.warn(
        { err: error },
        'could not read code rates; routing keeps the last ones',
      );
      this.table ??= new CodeRateTable([], { minSamples: this.options.minSamples });
    }
    this.loadedAt = started;
    return this.table;
  }
}
