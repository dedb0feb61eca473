import 'reflect-metadata';
import { exitOnConfigError, installProcessGuards, loadConfig } from '@numbroker/config';
import { createAdapter } from '@numbroker/providers';
import { openStore } from '@numbroker/store';
import { createLogger } from './observability/logger.js';
import { createServer } from './server.js';

/** `pnpm serve`: the GraphQL server alone, from the config; SIGTERM/SIGINT stop it gracefully
 *  (subscribers get a close frame, in-flight requests finish, the database closes). */
async function main(): Promise<void> {
  const config = exitOnConfigError(() => loadConfig());
  const logger = createLogger({ level: config.logLevel });
  installProcessGuards(logger);
  // autoMigrate: migrate under the migration lock; else refuse a schema that needs migrations.
  const store = await openStore(config);
  const adapters = config.providers.map((account) => createAdapter(account, { logger }));
  const server = await createServer({
    config,
    store,
    adapters,
    logger,
    rateLimit: { points: config.rateLimit.requests, windowSeconds: config.rateLimit.windowSeconds },
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: /readyz answers 503, in-flight requests finish');
    server.drain();
    const forced = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    forced.unref();
    void (async () => {
      try {
        await server.close();
        await store.close();
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `numbroker server failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
