import type { OrderEventType } from '@numbroker/core';
import { ForeignKey, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { OrderEntity } from './order.entity.js';
import { epochMillis } from '../columns.js';

/** Core's order events plus the creation of the PENDING order. */
export type StoredOrderEventType = OrderEventType | 'ORDER_CREATED';

/**
 * The transactional outbox: one row per order change, written in the change's transaction.
 * A tail that reads `id > last` misses nothing: on SQLite one writer at a time commits in id
 * order; on Postgres a tail read waits for the writers between insert and commit (outbox.ts).
 */
@Entity({ name: 'order_events' })
@Index('IDX_order_events_order', ['orderId'])
@Index('IDX_order_events_user', ['userId', 'id'])
export class OrderEventEntity {
  // INTEGER, not BIGINT: SQLite only auto-increments an INTEGER PRIMARY KEY, and one entity
  // serves both databases. 2^31 events is thousands of years of orders at any plausible rate.
  @PrimaryGeneratedColumn('increment', { type: 'integer' })
  id!: number;

  @ForeignKey(() => OrderEntity)
  @Column({ name: 'order_id', type: 'varchar', length: 36 })
  orderId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 32 })
  type!: StoredOrderEventType;

  /** JSON: the order snapshot (and the SMS for SMS_RECEIVED). Never a secret. */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;
}
