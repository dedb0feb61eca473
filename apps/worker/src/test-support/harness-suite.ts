import type { Store } from '@numbroker/store';
import { freshDatabase, type TestDatabase, type TestDatabaseKind } from '@numbroker/store/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { WorkerHarness, type HarnessOptions } from './harness.js';

/**
 * Inside a describe block: a store on a fresh database of `kind` for the block's tests (passed
 * to `onOpen` before the block's own beforeAll hooks run), dropped after them. Returns
 * `harness()`, which starts a WorkerHarness on that store and stops it after the test.
 */
export function useHarnessSuite(
  kind: TestDatabaseKind,
  onOpen: (store: Store) => void,
): (options?: HarnessOptions) => Promise<WorkerHarness> {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  const harnesses: WorkerHarness[] = [];
  beforeAll(async () => {
    database = await freshDatabase(kind);
    store = await database.open();
    onOpen(store);
  });
  afterAll(async () => {
    await store?.close();
    await database?.cleanup();
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((harness) => harness.stop()));
  });
  return async (options = {}) => {
    if (!store) throw new Error('harness() before the suite opened its store');
    const started = await WorkerHarness.start(store, options);
    harnesses.push(started);
    return started;
  };
}
