import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import type { Database } from './database.js';

export class BackupRefused extends Error {
  override readonly name = 'BackupRefused';
}

export interface BackupResult {
  file: string;
  bytes: number;
}

/**
 * A consistent copy of a live SQLite database in one file (`VACUUM INTO`: a single read
 * transaction, so writers of other processes go on and the copy is one point in time, WAL
 * included), checked with `PRAGMA quick_check` before it is reported done. Postgres is refused
 * with the tool to use instead: pg_dump.
 */
export async function backupDatabase(db: Database, to: string): Promise<BackupResult> {
  if (db.kind === 'postgres') {
    throw new BackupRefused(
      'backup works on SQLite only; for PostgreSQL use pg_dump (see docs/deployment.md)',
    );
  }
  const file = resolve(to);
  if (existsSync(file)) throw new BackupRefused(`${file} already exists; give a new file`);
  if (!existsSync(resolve(file, '..'))) {
    throw new BackupRefused(`the directory of ${file} does not exist`);
  }
  await db.read((manager) => manager.query('VACUUM INTO ?', [file]));
  await quickCheck(file);
  return { file, bytes: statSync(file).size };
}

function quickCheck(file: string): Promise<void> {
  return new Promise((resolveCheck, reject) => {
    const copy = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (openError) => {
      if (openError) return reject(openError);
      copy.get('PRAGMA quick_check', (error, row: Record<string, unknown> | undefined) => {
        copy.close();
        if (error) return reject(error);
        const answer = row ? Object.values(row)[0] : undefined;
        if (answer !== 'ok') {
          return reject(new Error(`the copy failed its integrity check: ${String(answer)}`));
        }
        resolveCheck();
      });
    });
  });
}
