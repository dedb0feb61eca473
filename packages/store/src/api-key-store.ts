import { randomUUID } from 'node:crypto';
import { BadUserInput, DomainError, StateConflict } from '@numbroker/core';
import type { EntityManager } from 'typeorm';
import { insertAuditEntryInTx, type AuditActor } from './audit-store.js';
import { AUTH_GENERATION, bumpCounterInTx, readCounter } from './counters.js';
import { millis } from './columns.js';
import { sql, type Database } from './database.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { UserNotFound } from './errors.js';
import { generateApiKey, hashApiKey } from './user-store.js';

/** No such key, or not the caller's. */
export class ApiKeyNotFound extends DomainError {
  override readonly name = 'ApiKeyNotFound';
  readonly code = 'API_KEY_NOT_FOUND' as const;
  readonly apiCode = 'NOT_FOUND' as const;
  constructor(readonly keyId: string) {
    super(`API key ${keyId} not found`);
  }
}

/** The user a key authenticates, with that key's id (the socket registry needs it). */
export interface AuthenticatedKey {
  user: UserEntity;
  keyId: string;
}

function keyName(name: string | null | undefined): string {
  const trimmed = (name ?? '').trim();
  if (trimmed.length > 100) {
    throw new BadUserInput('INVALID_NAME', 'a key name must be at most 100 characters');
  }
  return trimmed === '' ? 'unnamed' : trimmed;
}

/** Inserts a key row in the caller's transaction (createUser's first key, createApiKey). */
export async function insertApiKeyInTx(
  tx: EntityManager,
  input: { userId: string; name: string; keyHash: string; now: Date },
): Promise<ApiKeyEntity> {
  const key = tx.create(ApiKeyEntity, {
    id: randomUUID(),
    userId: input.userId,
    name: keyName(input.name),
    keyHash: input.keyHash,
    createdAt: input.now,
    revokedAt: null,
  });
  await tx.insert(ApiKeyEntity, key);
  return key;
}

/** Several named keys per user: rotation is create, switch, revoke — no moment without a key. */
export class ApiKeyStore {
  constructor(private readonly db: Database) {}

  /** The user of a live key of an enabled user, or null (unknown, revoked, or disabled). */
  async authenticate(apiKey: string): Promise<AuthenticatedKey | null> {
    if (typeof apiKey !== 'string' || apiKey === '') return null;
    const keyHash = hashApiKey(apiKey);
    return this.db.read(async (m) => {
      const key = await m.findOne(ApiKeyEntity, { where: { keyHash } });
      if (!key || key.revokedAt) return null;
      const user = await m.findOne(UserEntity, { where: { id: key.userId } });
      if (!user || user.disabledAt) return null;
      return { user, keyId: key.id };
    });
  }

  /** Of the given key ids, those that still authenticate (a live key of an enabled user). */
  async stillValid(keyIds: readonly string[]): Promise<Set<string>> {
    if (keyIds.length === 0) return new Set();
    const marks = keyIds.map(() => '?').join(', ');
    const result = await this.db.read((m) =>
      sql(
        m,
        `SELECT k.id AS id FROM api_keys k JOIN users u ON u.id = k.user_id
         WHERE k.id IN (${marks}) AND k.revoked_at IS NULL AND u.disabled_at IS NULL`,
        [...keyIds],
      ),
    );
    return new Set(result.rows.map((row) => String(row.id)));
  }

  /** Changes whenever some key stops working (see counters.ts). */
  generation(): Promise<bigint> {
    return this.db.read((m) => readCounter(m, AUTH_GENERATION));
  }

  async list(userId: string): Promise<ApiKeyEntity[]> {
    return this.db.read((m) =>
      m.find(ApiKeyEntity, { where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } }),
    );
  }

  /** A new key for `userId`; the key itself is returned once and only its hash is kept. */
  async create(input: {
    userId: string;
    name?: string | null;
    actor: AuditActor;
    now?: Date;
  }): Promise<{ key: ApiKeyEntity; apiKey: string }> {
    const apiKey = generateApiKey();
    const now = input.now ?? new Date();
    const key = await this.db.transaction(async (tx) => {
      const user = await tx.findOne(UserEntity, { where: { id: input.userId } });
      if (!user) throw new UserNotFound(input.userId);
      const key = await insertApiKeyInTx(tx, {
        userId: input.userId,
        name: input.name ?? '',
        keyHash: hashApiKey(apiKey),
        now,
      });
      await insertAuditEntryInTx(tx, {
        actor: input.actor,
        action: 'CREATE_API_KEY',
        targetType: 'API_KEY',
        targetId: key.id,
        note: `user ${input.userId}: ${key.name}`,
        now,
      });
      return key;
    });
    return { key, apiKey };
  }

  /**
   * Revokes a key of `userId` (any user's when `userId` is null: the admin). The last live key
   * of a user is kept (STATE_CONFLICT): revoking it would lock the user out for good; disable
   * the user instead. Revoking an already revoked key is a no-op.
   */
  async revoke(input: {
    keyId: string;
    userId: string | null;
    actor: AuditActor;
    now?: Date;
  }): Promise<ApiKeyEntity> {
    const now = input.now ?? new Date();
    return this.db.transaction(async (tx) => {
      const key = await tx.findOne(ApiKeyEntity, { where: { id: input.keyId } });
      if (!key || (input.userId !== null && key.userId !== input.userId)) {
        throw new ApiKeyNotFound(input.keyId);
      }
      if (key.revokedAt) return key;
      const revoked = await sql(
        tx,
        `UPDATE api_keys SET revoked_at = CAST(? AS BIGINT)
         WHERE id = ? AND revoked_at IS NULL
           AND EXISTS (SELECT 1 FROM api_keys other WHERE other.user_id = api_keys.user_id
                       AND other.id <> api_keys.id AND other.revoked_at IS NULL)`,
        [millis(now), key.id],
      );
      if (revoked.affected === 0) {
        throw new StateConflict(
          'LAST_API_KEY',
          'this is the last live key of the user: create another first (or disable the user)',
        );
      }
      await bumpCounterInTx(tx, AUTH_GENERATION);
      await insertAuditEntryInTx(tx, {
        actor: input.actor,
        action: 'REVOKE_API_KEY',
        targetType: 'API_KEY',
        targetId: key.id,
        note: `user ${key.userId}: ${key.name}`,
        now,
      });
      return Object.assign(key, { revokedAt: now });
    });
  }
}
