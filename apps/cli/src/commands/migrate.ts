import { migrateUnderLock, pendingMigrations, Store } from '@numbroker/store';
import { CommandFailed } from '../cli-error.js';
import { COMMON_HELP, configOf, type Command } from '../command.js';

export const migrateCommand: Command = {
  words: ['migrate'],
  summary: 'run the pending database migrations (under the migration lock)',
  help: `usage: numbroker migrate [--status] [--config PATH]

Runs every migration this build has and the database has not, oldest first, holding the lock
the server and the worker take, so it is safe while they start. With autoMigrate false this is
the only thing that migrates.

  --status        list the pending migrations and exit 1 if there are any; change nothing
${COMMON_HELP}`,
  options: { status: { type: 'boolean' } },
  async run(values, io) {
    const config = configOf(values, io);
    const store = await Store.open(config.database, {
      currency: config.currency,
      migrationsRun: false,
    });
    try {
      if (values.status) {
        const pending = await pendingMigrations(store.db.dataSource);
        if (pending.length === 0) {
          io.out('the database is up to date');
          return;
        }
        io.out(`${pending.length} pending: ${pending.join(', ')}`);
        throw new CommandFailed('the database needs migrations: run `numbroker migrate`');
      }
      const ran = await migrateUnderLock(store.db.dataSource);
      io.out(
        ran.length === 0
          ? 'the database is up to date; nothing to run'
          : `ran ${ran.length} migration${ran.length === 1 ? '' : 's'}: ${ran.join(', ')}`,
      );
    } finally {
      await store.close();
    }
  },
};
