import { afterEach, describe, expect, it } from 'vitest';
import { Database } from './database.js';
import { MIGRATIONS } from './migrations/index.js';
import { DATABASE_KINDS, freshDatabase, type TestDatabase } from './testing/databases.js';

describe.each(DATABASE_KINDS)('migrations on %s', (kind) => {
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    await database?.cleanup();
  });

  it('create, on a fresh database, exactly the schema the entities describe', async () => {
    database = await freshDatabase(kind);
    db = await Database.open(database.url, database.options);
    expect(await db.dataSource.showMigrations()).toBe(false);
    const pending = await db.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('undo cleanly and apply again', async () => {
    database = await freshDatabase(kind);
    db = await Database.open(database.url, database.options);
    // Every migration, newest first: each one's down() must undo its up().
    for (let index = 0; index < MIGRATIONS.length; index += 1) {
      await db.dataSource.undoLastMigration();
    }
    expect(await db.dataSource.showMigrations()).toBe(true);
    const tables = await db.dataSource.query(
      kind === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'orders'"
        : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'orders'",
    );
    expect(tables).toEqual([]);
    await db.dataSource.runMigrations();
    const pending = await db.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries).toEqual([]);
  });
});
