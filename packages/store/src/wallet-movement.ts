import { walletChange, type LedgerEntryKind } from '@numbroker/core';
import type { EntityManager } from 'typeorm';
import { intParam, millis } from './columns.js';
import { sql } from './database.js';

/** A wallet by its id, or by (user_id, currency), the wallets' unique key (no read first). */
export type WalletKey = { walletId: string } | { userId: string; currency: string };

/**
 * The one UPDATE of a wallet's balances: it adds what core's `walletChange` says an entry of
 * `kind` does, and only if neither balance goes below zero against the row as it is now (not
 * as it was read). False when it did not apply (too little money, or no such wallet); the
 * caller writes the ledger entry in the same transaction.
 */
export async function moveWalletInTx(
  tx: EntityManager,
  key: WalletKey,
  kind: LedgerEntryKind,
  amountMinor: bigint,
  now: Date,
): Promise<boolean> {
  const update = walletUpdate(key, kind, amountMinor, now);
  const result = await sql(tx, update.text, update.params);
  return result.affected === 1;
}

/** moveWalletInTx's UPDATE as text and parameters, for a statement that embeds it (Postgres:
 *  a buy's first transaction as one statement, createPendingOrderPostgres). */
export function walletUpdate(
  key: WalletKey,
  kind: LedgerEntryKind,
  amountMinor: bigint,
  now: Date,
): { text: string; params: string[] } {
  const change = walletChange(kind, amountMinor);
  const available = intParam(change.availableMinor);
  const held = intParam(change.heldMinor);
  const [where, keyParams] =
    'walletId' in key
      ? ['id = ?', [key.walletId]]
      : ['user_id = ? AND currency = ?', [key.userId, key.currency]];
  return {
    text: `UPDATE wallets SET available_minor = available_minor + CAST(? AS BIGINT),
       held_minor = held_minor + CAST(? AS BIGINT), version = version + 1,
       updated_at = CAST(? AS BIGINT)
     WHERE ${where} AND available_minor + CAST(? AS BIGINT) >= 0
       AND held_minor + CAST(? AS BIGINT) >= 0`,
    params: [available, held, millis(now), ...keyParams, available, held],
  };
}
