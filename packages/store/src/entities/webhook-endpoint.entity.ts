import { ForeignKey, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity.js';
import { booleanValue, epochMillis } from '../columns.js';

/** A customer's webhook URL. The signing secret is kept encrypted (AES-256-GCM, see
 *  @numbroker/webhooks secret-box): it must be read back to sign, so it cannot be hashed. */
@Entity({ name: 'webhook_endpoints' })
@Index('IDX_webhook_endpoints_user', ['userId', 'createdAt'])
export class WebhookEndpointEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @ForeignKey(() => UserEntity)
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 2000 })
  url!: string;

  /** JSON array of event types. */
  @Column({ type: 'text' })
  events!: string;

  @Column({ name: 'secret_sealed', type: 'varchar', length: 500 })
  secretSealed!: string;

  @Column({ type: 'boolean', default: true, transformer: booleanValue })
  enabled!: boolean;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;

  /** Deleted endpoints keep their row (their deliveries' history) and get nothing more. */
  @Column({ name: 'deleted_at', type: 'bigint', nullable: true, transformer: epochMillis })
  deletedAt!: Date | null;
}
