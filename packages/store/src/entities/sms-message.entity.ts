import { ForeignKey, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { OrderEntity } from './order.entity.js';
import { epochMillis } from '../columns.js';

/** An SMS seen on an order. The same message polled twice has the same dedupe key
 *  (sha256 of code and text) and is stored once. */
@Entity({ name: 'sms_messages' })
@Index('UQ_sms_messages_order_dedupe', ['orderId', 'dedupeKey'], { unique: true })
export class SmsMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @ForeignKey(() => OrderEntity)
  @Column({ name: 'order_id', type: 'varchar', length: 36 })
  orderId!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  code!: string | null;

  @Column({ type: 'text', nullable: true })
  text!: string | null;

  @Column({ name: 'received_at', type: 'bigint', transformer: epochMillis })
  receivedAt!: Date;

  @Column({ name: 'dedupe_key', type: 'varchar', length: 64 })
  dedupeKey!: string;
}
