import type { OrderStatus } from '@numbroker/core';
import { ForeignKey, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity.js';
import { epochMillis, minorUnits } from '../columns.js';

@Entity({ name: 'orders' })
@Index('IDX_orders_user_created', ['userId', 'createdAt'])
@Index('IDX_orders_status_next_poll', ['status', 'nextPollAt'])
// One activation, one order (migration 1767500000000).
@Index('UQ_orders_provider_upstream_ref', ['providerId', 'upstreamRef'], { unique: true })
// Success-rate routing's read (RouteOutcomeStore): ended orders only (migration RouteOutcomes).
@Index(
  'IDX_orders_outcome_updated',
  ['updatedAt', 'providerId', 'service', 'country', 'status', 'createdAt'],
  {
    where: `"status" IN ('CODE_RECEIVED', 'COMPLETED', 'REPORTED', 'EXPIRED', 'CANCELLED')`,
  },
)
export class OrderEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** The order's SMS-Activate activation id: numbered by the database on insert (migration
   *  ActivationIds1767200000000), never written by the code, and read only through
   *  ActivationIdStore (not loaded with the entity). */
  @Index('UQ_orders_activation_id', { unique: true })
  @Column({
    name: 'activation_id',
    type: 'bigint',
    nullable: true,
    insert: false,
    update: false,
    select: false,
  })
  activationId?: string | null;

  @ForeignKey(() => UserEntity)
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: OrderStatus;

  @Column({ type: 'varchar', length: 64 })
  service!: string;

  @Column({ type: 'varchar', length: 8 })
  country!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  operator!: string | null;

  /** The configured provider account; null until a provider is chosen (or when none could serve). */
  @Column({ name: 'provider_id', type: 'varchar', length: 64, nullable: true })
  providerId!: string | null;

  /** The upstream's activation id. */
  @Column({ name: 'upstream_ref', type: 'varchar', length: 128, nullable: true })
  upstreamRef!: string | null;

  @Column({ name: 'phone_number', type: 'varchar', length: 32, nullable: true })
  phoneNumber!: string | null;

  /** What the wallet holds / is charged, in `currency` (the platform currency). */
  @Column({ name: 'price_minor', type: 'bigint', transformer: minorUnits })
  priceMinor!: bigint;

  @Column({ type: 'varchar', length: 8 })
  currency!: string;

  /** What the upstream charges us, in its own currency. */
  @Column({ name: 'cost_minor', type: 'bigint', nullable: true, transformer: minorUnits })
  costMinor!: bigint | null;

  @Column({ name: 'cost_currency', type: 'varchar', length: 8, nullable: true })
  costCurrency!: string | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt!: Date;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillis })
  expiresAt!: Date;

  /** When the worker should next look at this order; null once it is final. */
  @Column({ name: 'next_poll_at', type: 'bigint', nullable: true, transformer: epochMillis })
  nextPollAt!: Date | null;

  @Column({ name: 'poll_count', type: 'integer', default: 0 })
  pollCount!: number;

  @Column({ name: 'lease_owner', type: 'varchar', length: 128, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_until', type: 'bigint', nullable: true, transformer: epochMillis })
  leaseUntil!: Date | null;

  @Column({ type: 'integer', default: 0 })
  version!: number;

  @Column({ name: 'failure_reason', type: 'varchar', length: 500, nullable: true })
  failureReason!: string | null;
}
