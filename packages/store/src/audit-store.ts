import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Database } from './database.js';
import { AuditEntryEntity, type AuditAction } from './entities/audit-entry.entity.js';
import { afterCursor, decodePageCursor, pageSize, toPage, type Page } from './page-cursor.js';

/** Who acts: a user, or the configured admin key (id "admin", no user row). */
export interface AuditActor {
  id: string;
  name: string;
}

export interface AuditInput {
  actor: AuditActor;
  action: AuditAction;
  targetType: 'USER' | 'API_KEY' | 'WEBHOOK_ENDPOINT' | 'WEBHOOK_DELIVERY';
  targetId: string;
  amountMinor?: bigint | null;
  currency?: string | null;
  reference?: string | null;
  note?: string | null;
  now?: Date;
}

/** Writes one audit entry inside the caller's transaction: the entry commits with the change or
 *  not at all. */
export async function insertAuditEntryInTx(
  tx: EntityManager,
  input: AuditInput,
): Promise<AuditEntryEntity> {
  const entry = tx.create(AuditEntryEntity, {
    id: randomUUID(),
    actorId: input.actor.id.slice(0, 36),
    actorName: input.actor.name.slice(0, 200),
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    amountMinor: input.amountMinor ?? null,
    currency: input.currency ?? null,
    reference: input.reference ?? null,
    note: input.note ?? null,
    createdAt: input.now ?? new Date(),
  });
  await tx.insert(AuditEntryEntity, entry);
  return entry;
}

export interface AuditFilter {
  first?: number | null;
  after?: string | null;
  action?: AuditAction | null;
  actorId?: string | null;
  targetId?: string | null;
}

export class AuditStore {
  constructor(private readonly db: Database) {}

  /** Newest first. */
  async list(filter: AuditFilter = {}): Promise<Page<AuditEntryEntity>> {
    const first = pageSize(filter.first);
    const cursor = filter.after ? decodePageCursor(filter.after) : null;
    const rows = await this.db.read((m) => {
      const query = m
        .createQueryBuilder(AuditEntryEntity, 'a')
        .orderBy('a.created_at', 'DESC')
        .addOrderBy('a.id', 'DESC')
        .take(first + 1);
      if (filter.action) query.andWhere('a.action = :action', { action: filter.action });
      if (filter.actorId) query.andWhere('a.actor_id = :actorId', { actorId: filter.actorId });
      if (filter.targetId) query.andWhere('a.target_id = :targetId', { targetId: filter.targetId });
      if (cursor) query.andWhere(...afterCursor('a', cursor));
      return query.getMany();
    });
    return toPage(rows, first, filter.after);
  }
}
