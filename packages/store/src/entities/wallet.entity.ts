import { ForeignKey, Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity.js';
import { epochMillis, minorUnits } from '../columns.js';

/** One per (user, currency). The balances are only ever changed by conditional SQL updates
 *  in the same transaction as their ledger entry; the CHECKs are the last line of defence. */
@Entity({ name: 'wallets' })
@Index('UQ_wallets_user_currency', ['userId', 'currency'], { unique: true })
@Check('CHK_wallets_available_not_negative', 'available_minor >= 0')
@Check('CHK_wallets_held_not_negative', 'held_minor >= 0')
export class WalletEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @ForeignKey(() => UserEntity)
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 8 })
  currency!: string;

  @Column({ name: 'available_minor', type: 'bigint', default: 0, transformer: minorUnits })
  availableMinor!: bigint;

  @Column({ name: 'held_minor', type: 'bigint', default: 0, transformer: minorUnits })
  heldMinor!: bigint;

  @Column({ type: 'integer', default: 0 })
  version!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt!: Date;
}
