/**
 * `pnpm worker` / `node apps/worker/dist/main.js [--config PATH]`: the worker process. Reads
 * the config, opens the database, polls and syncs until SIGTERM or SIGINT, then finishes its
 * passes in flight, releases its leases, closes the database and exits 0.
 */
import { exitOnConfigError, installProcessGuards, loadConfig } from '@numbroker/config';
import { createLogger } from './logger.js';
import { startWorker } from './worker-process.js';

/** A stop that takes longer than this (an upstream hanging past its timeout) is cut short. */
const STOP_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  const config = exitOnConfigError(() => loadConfig());
  const logger = createLogger({ level: config.logLevel });
  installProcessGuards(logger);
  const running = await startWorker(config, { logger });

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    signalled = true;
    logger.info(`${signal} received: finishing the passes in flight`);
    const timer = setTimeout(() => {
      logger.error('stopping took too long; exiting');
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    timer.unref();
    running.stop().then(
      () => {
        logger.info('worker stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stopping the worker failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  // Config errors have exited already with their one line; this is anything else at start-up
  // (database unreachable, migrations pending with autoMigrate off, probe port taken). The message is written by the code that
  // threw, and database errors never carry the URL.
  process.stderr.write(
    `numbroker worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
