import { openStore, pruneHistory } from '@numbroker/store';
import { UsageError } from '../cli-error.js';
import { COMMON_HELP, configOf, type Command } from '../command.js';

const DAY_MS = 86_400_000;

export const pruneCommand: Command = {
  words: ['prune'],
  summary: 'delete order events, upstream attempts and idempotency keys past the retention horizon',
  help: `usage: numbroker prune [--days N] [--config PATH]

What the worker does every retention.everyMinutes: deletes order events of orders that ended
before the horizon, upstream attempts and idempotency keys older than it. Orders, ledger
entries, SMS messages and wallets are never deleted.

  --days N        the horizon in days (default: the config's retention.days)
${COMMON_HELP}`,
  options: { days: { type: 'string' } },
  async run(values, io) {
    const config = configOf(values, io);
    let days = config.retention.days;
    if (typeof values.days === 'string') {
      if (!/^\d+$/.test(values.days) || Number(values.days) < 1) {
        throw new UsageError(`--days must be a whole number of days ≥ 1; got ${values.days}`);
      }
      days = Number(values.days);
    }
    if (days === 0) {
      io.out('retention is off (retention.days is 0): nothing pruned');
      return;
    }
    const store = await openStore(config);
    try {
      const before = new Date(Date.now() - days * DAY_MS);
      const pruned = await pruneHistory(store.db, { before });
      io.out(
        `pruned history before ${before.toISOString()}: ${pruned.orderEvents} order events, ` +
          `${pruned.upstreamAttempts} upstream attempts, ${pruned.idempotencyKeys} idempotency keys`,
      );
    } finally {
      await store.close();
    }
  },
};
