import type { OrderCommand } from '@numbroker/core';
import { afterAll, beforeAll } from 'vitest';
import { Store } from '../store.js';
import {
  freshDatabase,
  TEST_CURRENCY,
  type TestDatabase,
  type TestDatabaseKind,
} from '../testing/databases.js';

/**
 * Inside a describe block: a Store on a fresh database of `kind`, opened before the block's
 * tests and closed and dropped after them. `onOpen` receives it before the block's own
 * beforeAll hooks run (vitest runs them in the order they were registered), so those may seed.
 */
export function useFreshStore(kind: TestDatabaseKind, onOpen: (store: Store) => void): void {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    database = await freshDatabase(kind);
    store = await Store.open(database.url, { ...database.options, currency: TEST_CURRENCY });
    onOpen(store);
  });
  afterAll(async () => {
    await store?.close();
    await database?.cleanup();
  });
}

let purchases = 0;

/** PURCHASED with a new upstream activation each call: (provider, upstreamRef) is unique. */
export function purchasedCommand(): OrderCommand {
  return { type: 'PURCHASED', phoneNumber: '+79001234567', upstreamRef: `a-${++purchases}` };
}
