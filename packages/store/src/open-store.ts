import type { CurrencyCode } from '@numbroker/core';
import { MigrationsPending, pendingMigrations } from './migrate.js';
import { Store, type StoreOptions } from './store.js';

export interface OpenStoreConfig {
  /** Config `database`. */
  database: string;
  currency: CurrencyCode;
  /** Config `autoMigrate`: migrate at open (under the lock) or refuse a database that needs
   *  migrations. */
  autoMigrate: boolean;
  /** Config `databasePoolSize` (Postgres). */
  databasePoolSize?: number;
}

/** How the server and the worker open the database: with `autoMigrate` they migrate under the
 *  migration lock; without it only `numbroker migrate` does, and a database with pending
 *  migrations is a MigrationsPending error (nothing runs against a schema it does not know). */
export async function openStore(
  config: OpenStoreConfig,
  options: Omit<StoreOptions, 'currency' | 'migrationsRun'> = {},
): Promise<Store> {
  const store = await Store.open(config.database, {
    ...(config.databasePoolSize !== undefined ? { poolSize: config.databasePoolSize } : {}),
    ...options,
    currency: config.currency,
    migrationsRun: config.autoMigrate,
  });
  if (config.autoMigrate) return store;
  try {
    const pending = await pendingMigrations(store.db.dataSource);
    if (pending.length > 0) throw new MigrationsPending(pending);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}
