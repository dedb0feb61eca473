import type { EntityManager } from 'typeorm';
import { toBigInt } from './columns.js';
import { sql } from './database.js';

/** Bumped in the transaction of every change that takes a key's access away (a revoked key, a
 *  disabled user): each server watches it to drop its API-key cache and re-check its sockets. */
export const AUTH_GENERATION = 'auth_generation';
/** The last order event the webhook fan-out turned into deliveries. */
export const WEBHOOK_FANOUT_CURSOR = 'webhook_fanout_cursor';

export async function bumpCounterInTx(tx: EntityManager, name: string): Promise<void> {
  await sql(tx, 'UPDATE counters SET value = value + 1 WHERE name = ?', [name]);
}

export async function readCounter(manager: EntityManager, name: string): Promise<bigint> {
  const result = await sql(manager, 'SELECT value FROM counters WHERE name = ?', [name]);
  const value = result.rows[0]?.value;
  return value === undefined || value === null ? 0n : toBigInt(value);
}
