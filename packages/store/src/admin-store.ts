import { randomUUID } from 'node:crypto';
import {
  adjustmentEntry,
  BadUserInput,
  InsufficientFunds,
  StateConflict,
  WalletRuleViolation,
  type CurrencyCode,
  type OrderStatus,
} from '@numbroker/core';
import { In } from 'typeorm';
import { insertAuditEntryInTx, type AuditActor } from './audit-store.js';
import { intParam, MAX_EXACT_MINOR, millis } from './columns.js';
import { AUTH_GENERATION, bumpCounterInTx } from './counters.js';
import { sql, type Database } from './database.js';
import { AuditEntryEntity } from './entities/audit-entry.entity.js';
import { LedgerEntryEntity } from './entities/ledger-entry.entity.js';
import { OrderEntity } from './entities/order.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { WalletEntity } from './entities/wallet.entity.js';
import { UserNotFound } from './errors.js';
import { toOrderView, type OrderView } from './orders/order-view.js';
import { moveWalletInTx } from './wallet-movement.js';
import { afterCursor, decodePageCursor, pageSize, toPage, type Page } from './page-cursor.js';

/** An adjustment reference sent again with a different amount. */
export class AdjustmentReferenceReused extends BadUserInput {
  override readonly name = 'AdjustmentReferenceReused';
  constructor(readonly reference: string) {
    super(
      'ADJUSTMENT_REFERENCE_REUSED',
      `adjustment reference "${reference}" was already used for this user with a different amount`,
    );
  }
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface OrderFilter extends PageArgs {
  status?: OrderStatus | null;
  userId?: string | null;
  provider?: string | null;
}

export interface AdjustResult {
  wallet: WalletEntity;
  /** false: this reference had been applied already (nothing changed). */
  adjusted: boolean;
}

/** Escapes LIKE's wildcards so a search for "50%" finds "50%". */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
}

/** The operator's reads and corrections over every user: lists, statements, adjustments and
 *  disabling, each admin change with its audit entry in the same transaction. */
export class AdminStore {
  constructor(
    private readonly db: Database,
    private readonly currency: CurrencyCode,
  ) {}

  /** Newest first; `search` matches the name (case-insensitive substring) or the exact id. */
  async listUsers(args: PageArgs & { search?: string | null }): Promise<Page<UserEntity>> {
    const first = pageSize(args.first);
    const cursor = args.after ? decodePageCursor(args.after) : null;
    const search = args.search?.trim() ?? '';
    if (search.length > 200)
      throw new BadUserInput('INVALID_SEARCH', 'search is at most 200 characters');
    const rows = await this.db.read((m) => {
      const query = m
        .createQueryBuilder(UserEntity, 'u')
        .orderBy('u.created_at', 'DESC')
        .addOrderBy('u.id', 'DESC')
        .take(first + 1);
      if (search !== '') {
        query.andWhere("(LOWER(u.name) LIKE :pattern ESCAPE '\\' OR u.id = :exact)", {
          pattern: likePattern(search),
          exact: search,
        });
      }
      if (cursor) query.andWhere(...afterCursor('u', cursor));
      return query.getMany();
    });
    return toPage(rows, first, args.after);
  }

  /** Wallets of many users at once (a page of users). */
  async walletsOf(userIds: readonly string[]): Promise<Map<string, WalletEntity>> {
    if (userIds.length === 0) return new Map();
    const wallets = await this.db.read((m) =>
      m.find(WalletEntity, { where: { userId: In([...userIds]), currency: this.currency } }),
    );
    return new Map(wallets.map((wallet) => [wallet.userId, wallet]));
  }

  async usersById(userIds: readonly string[]): Promise<Map<string, UserEntity>> {
    if (userIds.length === 0) return new Map();
    const users = await this.db.read((m) =>
      m.find(UserEntity, { where: { id: In([...userIds]) } }),
    );
    return new Map(users.map((user) => [user.id, user]));
  }

  /** What the upstream charged for each order (admin margins), where it is known. */
  async costsOf(
    orderIds: readonly string[],
  ): Promise<Map<string, { costMinor: bigint; costCurrency: string }>> {
    if (orderIds.length === 0) return new Map();
    const orders = await this.db.read((m) =>
      m.find(OrderEntity, {
        where: { id: In([...orderIds]) },
        select: { id: true, costMinor: true, costCurrency: true },
      }),
    );
    const costs = new Map<string, { costMinor: bigint; costCurrency: string }>();
    for (const order of orders) {
      if (order.costMinor !== null && order.costCurrency) {
        costs.set(order.id, { costMinor: order.costMinor, costCurrency: order.costCurrency });
      }
    }
    return costs;
  }

  /** Every user's orders, newest first, narrowed by status, user and provider. */
  async listOrders(filter: OrderFilter): Promise<Page<OrderView>> {
    const first = pageSize(filter.first);
    const cursor = filter.after ? decodePageCursor(filter.after) : null;
    const rows = await this.db.read((m) => {
      const query = m
        .createQueryBuilder(OrderEntity, 'o')
        .orderBy('o.created_at', 'DESC')
        .addOrderBy('o.id', 'DESC')
        .take(first + 1);
      if (filter.status) query.andWhere('o.status = :status', { status: filter.status });
      if (filter.userId) query.andWhere('o.user_id = :userId', { userId: filter.userId });
      if (filter.provider)
        query.andWhere('o.provider_id = :provider', { provider: filter.provider });
      if (cursor) query.andWhere(...afterCursor('o', cursor));
      return query.getMany();
    });
    return toPage(rows.map(toOrderView), first, filter.after);
  }

  /** A user's statement, newest first. */
  async ledger(userId: string, args: PageArgs): Promise<Page<LedgerEntryEntity>> {
    const first = pageSize(args.first);
    const cursor = args.after ? decodePageCursor(args.after) : null;
    const rows = await this.db.read(async (m) => {
      const wallet = await m.findOne(WalletEntity, { where: { userId, currency: this.currency } });
      if (!wallet) throw new UserNotFound(userId);
      const query = m
        .createQueryBuilder(LedgerEntryEntity, 'l')
        .where('l.wallet_id = :walletId', { walletId: wallet.id })
        .orderBy('l.created_at', 'DESC')
        .addOrderBy('l.id', 'DESC')
        .take(first + 1);
      if (cursor) query.andWhere(...afterCursor('l', cursor));
      return query.getMany();
    });
    return toPage(rows, first, args.after);
  }

  /**
   * A signed correction of the available balance, once per (user, reference): the same call
   * again changes nothing, the same reference with another amount is refused. Taking back more
   * than is available is INSUFFICIENT_FUNDS: the conditional update never lets it go below zero.
   */
  async adjustWallet(input: {
    userId: string;
    amountMinor: bigint;
    reference: string;
    note?: string | null;
    actor: AuditActor;
    now?: Date;
  }): Promise<AdjustResult> {
    const reference = input.reference.trim();
    if (reference === '' || reference.length > 200) {
      throw new BadUserInput(
        'INVALID_REFERENCE',
        'an adjustment needs a reference of 1 to 200 characters',
      );
    }
    const note = input.note?.trim() || null;
    if (note && note.length > 500)
      throw new BadUserInput('INVALID_NOTE', 'a note is at most 500 characters');
    // The same exact-balance limit as creditWallet (see MAX_EXACT_MINOR).
    if (input.amountMinor > MAX_EXACT_MINOR || input.amountMinor < -MAX_EXACT_MINOR) {
      throw new WalletRuleViolation(
        'INVALID_AMOUNT',
        `an adjustment is at most ${MAX_EXACT_MINOR} minor units either way`,
      );
    }
    const now = input.now ?? new Date();
    return this.db.transaction(async (tx) => {
      const wallet = await tx.findOne(WalletEntity, {
        where: { userId: input.userId, currency: this.currency },
      });
      if (!wallet) throw new UserNotFound(input.userId);
      // The audit entry is the idempotency claim: unique (action, target, reference).
      const claimed = await sql(
        tx,
        `INSERT INTO audit_log (id, actor_id, actor_name, "action", target_type, target_id,
           amount_minor, currency, reference, note, created_at)
         VALUES (?, ?, ?, 'ADJUST_WALLET', 'USER', ?, CAST(? AS BIGINT), ?, ?, ?, CAST(? AS BIGINT))
         ON CONFLICT DO NOTHING`,
        [
          randomUUID(),
          input.actor.id.slice(0, 36),
          input.actor.name.slice(0, 200),
          input.userId,
          intParam(input.amountMinor),
          this.currency,
          reference,
          note,
          millis(now),
        ],
      );
      if (claimed.affected === 0) {
        const previous = await tx.findOne(AuditEntryEntity, {
          where: { action: 'ADJUST_WALLET', targetId: input.userId, reference },
        });
        if (previous?.amountMinor !== input.amountMinor)
          throw new AdjustmentReferenceReused(reference);
        return { wallet, adjusted: false };
      }
      // Core decides the entry (and refuses zero); the conditional update enforces "never
      // below zero" against the row as it is now, not as it was read.
      const entry = adjustmentEntry(input.amountMinor);
      // Past the limit the claim above is rolled back with the refusal.
      if (wallet.availableMinor + wallet.heldMinor + input.amountMinor > MAX_EXACT_MINOR) {
        throw new WalletRuleViolation(
          'INVALID_AMOUNT',
          `an adjustment may not take a wallet past ${MAX_EXACT_MINOR} minor units (the largest balance stored exactly)`,
        );
      }
      if (
        !(await moveWalletInTx(tx, { walletId: wallet.id }, entry.kind, entry.amountMinor, now))
      ) {
        const current = await tx.findOneOrFail(WalletEntity, { where: { id: wallet.id } });
        throw new InsufficientFunds(entry.amountMinor, current.availableMinor);
      }
      await sql(
        tx,
        `INSERT INTO ledger_entries (id, wallet_id, "kind", amount_minor, order_id, reference, created_at)
         VALUES (?, ?, ?, CAST(? AS BIGINT), NULL, ?, CAST(? AS BIGINT))`,
        [randomUUID(), wallet.id, entry.kind, intParam(entry.amountMinor), reference, millis(now)],
      );
      return {
        wallet: await tx.findOneOrFail(WalletEntity, { where: { id: wallet.id } }),
        adjusted: true,
      };
    });
  }

  /**
   * Disables or enables a user. Disabling bumps the auth generation in the same transaction, so
   * every server drops its cached keys and closes that user's sockets. An admin cannot disable
   * themselves (STATE_CONFLICT). Setting the state it already has changes nothing.
   */
  async setUserDisabled(input: {
    userId: string;
    disabled: boolean;
    actor: AuditActor;
    now?: Date;
  }): Promise<UserEntity> {
    if (input.disabled && input.actor.id === input.userId) {
      throw new StateConflict('DISABLE_SELF', 'you cannot disable your own user');
    }
    const now = input.now ?? new Date();
    return this.db.transaction(async (tx) => {
      const user = await tx.findOne(UserEntity, { where: { id: input.userId } });
      if (!user) throw new UserNotFound(input.userId);
      if (Boolean(user.disabledAt) === input.disabled) return user;
      await sql(tx, 'UPDATE users SET disabled_at = CAST(? AS BIGINT) WHERE id = ?', [
        input.disabled ? millis(now) : null,
        user.id,
      ]);
      if (input.disabled) await bumpCounterInTx(tx, AUTH_GENERATION);
      await insertAuditEntryInTx(tx, {
        actor: input.actor,
        action: input.disabled ? 'DISABLE_USER' : 'ENABLE_USER',
        targetType: 'USER',
        targetId: user.id,
        now,
      });
      return Object.assign(user, { disabledAt: input.disabled ? now : null });
    });
  }
}
