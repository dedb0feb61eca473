import { backupDatabase, Store } from '@numbroker/store';
import { COMMON_HELP, configOf, required, type Command } from '../command.js';

export const backupCommand: Command = {
  words: ['backup'],
  summary: 'write a consistent copy of the live SQLite database to a new file',
  help: `usage: numbroker backup --to FILE [--config PATH]

SQLite: copies the live database (with what is still in its WAL) into FILE as of one moment,
while the server and the worker keep running, and checks the copy's integrity. FILE must not
exist. Restore: stop both processes, put FILE at the database's path, start them.
PostgreSQL: use pg_dump (docs/deployment.md).

  --to FILE       where the copy goes (a new file)
${COMMON_HELP}`,
  options: { to: { type: 'string' } },
  async run(values, io) {
    const to = required(values, 'to');
    const config = configOf(values, io);
    const store = await Store.open(config.database, {
      currency: config.currency,
      migrationsRun: false,
    });
    try {
      const { file, bytes } = await backupDatabase(store.db, to);
      io.out(`backed up to ${file} (${bytes} bytes, integrity checked)`);
    } finally {
      await store.close();
    }
  },
};
