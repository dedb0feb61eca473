import { ForeignKey, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity.js';
import { epochMillis } from '../columns.js';

/** One of a user's named API keys. Only the sha256 of the key is kept; a revoked key stays as
 *  a record (who had it, when it stopped working). */
@Entity({ name: 'api_keys' })
@Index('IDX_api_keys_user', ['userId', 'createdAt'])
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @ForeignKey(() => UserEntity)
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'key_hash', type: 'varchar', length: 64, unique: true })
  keyHash!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMillis })
  revokedAt!: Date | null;
}
