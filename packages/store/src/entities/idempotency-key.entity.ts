import { ForeignKey, Column, Entity, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity.js';
import { epochMillis } from '../columns.js';

/** A buy's idempotency key, claimed (inserted) before the hold: of concurrent buys with one
 *  key, the primary key lets exactly one through. */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @ForeignKey(() => UserEntity)
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 200 })
  idempotencyKey!: string;

  @Column({ name: 'order_id', type: 'varchar', length: 36 })
  orderId!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;
}
