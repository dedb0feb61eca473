import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis, minorUnits } from '../columns.js';

/** The closed set of audited actions (every admin mutation, and key and webhook changes). */
export const AUDIT_ACTIONS = [
  'CREATE_USER',
  'CREDIT_WALLET',
  'ADJUST_WALLET',
  'DISABLE_USER',
  'ENABLE_USER',
  'CREATE_API_KEY',
  'REVOKE_API_KEY',
  'CREATE_WEBHOOK_ENDPOINT',
  'DELETE_WEBHOOK_ENDPOINT',
  'REDELIVER_WEBHOOK',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Who did what to whom, written in the transaction of the change itself: an entry exists
 * exactly when its change does. The unique (action, target_id, reference) makes an
 * adjustment idempotent per user and reference (NULL references never collide).
 */
@Entity({ name: 'audit_log' })
@Index('IDX_audit_log_created', ['createdAt', 'id'])
@Index('IDX_audit_log_target', ['targetId', 'createdAt'])
@Index('UQ_audit_log_action_target_reference', ['action', 'targetId', 'reference'], {
  unique: true,
})
export class AuditEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** A user id, or "admin" for the configured admin key (no user row). */
  @Column({ name: 'actor_id', type: 'varchar', length: 36 })
  actorId!: string;

  @Column({ name: 'actor_name', type: 'varchar', length: 200 })
  actorName!: string;

  @Column({ type: 'varchar', length: 32 })
  action!: AuditAction;

  /** USER, API_KEY, WEBHOOK_ENDPOINT, WEBHOOK_DELIVERY. */
  @Column({ name: 'target_type', type: 'varchar', length: 32 })
  targetType!: string;

  @Column({ name: 'target_id', type: 'varchar', length: 64 })
  targetId!: string;

  /** Signed minor units in `currency` for money actions. */
  @Column({ name: 'amount_minor', type: 'bigint', nullable: true, transformer: minorUnits })
  amountMinor!: bigint | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  currency!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reference!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;
}
