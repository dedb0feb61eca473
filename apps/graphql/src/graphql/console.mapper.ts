import { Money } from '@numbroker/core';
import type {
  ApiKeyEntity,
  AuditEntryEntity,
  LedgerEntryEntity,
  Page,
  UserEntity,
  WalletEntity,
} from '@numbroker/store';
import { ApiKeyType } from './api-key.type.js';
import { AuditActionEnum, AuditEntryType } from './audit.type.js';
import { LedgerEntryKindEnum, LedgerEntryType } from './ledger.type.js';
import { MoneyType } from './money.type.js';
import { PageInfoType } from './order.type.js';
import { UserType } from './user.type.js';

/** A Relay connection (edges, nodes, pageInfo) of a store page, each item mapped. */
export function toConnection<T, N, C extends object>(
  page: Page<T>,
  map: (item: T) => N,
  make: { connection: new () => C; edge: new () => { cursor: string; node: N } },
): C {
  const edges = page.items.map((item) =>
    Object.assign(new make.edge(), { cursor: page.cursorOf(item), node: map(item) }),
  );
  return Object.assign(new make.connection(), {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: PageInfoType.of(
      page,
      edges.map((edge) => edge.cursor),
    ),
  });
}

export function userTypeOf(
  user: UserEntity,
  wallet: WalletEntity | undefined,
  currency: string,
): UserType {
  const zero = Money.zero(currency);
  return Object.assign(new UserType(), {
    id: user.id,
    name: user.name,
    balance: MoneyType.from(wallet ? Money.ofMinor(wallet.availableMinor, wallet.currency) : zero),
    held: MoneyType.from(wallet ? Money.ofMinor(wallet.heldMinor, wallet.currency) : zero),
    isAdmin: user.isAdmin,
  });
}

export function ledgerEntryTypeOf(entry: LedgerEntryEntity, currency: string): LedgerEntryType {
  return Object.assign(new LedgerEntryType(), {
    id: entry.id,
    kind: LedgerEntryKindEnum[entry.kind],
    amount: MoneyType.from(Money.ofMinor(entry.amountMinor, currency)),
    orderId: entry.orderId,
    reference: entry.reference,
    createdAt: entry.createdAt.toISOString(),
  });
}

export function auditEntryTypeOf(entry: AuditEntryEntity): AuditEntryType {
  return Object.assign(new AuditEntryType(), {
    id: entry.id,
    actorId: entry.actorId,
    actorName: entry.actorName,
    action: AuditActionEnum[entry.action],
    targetType: entry.targetType,
    targetId: entry.targetId,
    amount:
      entry.amountMinor !== null && entry.currency
        ? MoneyType.from(Money.ofMinor(entry.amountMinor, entry.currency))
        : null,
    reference: entry.reference,
    note: entry.note,
    createdAt: entry.createdAt.toISOString(),
  });
}

export function apiKeyTypeOf(key: ApiKeyEntity): ApiKeyType {
  return Object.assign(new ApiKeyType(), {
    id: key.id,
    name: key.name,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
  });
}
