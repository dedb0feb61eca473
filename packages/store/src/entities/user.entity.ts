import { Column, Entity, PrimaryColumn } from 'typeorm';
import { booleanValue, epochMillis } from '../columns.js';

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** sha256 hex of the API key; the key itself is shown once and never stored. */
  @Column({ name: 'api_key_hash', type: 'varchar', length: 64, unique: true })
  apiKeyHash!: string;

  @Column({ name: 'is_admin', type: 'boolean', default: false, transformer: booleanValue })
  isAdmin!: boolean;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;

  /** Set by setUserDisabled: every key of a disabled user is refused. */
  @Column({ name: 'disabled_at', type: 'bigint', nullable: true, transformer: epochMillis })
  disabledAt!: Date | null;
}
