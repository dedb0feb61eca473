import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from './database.js';
import { Store } from './store.js';
import { DATABASE_KINDS, freshDatabase, type TestDatabase } from './testing/databases.js';

/** Database.transaction({ interleave }) in SQLite's group commit (see Database.runGroup). */
describe.each(DATABASE_KINDS)('interleaved transactions on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await freshDatabase(kind);
    store = await Store.open(database.url, { ...database.options, currency: 'IRT' });
    await store.db.transaction((tx) =>
      sql(tx, 'CREATE TABLE group_probe (id VARCHAR(36) PRIMARY KEY, note VARCHAR(64))'),
    );
  });
  afterAll(async () => {
    await store?.close();
    await database?.cleanup();
  });

  const notes = async () =>
    (await store.db.read((m) => sql(m, 'SELECT id, note FROM group_probe ORDER BY id'))).rows.map(
      (row) => `${String(row.id)}:${String(row.note)}`,
    );

  it('runs the members of a group at the same time, their statements side by side', async () => {
    // Each member waits, between two statements, until every member has run its first one:
    // members run one after the other would never get there.
    const members = 4;
    let started = 0;
    const allStarted = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (started === members) {
          clearInterval(check);
          resolve();
        }
      }, 1);
    });
    const run = (i: number) =>
      store.db.transaction(
        async (tx) => {
          await sql(tx, 'INSERT INTO group_probe (id, note) VALUES (?, ?)', [`a${i}`, 'first']);
          started += 1;
          await Promise.race([
            allStarted,
            new Promise((_, reject) => setTimeout(() => reject(new Error('not together')), 2000)),
          ]);
          await sql(tx, 'UPDATE group_probe SET note = ? WHERE id = ?', ['second', `a${i}`]);
          return i;
        },
        { interleave: true },
      );
    // (Postgres runs every transaction on a connection of its own, at once, anyway.)
    expect(await Promise.all([0, 1, 2, 3].map(run))).toEqual([0, 1, 2, 3]);
    expect(await notes()).toEqual(['a0:second', 'a1:second', 'a2:second', 'a3:second']);
  });

  it('a failing member rolls back the others, which then run again one by one and commit once', async () => {
    const runs = new Map<string, number>();
    const member = (id: string, fail: boolean) =>
      store.db.transaction(
        async (tx) => {
          runs.set(id, (runs.get(id) ?? 0) + 1);
          await sql(tx, 'INSERT INTO group_probe (id, note) VALUES (?, ?)', [id, 'kept']);
          // Fails after a write: nothing of it may stay, and nothing of the others twice.
          if (fail) throw new Error(`member ${id} refused`);
          return id;
        },
        { interleave: true },
      );
    const outcomes = await Promise.allSettled([
      member('b1', false),
      member('b2', true),
      member('b3', false),
      // A plain member of the same group (savepoint, one at a time) is unaffected.
      store.db.transaction(async (tx) => {
        await sql(tx, 'INSERT INTO group_probe (id, note) VALUES (?, ?)', ['b4', 'plain']);
        return 'b4';
      }),
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason)))).toEqual([
      'b1',
      'Error: member b2 refused',
      'b3',
      'b4',
    ]);
    expect((await notes()).filter((note) => note.startsWith('b'))).toEqual([
      'b1:kept',
      'b3:kept',
      'b4:plain',
    ]);
    if (kind === 'sqlite') {
      // The interleaved pass ran each member once, then the plain pass once more.
      expect(runs.get('b1')).toBe(2);
      expect(runs.get('b2')).toBe(2);
    }
  });
});
