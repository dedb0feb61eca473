import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { BadUserInput, WalletRuleViolation, type CurrencyCode } from '@numbroker/core';
import type { EntityManager } from 'typeorm';
import { intParam, MAX_EXACT_MINOR, millis } from './columns.js';
import { sql, type Database } from './database.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { LedgerEntryEntity } from './entities/ledger-entry.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { WalletEntity } from './entities/wallet.entity.js';
import { CreditReferenceReused, StoreInvariantViolated, UserNotFound } from './errors.js';
import { insertApiKeyInTx } from './api-key-store.js';
import { insertAuditEntryInTx, type AuditActor } from './audit-store.js';
import { MoneyMovements } from './money-movements.js';
import type { LedgerEntryView, UserView, WalletView } from './views.js';
import { moveWalletInTx } from './wallet-movement.js';

/** 32 random bytes, base64url: what a user authenticates with. Shown once, stored hashed. */
export function generateApiKey(): string {
  return randomBytes(32).toString('base64url');
}

/** sha256 hex: keys are high-entropy random strings, so a plain hash is enough to make a leaked
 *  table useless without slowing every request down with a password hash. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

export interface CreditResult {
  wallet: WalletView;
  /** false when this reference was already credited (the call is a no-op). */
  credited: boolean;
}

export class UserStore {
  constructor(
    private readonly db: Database,
    /** The platform currency: every user has one wallet in it. */
    readonly currency: CurrencyCode,
    private readonly moneyMovements: MoneyMovements = new MoneyMovements(),
  ) {}

  /** A new user with a funded-at-zero wallet. The key is returned once and never stored. */
  async createUser(input: {
    name: string;
    isAdmin?: boolean;
    now?: Date;
    /** Who asks (written to the audit log in the same transaction). */
    actor?: AuditActor;
  }): Promise<{
    user: UserView;
    apiKey: string;
  }> {
    const apiKey = generateApiKey();
    const user = await this.db.transaction(async (tx) => {
      const user = await this.insertUserInTx(tx, { ...input, apiKeyHash: hashApiKey(apiKey) });
      if (input.actor) {
        await insertAuditEntryInTx(tx, {
          actor: input.actor,
          action: 'CREATE_USER',
          targetType: 'USER',
          targetId: user.id,
          note: user.name,
          now: user.createdAt,
        });
      }
      return user;
    });
    return { user, apiKey };
  }

  /** The user owning `apiKey`, created (with its wallet) if none does: for the configured
   *  admin key and the demo's key, which exist before any user row. */
  async ensureUserWithApiKey(input: {
    name: string;
    apiKey: string;
    isAdmin?: boolean;
    now?: Date;
  }): Promise<UserView> {
    const apiKeyHash = hashApiKey(input.apiKey);
    return this.db.transaction(async (tx) => {
      const existing = await tx.findOne(UserEntity, { where: { apiKeyHash } });
      if (existing) return existing;
      return this.insertUserInTx(tx, { ...input, apiKeyHash });
    });
  }

  /** The owner of a live (not revoked) key; a disabled owner too (ApiKeyStore.authenticate is
   *  what servers authenticate with). */
  async findByApiKey(apiKey: string): Promise<UserView | null> {
    if (typeof apiKey !== 'string' || apiKey === '') return null;
    const keyHash = hashApiKey(apiKey);
    return this.db.read(async (m) => {
      const key = await m.findOne(ApiKeyEntity, { where: { keyHash } });
      if (!key || key.revokedAt) return null;
      return m.findOne(UserEntity, { where: { id: key.userId } });
    });
  }

  async findById(userId: string): Promise<UserView | null> {
    return this.db.read((m) => m.findOne(UserEntity, { where: { id: userId } }));
  }

  /** The user's wallet in the platform currency. */
  async getWallet(userId: string): Promise<WalletView> {
    const wallet = await this.db.read((m) =>
      m.findOne(WalletEntity, { where: { userId, currency: this.currency } }),
    );
    if (!wallet) throw new UserNotFound(userId);
    return wallet;
  }

  /**
   * Pays `amountMinor` into the user's wallet, once per `reference`: the same reference again is
   * a no-op (and a different amount under it an error), so a retried admin call never pays twice.
   */
  async creditWallet(input: {
    userId: string;
    amountMinor: bigint;
    reference: string;
    now?: Date;
    /** Who pays in (audit log, same transaction; only when the credit is made). */
    actor?: AuditActor;
  }): Promise<CreditResult> {
    if (typeof input.amountMinor !== 'bigint' || input.amountMinor <= 0n) {
      throw new WalletRuleViolation('INVALID_AMOUNT', 'a credit must be a positive amount');
    }
    // Refused before any SQL: past 2^63 Postgres could not even cast it.
    if (input.amountMinor > MAX_EXACT_MINOR) {
      throw new WalletRuleViolation(
        'INVALID_AMOUNT',
        `a credit may not take a wallet past ${MAX_EXACT_MINOR} minor units (the largest balance stored exactly)`,
      );
    }
    const reference = input.reference.trim();
    if (reference === '' || reference.length > 200) {
      throw new WalletRuleViolation(
        'INVALID_REFERENCE',
        'a credit needs a reference of 1 to 200 characters',
      );
    }
    const now = input.now ?? new Date();
    const result = await this.db.transaction(async (tx): Promise<CreditResult> => {
      const wallet = await tx.findOne(WalletEntity, {
        where: { userId: input.userId, currency: this.currency },
      });
      if (!wallet) throw new UserNotFound(input.userId);
      const inserted = await sql(
        tx,
        `INSERT INTO ledger_entries (id, wallet_id, "kind", amount_minor, order_id, reference, created_at)
         VALUES (?, ?, 'CREDIT', CAST(? AS BIGINT), NULL, ?, CAST(? AS BIGINT)) ON CONFLICT DO NOTHING`,
        [randomUUID(), wallet.id, intParam(input.amountMinor), reference, millis(now)],
      );
      if (inserted.affected === 0) {
        const previous = await tx.findOne(LedgerEntryEntity, {
          where: { walletId: wallet.id, kind: 'CREDIT', reference },
        });
        if (previous && previous.amountMinor !== input.amountMinor) {
          throw new CreditReferenceReused(reference);
        }
        return { wallet, credited: false };
      }
      // Past the limit the insert above is rolled back with the refusal.
      if (wallet.availableMinor + wallet.heldMinor + input.amountMinor > MAX_EXACT_MINOR) {
        throw new WalletRuleViolation(
          'INVALID_AMOUNT',
          `a credit may not take a wallet past ${MAX_EXACT_MINOR} minor units (the largest balance stored exactly)`,
        );
      }
      if (!(await moveWalletInTx(tx, { walletId: wallet.id }, 'CREDIT', input.amountMinor, now))) {
        throw new StoreInvariantViolated(`wallet ${wallet.id}: a credit did not apply`);
      }
      if (input.actor) {
        await insertAuditEntryInTx(tx, {
          actor: input.actor,
          action: 'CREDIT_WALLET',
          targetType: 'USER',
          targetId: input.userId,
          amountMinor: input.amountMinor,
          currency: this.currency,
          reference,
          now,
        });
      }
      const updated = await tx.findOneOrFail(WalletEntity, { where: { id: wallet.id } });
      return { wallet: updated, credited: true };
    });
    if (result.credited) {
      this.moneyMovements.emit({
        kind: 'CREDIT',
        userId: input.userId,
        amountMinor: input.amountMinor,
        currency: this.currency,
        reference,
      });
    }
    return result;
  }

  /** Every entry of the user's wallet, oldest first (audits, tests). */
  async ledger(userId: string): Promise<LedgerEntryView[]> {
    const wallet = await this.getWallet(userId);
    return this.db.read((m) =>
      m.find(LedgerEntryEntity, { where: { walletId: wallet.id }, order: { createdAt: 'ASC' } }),
    );
  }

  private async insertUserInTx(
    tx: EntityManager,
    input: { name: string; apiKeyHash: string; isAdmin?: boolean; now?: Date },
  ): Promise<UserEntity> {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name === '' || name.length > 200) {
      throw new BadUserInput('INVALID_NAME', 'a user name must be 1 to 200 characters');
    }
    const now = input.now ?? new Date();
    const user = tx.create(UserEntity, {
      id: randomUUID(),
      name,
      apiKeyHash: input.apiKeyHash,
      isAdmin: input.isAdmin ?? false,
      createdAt: now,
      disabledAt: null,
    });
    await tx.insert(UserEntity, user);
    // The first key is also a row of api_keys (named "default"): every key authenticates there.
    await insertApiKeyInTx(tx, {
      userId: user.id,
      name: 'default',
      keyHash: input.apiKeyHash,
      now,
    });
    await tx.insert(WalletEntity, {
      id: randomUUID(),
      userId: user.id,
      currency: this.currency,
      availableMinor: 0n,
      heldMinor: 0n,
      version: 0,
      updatedAt: now,
    });
    return user;
  }
}
